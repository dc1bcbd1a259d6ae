/**
 * Validation of a fitted threshold rule at the boundary of {@link thresholdProbabilities} and
 * {@link thresholdPredict} (internal): a rule may come back from JSON or be written by hand, and a
 * wrong field must not silently change the decisions (an operator `'='` used to act as `'<'`).
 */
import { invalid, numberInRange, oneOf } from '../core/validate.js';
import type { ThresholdOperation } from './tradeoff.js';
import type { GroupThresholdRule, ThresholdRule } from './thresholdOptimizer.js';

const UNIT = { min: 0, max: 1 };

function plainObject(fn: string, argument: string, value: unknown, allowed: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(fn, argument, value, allowed);
  return value as Record<string, unknown>;
}

function checkOperation(fn: string, argument: string, value: unknown): void {
  const op = plainObject(fn, argument, value, "a threshold operation { operator: '>' | '<', threshold }");
  oneOf(fn, `${argument}.operator`, op.operator, ['>', '<'] satisfies ThresholdOperation['operator'][]);
  if (typeof op.threshold !== 'number' || Number.isNaN(op.threshold)) {
    invalid(fn, `${argument}.threshold`, op.threshold, 'a number (±Infinity allowed)', 'JSON turns ±Infinity into null: revive them before applying a stored rule');
  }
}

/**
 * Checks every group of a rule: p0 and p1 in [0, 1], operations with operator `'>'` or `'<'` and a
 * numeric threshold, and for equalized odds `pIgnore` and `predictionConstant` in [0, 1].
 *
 * @throws InvalidArgumentError naming the field (`rule.groups["F"].operation0.operator`) and its allowed values.
 */
export function checkThresholdRule(fn: string, rule: unknown): ThresholdRule {
  const r = plainObject(fn, 'rule', rule, 'a ThresholdRule from fitThresholdOptimizer');
  const groups = plainObject(fn, 'rule.groups', r.groups, 'an object of group rules keyed by group');
  if (Object.keys(groups).length === 0) invalid(fn, 'rule.groups', groups, 'at least one group rule');
  for (const [key, value] of Object.entries(groups)) {
    const at = `rule.groups[${JSON.stringify(key)}]`;
    const g = plainObject(fn, at, value, 'a group rule { p0, operation0, p1, operation1 }') as Partial<Record<keyof GroupThresholdRule, unknown>>;
    numberInRange(fn, `${at}.p0`, g.p0, UNIT);
    checkOperation(fn, `${at}.operation0`, g.operation0);
    numberInRange(fn, `${at}.p1`, g.p1, UNIT);
    checkOperation(fn, `${at}.operation1`, g.operation1);
    if (g.pIgnore !== undefined) {
      numberInRange(fn, `${at}.pIgnore`, g.pIgnore, UNIT);
      numberInRange(fn, `${at}.predictionConstant`, g.predictionConstant, UNIT);
    }
  }
  return rule as ThresholdRule;
}

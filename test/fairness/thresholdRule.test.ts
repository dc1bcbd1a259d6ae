import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import { fitThresholdOptimizer, thresholdPredict, thresholdProbabilities, type ThresholdRule } from '../../src/fairness/index.js';

const fitted = fitThresholdOptimizer({
  yTrue: [1, 0, 1, 0, 1, 0],
  yScore: [0.9, 0.2, 0.6, 0.4, 0.8, 0.3],
  sensitiveFeatures: ['a', 'a', 'b', 'b', 'c, d', 'c, d'],
  constraints: 'equalized_odds',
});
const apply = { yScore: [0.5, 0.7], sensitiveFeatures: ['a', 'b'] };

/** The fitted rule with one field of group 'a' replaced. */
function edited(path: string[], value: unknown): ThresholdRule {
  const rule = structuredClone(fitted) as unknown as Record<string, unknown>;
  let target = (rule.groups as Record<string, Record<string, unknown>>).a as Record<string, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path[path.length - 1]!] = value;
  return rule as unknown as ThresholdRule;
}

function rejection(f: () => unknown): InvalidArgumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('threshold rules are validated where they are applied', () => {
  it("an operator other than '>' or '<' is refused, naming the field and the allowed values", () => {
    const rule = edited(['operation0', 'operator'], '=');
    for (const [fn, call] of [
      ['thresholdProbabilities', () => thresholdProbabilities(rule, apply)],
      ['thresholdPredict', () => thresholdPredict(rule, { ...apply, rng: seededRng(0) })],
    ] as const) {
      const e = rejection(call);
      expect(e.fn).toBe(fn);
      expect(e.argument).toBe('rule.groups["a"].operation0.operator');
      expect(e.message).toBe(`${fn}: argument 'rule.groups["a"].operation0.operator' must be one of ">", "<", got "="`);
    }
  });

  it('weights, thresholds and the equalized-odds mix are checked', () => {
    const cases: [string[], unknown, string, RegExp][] = [
      [['p0'], 1.5, 'rule.groups["a"].p0', /a number in \[0, 1\]/],
      [['p1'], Number.NaN, 'rule.groups["a"].p1', /a number in \[0, 1\]/],
      [['operation1'], '> 0.5', 'rule.groups["a"].operation1', /a threshold operation/],
      [['operation1', 'threshold'], null, 'rule.groups["a"].operation1.threshold', /a number \(±Infinity allowed\).*revive them/],
      [['pIgnore'], -0.1, 'rule.groups["a"].pIgnore', /a number in \[0, 1\]/],
      [['predictionConstant'], undefined, 'rule.groups["a"].predictionConstant', /a number in \[0, 1\]/],
    ];
    for (const [path, value, argument, message] of cases) {
      const e = rejection(() => thresholdProbabilities(edited(path, value), apply));
      expect(e.argument).toBe(argument);
      expect(e.message).toMatch(message);
    }
    expect(rejection(() => thresholdProbabilities({ ...fitted, groups: {} }, apply)).argument).toBe('rule.groups');
    expect(rejection(() => thresholdProbabilities(null as unknown as ThresholdRule, apply)).argument).toBe('rule');
  });

  it('a valid rule still applies, ±Infinity thresholds and keys with separators included', () => {
    const p = thresholdProbabilities(fitted, { yScore: [0.5, 0.7, 0.1], sensitiveFeatures: ['a', 'b', 'c, d'] });
    expect(p).toHaveLength(3);
    p.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
    const infinite = edited(['operation0', 'threshold'], Number.NEGATIVE_INFINITY);
    expect(() => thresholdProbabilities(infinite, apply)).not.toThrow();
    // A key that only exists on Object.prototype is not a group seen at fit time.
    expect(() => thresholdProbabilities(fitted, { yScore: [0.5], sensitiveFeatures: ['constructor'] })).toThrow(/a group seen at fit time/);
  });
});

/**
 * The logs and history of trainMultiObjective in the library's one shape (internal): flat numbers
 * under `loss` (the weighted objective), each term's name (its value), `<name>Weight` (its weight),
 * `epsilon` (DP-SGD) and, per batch, `size`. The earlier nested shape (`total`, `values`,
 * `weights`) stays readable as non-enumerable, deprecated aliases for one minor version.
 */
import type { TrainingLogs } from '../../core/training/callbacks.js';
import { invalid } from '../../core/validate.js';
import type { MultiObjectiveHistory, ObjectiveStepLogs } from './types.js';

const RESERVED = new Set(['loss', 'accuracy', 'acc', 'epsilon', 'size', 'steps']);

/** Refuses term names that would collide with another key of the logs. */
export function checkLogKeys(fn: string, names: readonly string[]): void {
  const keys = new Set<string>();
  for (const name of names) {
    for (const key of [name, `${name}Weight`]) {
      if (RESERVED.has(key) || keys.has(key)) {
        invalid(fn, 'options.loss', `a term named '${name}'`, `term names whose log keys ('${name}', '${name}Weight') are distinct and not one of ${[...RESERVED].join(', ')}`,
          'Rename the term with its `name` option');
      }
      keys.add(key);
    }
  }
}

function hide(target: object, aliases: Record<string, unknown>): void {
  for (const [k, value] of Object.entries(aliases)) Object.defineProperty(target, k, { value, enumerable: false });
}

/** Flat epoch logs: loss, each term, each weight, epsilon. */
export function flatLogs(total: number, names: readonly string[], value: (i: number) => number, weights: Record<string, number>, epsilon?: number): TrainingLogs {
  const logs: Record<string, number> = { loss: total };
  names.forEach((k, i) => (logs[k] = value(i)));
  for (const k of names) logs[`${k}Weight`] = weights[k]!;
  if (epsilon !== undefined) logs.epsilon = epsilon;
  hide(logs, {
    total,
    values: Object.fromEntries(names.map((k, i) => [k, value(i)])),
    weights: { ...weights },
  });
  return logs;
}

/** Flat batch logs from a step's result, with the deprecated nested fields as hidden aliases. */
export function batchLogs(step: ObjectiveStepLogs): TrainingLogs {
  const names = Object.keys(step.values);
  const logs = flatLogs(step.total, names, (i) => step.values[names[i]!]!, step.weights) as Record<string, number>;
  logs.size = step.batchSize;
  hide(logs, { epoch: step.epoch, batchSize: step.batchSize });
  return logs;
}

/** The result's history: the loop's per-epoch logs, plus the deprecated nested views. */
export function objectiveHistory(history: Record<string, number[]>, names: readonly string[]): MultiObjectiveHistory {
  const out: Record<string, number[]> = { ...history };
  hide(out, {
    total: history.loss ?? [],
    values: Object.fromEntries(names.map((k) => [k, history[k] ?? []])),
    weights: Object.fromEntries(names.map((k) => [k, history[`${k}Weight`] ?? []])),
  });
  return out as unknown as MultiObjectiveHistory;
}

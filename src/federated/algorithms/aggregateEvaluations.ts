/** Combining clients' evaluations into one. */
import { invalid } from '../../core/validate.js';
import type { ClientEvaluation } from './evaluateClient.js';

/**
 * The example-weighted mean of clients' evaluations: the loss and accuracy over the union of
 * their data (what one evaluation on all of it would give), as Flower's `weighted_loss_avg`.
 *
 * @param evaluations - At least one evaluation; `numExamples` integers >= 0 with a positive total.
 * @returns `{ loss, accuracy, numExamples }` with `numExamples` the total.
 * @throws {@link InvalidArgumentError} for an empty list, a bad count, a non-finite loss or zero examples in all.
 * @example
 * ```ts
 * import { aggregateEvaluations } from 'responsible-tfjs/federated';
 * aggregateEvaluations([
 *   { loss: 0.5, accuracy: 0.9, numExamples: 100 },
 *   { loss: 1.0, accuracy: 0.6, numExamples: 300 },
 * ]); // { loss: 0.875, accuracy: 0.675, numExamples: 400 }
 * ```
 */
export function aggregateEvaluations(evaluations: readonly ClientEvaluation[]): ClientEvaluation {
  const fn = 'aggregateEvaluations';
  if (!Array.isArray(evaluations) || evaluations.length === 0) invalid(fn, 'evaluations', evaluations, 'a non-empty array of { loss, accuracy, numExamples }');
  let total = 0, loss = 0, accuracy = 0;
  evaluations.forEach((e, i) => {
    if (typeof e !== 'object' || e === null) invalid(fn, `evaluations[${i}]`, e, 'an object { loss, accuracy, numExamples }');
    if (!Number.isSafeInteger(e.numExamples) || e.numExamples < 0) invalid(fn, `evaluations[${i}].numExamples`, e.numExamples, 'an integer >= 0');
    if (typeof e.loss !== 'number' || !Number.isFinite(e.loss)) invalid(fn, `evaluations[${i}].loss`, e.loss, 'a finite number');
    if (typeof e.accuracy !== 'number') invalid(fn, `evaluations[${i}].accuracy`, e.accuracy, 'a number in [0, 1] (NaN when not a classification)');
    total += e.numExamples;
    loss += e.loss * e.numExamples;
    accuracy += e.accuracy * e.numExamples;
  });
  if (total === 0) invalid(fn, 'evaluations', 'zero examples in all', 'evaluations with at least one example in total');
  return { loss: loss / total, accuracy: accuracy / total, numExamples: total };
}

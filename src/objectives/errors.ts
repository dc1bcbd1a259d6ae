import { InvalidArgumentError } from '../core/errors.js';

/**
 * DP-SGD was asked to train an objective with terms that couple the examples of a batch (data
 * dependence `'batch'`, e.g. a demographic-parity gap between group means). DP-SGD bounds each
 * example's influence by clipping its own gradient; such a term has no per-example gradient (one
 * example's contribution depends on the others in the batch), so clipping cannot bound its
 * sensitivity and the privacy guarantee would not hold. The term names are in `terms`.
 *
 * @example
 * ```ts
 * import { NonDecomposableTermError } from 'responsible-tfjs/objectives';
 * try {
 *   await trainMultiObjective(model, data, { loss, optimizer, epochs: 1, batchSize: 64, privacy: { maxGradNorm: 1, noiseMultiplier: 1.1 } });
 * } catch (e) {
 *   if (e instanceof NonDecomposableTermError) console.log(e.terms); // ['demographicParity']
 * }
 * ```
 */
export class NonDecomposableTermError extends InvalidArgumentError {
  /** Names of the terms that couple examples. */
  readonly terms: readonly string[];
  constructor(fn: string, terms: readonly string[]) {
    super({
      fn,
      argument: 'options.loss',
      value: terms.join(', '),
      allowed: "an objective whose terms all have data dependence 'example' or 'none' when training with DP-SGD",
      hint:
        `The term(s) ${terms.map((t) => `'${t}'`).join(', ')} couple the examples of a batch (like a gap between group means), ` +
        'so no per-example gradient exists to clip and the DP-SGD guarantee would not hold. ' +
        'Train them without DP, replace them by per-example terms (e.g. reweighing through sampleWeight), ' +
        'or enforce fairness after private training (threshold post-processing on a held-out set)',
    });
    this.terms = terms;
  }
}

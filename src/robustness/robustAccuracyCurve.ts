import type { LabelsLike } from '../core/labels.js';
import type { ModelLike } from '../core/model.js';
import { checkSignal, throwIfAborted } from '../core/eventLoop.js';
import type { Tensor } from '../core/tf.js';
import { invalid, nonNegativeNumber, optionsObject, positiveInteger } from '../core/validate.js';
import { countRobust, evaluationInputs } from './robustAccuracy.js';
import type { Attack, ModelOutput } from './types.js';

/** Options of {@link robustAccuracyCurve}. */
export interface RobustAccuracyCurveOptions {
  /** Perturbation sizes in input units (each >= 0). An epsilon of 0 gives the clean accuracy. */
  readonly epsilons: readonly number[];
  /** Builds the attack for one epsilon (called for every epsilon > 0). */
  readonly attack: (epsilon: number) => Attack;
  /** Examples attacked together. Default 256. */
  readonly batchSize?: number;
  /** Called after each epsilon, e.g. to report progress. */
  readonly onPoint?: (point: { readonly epsilon: number; readonly accuracy: number; readonly index: number }) => void | Promise<void>;
  /**
   * Stops the curve when aborted: the call rejects with {@link AbortedError} between batches (and
   * inside each attack that forwards the signal it receives as its 4th argument), disposing every
   * tensor it created. The curve yields to the event loop between batches either way. Default: none.
   */
  readonly signal?: AbortSignal;
  /**
   * Whether the model returns logits or probabilities, for the predictions of single-output
   * (binary) models, as in {@link RobustAccuracyOptions.modelOutput}. Default: what the model declares.
   */
  readonly modelOutput?: ModelOutput;
}

/** A robust-accuracy curve as plain numbers, ready to plot. */
export interface RobustAccuracyCurve {
  /** The epsilons, as given. */
  readonly epsilons: number[];
  /** Robust accuracy at each epsilon, in [0, 1]. */
  readonly accuracies: number[];
}

/**
 * Robust accuracy at each of several perturbation sizes. At epsilon 0 no attack runs and the
 * value is the clean accuracy (so step sizes such as `epsilon / 8` never become 0). It yields to
 * the event loop between batches and stops on `options.signal`.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to scores.
 * @param x - Inputs `[n, ...]`.
 * @param y - True classes as indices or one-hot rows (0/1, or a `[n, 1]` 0/1 column, for a
 *   single-output model).
 * @returns Epsilons and accuracies as plain arrays.
 * @throws {@link InvalidArgumentError} for bad options, inputs or labels (a disposed tensor
 *   included); {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import { lineChartSvg } from 'responsible-tfjs';
 * import { pgd, robustAccuracyCurve } from 'responsible-tfjs/robustness';
 * const curve = await robustAccuracyCurve(model, xTest, yTest, {
 *   epsilons: [0, 0.02, 0.05, 0.1, 0.2],
 *   attack: (epsilon) => (m, xb, yb, call) => pgd(m, xb, yb, { epsilon, stepSize: epsilon / 8, steps: 20, signal: call?.signal }),
 *   signal: AbortSignal.timeout(120_000),
 * });
 * const svg = lineChartSvg([{ label: 'model', x: curve.epsilons, y: curve.accuracies }], { title: 'PGD-20' });
 * ```
 */
export async function robustAccuracyCurve(model: ModelLike, x: Tensor, y: LabelsLike, options: RobustAccuracyCurveOptions): Promise<RobustAccuracyCurve> {
  const fn = 'robustAccuracyCurve';
  const opts = optionsObject(fn, 'options', options);
  if (!Array.isArray(opts.epsilons) || opts.epsilons.length === 0) invalid(fn, 'options.epsilons', opts.epsilons, 'a non-empty array of numbers >= 0');
  const epsilons = opts.epsilons.map((e, i) => nonNegativeNumber(fn, `options.epsilons[${i}]`, e));
  if (typeof opts.attack !== 'function') invalid(fn, 'options.attack', opts.attack, 'a function (epsilon) => attack');
  const batchSize = positiveInteger(fn, 'options.batchSize', opts.batchSize ?? 256);
  const signal = checkSignal(fn, 'options.signal', opts.signal);
  throwIfAborted(fn, signal);
  const inputs = evaluationInputs(fn, model, x, y, opts.modelOutput);
  const n = x.shape[0] as number;
  const accuracies: number[] = [];
  try {
    for (const [index, epsilon] of epsilons.entries()) {
      const attack = epsilon > 0 ? opts.attack(epsilon) : undefined;
      const correct = await countRobust(fn, model, inputs, x, attack, batchSize, signal);
      accuracies.push(correct / n);
      await opts.onPoint?.({ epsilon, accuracy: correct / n, index });
    }
  } finally {
    inputs.labels.dispose();
  }
  return { epsilons, accuracies };
}

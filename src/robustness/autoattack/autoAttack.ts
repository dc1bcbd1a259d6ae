import { AbortedError } from '../../core/errors.js';
import { betweenSteps, checkSignal, throwIfAborted } from '../../core/eventLoop.js';
import type { LabelsLike } from '../../core/labels.js';
import type { ModelLike } from '../../core/model.js';
import { resolveRng, statisticalRng } from '../../core/rng.js';
import {
  cast, clone, gather, onesLike, scatterND, slice, tensor1d, tensor2d, tidy, where, type Tensor, type Tensor1D,
} from '../../core/tf.js';
import { finiteNumber, invalid, nonNegativeNumber, oneOf, optionsObject, positiveInteger } from '../../core/validate.js';
import { checkInputs, classIndicesReadable } from '../context.js';
import { evaluationInputs } from '../robustAccuracy.js';
import { brokenRows, misclassifiedRows } from './acceptance.js';
import { resolveChain, type ChainStep } from './chain.js';
import type { AutoAttackLogEntry, AutoAttackOptions, AutoAttackResult } from './types.js';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Indices (int32 `[k, 1]` for scatterND) of the rows where `flags` is 1. */
function rowIndices(rows: readonly number[]): Tensor {
  return tensor2d(Int32Array.from(rows), [rows.length, 1], 'int32');
}

/**
 * Writes `replacement` rows into `target` at `rows` (internal): returns a new tensor and disposes
 * `target`.
 */
function replaceRows(target: Tensor, rows: readonly number[], replacement: Tensor): Tensor {
  const next = tidy(() => {
    const idx = rowIndices(rows);
    const shape = target.shape;
    const written = scatterND(idx, replacement, shape);
    const mask = cast(scatterND(idx, onesLike(replacement), shape), 'bool');
    return where(mask, written, target);
  });
  target.dispose();
  return next;
}

/**
 * Runs one attack of the chain on the rows still robust, `batchSize` at a time, and records the
 * rows it broke (internal). Mutates `state`.
 */
async function runStep(
  fn: string, model: ModelLike, step: ChainStep, ctx: RunContext, state: RunState,
): Promise<{ attacked: number; broken: number; rejected: number }> {
  const pending = state.robust.flatMap((r, i) => (r === 1 ? [i] : []));
  let broken = 0;
  let rejected = 0;
  for (let start = 0; start < pending.length; start += ctx.batchSize) {
    await betweenSteps(fn, ctx.signal);
    const rows = pending.slice(start, start + ctx.batchSize);
    const idx = tensor1d(rows, 'int32');
    const xb = gather(ctx.x, idx);
    idx.dispose();
    // Built from values read once, so that an attack reading its labels never reads the GPU synchronously.
    const yb = tensor1d(rows.map((r) => ctx.labelValues[r]!), 'int32');
    let adv: unknown;
    try {
      try {
        adv = await step.attack(model, xb, yb, { signal: ctx.signal });
      } catch (e) {
        throw e instanceof AbortedError && ctx.signal?.aborted === true ? new AbortedError(fn, e.reason) : e;
      }
      const a = adv as Tensor | undefined;
      if (typeof a !== 'object' || a === null || typeof a.shape !== 'object' || a.isDisposed || a.shape.join() !== xb.shape.join()) {
        invalid(fn, `attack '${step.name}'`, adv, `a function resolving to a live tensor of shape [${xb.shape.join(', ')}]`);
      }
      throwIfAborted(fn, ctx.signal);
      const flags = tidy(() => {
        const ok = brokenRows(ctx.forward, ctx.outputKind, xb, a, yb, ctx.limits);
        const wrong = misclassifiedRows(ctx.forward, ctx.outputKind, a, yb);
        return [cast(ok, 'int32'), cast(wrong, 'int32')];
      });
      const [okValues, wrongValues] = await Promise.all(flags.map((f) => f.data()));
      flags.forEach((f) => f.dispose());
      const hit: number[] = [];
      const hitLocal: number[] = [];
      rows.forEach((row, j) => {
        if (okValues![j] === 1) {
          hit.push(row);
          hitLocal.push(j);
          state.robust[row] = 0;
          state.brokenBy[row] = step.name;
        } else if (wrongValues![j] === 1) {
          rejected++;
        }
      });
      if (hit.length > 0) {
        const local = tensor1d(hitLocal, 'int32');
        const rowsAdv = gather(a, local);
        local.dispose();
        state.adversarial = replaceRows(state.adversarial, hit, rowsAdv);
        rowsAdv.dispose();
      }
      broken += hit.length;
    } finally {
      if (adv !== xb && typeof adv === 'object' && adv !== null && typeof (adv as Tensor).dispose === 'function') (adv as Tensor).dispose();
      xb.dispose();
      yb.dispose();
    }
  }
  return { attacked: pending.length, broken, rejected };
}

interface RunContext {
  readonly x: Tensor;
  readonly labels: Tensor1D;
  /** `labels` read once, as plain numbers. */
  readonly labelValues: Int32Array;
  readonly forward: (x: Tensor) => Tensor;
  readonly outputKind: 'logits' | 'probabilities';
  readonly batchSize: number;
  readonly signal: AbortSignal | undefined;
  readonly limits: { readonly norm: 'linf' | 'l2'; readonly epsilon: number; readonly clipMin: number; readonly clipMax: number };
}

interface RunState {
  readonly robust: number[];
  readonly brokenBy: (string | null)[];
  adversarial: Tensor;
}

/**
 * AutoAttack (Croce & Hein 2020, https://arxiv.org/abs/2003.01690), the standard of robustness
 * evaluation used by RobustBench: a chain of complementary attacks, each run on the rows that the
 * earlier ones left correctly classified, so that a robust accuracy reported from it is not an
 * artefact of one attack's blind spot (fixed-step PGD overestimates robustness, most of all on
 * models whose gradients are masked). A row is robust when the model classifies it correctly and
 * no attack of the chain finds a misclassified input inside the ball; the result says which
 * attack broke each row.
 *
 * The `'standard'` chain is the original AutoAttack's: APGD-CE, APGD-T, FAB-T and Square with
 * their published settings (100 iterations, 9 target classes, 5,000 queries). torchattacks'
 * `AutoAttack` runs the same chain with 10 iterations; `steps: 10` reproduces it. Every attack's
 * output is checked before it counts (misclassified, finite, inside the input range and the ball
 * up to float32 rounding), so a custom attack that oversteps its budget lowers nothing (the log
 * reports its `rejected` rows).
 *
 * Binary and three-class models: APGD-T needs four classes and APGD-DLR three (the DLR loss
 * divides by the gap between the first and third largest logits); with fewer, those attacks are
 * skipped and the log says so.
 *
 * @param model - A `tf.LayersModel` or a function from inputs to logits (or probabilities, see
 *   `options.modelOutput`).
 * @param x - Inputs `[n, ...]`, float32, every value in `[clipMin, clipMax]`.
 * @param y - True classes as indices or one-hot rows (0/1, or a `[n, 1]` column, for a
 *   single-output model).
 * @returns The adversarial inputs (caller-owned), per-row robustness and the attack that broke
 *   each row, the clean and robust accuracies, and a log line per attack (rows attacked, broken,
 *   robust accuracy after it, time). {@link robustnessReport} draws it.
 * @throws {@link InvalidArgumentError} for a negative or non-finite epsilon, a bad norm, version,
 *   steps, queries, target classes or batch size, inputs outside the range, bad labels, or a custom
 *   attack resolving to something other than a tensor of its input's shape;
 *   {@link AbortedError} when `options.signal` is aborted (nothing leaks).
 * @example
 * ```ts
 * import { seededRng } from 'responsible-tfjs';
 * import { autoAttack, pgd, robustnessReport } from 'responsible-tfjs/robustness';
 *
 * const result = await autoAttack(model, xTest, yTest, { norm: 'linf', epsilon: 0.1, rng: seededRng(0) });
 * console.log(result.robustAccuracy);           // e.g. 0.42
 * console.log(result.brokenBy.slice(0, 5));      // ['apgd-ce', null, 'apgd-t', 'apgd-ce', null]
 * for (const line of result.log) console.log(line.attack, line.broken, line.robustAccuracy);
 * const svg = robustnessReport(result, { title: 'AutoAttack, L-inf 0.1' });
 * result.adversarial.dispose();
 *
 * // A custom chain: named attacks and your own, checked the same way.
 * const quick = await autoAttack(model, xTest, yTest, {
 *   epsilon: 0.1,
 *   version: ['apgd-ce', { name: 'pgd-20', attack: (m, xb, yb, call) =>
 *     pgd(m, xb, yb, { epsilon: 0.1, stepSize: 0.0125, steps: 20, signal: call?.signal }) }],
 * });
 * ```
 */
export async function autoAttack(model: ModelLike, x: Tensor, y: LabelsLike, options: AutoAttackOptions): Promise<AutoAttackResult> {
  const fn = 'autoAttack';
  const opts = optionsObject(fn, 'options', options);
  const epsilon = nonNegativeNumber(fn, 'options.epsilon', opts.epsilon);
  const norm = oneOf(fn, 'options.norm', opts.norm ?? 'linf', ['linf', 'l2'] as const);
  const steps = positiveInteger(fn, 'options.steps', opts.steps ?? 100);
  const queries = positiveInteger(fn, 'options.queries', opts.queries ?? 5000);
  const targetClasses = opts.targetClasses === undefined ? undefined : positiveInteger(fn, 'options.targetClasses', opts.targetClasses);
  const batchSize = positiveInteger(fn, 'options.batchSize', opts.batchSize ?? 256);
  const rng = resolveRng(fn, opts.rng, statisticalRng);
  const clipMin = finiteNumber(fn, 'options.clipMin', opts.clipMin ?? 0);
  const clipMax = finiteNumber(fn, 'options.clipMax', opts.clipMax ?? 1);
  if (!(clipMax > clipMin)) invalid(fn, 'options.clipMax', clipMax, `a number > clipMin (${clipMin})`);
  const signal = checkSignal(fn, 'options.signal', opts.signal);
  if (opts.onAttackEnd !== undefined && typeof opts.onAttackEnd !== 'function') {
    invalid(fn, 'options.onAttackEnd', opts.onAttackEnd, 'a function (entry) => void');
  }
  throwIfAborted(fn, signal);
  const inputs = evaluationInputs(fn, model, x, await classIndicesReadable(y), opts.modelOutput);
  const { forward, labels, outputKind } = inputs;
  let state: RunState | undefined;
  try {
    const chain = resolveChain(fn, opts.version ?? 'standard', {
      norm, epsilon, steps, queries, targetClasses, rng, clipMin, clipMax, modelOutput: outputKind,
    });
    await checkInputs(fn, x, clipMin, clipMax);
    const n = x.shape[0] as number;
    const classes = Math.max(2, tidy(() => forward(slice(x, 0, 1)).shape[1] as number));
    const wrongT = tidy(() => cast(misclassifiedRows(forward, outputKind, x, labels), 'int32'));
    const wrong = await wrongT.data();
    wrongT.dispose();
    const cleanCorrect = Array.from(wrong, (w) => 1 - w);
    state = { robust: cleanCorrect.slice(), brokenBy: new Array<string | null>(n).fill(null), adversarial: clone(x) };
    const labelValues = Int32Array.from(await labels.data());
    const ctx: RunContext = { x, labels, labelValues, forward, outputKind, batchSize, signal, limits: { norm, epsilon, clipMin, clipMax } };
    const log: AutoAttackLogEntry[] = [];
    const robustCount = (): number => state!.robust.reduce((a, b) => a + b, 0);
    for (const step of chain.steps) {
      const started = now();
      let entry: AutoAttackLogEntry;
      if (robustCount() === 0) {
        entry = { attack: step.name, attacked: 0, broken: 0, rejected: 0, robustAccuracy: 0, milliseconds: 0, skipped: 'no robust row left' };
      } else if (classes < step.minClasses) {
        entry = {
          attack: step.name, attacked: 0, broken: 0, rejected: 0, robustAccuracy: robustCount() / n, milliseconds: 0,
          skipped: `needs at least ${step.minClasses} classes; the model has ${classes}`,
        };
      } else {
        const r = await runStep(fn, model, step, ctx, state);
        entry = { attack: step.name, ...r, robustAccuracy: robustCount() / n, milliseconds: now() - started };
      }
      log.push(entry);
      opts.onAttackEnd?.(entry);
    }
    const result: AutoAttackResult = {
      adversarial: state.adversarial,
      robust: state.robust,
      cleanCorrect,
      brokenBy: state.brokenBy,
      cleanAccuracy: cleanCorrect.reduce((a, b) => a + b, 0) / n,
      robustAccuracy: robustCount() / n,
      log,
      settings: { norm, epsilon, version: chain.label },
    };
    state = undefined;
    return result;
  } finally {
    state?.adversarial.dispose();
    labels.dispose();
  }
}

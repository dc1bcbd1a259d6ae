/**
 * Shared set-up of every attack (internal): model to forward function, validation of inputs,
 * hyper-parameters and labels, and the objective the attacks climb.
 */
import { checkSignal, throwIfAborted } from '../core/eventLoop.js';
import { assertGradientsAvailable } from '../core/gradients.js';
import { isTensor, type LabelsLike } from '../core/labels.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import {
  checkLabelsFitOutputs, declaredOutputKind, labelsLikeOutputs, perExampleCrossEntropy, predictedLabels, type OutputKind,
} from '../core/outputs/index.js';
import { assertFiniteValues, tensorArgument } from '../core/tensorArgument.js';
import { all, cast, grad, isFinite, max, mean, min, neg, slice, stack, tidy, type Tensor, type Tensor2D } from '../core/tf.js';
import { booleanValue, finiteNumber, invalid, oneOf, optionsObject } from '../core/validate.js';
import { withTapeCleanup } from '../core/tape.js';
import type { AttackCommonOptions, ModelOutput, PerExampleLoss } from './types.js';

/** Everything an attack's inner loop needs; `labels` is owned by the context. */
export interface AttackContext {
  readonly fn: string;
  readonly forward: (x: Tensor) => Tensor;
  /**
   * Labels shaped like the model's outputs (true classes, or targets when `targeted`): one-hot
   * rows, or a 0/1 column for a single-unit model.
   */
  readonly labels: Tensor2D;
  readonly clipMin: number;
  readonly clipMax: number;
  readonly targeted: boolean;
  /** What the model returns (the option, or what the model declares). */
  readonly outputKind: OutputKind;
  readonly loss: (labels: Tensor2D, outputs: Tensor) => Tensor;
  /** Checked between steps: aborting it stops the attack with an AbortedError. */
  readonly signal: AbortSignal | undefined;
}

/** Validated common options with defaults applied. */
export interface CommonSettings {
  readonly clipMin: number;
  readonly clipMax: number;
  readonly targeted: boolean;
  /** The `modelOutput` option (undefined: ask the model, see {@link declaredOutputKind}). */
  readonly modelOutput: ModelOutput | undefined;
  /** The `loss` option (undefined: cross-entropy). */
  readonly loss: PerExampleLoss | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Validates the options all attacks share. */
export function commonSettings(fn: string, options: AttackCommonOptions): CommonSettings {
  const clipMin = finiteNumber(fn, 'options.clipMin', options.clipMin ?? 0);
  const clipMax = finiteNumber(fn, 'options.clipMax', options.clipMax ?? 1);
  if (!(clipMax > clipMin)) invalid(fn, 'options.clipMax', clipMax, `a number > clipMin (${clipMin})`);
  const targeted = booleanValue(fn, 'options.targeted', options.targeted ?? false);
  const modelOutput = options.modelOutput === undefined
    ? undefined
    : oneOf(fn, 'options.modelOutput', options.modelOutput, ['logits', 'probabilities'] as const);
  if (options.loss !== undefined && typeof options.loss !== 'function') {
    invalid(fn, 'options.loss', options.loss, 'a function (labels, outputs) => per-example loss');
  }
  const signal = checkSignal(fn, 'options.signal', options.signal);
  return { clipMin, clipMax, targeted, modelOutput, loss: options.loss, signal };
}

/**
 * Checks that `x` is a live float32 batch of finite values, all in `[clipMin, clipMax]`. One
 * asynchronous read of three numbers (min, max, all finite); the whole tensor is read only to
 * name a non-finite element.
 */
export async function checkInputs(fn: string, x: unknown, clipMin: number, clipMax: number): Promise<Tensor> {
  const t = tensorArgument(fn, 'x', x, 'a tf.Tensor of inputs with the batch as first dimension');
  if (t.rank < 2 || t.shape[0] === 0) invalid(fn, 'x', t, 'a non-empty batch of rank >= 2 ([batch, ...features])');
  if (t.dtype !== 'float32') invalid(fn, 'x', t, 'a float32 tensor');
  const range = tidy(() => stack([min(t), max(t), cast(all(isFinite(t)), 'float32')]));
  const values = await range.data();
  range.dispose();
  if (values[2] !== 1) assertFiniteValues(fn, 'x', t, await t.data());
  const xMin = values[0] as number;
  const xMax = values[1] as number;
  if (!(xMin >= clipMin && xMax <= clipMax)) {
    invalid(fn, 'x', `values in [${xMin}, ${xMax}]`, `inputs inside [clipMin, clipMax] = [${clipMin}, ${clipMax}]`,
      'Scale the inputs into the model\'s input range, or set clipMin/clipMax to that range');
  }
  return t;
}

/**
 * Number of output units: from the LayersModel's output shape, the labels' columns, or one forward
 * pass on one row. One unit is a binary model (labels 0/1).
 */
export function outputUnits(fn: string, model: ModelLike, forward: (x: Tensor) => Tensor, x: Tensor, y: LabelsLike | undefined): number {
  if (typeof model !== 'function') {
    const shape = model.outputs?.[0]?.shape;
    const last = shape?.[shape.length - 1];
    if (shape?.length === 2 && typeof last === 'number') return last;
  }
  if (isTensor(y) && y.rank === 2) return y.shape[1] as number;
  const shape = tidy(() => forward(slice(x, 0, 1)).shape);
  if (shape.length !== 2) invalid(fn, 'model', `output of shape [${shape.join(', ')}]`, 'a model returning [batch, classes]');
  return shape[1] as number;
}

/** The model's predictions as labels shaped like its outputs (when `y` is omitted). */
function modelPredictions(fn: string, forward: (x: Tensor) => Tensor, x: Tensor, kind: OutputKind): Tensor2D {
  const out = tidy(() => forward(x));
  try {
    if (out.rank !== 2) invalid(fn, 'model', `output of shape [${out.shape.join(', ')}]`, 'a model returning [batch, classes]');
    return tidy(() => predictedLabels(out as Tensor2D, kind));
  } finally {
    out.dispose();
  }
}

/** What an attack needs from the environment besides a forward pass. */
export interface AttackNeeds {
  /**
   * Whether the attack differentiates the model (default true). Score-based black-box attacks
   * (Square) set it to false: they run on any callable, with or without registered gradients.
   */
  readonly gradients?: boolean;
}

/**
 * Validates everything and builds the attack context. The caller disposes `context.labels`.
 */
export async function prepareAttack(
  fn: string,
  model: ModelLike,
  x: Tensor,
  y: LabelsLike | undefined,
  options: AttackCommonOptions | undefined,
  needs: AttackNeeds = {},
): Promise<{ context: AttackContext; settings: CommonSettings }> {
  const opts = optionsObject(fn, 'options', options);
  const settings = commonSettings(fn, opts);
  const forward = toForwardFn(fn, model);
  if (needs.gradients !== false) assertGradientsAvailable(fn);
  if (isTensor(y)) tensorArgument(fn, 'y', y, 'class indices or one-hot rows');
  throwIfAborted(fn, settings.signal);
  await checkInputs(fn, x, settings.clipMin, settings.clipMax);
  throwIfAborted(fn, settings.signal);
  const batch = x.shape[0] as number;
  const outputKind = settings.modelOutput ?? declaredOutputKind(model);
  let labels: Tensor2D;
  if (y === undefined || y === null) {
    if (settings.targeted) invalid(fn, 'y', y, 'the target classes when options.targeted is true');
    labels = modelPredictions(fn, forward, x, outputKind);
  } else {
    labels = labelsLikeOutputs(fn, await classIndicesReadable(y), outputUnits(fn, model, forward, x, y), batch);
  }
  const userLoss = settings.loss ?? ((l: Tensor2D, o: Tensor): Tensor => perExampleCrossEntropy(l, o, outputKind));
  const loss = (l: Tensor2D, outputs: Tensor): Tensor => {
    checkLabelsFitOutputs(fn, l, outputs);
    const v = userLoss(l, outputs);
    if (v.rank !== 1 || v.shape[0] !== batchOf(l)) {
      invalid(fn, 'options.loss', `a result of shape [${v.shape.join(', ')}]`, `a function returning one loss per example ([${batchOf(l)}])`);
    }
    return v;
  };
  const { clipMin, clipMax, targeted, signal } = settings;
  return { context: { fn, forward, labels, clipMin, clipMax, targeted, outputKind, loss, signal }, settings };
}

/**
 * Class indices given as a 1-D tensor, read asynchronously into an array: label validation reads
 * the values, and a synchronous read of a tensor that lives on the GPU fails on webgpu (tfjs 4.22
 * under SwiftShader returns zeros and loses the device). One-hot tensors and arrays pass as they are.
 */
export async function classIndicesReadable(y: LabelsLike): Promise<LabelsLike> {
  if (!isTensor(y) || y.rank !== 1 || y.isDisposed) return y;
  return y.dtype === 'int32' ? Int32Array.from(await y.data()) : Float32Array.from(await y.data());
}

function batchOf(t: Tensor): number {
  return t.shape[0] as number;
}

/**
 * Gradient with respect to `xk` of the attack objective: the batch-mean loss (as torch's
 * `CrossEntropyLoss` with mean reduction), negated for targeted attacks.
 * @returns A tensor of `xk`'s shape the caller owns.
 */
export function objectiveGradient(ctx: AttackContext, xk: Tensor, labels: Tensor2D = ctx.labels): Tensor {
  return withTapeCleanup(() => grad((xi: Tensor) => {
    const l = mean(ctx.loss(labels, ctx.forward(xi)));
    return ctx.targeted ? neg(l) : l;
  })(xk));
}

/** Per-example objective (loss, or minus the loss when targeted), `[batch]`, caller-owned. */
export function perExampleObjective(ctx: AttackContext, xk: Tensor, labels: Tensor2D = ctx.labels): Tensor {
  return tidy(() => {
    const l = ctx.loss(labels, ctx.forward(xk));
    return ctx.targeted ? neg(l) : l;
  });
}

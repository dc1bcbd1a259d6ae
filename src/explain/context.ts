/**
 * Shared set-up of every attribution method (internal): the model as a forward function, the
 * validated input batch, the output kind, the target classes, and the gradient of the target
 * outputs with respect to a batch of (possibly repeated) inputs.
 */
import { assertBackend } from '../core/backend.js';
import { assertGradientsAvailable } from '../core/gradients.js';
import { toForwardFn, type ModelLike } from '../core/model.js';
import { resolveOutputKind, type OutputKind } from '../core/outputs/index.js';
import { withTapeCleanup } from '../core/tape.js';
import { assertFiniteValues, tensorArgument } from '../core/tensorArgument.js';
import {
  all, cast, concat, grad, isFinite, sum, tensor1d, tidy, type LayersModel, type Tensor, type Tensor1D,
} from '../core/tf.js';
import { hookSites } from './model/modelLayers.js';
import { withSwappedOps } from './model/swap.js';
import { invalid, optionsObject } from '../core/validate.js';
import { classCount, resolveTargets, selectTargetOutputs } from './targets.js';
import type { TargetOptions } from './types.js';

/** Everything a method needs about the model and the batch it explains. */
export interface ExplainContext {
  /** The public function's name, for error messages. */
  readonly fn: string;
  /** The model as the caller gave it (a LayersModel or a function). */
  readonly model: ModelLike;
  readonly forward: (x: Tensor) => Tensor;
  /** The batch being explained (the caller's tensor, not owned by the context). */
  readonly x: Tensor;
  /** Examples in the batch. */
  readonly batch: number;
  /** Elements of one example (product of the non-batch axes). */
  readonly featureSize: number;
  readonly kind: OutputKind;
  /** Classes of the model's output (2 for a single-unit model). */
  readonly classes: number;
  /** Target class per example. */
  readonly targets: Int32Array;
}

/**
 * Checks that `x` is a live float32 batch of finite values, `[batch, ...features]` with batch >= 1
 * (one asynchronous read of one number; the tensor is read whole only to name a bad element).
 */
export async function checkExplainInput(fn: string, x: unknown, argument = 'x'): Promise<Tensor> {
  const t = tensorArgument(fn, argument, x, 'a tf.Tensor of inputs with the batch as first dimension');
  if (t.rank < 2 || t.shape[0] === 0) invalid(fn, argument, t, 'a non-empty batch of rank >= 2 ([batch, ...features])');
  if (t.dtype !== 'float32') invalid(fn, argument, t, 'a float32 tensor');
  const finite = tidy(() => cast(all(isFinite(t)), 'float32'));
  const ok = (await finite.data())[0];
  finite.dispose();
  if (ok !== 1) assertFiniteValues(fn, argument, t, (await t.data()) as ArrayLike<number>);
  return t;
}

/**
 * Validates the model, the batch and the target, and runs the model once on `x` (for
 * `'predicted'` targets and the output shape). Methods that differentiate (the default) also
 * check that tfjs's gradients are registered; the perturbation methods only run the model.
 */
export async function prepareExplanation(
  fn: string, model: ModelLike, x: unknown, options: TargetOptions | undefined, needs: { gradients: boolean } = { gradients: true },
): Promise<ExplainContext> {
  assertBackend(fn);
  const opts = optionsObject(fn, 'options', options);
  const forward = toForwardFn(fn, model);
  if (needs.gradients) assertGradientsAvailable(fn);
  const kind = resolveOutputKind(fn, model, opts.modelOutput);
  const xt = await checkExplainInput(fn, x);
  const outputs = tidy(() => forward(xt));
  try {
    if (outputs.rank !== 2 || outputs.shape[0] !== xt.shape[0]) {
      invalid(fn, 'model', `output of shape [${outputs.shape.join(', ')}]`, `a model returning [batch, classes] ([${xt.shape[0]}, classes] here)`);
    }
    const classes = classCount(fn, outputs);
    const targets = await resolveTargets(fn, opts.target, outputs, kind);
    const batch = xt.shape[0] as number;
    return { fn, model, forward, x: xt, batch, featureSize: xt.size / batch, kind, classes, targets };
  } finally {
    outputs.dispose();
  }
}

/** The targets repeated for a batch of `rows` rows where row r explains example `exampleOf(r)`. */
export function targetsTensor(ctx: ExplainContext, rows: number, exampleOf: (row: number) => number): Tensor1D {
  const t = new Int32Array(rows);
  for (let r = 0; r < rows; r++) t[r] = ctx.targets[exampleOf(r)] as number;
  return tensor1d(t, 'int32');
}

/** Target output of every row of `inputs`, `[rows]` (caller-owned). */
export function targetOutputs(ctx: ExplainContext, inputs: Tensor, targets: Tensor1D): Tensor1D {
  return tidy(() => selectTargetOutputs(ctx.forward(inputs), targets, ctx.kind));
}

/**
 * Gradient of the sum of the rows' target outputs with respect to `inputs` (each row's own
 * output, as the rows are independent), of `inputs`' shape, caller-owned.
 *
 * For a LayersModel the gradient is taken with every activation swapped for an identical copy and
 * Conv2D and Dense layers on their unfused path (`model/swap.ts`): tfjs's fused kernels
 * differentiate the weights as well as the input, which costs extra backward work per layer and
 * fails on wasm for convolutions (no `Conv2DBackpropFilter` kernel in tfjs 4.22). The values are
 * the model's own.
 */
export function targetGradients(ctx: ExplainContext, inputs: Tensor, targets: Tensor1D): Tensor {
  const compute = (): Tensor => targetGradientsAsIs(ctx, inputs, targets);
  const layers = asLayersModel(ctx.model);
  return layers === undefined ? compute() : withSwappedOps(hookSites(layers), (op) => op, compute);
}

/**
 * {@link targetGradients} without swapping anything: for methods that already run inside their own
 * swapped model (guided backprop, deconvolution), or pass their own `forward`.
 */
export function targetGradientsAsIs(ctx: ExplainContext, inputs: Tensor, targets: Tensor1D, forward = ctx.forward): Tensor {
  return withTapeCleanup(() => grad((xi: Tensor) => sum(selectTargetOutputs(forward(xi), targets, ctx.kind)))(inputs));
}

function asLayersModel(model: ModelLike): LayersModel | undefined {
  return typeof model === 'object' && model !== null && Array.isArray((model as LayersModel).layers) ? (model as LayersModel) : undefined;
}

/**
 * Runs `compute` over `rows` rows in chunks of at most `chunk` rows and concatenates the results
 * along axis 0 (disposing the parts). `compute(start, size)` returns a caller-owned tensor.
 */
export function inChunks(rows: number, chunk: number, compute: (start: number, size: number) => Tensor): Tensor {
  if (chunk >= rows) return compute(0, rows);
  const parts: Tensor[] = [];
  try {
    for (let start = 0; start < rows; start += chunk) parts.push(compute(start, Math.min(chunk, rows - start)));
    return concat(parts, 0);
  } finally {
    for (const p of parts) p.dispose();
  }
}

import type { Rng } from '../../core/rng.js';
import { add, dispose, stack, tidy, variableGrads, zeros, type NamedTensorMap, type Scalar, type Tensor, type Tensor2D } from '../../core/tf.js';
import type { LayersModel } from '../../core/tf.js';
import { aggregatePerExample } from '../../privacy/dpsgd/aggregatePerExample.js';
import { privateBatchGradients } from '../../privacy/dpsgd/dpSgdStep.js';
import { modelPlan } from '../../privacy/dpsgd/modelPlan.js';
import { noisyAverage, type AggregatedGradients, type PrivateSettings } from '../../privacy/dpsgd/privateGradients.js';
import { connectAll, type LossState } from '../lossState.js';
import { crossEntropyTerms } from '../terms/crossEntropyTerm.js';

/** Settings of one DP-SGD gradient (internal). */
export interface PrivateGradientSettings {
  readonly maxGradNorm: number;
  readonly noiseMultiplier: number;
  /** Expected batch size (sampleRate * n) the noisy sum is divided by. */
  readonly expectedBatchSize: number;
  readonly rng: Rng;
  /** Use the privacy module's vectorized per-example engine when the objective allows (default true). */
  readonly vectorized?: boolean;
}

/** Noisy gradients by variable name (caller owns) and the clipping counts of the batch. */
export interface PrivateObjectiveGradients {
  readonly gradients: NamedTensorMap;
  readonly clippedCount: number;
  readonly zeroedCount: number;
}

/**
 * Whether the per-example part of the objective is the plain softmax cross-entropy of a
 * LayersModel over all its trainable weights, which the privacy module's engine differentiates per
 * example in one pass (internal).
 */
function vectorizable(state: LossState, exampleIdx: readonly number[]): boolean {
  const b = state.batch;
  if (b === undefined || exampleIdx.length !== 1 || exampleIdx[0] !== 0) return false;
  const key = crossEntropyTerms.get(state.objectives[0]!);
  if (key === undefined || key in b.extras || (state.weights[0] as number) !== 1 || (b.labels.shape[1] as number) < 2) return false;
  const model = state.model as Partial<LayersModel>;
  if (typeof model !== 'object' || model === null || !Array.isArray(model.trainableWeights)) return false;
  const weights = model.trainableWeights.map((w) => (w as unknown as { read(): unknown }).read());
  return weights.length === state.variables.length && weights.every((w, i) => w === state.variables[i]);
}

/**
 * The DP-SGD gradient of the bound batch (internal), through the privacy module's one private
 * aggregation (the same clipping rule, zeroing of non-finite examples and noise as `fitPrivately`):
 * for each example, the gradient of its weighted per-example objective (terms with data
 * dependence `'example'`) clipped to `maxGradNorm` in L2 over all variables; their sum plus
 * `N(0, (noiseMultiplier * maxGradNorm)^2)` per coordinate, divided by the expected batch size;
 * plus the exact gradient of the parameter-only terms (`'none'`), which reads no data. The plain
 * cross-entropy of a LayersModel goes through the vectorized engine; other per-example objectives
 * are differentiated one example at a time and then aggregated by the same rule. The model must
 * have passed the engine's model check (trainMultiObjective does it before training).
 * @returns Gradients by variable name, owned by the caller, and the clipping counts.
 */
export async function privateGradients(state: LossState, s: PrivateGradientSettings): Promise<PrivateObjectiveGradients> {
  const vars = state.variables;
  const exampleIdx = state.objectives.flatMap((t, i) => (t.dataDependence === 'example' && (state.weights[i] as number) !== 0 ? [i] : []));
  const noneIdx = state.objectives.flatMap((t, i) => (t.dataDependence === 'none' && (state.weights[i] as number) !== 0 ? [i] : []));
  const batch = state.batch;
  const n = batch === undefined || exampleIdx.length === 0 ? 0 : (batch.x.shape[0] as number);
  const settings: PrivateSettings = { ...s, clipping: 'flat' };
  let aggregated: AggregatedGradients;
  if (n === 0) {
    aggregated = { gradients: tidy(() => noisyAverage(vars.map((v) => zeros(v.shape)), vars.map((v) => v.shape), settings)), clippedCount: 0, zeroedCount: 0 };
  } else if (s.vectorized !== false && vectorizable(state, exampleIdx)) {
    const plan = modelPlan(state.fn, state.model as LayersModel);
    const r = await privateBatchGradients(plan, batch!.x, batch!.labels as Tensor2D, settings, true);
    aggregated = r;
  } else {
    aggregated = await exampleByExample(state, exampleIdx, n, settings);
  }
  let parameterOnly: NamedTensorMap | undefined;
  try {
    if (noneIdx.length > 0) {
      const { value, grads } = variableGrads(
        () => tidy(() => connectAll(state.combine(state.values(state.parameterContext(), noneIdx), noneIdx) as Scalar, vars)),
        vars,
      );
      value.dispose();
      parameterOnly = grads;
    }
    const gradients: NamedTensorMap = {};
    vars.forEach((v, i) => {
      const g = aggregated.gradients[i]!;
      gradients[v.name] = parameterOnly === undefined ? g : tidy(() => add(g, parameterOnly![v.name]!));
    });
    if (parameterOnly !== undefined) dispose(aggregated.gradients);
    return { gradients, clippedCount: aggregated.clippedCount, zeroedCount: aggregated.zeroedCount };
  } catch (e) {
    dispose(aggregated.gradients);
    throw e;
  } finally {
    if (parameterOnly !== undefined) dispose(Object.values(parameterOnly));
  }
}

/** Per-example gradients one row at a time, stacked `[batch, ...shape]`, then the shared aggregation. */
async function exampleByExample(state: LossState, exampleIdx: readonly number[], n: number, s: PrivateSettings): Promise<AggregatedGradients> {
  const vars = state.variables;
  const rows: Tensor[][] = vars.map(() => []);
  let stacked: Tensor[] = [];
  try {
    for (let row = 0; row < n; row++) {
      const { value, grads } = variableGrads(
        () => tidy(() => connectAll(state.combine(state.values(state.context({ start: row, size: 1 }), exampleIdx), exampleIdx), vars)),
        vars,
      );
      value.dispose();
      vars.forEach((v, i) => rows[i]!.push(grads[v.name]!));
    }
    stacked = vars.map((_, i) => stack(rows[i]!));
    dispose(rows.flat());
    rows.forEach((r) => (r.length = 0));
    return await aggregatePerExample(stacked, vars.map((_, i) => i), s);
  } finally {
    dispose([...rows.flat(), ...stacked]);
  }
}

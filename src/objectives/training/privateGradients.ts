import type { Rng } from '../../core/rng.js';
import {
  add, clone, dispose, div, minimum, mul, scalar, sqrt, addN, sum, square, tensor, tidy, variableGrads, zerosLike,
  type NamedTensorMap, type Scalar, type Tensor,
} from '../../core/tf.js';
import { clipAndNoise, perExampleGradients, UnsupportedLayerError } from '../../privacy/index.js';
import type { LayersModel } from '../../core/tf.js';
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

/** N(0, sigma^2) samples in float32 by Box–Muller over the rng's 53-bit uniforms. */
function gaussian(rng: Rng, sigma: number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const theta = 2 * Math.PI * rng.next();
    out[i] = sigma * r * Math.cos(theta);
    if (i + 1 < size) out[i + 1] = sigma * r * Math.sin(theta);
  }
  return out;
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
 * The DP-SGD gradient of the bound batch (internal): for each example, the gradient of its
 * weighted per-example objective (terms with data dependence `'example'`) clipped to
 * `maxGradNorm` in L2 over all variables; their sum plus `N(0, (noiseMultiplier * maxGradNorm)^2)`
 * per coordinate, divided by the expected batch size; plus the exact gradient of the
 * parameter-only terms (`'none'`), which reads no data. When the per-example part is the plain
 * cross-entropy of a LayersModel, the privacy module's vectorized engine ({@link perExampleGradients},
 * {@link clipAndNoise}) does it in one pass; otherwise examples are processed one at a time (the
 * generic path for any per-example term, adversarial and double-backprop ones included).
 * @returns Gradients by variable name, owned by the caller.
 */
export function privateGradients(state: LossState, s: PrivateGradientSettings): NamedTensorMap {
  const vars = state.variables;
  const exampleIdx = state.objectives.flatMap((t, i) => (t.dataDependence === 'example' && (state.weights[i] as number) !== 0 ? [i] : []));
  const noneIdx = state.objectives.flatMap((t, i) => (t.dataDependence === 'none' && (state.weights[i] as number) !== 0 ? [i] : []));
  const batch = state.batch;
  const n = batch === undefined ? 0 : (batch.x.shape[0] as number);
  const engine = s.vectorized !== false && n > 0 && vectorizable(state, exampleIdx) ? engineGradients(state, s) : undefined;
  let acc: NamedTensorMap = {};
  let parameterOnly: NamedTensorMap | undefined;
  try {
    if (engine === undefined) {
      for (const v of vars) acc[v.name] = zerosLike(v);
      for (let row = 0; row < (exampleIdx.length > 0 ? n : 0); row++) {
        const { value, grads } = variableGrads(
          () => tidy(() => connectAll(state.combine(state.values(state.context({ start: row, size: 1 }), exampleIdx), exampleIdx), vars)),
          vars,
        );
        const next = tidy(() => {
          const norm = sqrt(addN(vars.map((v) => sum(square(grads[v.name]!)))));
          const factor = minimum(scalar(1), div(scalar(s.maxGradNorm), add(norm, scalar(1e-12))));
          const out: NamedTensorMap = {};
          for (const v of vars) out[v.name] = add(acc[v.name]!, mul(grads[v.name]!, factor));
          return out;
        });
        dispose([value, ...Object.values(grads), ...Object.values(acc)]);
        acc = next;
      }
    }
    if (noneIdx.length > 0) {
      const { value, grads } = variableGrads(
        () => tidy(() => connectAll(state.combine(state.values(state.parameterContext(), noneIdx), noneIdx) as Scalar, vars)),
        vars,
      );
      value.dispose();
      parameterOnly = grads;
    }
    const sigma = s.noiseMultiplier * s.maxGradNorm;
    return tidy(() => {
      const out: NamedTensorMap = {};
      for (const v of vars) {
        let g: Tensor = engine !== undefined
          ? engine[v.name]!
          : div(add(acc[v.name]!, tensor(gaussian(s.rng, sigma, v.size), v.shape, 'float32')), scalar(s.expectedBatchSize));
        if (parameterOnly !== undefined) g = add(g, parameterOnly[v.name]!);
        out[v.name] = engine !== undefined && parameterOnly === undefined ? clone(g) : g;
      }
      return out;
    });
  } finally {
    dispose(Object.values(acc));
    if (parameterOnly !== undefined) dispose(Object.values(parameterOnly));
    if (engine !== undefined) dispose(Object.values(engine));
  }
}

/** Noisy averaged gradients from the privacy module's vectorized engine, or undefined for an unsupported layer. */
function engineGradients(state: LossState, s: PrivateGradientSettings): NamedTensorMap | undefined {
  const b = state.batch!;
  let pe: ReturnType<typeof perExampleGradients>;
  try {
    pe = perExampleGradients(state.model as LayersModel, b.x, b.labels);
  } catch (e) {
    if (e instanceof UnsupportedLayerError) return undefined;
    throw e;
  }
  try {
    const noisy = clipAndNoise(pe.gradients, {
      maxGradNorm: s.maxGradNorm, noiseMultiplier: s.noiseMultiplier, expectedBatchSize: s.expectedBatchSize, rng: s.rng,
    });
    return Object.fromEntries(state.variables.map((v, i) => [v.name, noisy[i]!]));
  } finally {
    dispose([...pe.gradients, pe.losses]);
  }
}

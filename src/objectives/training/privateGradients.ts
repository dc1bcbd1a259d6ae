import type { Rng } from '../../core/rng.js';
import {
  add, dispose, div, minimum, mul, scalar, sqrt, addN, sum, square, tensor, tidy, variableGrads, zerosLike,
  type NamedTensorMap, type Scalar, type Tensor,
} from '../../core/tf.js';
import { connectAll, type LossState } from '../lossState.js';

/** Settings of one DP-SGD gradient (internal). */
export interface PrivateGradientSettings {
  readonly maxGradNorm: number;
  readonly noiseMultiplier: number;
  /** Expected batch size (sampleRate * n) the noisy sum is divided by. */
  readonly expectedBatchSize: number;
  readonly rng: Rng;
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
 * The DP-SGD gradient of the bound batch (internal): for each example, the gradient of its
 * weighted per-example objective (terms with data dependence `'example'`) clipped to
 * `maxGradNorm` in L2 over all variables; their sum plus `N(0, (noiseMultiplier * maxGradNorm)^2)`
 * per coordinate, divided by the expected batch size; plus the exact gradient of the
 * parameter-only terms (`'none'`), which reads no data. Examples are processed one at a time
 * (the generic path for any per-example term, adversarial and double-backprop ones included).
 * @returns Gradients by variable name, owned by the caller.
 */
export function privateGradients(state: LossState, s: PrivateGradientSettings): NamedTensorMap {
  const vars = state.variables;
  const exampleIdx = state.objectives.flatMap((t, i) => (t.dataDependence === 'example' && (state.weights[i] as number) !== 0 ? [i] : []));
  const noneIdx = state.objectives.flatMap((t, i) => (t.dataDependence === 'none' && (state.weights[i] as number) !== 0 ? [i] : []));
  const batch = state.batch;
  const n = batch === undefined ? 0 : (batch.x.shape[0] as number);
  let acc: NamedTensorMap = {};
  let parameterOnly: NamedTensorMap | undefined;
  try {
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
        const noise = tensor(gaussian(s.rng, sigma, v.size), v.shape, 'float32');
        let g: Tensor = div(add(acc[v.name]!, noise), scalar(s.expectedBatchSize));
        if (parameterOnly !== undefined) g = add(g, parameterOnly[v.name]!);
        out[v.name] = g;
      }
      return out;
    });
  } finally {
    dispose(Object.values(acc));
    if (parameterOnly !== undefined) dispose(Object.values(parameterOnly));
  }
}

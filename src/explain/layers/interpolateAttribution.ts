import { tensorArgument } from '../../core/tensorArgument.js';
import { add, gather, mul, reshape, tensor1d, tidy, type Tensor } from '../../core/tf.js';
import { invalid, oneOf, positiveInteger } from '../../core/validate.js';

/**
 * How {@link interpolateAttribution} fills the new positions, as torch's `F.interpolate` modes:
 * `'nearest'` copies the nearest source value (any rank); `'linear'`, `'bilinear'` and
 * `'trilinear'` interpolate linearly along each spatial axis of a 1-D, 2-D or 3-D map
 * (`align_corners=False`).
 */
export type InterpolationMode = 'nearest' | 'linear' | 'bilinear' | 'trilinear';

const MODES: readonly InterpolationMode[] = ['nearest', 'linear', 'bilinear', 'trilinear'];
/** The spatial rank each linear mode needs (torch refuses the others). */
const LINEAR_SPATIAL_AXES: Readonly<Record<string, number>> = { linear: 1, bilinear: 2, trilinear: 3 };

const f32 = Math.fround;

/**
 * torch's `nearest` source index (`UpSample.h: nearest_idx`): `min(floor(dst · scale), in - 1)`
 * with the float32 scale `in / out`.
 */
function nearestIndices(inSize: number, outSize: number): Int32Array {
  const scale = f32(inSize / outSize);
  const out = new Int32Array(outSize);
  for (let d = 0; d < outSize; d++) out[d] = outSize === inSize ? d : Math.min(Math.floor(f32(d * scale)), inSize - 1);
  return out;
}

/**
 * torch's linear source indices and weights with `align_corners=False` (`UpSample.h:
 * area_pixel_compute_source_index`, `compute_source_index_and_lambda`), in float32 as torch computes
 * them: `src = max(0, scale·(dst + 0.5) - 0.5)`, `i0 = floor(src)`, `i1 = i0 + 1` (clamped), weights
 * `1 - λ` and `λ = src - i0`.
 */
function linearIndices(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; w0: Float32Array; w1: Float32Array } {
  const scale = f32(inSize / outSize);
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w0 = new Float32Array(outSize);
  const w1 = new Float32Array(outSize);
  for (let d = 0; d < outSize; d++) {
    if (outSize === inSize) {
      i0[d] = d;
      i1[d] = d;
      w0[d] = 1;
      w1[d] = 0;
      continue;
    }
    const src = Math.max(0, f32(f32(scale * (d + 0.5)) - 0.5));
    const lo = Math.min(Math.floor(src), inSize - 1);
    const lambda = Math.min(Math.max(f32(src - lo), 0), 1);
    i0[d] = lo;
    i1[d] = lo + (lo < inSize - 1 ? 1 : 0);
    w1[d] = lambda;
    w0[d] = f32(1 - lambda);
  }
  return { i0, i1, w0, w1 };
}

/** The shape that broadcasts one weight per position of `axis` over a rank-`rank` tensor. */
function alongAxis(length: number, axis: number, rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => (i === axis ? length : 1));
}

/**
 * Resizes a layer attribution map to another spatial size, as Captum's
 * `LayerAttribution.interpolate` (`captum/attr/_utils/attribution.py`), which is torch's
 * `F.interpolate(map, size, mode)`: typically a Grad-CAM map `[batch, h, w, 1]` brought to the
 * input's `[H, W]` to overlay it on the image.
 *
 * The positions are torch's, computed in float32 as torch computes them: `'nearest'` takes source
 * index `min(floor(dst · in/out), in - 1)` (torch's legacy `nearest`, which is also tfjs's
 * `resizeNearestNeighbor` without half-pixel centres); the linear modes use `align_corners=False`,
 * source `max(0, (dst + 0.5) · in/out - 0.5)` (tfjs's `resizeBilinear(x, size, false, true)`, with
 * half-pixel centres). They are computed here with gathers, so every backend gives the same
 * result.
 *
 * @param map - A float32 map in the channels-last layout of tfjs layers, `[batch, ...spatial,
 *   channels]`, with 1 to 3 spatial axes (rank 3 to 5).
 * @param size - The new spatial size, one positive integer per spatial axis (`[height, width]`
 *   for a 2-D map).
 * @param mode - `'nearest'` (default, Captum's default), or the linear mode of the map's spatial
 *   rank: `'linear'` (1-D), `'bilinear'` (2-D), `'trilinear'` (3-D).
 * @returns The resized map, `[batch, ...size, channels]`, owned by the caller.
 * @throws {@link InvalidArgumentError} for a map that is not a float32 tensor of rank 3 to 5, a
 *   size of the wrong length or not positive integers, or a mode that is unknown or does not
 *   match the map's spatial rank.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { interpolateAttribution, layerGradCam } from 'responsible-tfjs/explain';
 * const model = await tf.loadLayersModel('/models/cnn/model.json');
 * const images = tf.randomUniform([4, 32, 32, 3]);
 * // A 4×4 map from the last convolution of a 32×32 classifier...
 * const { attributions: map } = await layerGradCam(model, images, { layer: 'block3_conv', reluAttributions: true });
 * // ...smoothly upsampled to the image size for an overlay (nearest would show 8×8 blocks).
 * const overlay = interpolateAttribution(map, [32, 32], 'bilinear');
 * tf.dispose([images, map, overlay]);
 * ```
 */
export function interpolateAttribution(map: Tensor, size: readonly number[], mode: InterpolationMode = 'nearest'): Tensor {
  const fn = 'interpolateAttribution';
  const t = tensorArgument(fn, 'map', map, 'a tf.Tensor attribution map [batch, ...spatial, channels]');
  if (t.rank < 3 || t.rank > 5) invalid(fn, 'map', t, 'a map [batch, ...spatial, channels] with 1 to 3 spatial axes (rank 3 to 5)');
  if (t.dtype !== 'float32') invalid(fn, 'map', t, 'a float32 tensor');
  const spatialAxes = t.rank - 2;
  if (!Array.isArray(size) || size.length !== spatialAxes) {
    invalid(fn, 'size', size, `${spatialAxes} positive integers, one per spatial axis of the map (e.g. [height, width] for [batch, h, w, channels])`);
  }
  const dims = size.map((d, i) => positiveInteger(fn, `size[${i}]`, d));
  const m = oneOf(fn, 'mode', mode, MODES);
  if (m !== 'nearest' && LINEAR_SPATIAL_AXES[m] !== spatialAxes) {
    invalid(fn, 'mode', m, `'nearest' or the linear mode of a map with ${spatialAxes} spatial axes ('${MODES[spatialAxes]}')`);
  }
  return tidy(() => {
    let out: Tensor = t;
    // Innermost axis first: torch's linear kernels nest the last axis inside the others.
    for (let axis = t.rank - 2; axis >= 1; axis--) {
      const inSize = t.shape[axis] as number;
      const outSize = dims[axis - 1] as number;
      if (m === 'nearest') {
        out = gather(out, tensor1d(nearestIndices(inSize, outSize), 'int32'), axis);
        continue;
      }
      const { i0, i1, w0, w1 } = linearIndices(inSize, outSize);
      const shape = alongAxis(outSize, axis, t.rank);
      const low = mul(gather(out, tensor1d(i0, 'int32'), axis), reshape(tensor1d(w0), shape));
      const high = mul(gather(out, tensor1d(i1, 'int32'), axis), reshape(tensor1d(w1), shape));
      out = add(low, high);
    }
    return out === t ? t.clone() : out;
  });
}

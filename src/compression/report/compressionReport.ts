import { assertBackend } from '../../core/backend.js';
import type { LayersModel } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import { modelWeights } from '../internal/layers.js';

/** Layer classes whose multiply-accumulates are counted: output positions × kernel entries. */
const MAC_CLASSES: readonly string[] = ['Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'DepthwiseConv2D'];

/**
 * One layer of a {@link CompressionReport}.
 */
export interface LayerCompressionReport {
  /** Layer name. */
  readonly name: string;
  /** tfjs class name (`Dense`, `Conv2D`, ...). */
  readonly className: string;
  /** All float32 weights of the layer (kernel, bias, others). */
  readonly params: number;
  /** Non-zero weights. */
  readonly nonZero: number;
  /** Kernel entries. */
  readonly kernelParams: number;
  /** Non-zero kernel entries. */
  readonly kernelNonZero: number;
  /**
   * Multiply-accumulates per example with a dense kernel: output positions × kernel entries
   * (Dense: `in × units` per position; Conv: `kh × kw × in × filters` per output pixel). Padding
   * edges are counted as full windows. `null` for layer classes that are not counted.
   */
  readonly macs: number | null;
  /** The same with only the non-zero kernel entries (what a sparse kernel would execute). */
  readonly sparseMacs: number | null;
}

/**
 * Size and cost of a model: parameters, non-zeros, bytes at each precision and
 * multiply-accumulates (MACs) per example for Dense and convolution layers, dense and sparse.
 */
export interface CompressionReport {
  /** Per layer with weights. */
  readonly layers: readonly LayerCompressionReport[];
  /** All float32 weights. */
  readonly params: number;
  /** Non-zero weights. */
  readonly nonZero: number;
  /** `1 - nonZero / params`. */
  readonly sparsity: number;
  /** Sum of counted MACs per example (dense kernels). */
  readonly macs: number;
  /** Sum of counted MACs per example with zero kernel entries skipped. */
  readonly sparseMacs: number;
  /**
   * Storage estimates in bytes. Kernels only change precision; biases and other weights stay
   * float32. Per-tensor int8 adds 8 bytes per kernel (scale and zero point). The sparse formats
   * store non-zero kernel values plus a 1-bit-per-entry presence bitmap.
   */
  readonly bytes: {
    readonly float32: number;
    readonly float16: number;
    readonly int8: number;
    readonly sparseFloat32: number;
    readonly sparseInt8: number;
  };
}

/**
 * Measures a model's parameters, non-zeros, storage at float32 / float16 / int8 (dense and with a
 * sparse bitmap format) and multiply-accumulates per example (Dense, Conv1D/2D/3D,
 * DepthwiseConv2D), dense and sparse. Reads the weights (asynchronously); changes nothing.
 *
 * @param model - A built `tf.LayersModel`.
 * @returns A {@link CompressionReport} (plain numbers).
 * @throws {@link InvalidArgumentError} when `model` is not a LayersModel.
 * @example
 * ```ts
 * import { compressionReport } from 'responsible-tfjs/compression';
 * const r = await compressionReport(model);
 * console.log(`${r.params} params, ${r.nonZero} non-zero, ${r.macs} MACs, ${r.bytes.int8} bytes as int8`);
 * ```
 */
export async function compressionReport(model: LayersModel): Promise<CompressionReport> {
  const fn = 'compressionReport';
  assertBackend(fn);
  const weights = modelWeights(fn, model);
  const data = await Promise.all(weights.map((w) => w.variable.read().data() as Promise<Float32Array>));
  const layers: LayerCompressionReport[] = [];
  let kernels = 0;
  let kernelEntries = 0;
  let kernelNonZero = 0;
  let otherEntries = 0;
  for (const layer of model.layers) {
    const idx = weights.map((w, i) => (w.layer === layer ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) continue;
    let params = 0;
    let nonZero = 0;
    let kParams = 0;
    let kNonZero = 0;
    for (const i of idx) {
      const d = data[i]!;
      let nz = 0;
      for (let j = 0; j < d.length; j++) if (d[j] !== 0) nz++;
      params += d.length;
      nonZero += nz;
      if (weights[i]!.role === 'kernel') {
        kParams += d.length;
        kNonZero += nz;
        kernels++;
      } else otherEntries += d.length;
    }
    kernelEntries += kParams;
    kernelNonZero += kNonZero;
    const positions = MAC_CLASSES.includes(layer.getClassName()) ? outputPositions(fn, layer.outputShape, layer.getClassName(), layer.getConfig()) : null;
    layers.push({
      name: layer.name, className: layer.getClassName(), params, nonZero, kernelParams: kParams, kernelNonZero: kNonZero,
      macs: positions === null ? null : positions * kParams, sparseMacs: positions === null ? null : positions * kNonZero,
    });
  }
  const params = layers.reduce((s, l) => s + l.params, 0);
  const nonZero = layers.reduce((s, l) => s + l.nonZero, 0);
  const bitmap = Math.ceil(kernelEntries / 8);
  return {
    layers, params, nonZero, sparsity: params === 0 ? 0 : 1 - nonZero / params,
    macs: layers.reduce((s, l) => s + (l.macs ?? 0), 0),
    sparseMacs: layers.reduce((s, l) => s + (l.sparseMacs ?? 0), 0),
    bytes: {
      float32: 4 * params,
      float16: 2 * params,
      int8: kernelEntries + 8 * kernels + 4 * otherEntries,
      sparseFloat32: 4 * kernelNonZero + bitmap + 4 * otherEntries,
      sparseInt8: kernelNonZero + bitmap + 8 * kernels + 4 * otherEntries,
    },
  };
}

/** Output positions per example: the product of the output's spatial (or time) dimensions. */
function outputPositions(fn: string, outputShape: unknown, className: string, config: Record<string, unknown>): number {
  const shape = (Array.isArray(outputShape) && Array.isArray(outputShape[0]) ? outputShape[0] : outputShape) as (number | null)[];
  if (!Array.isArray(shape)) return invalid(fn, 'model', className, 'a built model (layer output shapes known)');
  const dims = shape.slice(1);
  const channelsFirst = className !== 'Dense' && config.dataFormat === 'channelsFirst';
  const spatial = channelsFirst ? dims.slice(1) : dims.slice(0, -1);
  return spatial.reduce<number>((p, d) => p * (d ?? 1), 1);
}

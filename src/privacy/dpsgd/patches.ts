/**
 * im2col for NHWC convolutions (internal): every receptive field as one row, built from
 * `kh * kw` slices of the padded input (strides by pad-reshape-slice: tfjs has no gradient for
 * `stridedSlice`). Slices, pads and concatenations run (and
 * differentiate) on every backend, unlike `Conv2DBackpropFilter`, which the wasm backend lacks.
 */
import { concat, conv2d, depthwiseConv2d, eye, pad, reshape, slice, tile, transpose, type Tensor4D } from '../../core/tf.js';

/** Geometry of a 2-D convolution. */
export interface ConvGeometry {
  readonly kernelSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly padding: 'valid' | 'same';
}

/** Output size and leading padding along one spatial axis, as tfjs computes them. */
export function outputSize(size: number, kernel: number, stride: number, dilation: number, padding: 'valid' | 'same'): { out: number; before: number; after: number } {
  const span = (kernel - 1) * dilation + 1;
  if (padding === 'valid') return { out: Math.max(0, Math.floor((size - span) / stride) + 1), before: 0, after: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/**
 * Patches of `x` `[B, H, W, C]`: `[B, Ho, Wo, kh * kw * C]`, channel index `(i * kw + j) * C + c`,
 * the row-major order of a `[kh, kw, C, ...]` kernel.
 */
export function extractPatches(x: Tensor4D, geometry: ConvGeometry): Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const [kh, kw] = geometry.kernelSize;
  const [sh, sw] = geometry.strides;
  const [dh, dw] = geometry.dilation;
  const rows = outputSize(height, kh, sh, dh, geometry.padding);
  const cols = outputSize(width, kw, sw, dw, geometry.padding);
  const padded =
    rows.before + rows.after + cols.before + cols.after === 0
      ? x
      : pad(x, [[0, 0], [rows.before, rows.after], [cols.before, cols.after], [0, 0]]);
  const pieces: Tensor4D[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, i * dh, j * dw, 0];
      const size = [batch, (rows.out - 1) * sh + 1, (cols.out - 1) * sw + 1, channels];
      const window = slice(padded, begin, size);
      pieces.push(sh === 1 && sw === 1 ? window : subsample(window, sh, sw, rows.out, cols.out));
    }
  }
  return pieces.length === 1 ? (pieces[0] as Tensor4D) : concat(pieces, 3);
}

/** Above this many patch columns `kh * kw * C`, {@link patchRows} slices (its convolution costs that many MACs per value). */
const IDENTITY_KERNEL_MAX_COLUMNS = 1024;

/**
 * The same patches as {@link extractPatches}, for the per-example pass (not for a forward pass that
 * is differentiated): one convolution with an identity kernel `[kh, kw, C, kh * kw * C]`, which
 * every backend runs natively, where `kh * kw` slices go through tfjs's generic strided copy on
 * cpu and wasm (9 slices of a `[64, 8, 8, 8]` batch: 180 ms on cpu, 32 ms on wasm; the
 * convolution: 50 ms and 3 ms). Every output is `x * 1` plus zeros, so finite values are exact; a
 * non-finite input value turns its neighbours' patch entries NaN (`0 * Inf`), which only the
 * example holding it sees (the clipping rule zeroes such examples). Falls back to slices for
 * wide patches and for strides combined with dilation (which tfjs's conv2d refuses).
 * {@link channelMajorPatches} is cheaper still when the column order does not matter.
 */
export function patchRows(x: Tensor4D, geometry: ConvGeometry): Tensor4D {
  const channels = x.shape[3];
  const [kh, kw] = geometry.kernelSize;
  const columns = kh * kw * channels;
  const strided = geometry.strides[0] > 1 || geometry.strides[1] > 1;
  const dilated = geometry.dilation[0] > 1 || geometry.dilation[1] > 1;
  if (columns === 1 || columns > IDENTITY_KERNEL_MAX_COLUMNS || (strided && dilated)) return extractPatches(x, geometry);
  const kernel = reshape(eye(columns), [kh, kw, channels, columns]) as Tensor4D;
  return conv2d(x, kernel, [...geometry.strides], geometry.padding, 'NHWC', [...geometry.dilation]);
}

/**
 * The patches of {@link extractPatches} with their columns in channel-major order, `c * kh * kw +
 * i * kw + j`, for the per-example pass (not for a forward pass that is differentiated): one
 * depthwise convolution with a 0/1 kernel `[kh, kw, C, kh * kw]`, which every backend runs natively,
 * where `kh * kw` slices go through tfjs's generic strided copy on cpu and wasm (the 9 patches of
 * a `[64, 8, 8, 8]` batch: slices 180 ms on cpu and 32 ms on wasm, this 9 ms and 0.8 ms).
 * Every output is `x * 1` plus zeros, so finite values are exact; a non-finite input turns its
 * neighbours' entries NaN (`0 * Inf`), which only the example holding it sees (the clipping rule
 * zeroes such examples). Strides combined with dilation (which tfjs's depthwise convolution
 * refuses) fall back to slices.
 */
export function channelMajorPatches(x: Tensor4D, geometry: ConvGeometry): Tensor4D {
  const [batch, , , channels] = x.shape;
  const [kh, kw] = geometry.kernelSize;
  const taps = kh * kw;
  const strided = geometry.strides[0] > 1 || geometry.strides[1] > 1;
  const dilated = geometry.dilation[0] > 1 || geometry.dilation[1] > 1;
  if (taps === 1) return extractPatches(x, geometry);
  if (strided && dilated) {
    const p = extractPatches(x, geometry);
    const [, rows, cols] = p.shape;
    return reshape(transpose(reshape(p, [batch, rows, cols, taps, channels]), [0, 1, 2, 4, 3]), [batch, rows, cols, channels * taps]);
  }
  const kernel = tile(reshape(eye(taps), [kh, kw, 1, taps]), [1, 1, channels, 1]) as Tensor4D;
  return depthwiseConv2d(x, kernel, [...geometry.strides], geometry.padding, 'NHWC', [...geometry.dilation]);
}

/** Every `sh`-th row and `sw`-th column of `t` `[B, (rows-1)*sh+1, (cols-1)*sw+1, C]`, differentiably. */
function subsample(t: Tensor4D, sh: number, sw: number, rows: number, cols: number): Tensor4D {
  const [batch, height, width, channels] = t.shape;
  const full = pad(t, [[0, 0], [0, rows * sh - height], [0, cols * sw - width], [0, 0]]);
  // Rank 3 at most: with the rank-6 reshape and slice this once used, a strided DepthwiseConv2D's
  // per-example gradients failed to compile on webgl and were up to 8 % wrong on webgpu (tfjs
  // 4.22, SwiftShader); cpu and wasm were right.
  const everyRow = slice(reshape(full, [batch * rows, sh, cols * sw * channels]), [0, 0, 0], [batch * rows, 1, cols * sw * channels]);
  const everyColumn = slice(reshape(everyRow, [batch * rows * cols, sw, channels]), [0, 0, 0], [batch * rows * cols, 1, channels]);
  return reshape(everyColumn, [batch, rows, cols, channels]);
}

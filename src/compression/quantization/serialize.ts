import { assertBackend } from '../../core/backend.js';
import { tensor, type LayersModel } from '../../core/tf.js';
import { booleanValue, invalid, optionsObject } from '../../core/validate.js';
import { modelWeights } from '../internal/layers.js';
import { dequantizeArray } from './dequantize.js';
import type { QuantizedModelWeights, QuantizedWeightEntry } from './quantizeModel.js';
import type { QuantDtype, QuantizedTensor } from './types.js';

const MAGIC = 0x51465452; // 'RTFQ' little-endian
const VERSION = 1;

interface HeaderEntry {
  name: string;
  shape: number[];
  kind: 'float32' | QuantDtype;
  scheme?: QuantizedTensor['scheme'];
  axis?: number | null;
  scale?: number | readonly number[];
  zeroPoint?: number | readonly number[];
  min?: number;
  offset: number;
  length: number;
  /** Sparse layout: number of stored (non-background) values after a presence bitmap. */
  stored?: number;
  /** Per-channel parameters: this many float32 scales then int32 zero points precede the values. */
  channels?: number;
}

type Kind = HeaderEntry['kind'];
type Values = Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array;

const BYTES: Record<Kind, number> = { float32: 4, float16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2 };
const ceil4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Options of {@link encodeQuantizedWeights}.
 */
export interface EncodeOptions {
  /**
   * Store each weight as a presence bitmap (1 bit per entry) plus only the entries that do not
   * encode 0.0 (the zero point, or ±0 for float32 data): much smaller for pruned models, and
   * lossless except that a float32 -0 decodes as +0. Default false (dense).
   */
  readonly sparse?: boolean;
}

/** Background (the stored value that means 0.0) of entry `j`, for the sparse layout. */
function backgroundOf(h: HeaderEntry): (j: number) => number {
  if (h.kind === 'float32' || h.kind === 'float16') return () => 0;
  const zp = h.zeroPoint ?? 0;
  if (!Array.isArray(zp) || h.axis === null || h.axis === undefined) return () => (Array.isArray(zp) ? (zp[0] as number) : (zp as number));
  const channels = h.shape[h.axis] as number;
  const inner = h.shape.slice(h.axis + 1).reduce((a, b) => a * b, 1);
  return (j) => zp[Math.floor(j / inner) % channels] as number;
}

/**
 * True when the value must be stored explicitly. Float32 -0 (what multiplying a negative weight by
 * a zero mask gives) counts as background and decodes as +0.
 */
function isExplicit(kind: Kind, v: number, background: number): boolean {
  return kind === 'float32' ? v !== 0 : v !== background;
}

function writeValue(view: DataView, p: number, kind: Kind, v: number): void {
  switch (kind) {
    case 'float32': view.setFloat32(p, v, true); break;
    case 'int8': view.setInt8(p, v); break;
    case 'uint8': view.setUint8(p, v); break;
    case 'int16': view.setInt16(p, v, true); break;
    case 'uint16': case 'float16': view.setUint16(p, v, true); break;
  }
}

function readValue(view: DataView, p: number, kind: Kind): number {
  switch (kind) {
    case 'float32': return view.getFloat32(p, true);
    case 'int8': return view.getInt8(p);
    case 'uint8': return view.getUint8(p);
    case 'int16': return view.getInt16(p, true);
    case 'uint16': case 'float16': return view.getUint16(p, true);
  }
}

function newValues(kind: Kind, n: number): Values {
  switch (kind) {
    case 'float32': return new Float32Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': case 'float16': return new Uint16Array(n);
  }
}

/**
 * Packs quantized model weights into one compact `ArrayBuffer`: a small JSON header (names,
 * shapes, scales, zero points) and the raw little-endian values, 1 byte per int8/uint8 weight,
 * 2 per int16/uint16/float16 and 4 per float32 weight left unquantized. With `sparse: true` each
 * weight is a presence bitmap plus only the entries that are not zero, which is what makes a
 * pruned model small on disk. Both layouts are lossless (in the sparse one a float32 -0 comes
 * back as +0).
 *
 * @param weights - From {@link quantizeModel}.
 * @param options - `sparse` (default false).
 * @returns A new ArrayBuffer; restore it with {@link decodeQuantizedWeights}.
 * @example
 * ```ts
 * import { quantizeModel, encodeQuantizedWeights } from 'responsible-tfjs/compression';
 * const { weights } = await quantizeModel(model, { dtype: 'int8', scheme: 'symmetric' });
 * const dense = encodeQuantizedWeights(weights);
 * const sparse = encodeQuantizedWeights(weights, { sparse: true }); // smaller after pruning
 * console.log(dense.byteLength, sparse.byteLength);
 * ```
 */
export function encodeQuantizedWeights(weights: QuantizedModelWeights, options: EncodeOptions = {}): ArrayBuffer {
  const fn = 'encodeQuantizedWeights';
  if (typeof weights !== 'object' || weights === null || !Array.isArray(weights.entries)) invalid(fn, 'weights', weights, 'a QuantizedModelWeights object');
  const sparse = booleanValue(fn, 'options.sparse', optionsObject(fn, 'options', options).sparse ?? false);
  let offset = 0;
  const header: HeaderEntry[] = weights.entries.map((e) => {
    const q = e.quantized;
    const kind: Kind = q === undefined ? 'float32' : q.dtype;
    const values: Values = q?.values ?? e.float32 ?? new Float32Array(0);
    const length = values.length;
    const h: HeaderEntry = q === undefined
      ? { name: e.name, shape: [...e.shape], kind, offset, length }
      : { name: e.name, shape: [...e.shape], kind, scheme: q.scheme, axis: q.axis, scale: q.scale, zeroPoint: q.zeroPoint, ...(q.min !== undefined ? { min: q.min } : {}), offset, length };
    if (Array.isArray(h.scale)) {
      // Per-channel scales are float32 values: stored in binary, 8 bytes per channel with the zero points.
      h.channels = h.scale.length;
      offset += 8 * h.channels;
    }
    if (sparse) {
      const bg = backgroundOf(h);
      let stored = 0;
      for (let j = 0; j < length; j++) if (isExplicit(kind, values[j] as number, bg(j))) stored++;
      h.stored = stored;
      offset += ceil4(Math.ceil(length / 8)) + ceil4(stored * BYTES[kind]);
    } else offset += ceil4(length * BYTES[kind]);
    return h;
  });
  const json = new TextEncoder().encode(JSON.stringify({
    version: VERSION,
    entries: header.map((h) => (h.channels === undefined ? h : { ...h, scale: undefined, zeroPoint: undefined })),
  }));
  const buffer = new ArrayBuffer(12 + ceil4(json.length) + offset);
  const view = new DataView(buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  new Uint8Array(buffer, 12, json.length).set(json);
  const base = 12 + ceil4(json.length);
  weights.entries.forEach((e, i) => {
    const h = header[i]!;
    const values: Values = e.quantized?.values ?? e.float32 ?? new Float32Array(0);
    const step = BYTES[h.kind];
    let start = base + h.offset;
    if (h.channels !== undefined) {
      const scales = h.scale as readonly number[];
      const zps = h.zeroPoint as readonly number[];
      for (let c = 0; c < h.channels; c++) {
        view.setFloat32(start + 4 * c, scales[c] as number, true);
        view.setInt32(start + 4 * (h.channels + c), zps[c] as number, true);
      }
      start += 8 * h.channels;
    }
    if (h.stored === undefined) {
      for (let j = 0, p = start; j < h.length; j++, p += step) writeValue(view, p, h.kind, values[j] as number);
      return;
    }
    const bitmap = start;
    const bg = backgroundOf(h);
    let p = bitmap + ceil4(Math.ceil(h.length / 8));
    for (let j = 0; j < h.length; j++) {
      const v = values[j] as number;
      if (!isExplicit(h.kind, v, bg(j))) continue;
      view.setUint8(bitmap + (j >> 3), view.getUint8(bitmap + (j >> 3)) | (0x80 >> (j & 7)));
      writeValue(view, p, h.kind, v);
      p += step;
    }
  });
  return buffer;
}

/**
 * Reads what {@link encodeQuantizedWeights} wrote (dense or sparse).
 *
 * @param buffer - The encoded bytes.
 * @returns The quantized weights (plain data).
 * @throws {@link InvalidArgumentError} when the buffer is not in this format.
 * @example
 * ```ts
 * import { decodeQuantizedWeights, loadQuantizedWeights } from 'responsible-tfjs/compression';
 * const weights = decodeQuantizedWeights(buffer);
 * loadQuantizedWeights(freshModel, weights);
 * ```
 */
export function decodeQuantizedWeights(buffer: ArrayBuffer): QuantizedModelWeights {
  const fn = 'decodeQuantizedWeights';
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 12) invalid(fn, 'buffer', buffer, 'an ArrayBuffer written by encodeQuantizedWeights');
  const view = new DataView(buffer);
  if (view.getUint32(0, true) !== MAGIC) invalid(fn, 'buffer', buffer, 'an ArrayBuffer written by encodeQuantizedWeights (bad magic number)');
  const version = view.getUint32(4, true);
  if (version !== VERSION) invalid(fn, 'buffer', `format version ${version}`, `format version ${VERSION}`);
  const jsonLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 12, jsonLength))) as { entries: HeaderEntry[] };
  const base = 12 + ceil4(jsonLength);
  const entries: QuantizedWeightEntry[] = header.entries.map((h) => {
    const values = newValues(h.kind, h.length);
    const step = BYTES[h.kind];
    let start = base + h.offset;
    if (h.channels !== undefined) {
      const n = h.channels;
      h.scale = Array.from({ length: n }, (_, c) => view.getFloat32(start + 4 * c, true));
      h.zeroPoint = Array.from({ length: n }, (_, c) => view.getInt32(start + 4 * (n + c), true));
      start += 8 * n;
    }
    if (h.stored === undefined) {
      for (let j = 0, p = start; j < h.length; j++, p += step) values[j] = readValue(view, p, h.kind);
    } else {
      const bitmap = start;
      const bg = backgroundOf(h);
      let p = bitmap + ceil4(Math.ceil(h.length / 8));
      for (let j = 0; j < h.length; j++) {
        if ((view.getUint8(bitmap + (j >> 3)) & (0x80 >> (j & 7))) !== 0) {
          values[j] = readValue(view, p, h.kind);
          p += step;
        } else values[j] = bg(j);
      }
    }
    if (h.kind === 'float32') return { name: h.name, shape: h.shape, float32: values as Float32Array };
    const quantized: QuantizedTensor = {
      values: values as QuantizedTensor['values'], shape: h.shape, dtype: h.kind, scheme: h.scheme ?? 'affine', axis: h.axis ?? null,
      scale: h.scale ?? 1, zeroPoint: h.zeroPoint ?? 0, ...(h.min !== undefined ? { min: h.min } : {}),
    };
    return { name: h.name, shape: h.shape, quantized };
  });
  return { entries };
}

/**
 * Restores quantized weights into a model of the same architecture: every float32 weight, in
 * order, receives its dequantized (or stored float32) values. The model then runs as usual.
 *
 * @param model - A built model whose float32 weights have the stored shapes, in the same order.
 * @param weights - From {@link quantizeModel} or {@link decodeQuantizedWeights}.
 * @throws {@link InvalidArgumentError} when the number of weights or a shape does not match.
 * @example
 * ```ts
 * import { decodeQuantizedWeights, loadQuantizedWeights } from 'responsible-tfjs/compression';
 * loadQuantizedWeights(model, decodeQuantizedWeights(buffer));
 * const logits = model.predict(x);
 * ```
 */
export function loadQuantizedWeights(model: LayersModel, weights: QuantizedModelWeights): void {
  const fn = 'loadQuantizedWeights';
  assertBackend(fn);
  const refs = modelWeights(fn, model);
  if (typeof weights !== 'object' || weights === null || !Array.isArray(weights.entries)) invalid(fn, 'weights', weights, 'a QuantizedModelWeights object');
  if (refs.length !== weights.entries.length) invalid(fn, 'weights', `${weights.entries.length} weights`, `${refs.length} weights, as the model has`);
  refs.forEach((r, i) => {
    const e = weights.entries[i]!;
    const shape = [...r.variable.shape];
    if (shape.length !== e.shape.length || shape.some((d, j) => d !== e.shape[j])) {
      invalid(fn, `weights.entries[${i}].shape`, [...e.shape], `[${shape.join(', ')}] (the shape of ${r.name})`);
    }
  });
  refs.forEach((r, i) => {
    const e = weights.entries[i]!;
    const values = e.quantized !== undefined ? dequantizeArray(e.quantized) : (e.float32 ?? new Float32Array(0));
    const t = tensor(values, [...e.shape], 'float32');
    r.variable.write(t);
    t.dispose();
  });
}

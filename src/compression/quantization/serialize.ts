import { tensor, type LayersModel } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
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
}

const BYTES: Record<HeaderEntry['kind'], number> = { float32: 4, float16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2 };

/**
 * Packs quantized model weights into one compact `ArrayBuffer`: a small JSON header (names,
 * shapes, scales, zero points) and the raw little-endian values, 1 byte per int8/uint8 weight,
 * 2 per int16/uint16/float16 and 4 per float32 weight left unquantized.
 *
 * @param weights - From {@link quantizeModel}.
 * @returns A new ArrayBuffer; restore it with {@link decodeQuantizedWeights}.
 * @example
 * ```ts
 * import { quantizeModel, encodeQuantizedWeights } from 'responsible-tfjs/compression';
 * const { weights } = await quantizeModel(model, { dtype: 'int8' });
 * const buffer = encodeQuantizedWeights(weights);
 * console.log(buffer.byteLength);
 * ```
 */
export function encodeQuantizedWeights(weights: QuantizedModelWeights): ArrayBuffer {
  const fn = 'encodeQuantizedWeights';
  if (typeof weights !== 'object' || weights === null || !Array.isArray(weights.entries)) invalid(fn, 'weights', weights, 'a QuantizedModelWeights object');
  let offset = 0;
  const header: HeaderEntry[] = weights.entries.map((e) => {
    const q = e.quantized;
    const kind: HeaderEntry['kind'] = q === undefined ? 'float32' : q.dtype;
    const length = q === undefined ? (e.float32?.length ?? 0) : q.values.length;
    const h: HeaderEntry = q === undefined
      ? { name: e.name, shape: [...e.shape], kind, offset, length }
      : { name: e.name, shape: [...e.shape], kind, scheme: q.scheme, axis: q.axis, scale: q.scale, zeroPoint: q.zeroPoint, ...(q.min !== undefined ? { min: q.min } : {}), offset, length };
    offset += Math.ceil((length * BYTES[kind]) / 4) * 4;
    return h;
  });
  const json = new TextEncoder().encode(JSON.stringify({ version: VERSION, entries: header }));
  const headerBytes = Math.ceil(json.length / 4) * 4;
  const buffer = new ArrayBuffer(12 + headerBytes + offset);
  const view = new DataView(buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  new Uint8Array(buffer, 12, json.length).set(json);
  const base = 12 + headerBytes;
  weights.entries.forEach((e, i) => {
    const h = header[i]!;
    const values = e.quantized?.values ?? e.float32 ?? new Float32Array(0);
    let p = base + h.offset;
    for (let j = 0; j < h.length; j++) {
      const v = values[j] as number;
      switch (h.kind) {
        case 'float32': view.setFloat32(p, v, true); p += 4; break;
        case 'int8': view.setInt8(p, v); p += 1; break;
        case 'uint8': view.setUint8(p, v); p += 1; break;
        case 'int16': view.setInt16(p, v, true); p += 2; break;
        case 'uint16': case 'float16': view.setUint16(p, v, true); p += 2; break;
      }
    }
  });
  return buffer;
}

/**
 * Reads what {@link encodeQuantizedWeights} wrote.
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
  const base = 12 + Math.ceil(jsonLength / 4) * 4;
  const entries: QuantizedWeightEntry[] = header.entries.map((h) => {
    let p = base + h.offset;
    const read = <T extends Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array>(out: T, get: (q: number) => number, step: number): T => {
      for (let j = 0; j < h.length; j++, p += step) out[j] = get(p);
      return out;
    };
    switch (h.kind) {
      case 'float32': return { name: h.name, shape: h.shape, float32: read(new Float32Array(h.length), (q) => view.getFloat32(q, true), 4) };
      default: {
        const values =
          h.kind === 'int8' ? read(new Int8Array(h.length), (q) => view.getInt8(q), 1)
          : h.kind === 'uint8' ? read(new Uint8Array(h.length), (q) => view.getUint8(q), 1)
          : h.kind === 'int16' ? read(new Int16Array(h.length), (q) => view.getInt16(q, true), 2)
          : read(new Uint16Array(h.length), (q) => view.getUint16(q, true), 2);
        const quantized: QuantizedTensor = {
          values, shape: h.shape, dtype: h.kind, scheme: h.scheme ?? 'affine', axis: h.axis ?? null,
          scale: h.scale ?? 1, zeroPoint: h.zeroPoint ?? 0, ...(h.min !== undefined ? { min: h.min } : {}),
        };
        return { name: h.name, shape: h.shape, quantized };
      }
    }
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

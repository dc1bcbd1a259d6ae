/**
 * Payloads: JSON-like values whose leaves may be typed arrays. The wire carries the JSON part as
 * text and each typed array as a binary attachment, replaced in the JSON by a placeholder
 * `{"$bin": i, "dtype": ..., "length": ...}`. Typed arrays travel little-endian.
 */
import { protocolFail } from './errors.js';

/**
 * A value a round driver sends or receives: `null`, booleans, finite numbers, strings, arrays,
 * plain objects, and typed arrays of a {@link PayloadDtype} (sent as binary attachments).
 * Non-finite numbers are allowed inside float typed arrays only (JSON cannot carry them);
 * checking that values are finite is the driver's job.
 *
 * @example
 * ```ts
 * import type { Payload } from 'responsible-tfjs/federated';
 * const p: Payload = { numExamples: 120, delta: new Float32Array([0.1, -0.2]) };
 * ```
 */
export type Payload = unknown;

/**
 * The typed arrays a payload may contain, by wire name.
 *
 * @example
 * ```ts
 * import { PAYLOAD_DTYPES } from 'responsible-tfjs/federated';
 * console.log(PAYLOAD_DTYPES); // ['uint8', 'int8', 'uint32', 'int32', 'float32', 'float64']
 * ```
 */
export const PAYLOAD_DTYPES = ['uint8', 'int8', 'uint32', 'int32', 'float32', 'float64'] as const;

/**
 * Wire name of a typed array kind a payload may contain.
 *
 * @example
 * ```ts
 * import type { PayloadDtype } from 'responsible-tfjs/federated';
 * const dtype: PayloadDtype = 'float32';
 * ```
 */
export type PayloadDtype = (typeof PAYLOAD_DTYPES)[number];

/** A typed array a payload may contain. */
export type PayloadArray = Uint8Array | Int8Array | Uint32Array | Int32Array | Float32Array | Float64Array;

type ArrayCtor = { new (length: number): PayloadArray; readonly BYTES_PER_ELEMENT: number };

const CTORS: Record<PayloadDtype, ArrayCtor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

// Built-in tags, not constructor names (bundlers rename classes; Node's Buffer is tagged Uint8Array).
const TAGS: Record<string, PayloadDtype> = {
  Uint8Array: 'uint8',
  Int8Array: 'int8',
  Uint32Array: 'uint32',
  Int32Array: 'int32',
  Float32Array: 'float32',
  Float64Array: 'float64',
};

/** Deepest nesting accepted, so hostile input cannot overflow the stack. */
export const MAX_PAYLOAD_DEPTH = 64;

const LITTLE_ENDIAN = /* @__PURE__ */ (() => new Uint8Array(new Uint16Array([1]).buffer)[0] === 1)();

/** Bytes per element of a dtype. */
export function bytesPerElement(dtype: PayloadDtype): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

/** The dtype of a typed array, or undefined when `value` is not one a payload may contain. */
export function payloadDtypeOf(value: unknown): PayloadDtype | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  return TAGS[Object.prototype.toString.call(value).slice(8, -1)];
}

/** Little-endian bytes of a typed array (a view when the host is little-endian). */
export function littleEndianBytes(array: PayloadArray): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return LITTLE_ENDIAN || array.BYTES_PER_ELEMENT === 1 ? bytes : swapBytes(bytes, array.BYTES_PER_ELEMENT);
}

/** A new typed array of `dtype` read from little-endian bytes (always a copy, 8-byte aligned). */
export function arrayFromLittleEndian(dtype: PayloadDtype, bytes: Uint8Array): PayloadArray {
  const ctor = CTORS[dtype];
  const out = new ctor(bytes.byteLength / ctor.BYTES_PER_ELEMENT);
  const outBytes = new Uint8Array(out.buffer);
  outBytes.set(LITTLE_ENDIAN || ctor.BYTES_PER_ELEMENT === 1 ? bytes : swapBytes(bytes, ctor.BYTES_PER_ELEMENT));
  return out;
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j] as number;
  return out;
}

/** A binary placeholder in the JSON part of a payload. */
export interface BinaryPlaceholder {
  readonly $bin: number;
  readonly dtype: PayloadDtype;
  readonly length: number;
}

/**
 * Splits a payload into its JSON part (typed arrays replaced by placeholders) and the typed
 * arrays, in placeholder order. Throws a ProtocolError naming the path of anything the wire
 * cannot carry (NaN or ±Infinity outside a float array, undefined, functions, Maps, other typed
 * arrays, cycles, nesting deeper than {@link MAX_PAYLOAD_DEPTH}, objects with a `$bin` key).
 */
export function splitPayload(fn: string, payload: Payload, root = 'payload'): { json: unknown; arrays: PayloadArray[] } {
  const arrays: PayloadArray[] = [];
  const walk = (value: unknown, path: string, depth: number): unknown => {
    if (depth > MAX_PAYLOAD_DEPTH) protocolFail(fn, path, 'deeper nesting', `nested at most ${MAX_PAYLOAD_DEPTH} levels (is there a cycle?)`);
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        protocolFail(fn, path, value, 'a finite number', 'JSON cannot carry NaN or Infinity; put such values in a Float32Array or Float64Array');
      }
      return value;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`, depth + 1));
    if (ArrayBuffer.isView(value)) {
      const dtype = payloadDtypeOf(value);
      if (dtype === undefined) protocolFail(fn, path, value, `a typed array of dtype ${PAYLOAD_DTYPES.join(', ')}`);
      arrays.push(value as PayloadArray);
      return { $bin: arrays.length - 1, dtype, length: (value as PayloadArray).length };
    }
    if (typeof value === 'object') {
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) protocolFail(fn, path, value, 'null, a boolean, a finite number, a string, an array, a plain object or a typed array');
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (key === '$bin') protocolFail(fn, `${path}.$bin`, v, 'absent', "'$bin' is reserved for binary placeholders");
        if (v === undefined) continue; // as JSON.stringify does: optional fields may be undefined
        out[key] = walk(v, `${path}.${key}`, depth + 1);
      }
      return out;
    }
    return protocolFail(fn, path, value, 'null, a boolean, a finite number, a string, an array, a plain object or a typed array');
  };
  const json = walk(payload, root, 0);
  return { json, arrays };
}

/**
 * Rebuilds a payload from its JSON part, asking `resolve` for the typed array behind each
 * placeholder. Validates every placeholder (keys, index, dtype, length) and the nesting depth.
 */
export function joinPayload(
  fn: string,
  json: unknown,
  resolve: (placeholder: BinaryPlaceholder, path: string) => PayloadArray,
  root = 'payload',
): Payload {
  const walk = (value: unknown, path: string, depth: number): unknown => {
    if (depth > MAX_PAYLOAD_DEPTH) protocolFail(fn, path, 'deeper nesting', `nested at most ${MAX_PAYLOAD_DEPTH} levels`);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`, depth + 1));
    const record = value as Record<string, unknown>;
    if ('$bin' in record) return resolve(checkPlaceholder(fn, record, path), path);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(record)) out[key] = walk(v, `${path}.${key}`, depth + 1);
    return out;
  };
  return walk(json, root, 0);
}

function checkPlaceholder(fn: string, record: Record<string, unknown>, path: string): BinaryPlaceholder {
  const keys = Object.keys(record).sort().join(',');
  if (keys !== '$bin,dtype,length') protocolFail(fn, path, keys, "a placeholder with exactly the keys '$bin', 'dtype', 'length'");
  const { $bin, dtype, length } = record;
  if (typeof $bin !== 'number' || !Number.isSafeInteger($bin) || $bin < 0) protocolFail(fn, `${path}.$bin`, $bin, 'an integer >= 0');
  if (!(PAYLOAD_DTYPES as readonly unknown[]).includes(dtype)) protocolFail(fn, `${path}.dtype`, dtype, `one of ${PAYLOAD_DTYPES.join(', ')}`);
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) protocolFail(fn, `${path}.length`, length, 'an integer >= 0');
  return { $bin, dtype: dtype as PayloadDtype, length };
}

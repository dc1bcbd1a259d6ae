/**
 * The dictionary of one sensitive feature: its values in order of first appearance, each with an
 * integer code, grown batch by batch. Encoding is the hot loop of every fairness function, so it
 * avoids per-row string work: small integers go through a dense table, and strings through a table
 * indexed by a cheap signature (length and two characters) whose entry is confirmed by identity,
 * which is one pointer comparison for the repeated interned strings a column usually holds.
 */
import { invalid } from '../core/validate.js';
import type { SensitiveColumn, SensitiveValue } from './inputs.js';

const SMALL_INT = 1 << 16;
const SIGNATURES = 1024;

/** Signature-table slot of a non-empty string (internal). */
const slotOf = (v: string): number => (v.length * 61 + v.charCodeAt(0) * 31 + v.charCodeAt(v.length - 1)) & (SIGNATURES - 1);

/** The codes of one sensitive feature's values (internal). */
export class FeatureDictionary {
  readonly values: SensitiveValue[] = [];
  private readonly codes = new Map<SensitiveValue, number>();
  private kind: 'string' | 'number' | undefined;
  /** Code of each small non-negative integer value (−1: unknown), grown to the largest one seen. */
  private small = new Int32Array(0);
  private readonly slotValue: (string | undefined)[] = new Array<string | undefined>(SIGNATURES).fill(undefined);
  private readonly slotCode = new Int32Array(SIGNATURES);

  /**
   * @param name The feature's name (`sensitive_feature_0` for a single unnamed column).
   * @param argument The argument named in errors (`sensitiveFeatures`, `sensitiveFeatures.sex`).
   */
  constructor(readonly name: string, readonly argument: string) {}

  get size(): number {
    return this.values.length;
  }

  /**
   * Writes the code of rows [0, n) times `stride` into `out`, added to what `out` holds unless
   * `first` (then overwritten). New values join the dictionary; an invalid one throws (call
   * {@link FeatureDictionary.truncate} to undo the batch's additions).
   */
  encodeInto(fn: string, column: SensitiveColumn, n: number, out: Int32Array, stride: number, first: boolean): void {
    if (ArrayBuffer.isView(column)) this.encodeNumbers(fn, column as unknown as ArrayLike<number>, n, out, stride, first);
    else this.encodeValues(fn, column, n, out, stride, first);
  }

  /** Typed arrays: small non-negative integers through a dense table, other numbers through the map. */
  private encodeNumbers(fn: string, column: ArrayLike<number>, n: number, out: Int32Array, stride: number, first: boolean): void {
    let table = this.small;
    for (let i = 0; i < n; i++) {
      const v = column[i]!;
      let c = v >= 0 && v < table.length && (v | 0) === v ? table[v]! : -1;
      if (c < 0) {
        c = this.lookup(fn, v, i);
        table = this.small;
      }
      out[i] = (first ? 0 : out[i]!) + c * stride;
    }
  }

  /** Plain arrays: strings through the signature table, small integers through the dense table. */
  private encodeValues(fn: string, column: SensitiveColumn, n: number, out: Int32Array, stride: number, first: boolean): void {
    const slotValue = this.slotValue;
    const slotCode = this.slotCode;
    let table = this.small;
    for (let i = 0; i < n; i++) {
      const v = column[i] as unknown;
      let c = -1;
      if (typeof v === 'string') {
        if (v.length > 0) {
          const h = slotOf(v);
          c = slotValue[h] === v ? slotCode[h]! : -1;
        }
      } else if (typeof v === 'number' && v >= 0 && v < table.length && (v | 0) === v) c = table[v]!;
      if (c < 0) {
        c = this.lookup(fn, v as SensitiveValue, i);
        table = this.small;
      }
      out[i] = (first ? 0 : out[i]!) + c * stride;
    }
  }

  /** Code of a value the fast tables missed: from the map, or added (validated) as a new value. */
  private lookup(fn: string, v: SensitiveValue, i: number): number {
    let code = this.codes.get(v);
    if (code === undefined) {
      const kind = typeof v;
      if (kind === 'number' ? !Number.isFinite(v) : kind !== 'string') invalid(fn, `${this.argument}[${i}]`, v, 'a string or a finite number');
      if (this.kind === undefined) this.kind = kind as 'string' | 'number';
      else if (this.kind !== kind) invalid(fn, `${this.argument}[${i}]`, v, `a ${this.kind} like the other values of this feature`);
      code = this.values.length;
      this.codes.set(v, code);
      this.values.push(v);
    }
    this.remember(v, code);
    return code;
  }

  private remember(v: SensitiveValue, code: number): void {
    if (typeof v === 'string') {
      if (v.length === 0) return;
      const h = slotOf(v);
      // First come keeps the slot; a colliding value goes through the map (still correct, slower).
      if (this.slotValue[h] === undefined || this.slotValue[h] === v) {
        this.slotValue[h] = v;
        this.slotCode[h] = code;
      }
    } else if (v >= 0 && v < SMALL_INT && (v | 0) === v) {
      if (v >= this.small.length) {
        let size = 16;
        while (size <= v) size *= 2;
        const grown = new Int32Array(size).fill(-1);
        grown.set(this.small);
        this.small = grown;
      }
      this.small[v] = code;
    }
  }

  /** Forgets the values added after the first `size` (undoes a batch that failed). */
  truncate(size: number): void {
    if (size >= this.values.length) return;
    for (const v of this.values.splice(size)) this.codes.delete(v);
    if (size === 0) this.kind = undefined;
    this.slotValue.fill(undefined);
    this.small.fill(-1);
    this.values.forEach((v, code) => this.remember(v, code));
  }

  /** Codes sorted by value (numbers ascending, strings by UTF-16 code unit), as pandas groupby sorts. */
  sortedCodes(): number[] {
    const vs = this.values;
    return vs.map((_, i) => i).sort((a, b) => (vs[a]! < vs[b]! ? -1 : vs[a]! > vs[b]! ? 1 : 0));
  }
}

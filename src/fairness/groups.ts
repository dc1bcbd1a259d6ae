/**
 * Group bookkeeping: per-feature value dictionaries that grow batch by batch, and Fairlearn's
 * group order (the cartesian product of each feature's sorted observed values).
 */
import { invalid } from '../core/validate.js';
import { sensitiveColumns, type SensitiveColumn, type SensitiveValue } from './inputs.js';

/**
 * One group of a metric frame: its display key and the sensitive value of each feature.
 *
 * @example
 * ```ts
 * const g: GroupInfo = { key: 'Female, White', values: { sex: 'Female', race: 'White' } };
 * ```
 */
export interface GroupInfo {
  /**
   * The value itself for one feature, or the values joined with `', '` for several; within a
   * value of several features, `,` and `\\` are escaped (`\\,`, `\\\\`), so two different groups
   * never share a key (('x, y', 'z') is `x\\, y, z`, ('x', 'y, z') is `x, y\\, z`).
   */
  readonly key: string;
  /** The value of each sensitive feature, keyed by feature name. */
  readonly values: Readonly<Record<string, SensitiveValue>>;
}

/**
 * The display key of a group from its values, one per feature: unambiguous, because keys index
 * results (`byGroup`) and group rows together (internal).
 */
export function groupKey(values: readonly SensitiveValue[]): string {
  if (values.length === 1) return String(values[0]);
  return values.map((v) => String(v).replace(/\\/g, '\\\\').replace(/,/g, '\\,')).join(', ');
}

const SMALL_INT = 1 << 16;
const SCAN = 16;

/** The dictionary of one feature: values in order of first appearance, with their codes. */
export class FeatureDictionary {
  readonly codes = new Map<SensitiveValue, number>();
  readonly values: SensitiveValue[] = [];
  kind: 'string' | 'number' | undefined;
  constructor(readonly name: string) {}

  /** Codes of one batch (values added to the dictionary as first seen). */
  encode(fn: string, column: SensitiveColumn): Int32Array {
    return ArrayBuffer.isView(column) ? this.encodeTyped(fn, column as unknown as ArrayLike<number>) : this.encodeArray(fn, column);
  }

  /** Typed arrays: small non-negative integers go through a dense lookup table. */
  private encodeTyped(fn: string, column: ArrayLike<number>): Int32Array {
    const out = new Int32Array(column.length);
    const table = new Int32Array(SMALL_INT).fill(-1);
    for (const [v, c] of this.codes) if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < SMALL_INT) table[v] = c;
    for (let i = 0; i < column.length; i++) {
      const v = column[i]!;
      const small = v >= 0 && v < SMALL_INT && (v | 0) === v;
      let c = small ? table[v]! : -1;
      if (c < 0) {
        c = this.add(fn, v, i);
        if (small) table[v] = c;
      }
      out[i] = c;
    }
    return out;
  }

  /** Plain arrays: a short linear scan over the first values (cheap for interned strings), then the map. */
  private encodeArray(fn: string, column: SensitiveColumn): Int32Array {
    const out = new Int32Array(column.length);
    const scan = this.values.slice(0, SCAN);
    for (let i = 0; i < column.length; i++) {
      const v = column[i] as SensitiveValue;
      let c = -1;
      for (let j = 0; j < scan.length; j++) {
        if (scan[j] === v) {
          c = j;
          break;
        }
      }
      if (c < 0) {
        c = this.add(fn, v, i);
        if (c < SCAN) scan[c] = v;
      }
      out[i] = c;
    }
    return out;
  }

  private add(fn: string, v: SensitiveValue, i: number): number {
    const known = this.codes.get(v);
    if (known !== undefined) return known;
    const argument = this.name === 'sensitive_feature_0' ? 'sensitiveFeatures' : `sensitiveFeatures.${this.name}`;
    const kind = typeof v;
    if (kind === 'number' ? !Number.isFinite(v) : kind !== 'string') invalid(fn, `${argument}[${i}]`, v, 'a string or a finite number');
    if (this.kind === undefined) this.kind = kind as 'string' | 'number';
    else if (this.kind !== kind) invalid(fn, `${argument}[${i}]`, v, `a ${this.kind} like the other values of this feature`);
    const code = this.values.length;
    this.codes.set(v, code);
    this.values.push(v);
    return code;
  }

  /** Codes sorted by value (numbers ascending, strings by code unit), as pandas groupby sorts. */
  sortedCodes(): number[] {
    const idx = this.values.map((_, i) => i);
    return idx.sort((a, b) => {
      const va = this.values[a] as SensitiveValue;
      const vb = this.values[b] as SensitiveValue;
      return va < vb ? -1 : va > vb ? 1 : 0;
    });
  }
}

/**
 * All groups in Fairlearn's order: the cartesian product of each feature's sorted values, the
 * first feature varying slowest. Each entry carries the per-feature codes joined as a cell key.
 */
export function orderedGroups(features: readonly FeatureDictionary[]): { info: GroupInfo; cell: string }[] {
  let combos: number[][] = [[]];
  for (const f of features) {
    const sorted = f.sortedCodes();
    const next: number[][] = [];
    for (const c of combos) for (const s of sorted) next.push([...c, s]);
    combos = next;
  }
  return combos.map((codes) => {
    const values: Record<string, SensitiveValue> = {};
    codes.forEach((code, j) => {
      values[features[j]!.name] = features[j]!.values[code]!;
    });
    const key = groupKey(codes.map((code, j) => features[j]!.values[code]!));
    return { info: { key, values }, cell: codes.join(',') };
  });
}

/** Group key of every row (and the sorted group keys). */
export function groupKeysOf(fn: string, sensitiveFeatures: unknown, n: number): { names: string[]; rowKeys: string[]; keys: string[] } {
  const { names, columns } = sensitiveColumns(fn, sensitiveFeatures, n);
  const dicts = names.map((name) => new FeatureDictionary(name));
  const codes = columns.map((col, j) => dicts[j]!.encode(fn, col));
  const rowKeys = Array.from({ length: n }, (_, i) => groupKey(codes.map((c, j) => dicts[j]!.values[c[i]!]!)));
  const present = new Set(rowKeys);
  const keys = orderedGroups(dicts).map((g) => g.info.key).filter((k) => present.has(k));
  return { names, rowKeys, keys };
}

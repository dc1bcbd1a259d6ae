/**
 * The one group encoder of the fairness module (internal). Sensitive features, one column or
 * named columns, become an integer cell per row: cell = Σ_j code_j · stride_j, where code_j is the
 * row's value code in feature j's dictionary and stride_j the product of the earlier features'
 * dictionary sizes. Groups come out in Fairlearn's order (the cartesian product of each feature's
 * sorted values, the first varying slowest), each with its values as a tuple and its display key.
 * Metric frames, the streaming accumulator, reweighing, the threshold optimizer,
 * {@link encodeGroups}, the penalties and the objectives' group inputs all use it.
 */
import { invalid } from '../core/validate.js';
import { FeatureDictionary } from './featureDictionary.js';
import { groupKey, type GroupInfo } from './groups.js';
import { sensitiveColumns, type SensitiveColumn, type SensitiveValue } from './inputs.js';

/** Most intersectional cells (product of the features' value counts). */
export const MAX_CELLS = 1 << 20;

/** One group, in Fairlearn's order (internal). */
export interface OrderedGroup {
  /** Display key and values by feature name (the public {@link GroupInfo}). */
  readonly info: GroupInfo;
  /** The value of each feature, in feature order. */
  readonly values: readonly SensitiveValue[];
  /** The group's cell in the encoder's current cell space. */
  readonly cell: number;
}

/** Dictionaries of the sensitive features, grown batch by batch (internal). */
export class GroupEncoder {
  readonly features: readonly FeatureDictionary[];

  /** @param argument The argument named in errors (`sensitiveFeatures`, `batch.extras.groups`). */
  constructor(readonly names: readonly string[], argument: string) {
    this.features = names.length === 1 && names[0] === UNNAMED
      ? [new FeatureDictionary(UNNAMED, argument)]
      : names.map((name) => new FeatureDictionary(name, `${argument}.${name}`));
  }

  /** Dictionary size of each feature. */
  sizes(): number[] {
    return this.features.map((f) => f.size);
  }

  /** Number of cells: the product of the dictionary sizes. */
  get size(): number {
    return this.features.reduce((p, f) => p * f.size, 1);
  }

  /**
   * Writes the cell of rows [0, n) into `out`, adding the batch's new values to the dictionaries.
   * On an invalid value, or more than {@link MAX_CELLS} cells, the additions are undone and an
   * InvalidArgumentError is thrown.
   */
  encode(fn: string, columns: readonly SensitiveColumn[], n: number, out: Int32Array): void {
    const before = this.sizes();
    try {
      let stride = 1;
      this.features.forEach((f, j) => {
        f.encodeInto(fn, columns[j]!, n, out, stride, j === 0);
        stride *= f.size;
        if (stride > MAX_CELLS) invalid(fn, f.argument, `${stride} combinations`, `at most ${MAX_CELLS} intersectional groups`);
      });
    } catch (e) {
      this.truncate(before);
      throw e;
    }
  }

  /** Undoes additions: each dictionary back to the given size. */
  truncate(sizes: readonly number[]): void {
    this.features.forEach((f, j) => f.truncate(sizes[j]!));
  }

  /** Every combination of values (observed or not) in Fairlearn's order. */
  groups(): OrderedGroup[] {
    let combos: number[][] = [[]];
    for (const f of this.features) {
      const sorted = f.sortedCodes();
      combos = combos.flatMap((c) => sorted.map((s) => [...c, s]));
    }
    return combos.map((codes) => {
      let cell = 0;
      let stride = 1;
      const values = codes.map((code, j) => {
        cell += code * stride;
        stride *= this.features[j]!.size;
        return this.features[j]!.values[code]!;
      });
      const byName: Record<string, SensitiveValue> = {};
      values.forEach((v, j) => (byName[this.names[j]!] = v));
      return { info: { key: groupKey(values), values: byName }, values, cell };
    });
  }
}

/** Fairlearn's name of a single unnamed sensitive column. */
const UNNAMED = 'sensitive_feature_0';

let scratch: WeakRef<Int32Array> | undefined;

/**
 * A reusable buffer of at least `n` cells for transient use (the cells of a batch being counted):
 * allocating and faulting in a fresh 4 MB array per million rows costs more than encoding them.
 * Held weakly, so the garbage collector may reclaim it. Never keep a reference past the call.
 */
export function scratchCells(n: number): Int32Array {
  let buffer = scratch?.deref();
  if (buffer === undefined || buffer.length < n) {
    buffer = new Int32Array(n);
    scratch = new WeakRef(buffer);
  }
  return buffer;
}

/** The rows of a one-shot encoding: groups observed, in Fairlearn's order (internal). */
export interface GroupRows {
  /** Feature names (`sensitive_feature_0` for one unnamed column). */
  readonly names: readonly string[];
  /** Each row's group: an index into `keys`. */
  readonly codes: Int32Array;
  /** Display key of each observed group. */
  readonly keys: readonly string[];
  /** Values of each observed group, one per feature. */
  readonly values: readonly (readonly SensitiveValue[])[];
  /** Row count of each observed group. */
  readonly counts: Int32Array;
}

/**
 * Encodes sensitive features once, as codes 0..G−1 of the observed groups in Fairlearn's order.
 * `n` is the expected length (`expectedName` is the argument that fixed it); without it, the
 * columns' own length.
 */
export function encodeGroupRows(fn: string, sensitiveFeatures: unknown, n?: number, argument = 'sensitiveFeatures', expectedName = 'yTrue'): GroupRows {
  const { names, columns } = sensitiveColumns(fn, sensitiveFeatures, n, argument, expectedName);
  const rows = columns[0]!.length;
  const encoder = new GroupEncoder(names, argument);
  const codes = new Int32Array(rows);
  encoder.encode(fn, columns, rows, codes);
  const rank = new Int32Array(encoder.size);
  for (let i = 0; i < rows; i++) rank[codes[i]!] = 1;
  const observed = encoder.groups().filter((g) => rank[g.cell] === 1);
  observed.forEach((g, k) => (rank[g.cell] = k));
  const counts = new Int32Array(observed.length);
  for (let i = 0; i < rows; i++) counts[(codes[i] = rank[codes[i]!]!)]!++;
  return { names, codes, keys: observed.map((g) => g.info.key), values: observed.map((g) => g.values), counts };
}

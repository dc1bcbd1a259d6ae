/**
 * Exact selection of the smallest magnitudes in O(n): two 16-bit radix passes over the float32
 * bit patterns of |w| (for non-negative floats the bit patterns sort like the values).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Bit patterns of |w| for every value of every array, concatenated in order. */
export function magnitudeBits(arrays: readonly ArrayLike<number>[]): Uint32Array {
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const out = new Uint32Array(total);
  let o = 0;
  for (const a of arrays) {
    if (a instanceof Float32Array) {
      const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
      for (let i = 0; i < a.length; i++) out[o++] = (bits[i] as number) & 0x7fffffff;
    } else {
      for (let i = 0; i < a.length; i++) {
        f32[0] = a[i] as number;
        out[o++] = (u32[0] as number) & 0x7fffffff;
      }
    }
  }
  return out;
}

/**
 * The `rank`-th smallest value (1-based) of `bits` and how many values are strictly smaller.
 * Requires 1 <= rank <= bits.length.
 */
export function selectRank(bits: Uint32Array, rank: number): { value: number; countLess: number } {
  const hist = new Uint32Array(65536);
  for (let i = 0; i < bits.length; i++) hist[(bits[i] as number) >>> 16]!++;
  let below = 0;
  let hi = 0;
  while (below + (hist[hi] as number) < rank) below += hist[hi++] as number;
  hist.fill(0);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i] as number;
    if (b >>> 16 === hi) hist[b & 0xffff]!++;
  }
  let lo = 0;
  while (below + (hist[lo] as number) < rank) below += hist[lo++] as number;
  return { value: ((hi << 16) | lo) >>> 0, countLess: below };
}

/**
 * Marks exactly `k` entries with the smallest magnitudes as pruned (0 in the returned keep mask).
 * Ties at the threshold are pruned in index order: lower concatenated index first.
 */
export function keepMaskExact(bits: Uint32Array, k: number): Uint8Array {
  const keep = new Uint8Array(bits.length).fill(1);
  if (k <= 0) return keep;
  const { value, countLess } = selectRank(bits, k);
  let tiesToPrune = k - countLess;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i] as number;
    if (b < value) keep[i] = 0;
    else if (b === value && tiesToPrune > 0) {
      keep[i] = 0;
      tiesToPrune--;
    }
  }
  return keep;
}

/**
 * tfmot's mask: keep every entry whose magnitude is >= the `kept`-th largest (ties all kept).
 */
export function keepMaskAtLeastKth(bits: Uint32Array, kept: number): Uint8Array {
  const keep = new Uint8Array(bits.length).fill(1);
  if (kept >= bits.length) return keep;
  const { value } = selectRank(bits, bits.length - kept + 1);
  for (let i = 0; i < bits.length; i++) if ((bits[i] as number) < value) keep[i] = 0;
  return keep;
}

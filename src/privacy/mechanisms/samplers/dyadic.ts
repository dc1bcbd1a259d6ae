/**
 * Exact binary values of doubles and small BigInt helpers (internal). Every finite double is a
 * dyadic rational `num · 2^exp`; the floating-point-safe mechanisms do all their arithmetic on
 * these exact values and round only the final output.
 */

/** A dyadic rational `num · 2^exp` (`num` odd, or 0 with `exp` 0). */
export interface Dyadic {
  readonly num: bigint;
  readonly exp: number;
}

/** A rational `num / den` with `den > 0`. */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

const view = new DataView(new ArrayBuffer(8));
const HUGE = 1n << 1000n;

/** The exact value of a finite double. */
export function toDyadic(x: number): Dyadic {
  if (x === 0) return { num: 0n, exp: 0 };
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const top = biased === 0 ? hi & 0xfffff : (hi & 0xfffff) | 0x100000;
  // strip trailing zero bits with 32-bit integer ops (the mantissa stays an exact double)
  const zeros = lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(top & -top);
  const mantissa = (top * 4294967296 + lo) / 2 ** zeros;
  const exp = (biased === 0 ? -1074 : biased - 1075) + zeros;
  return { num: BigInt(x < 0 ? -mantissa : mantissa), exp };
}

/** `d · 2^shift` as a fraction with a power-of-two denominator. */
export function scaledFraction(d: Dyadic, shift: number): Fraction {
  const e = d.exp + shift;
  return e >= 0 ? { num: d.num << BigInt(e), den: 1n } : { num: d.num, den: 1n << BigInt(-e) };
}

/** ⌊a / b⌋ for b > 0. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** The integer nearest to `num / den` (halves round up), for den > 0. */
export function nearestInteger(num: bigint, den: bigint): bigint {
  return floorDiv(2n * num + den, 2n * den);
}

/** ⌊√q⌋ for q >= 0. */
export function isqrt(q: bigint): bigint {
  if (q < 2n) return q;
  const approx = Math.sqrt(Number(q));
  let r = Number.isFinite(approx) ? BigInt(Math.floor(approx)) : 1n << BigInt(Math.ceil(q.toString(2).length / 2));
  while (r * r > q) r = (r + q / r) / 2n;
  while ((r + 1n) * (r + 1n) <= q) r++;
  return r;
}

/** `k · 2^exp` as a double: a deterministic rounding (post-processing of an exact integer). */
export function gridValue(k: bigint, exp: number): number {
  let m = k;
  let e = exp;
  if (m >= HUGE || m <= -HUGE) {
    const bits = (m < 0n ? -m : m).toString(2).length;
    m >>= BigInt(bits - 64); // truncation: still a fixed function of k
    e += bits - 64;
  }
  let v = Number(m);
  while (e > 1000) {
    v *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    v *= 2 ** -1000;
    e += 1000;
  }
  return v * 2 ** e;
}

import { FLOAT32_EPS, INT_RANGES, roundHalfEven, type IntegerDtype } from '../internal/rounding.js';

const f = Math.fround;

/** Scale and zero point of one tensor or channel. */
export interface QParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

/**
 * PyTorch `MinMaxObserver._calculate_qparams` (torch 1.13 observer.py L296-365) for one observed
 * range, all arithmetic in float32, rounding half to even.
 */
export function minMaxQParams(minVal: number, maxVal: number, dtype: IntegerDtype, scheme: 'affine' | 'symmetric'): QParams {
  const { qmin, qmax } = INT_RANGES[dtype];
  const minNeg = f(Math.min(minVal, 0));
  const maxPos = f(Math.max(maxVal, 0));
  if (scheme === 'symmetric') {
    const amax = Math.max(-minNeg, maxPos);
    const scale = Math.max(f(amax / f((qmax - qmin) / 2)), FLOAT32_EPS);
    // Unsigned symmetric: torch uses 128 for quint8; the midpoint (qmin + qmax + 1) / 2 in general.
    const zeroPoint = qmin < 0 ? 0 : (qmin + qmax + 1) / 2;
    return { scale, zeroPoint };
  }
  const scale = Math.max(f(f(maxPos - minNeg) / (qmax - qmin)), FLOAT32_EPS);
  const zp = qmin - roundHalfEven(f(minNeg / scale));
  return { scale, zeroPoint: Math.min(qmax, Math.max(qmin, zp)) };
}

/** PyTorch's `quantize_val`: `clamp(round(w * float32(1 / scale)) + zp, qmin, qmax)` in float32. */
export function quantizeValue(w: number, invScale: number, zeroPoint: number, qmin: number, qmax: number): number {
  const q = roundHalfEven(f(w * invScale)) + zeroPoint;
  return q < qmin ? qmin : q > qmax ? qmax : q;
}

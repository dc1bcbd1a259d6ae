/**
 * Rounding helpers shared by quantization and pruning. PyTorch, NumPy and TensorFlow round half to
 * even (`std::nearbyint`, `np.rint`, `tf.round`); JavaScript's `Math.round` rounds half up, which
 * differs on exact .5 ties (`Math.round(-127.5) === -127`, NumPy gives -128).
 */

/** Rounds to the nearest integer, ties to even (IEEE 754 roundTiesToEven). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round breaks ties upward; an exact tie has r - x === 0.5.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** float32 machine epsilon, `torch.finfo(torch.float32).eps` (2^-23). */
export const FLOAT32_EPS = 2 ** -23;

/** Integer range of each integer storage type. */
export const INT_RANGES = {
  int8: { qmin: -128, qmax: 127 },
  uint8: { qmin: 0, qmax: 255 },
  int16: { qmin: -32768, qmax: 32767 },
  uint16: { qmin: 0, qmax: 65535 },
} as const;

/** The integer storage types. */
export type IntegerDtype = keyof typeof INT_RANGES;

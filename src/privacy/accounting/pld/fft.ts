/**
 * FFT convolutions of probability vectors (internal), over fft.js (radix-4, power-of-two sizes).
 */
import FFT from 'fft.js';

/** FFT plans are costly to build (twiddle tables): keep the few most recent sizes. */
const plans = /* @__PURE__ */ new Map<number, FFT>();

function plan(size: number): FFT {
  let f = plans.get(size);
  if (f === undefined) {
    f = new FFT(size);
    if (plans.size >= 4) plans.delete(plans.keys().next().value as number);
    plans.set(size, f);
  }
  return f;
}

/** Smallest power of two >= n (and >= 2). */
export function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Forward real FFT of `x` zero-padded to `size` (complex interleaved, full spectrum). */
function forward(fft: FFT, x: ArrayLike<number>, size: number): Float64Array {
  const input = new Float64Array(size);
  const n = Math.min(x.length, size);
  for (let i = 0; i < n; i++) input[i] = x[i] as number;
  const out = new Float64Array(2 * size);
  fft.realTransform(out, input);
  fft.completeSpectrum(out);
  return out;
}

function inverseReal(fft: FFT, spectrum: Float64Array, size: number): Float64Array {
  const out = new Float64Array(2 * size);
  fft.inverseTransform(out, spectrum);
  const re = new Float64Array(size);
  for (let i = 0; i < size; i++) re[i] = out[2 * i] as number;
  return re;
}

/** Linear convolution of two vectors (length a + b − 1). */
export function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const outLen = a.length + b.length - 1;
  if (a.length === 1 || b.length === 1) {
    const [s, v] = a.length === 1 ? [a[0] as number, b] : [b[0] as number, a];
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = s * (v[i] as number);
    return out;
  }
  const size = nextPow2(outLen);
  const fft = plan(size);
  const fa = forward(fft, a, size);
  const fb = forward(fft, b, size);
  for (let k = 0; k < 2 * size; k += 2) {
    const re = (fa[k] as number) * (fb[k] as number) - (fa[k + 1] as number) * (fb[k + 1] as number);
    const im = (fa[k] as number) * (fb[k + 1] as number) + (fa[k + 1] as number) * (fb[k] as number);
    fa[k] = re;
    fa[k + 1] = im;
  }
  return inverseReal(fft, fa, size).subarray(0, outLen);
}

/**
 * Circular `times`-fold self-convolution of `x` on a power-of-two grid of at least `minSize`
 * points, by raising each Fourier coefficient to the power `times` (repeated squaring).
 */
export function selfConvolveCircular(x: Float64Array, times: number, minSize: number): Float64Array {
  const size = nextPow2(Math.max(minSize, x.length));
  const fft = plan(size);
  const f = forward(fft, x, size);
  const half = size / 2;
  for (let k = 0; k <= half; k++) {
    // (re, im)^times by binary exponentiation
    let br = f[2 * k] as number;
    let bi = f[2 * k + 1] as number;
    let rr = 1;
    let ri = 0;
    let e = times;
    while (e > 0) {
      if (e & 1) {
        const t = rr * br - ri * bi;
        ri = rr * bi + ri * br;
        rr = t;
      }
      e = Math.floor(e / 2);
      if (e > 0) {
        const t = br * br - bi * bi;
        bi = 2 * br * bi;
        br = t;
      }
    }
    f[2 * k] = rr;
    f[2 * k + 1] = ri;
    if (k > 0 && k < half) {
      f[2 * (size - k)] = rr;
      f[2 * (size - k) + 1] = -ri;
    }
  }
  return inverseReal(fft, f, size);
}

/** (re, im)^times by binary exponentiation (repeated squaring). */
function cpow(re: number, im: number, times: number): [number, number] {
  let br = re;
  let bi = im;
  let rr = 1;
  let ri = 0;
  let e = times;
  while (e > 0) {
    if (e & 1) {
      const t = rr * br - ri * bi;
      ri = rr * bi + ri * br;
      rr = t;
    }
    e = Math.floor(e / 2);
    if (e > 0) {
      const t = br * br - bi * bi;
      bi = 2 * br * bi;
      br = t;
    }
  }
  return [rr, ri];
}

/**
 * Circular `times`-fold self-convolutions of two real vectors at once, with one complex FFT each
 * way: the pair is packed as a + i·b, split in the frequency domain, each spectrum raised to the
 * power, and the two real results recovered as the real and imaginary parts of one inverse.
 */
export function selfConvolvePairCircular(a: Float64Array, b: Float64Array, times: number, size: number): [Float64Array, Float64Array] {
  const fft = plan(size);
  const z = new Float64Array(2 * size);
  for (let i = 0; i < a.length; i++) z[2 * i] = a[i] as number;
  for (let i = 0; i < b.length; i++) z[2 * i + 1] = b[i] as number;
  const f = new Float64Array(2 * size);
  fft.transform(f, z);
  const c = new Float64Array(2 * size);
  for (let k = 0; k < size; k++) {
    const m = k === 0 ? 0 : size - k;
    const zr = f[2 * k] as number;
    const zi = f[2 * k + 1] as number;
    const wr = f[2 * m] as number;
    const wi = -(f[2 * m + 1] as number); // conj(Z[N-k])
    // A = (Z + conj Z[N-k]) / 2, B = (Z - conj Z[N-k]) / (2i)
    const ar = 0.5 * (zr + wr);
    const ai = 0.5 * (zi + wi);
    const br = 0.5 * (zi - wi);
    const bi = -0.5 * (zr - wr);
    const [pr, pi] = cpow(ar, ai, times);
    const [qr, qi] = cpow(br, bi, times);
    // C = A^n + i B^n
    c[2 * k] = pr - qi;
    c[2 * k + 1] = pi + qr;
  }
  fft.inverseTransform(z, c);
  const outA = new Float64Array(size);
  const outB = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    outA[i] = z[2 * i] as number;
    outB[i] = z[2 * i + 1] as number;
  }
  return [outA, outB];
}

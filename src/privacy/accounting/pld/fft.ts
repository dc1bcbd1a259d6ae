/**
 * FFT convolutions of probability vectors (internal), over fft.js (radix-4, power-of-two sizes).
 */
import FFT from 'fft.js';

function nextPow2(n: number): number {
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
  const fft = new FFT(size);
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
  const fft = new FFT(size);
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

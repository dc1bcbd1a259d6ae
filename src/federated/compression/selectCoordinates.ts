/**
 * Which coordinates a sparsified update keeps (internal).
 */
import { seededRng, type Rng } from '../../core/rng.js';

/**
 * The `k` coordinates of largest magnitude, in increasing index order. Ties at the threshold
 * magnitude go to the lower indices, so the choice is a function of the values alone.
 */
export function topKIndices(values: Float32Array, k: number): Uint32Array {
  const n = values.length;
  const mags = new Float32Array(n);
  for (let i = 0; i < n; i++) mags[i] = Math.abs(values[i] as number);
  // Native numeric sort (no comparator) of a copy gives the k-th largest magnitude.
  const sorted = Float32Array.from(mags).sort();
  const threshold = sorted[n - k] as number;
  let above = 0;
  for (let i = 0; i < n; i++) if ((mags[i] as number) > threshold) above++;
  let atThreshold = k - above;
  const out = new Uint32Array(k);
  let j = 0;
  for (let i = 0; i < n && j < k; i++) {
    const m = mags[i] as number;
    if (m > threshold) out[j++] = i;
    else if (m === threshold && atThreshold > 0) {
      out[j++] = i;
      atThreshold--;
    }
  }
  return out;
}

/**
 * `k` distinct coordinates out of `n`, uniformly (Floyd's algorithm: O(k) draws and memory), in
 * increasing order.
 */
export function randomKIndices(n: number, k: number, rng: Rng): Uint32Array {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(rng.next() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Uint32Array.from(chosen).sort();
}

/**
 * The coordinates of a shared-seed random-k encoding: a function of (seed, n, k) only, so every
 * client and the server derive the same ones (seedrandom's ARC4 stream, identical on every platform).
 */
export function sharedIndices(seed: number, n: number, k: number): Uint32Array {
  return randomKIndices(n, k, seededRng(`responsible-tfjs/federated/randomK/${seed}`));
}

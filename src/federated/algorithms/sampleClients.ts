/** Choosing which clients take part in a round. */
import type { Rng } from '../../core/rng.js';
import { resolveRng } from '../../core/rng.js';
import { invalid, numberInRange, oneOf, optionsObject, positiveInteger } from '../../core/validate.js';

/** Options of {@link sampleClients}: a fixed number per round, or each client independently. */
export type SampleClientsOptions =
  | {
      /** Number of clients, identified as `0..numClients-1` (at most 2^31 - 1). */
      readonly numClients: number;
      /** Exactly `clientsPerRound` distinct clients, every subset of that size equally likely. */
      readonly method: 'uniform';
      /** How many (1..numClients). */
      readonly clientsPerRound: number;
      /** Source of randomness (e.g. `secureRng()`; `seededRng(seed)` for reproducible simulations). */
      readonly rng: Rng;
    }
  | {
      readonly numClients: number;
      /**
       * Each client independently with probability `sampleRate` (the round size varies). This is
       * the sampling that user-level DP accounting with Poisson subsampling assumes
       * (McMahan et al. 2018, https://arxiv.org/abs/1710.06963).
       */
      readonly method: 'poisson';
      /** Inclusion probability in (0, 1]. */
      readonly sampleRate: number;
      readonly rng: Rng;
    };

const MAX_CLIENTS = 2147483647;

/**
 * The clients of one round, as sorted distinct ids. `'uniform'` uses Floyd's algorithm (k draws,
 * `O(k)` memory, whatever `numClients`); `'poisson'` jumps from one included client to the next
 * with geometric gaps (`floor(ln U / ln(1 - q))`), so its cost is proportional to the number of
 * clients chosen: a rate of 1e-6 over a million clients costs about one draw.
 *
 * @param options - See {@link SampleClientsOptions}; `rng` is required, so that a simulation
 *   states its source of randomness (use `secureRng()` when the sampling is part of a privacy guarantee).
 * @returns A new sorted `Int32Array` of client ids (possibly empty with `'poisson'`).
 * @throws {@link InvalidArgumentError} for an unknown method, a count outside `1..numClients`,
 *   a rate outside (0, 1] or a missing rng.
 * @example
 * ```ts
 * import { sampleClients } from 'responsible-tfjs/federated';
 * import { secureRng } from 'responsible-tfjs';
 * const ten = sampleClients({ numClients: 1000, method: 'uniform', clientsPerRound: 10, rng: secureRng() });
 * const some = sampleClients({ numClients: 1_000_000, method: 'poisson', sampleRate: 1e-4, rng: secureRng() });
 * console.log(ten.length, some.length); // 10, about 100
 * ```
 */
export function sampleClients(options: SampleClientsOptions): Int32Array {
  const fn = 'sampleClients';
  const opts = optionsObject(fn, 'options', options) as Partial<SampleClientsOptions> & { clientsPerRound?: number; sampleRate?: number };
  const numClients = positiveInteger(fn, 'options.numClients', opts.numClients);
  if (numClients > MAX_CLIENTS) invalid(fn, 'options.numClients', numClients, `an integer in [1, ${MAX_CLIENTS}]`);
  const method = oneOf(fn, 'options.method', opts.method, ['uniform', 'poisson'] as const);
  if (opts.rng === undefined) invalid(fn, 'options.rng', undefined, 'an Rng (secureRng(), or seededRng(seed) for simulations)');
  const rng = resolveRng(fn, opts.rng, () => { throw new Error('unreachable'); });
  if (method === 'uniform') {
    const k = positiveInteger(fn, 'options.clientsPerRound', opts.clientsPerRound);
    if (k > numClients) invalid(fn, 'options.clientsPerRound', k, `an integer in [1, ${numClients}] (options.numClients)`);
    return uniformSample(numClients, k, rng);
  }
  const q = numberInRange(fn, 'options.sampleRate', opts.sampleRate, { min: 0, max: 1, minInclusive: false });
  return poissonSample(numClients, q, rng);
}

/** A uniform integer in [0, bound) (bias at most bound / 2^53). */
const below = (bound: number, rng: Rng): number => Math.floor(rng.next() * bound);

/** Floyd's algorithm: a uniformly random k-subset of 0..n-1 in k draws. */
function uniformSample(n: number, k: number, rng: Rng): Int32Array {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = below(j + 1, rng);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

/** Independent inclusion with probability q, by geometric gaps between included ids. */
function poissonSample(n: number, q: number, rng: Rng): Int32Array {
  if (q === 1) return Int32Array.from({ length: n }, (_, i) => i);
  const logKeep = Math.log1p(-q);
  const out: number[] = [];
  for (let i = -1; ; ) {
    // 1 - next() is in (0, 1]: its log is finite. P(gap >= g) = P(U <= (1-q)^g) = (1-q)^g.
    i += 1 + Math.floor(Math.log(1 - rng.next()) / logKeep);
    if (i >= n) break;
    out.push(i);
  }
  return Int32Array.from(out);
}

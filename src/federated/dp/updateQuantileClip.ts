/**
 * One step of adaptive clipping's private quantile estimate (Andrew et al. 2021, Algorithm 1).
 */
import { finiteNumber, invalid, nonNegativeInteger, optionsObject } from '../../core/validate.js';
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { fillGaussian } from '../../privacy/dpsgd/noise.js';
import { quantileClipIndicator, type QuantileClipState } from './quantileClipState.js';

/**
 * The server's input to {@link updateQuantileClip}: the noised sum of the clients' centred
 * indicators, or equivalently the noised count of unclipped clients and how many clients took part.
 */
export type QuantileClipInput =
  | {
      /** `Σ (indicatorᵢ − ½) + noise` over this round's clients (see {@link quantileClipIndicator}). */
      readonly centeredBelowSum: number;
    }
  | {
      /** Noised number of clients whose norm was at most the clipping norm. */
      readonly belowCount: number;
      /** Number of clients whose indicators are in `belowCount`, an integer >= 0. */
      readonly numClients: number;
    };

/**
 * The next clipping norm from this round's noised centred count, exactly as tensorflow_privacy's
 * `QuantileEstimatorQuery.get_noised_result` followed by `QuantileAdaptiveClipSumQuery`'s
 * `max(clip, 0)`:
 *
 *   fraction = clamp(centeredBelowSum / expectedClientsPerRound + ½, 0, 1)
 *   clip ← clip · exp(−η (fraction − target))   (geometric)   or   clip − η (fraction − target)
 *
 * The fraction is normalised by the *expected* number of clients, not the realised one, so that
 * the count's sensitivity stays public (with Poisson sampling the realised number is private).
 * Computed in float64 (TF does it in float32).
 *
 * @param state - The current state.
 * @param input - `{ centeredBelowSum }` or `{ belowCount, numClients }`.
 * @returns The next state (new frozen object), with this round's `unclippedFraction`.
 * @example
 * ```ts
 * import { createQuantileClipState, updateQuantileClip } from 'responsible-tfjs/federated';
 * let s = createQuantileClipState({ expectedClientsPerRound: 4, clippedCountStddev: 0 });
 * s = updateQuantileClip(s, { belowCount: 4, numClients: 4 }); // all unclipped: the clip is too large, shrinks by exp(-0.1)
 * ```
 */
export function updateQuantileClip(state: QuantileClipState, input: QuantileClipInput): QuantileClipState {
  const fn = 'updateQuantileClip';
  checkState(fn, state);
  const i = optionsObject(fn, 'input', input) as Partial<{ centeredBelowSum: number; belowCount: number; numClients: number }>;
  let centered: number;
  if (i.centeredBelowSum !== undefined) {
    if (i.belowCount !== undefined) invalid(fn, 'input.belowCount', i.belowCount, 'undefined when input.centeredBelowSum is given');
    centered = finiteNumber(fn, 'input.centeredBelowSum', i.centeredBelowSum);
  } else {
    const belowCount = finiteNumber(fn, 'input.belowCount', i.belowCount);
    const numClients = nonNegativeInteger(fn, 'input.numClients', i.numClients);
    centered = belowCount - 0.5 * numClients;
  }
  return step(state, centered);
}

/** Options of {@link updateQuantileClipFromNorms}. */
export interface UpdateQuantileClipFromNormsOptions {
  /** This round's clients' update norms before clipping (each >= 0). */
  readonly norms: ArrayLike<number>;
  /**
   * The noise added to the centred sum. Default: drawn from N(0, state.clippedCountStddev²) with
   * `rng`. Pass a value to replay a run or to test deterministically.
   */
  readonly countNoise?: number;
  /** Source of the count noise when `countNoise` is not given; default {@link secureRng}. */
  readonly rng?: Rng;
}

/**
 * {@link updateQuantileClip} for a simulation or a server that sees the norms: sums the centred
 * indicators ({@link quantileClipIndicator}) against `state.clipNorm`, adds the count noise and
 * takes the step. In deployment the clients send their indicators through secure aggregation and
 * the server calls {@link updateQuantileClip} on the noised sum instead.
 *
 * @param state - The current state.
 * @param options - Norms, optional fixed noise or rng.
 * @returns The next state.
 * @example
 * ```ts
 * import { createQuantileClipState, updateQuantileClipFromNorms } from 'responsible-tfjs/federated';
 * let s = createQuantileClipState({ expectedClientsPerRound: 3 });
 * s = updateQuantileClipFromNorms(s, { norms: [0.05, 0.2, 0.4] }); // secure count noise
 * ```
 */
export function updateQuantileClipFromNorms(state: QuantileClipState, options: UpdateQuantileClipFromNormsOptions): QuantileClipState {
  const fn = 'updateQuantileClipFromNorms';
  checkState(fn, state);
  const o = optionsObject(fn, 'options', options);
  const norms = o.norms;
  if (norms === null || typeof norms !== 'object' || typeof norms.length !== 'number') invalid(fn, 'options.norms', norms, 'an array of norms');
  let sum = 0;
  for (let k = 0; k < norms.length; k++) {
    const v = norms[k];
    if (typeof v !== 'number' || !(v >= 0) || v === Infinity) invalid(fn, `options.norms[${k}]`, v, 'a finite number >= 0');
    sum += quantileClipIndicator(v, state.clipNorm);
  }
  let noise: number;
  if (o.countNoise !== undefined) {
    noise = finiteNumber(fn, 'options.countNoise', o.countNoise);
  } else {
    const rng = resolveRng(fn, o.rng, secureRng);
    // float32 is plenty for a count-noise draw; reuse the privacy module's sampler.
    noise = state.clippedCountStddev === 0 ? 0 : (fillGaussian(rng, state.clippedCountStddev, new Float32Array(1))[0] as number);
  }
  return step(state, sum + noise);
}

function step(state: QuantileClipState, centeredBelowSum: number): QuantileClipState {
  const raw = centeredBelowSum / state.expectedClientsPerRound + 0.5;
  const fraction = Math.min(1, Math.max(0, raw));
  const update = state.learningRate * (fraction - state.targetQuantile);
  const next = state.geometric ? state.clipNorm * Math.exp(-update) : state.clipNorm - update;
  return Object.freeze({ ...state, clipNorm: Math.max(next, 0), unclippedFraction: fraction });
}

function checkState(fn: string, state: QuantileClipState): void {
  const s = optionsObject(fn, 'state', state);
  const ok =
    typeof s.clipNorm === 'number' && s.clipNorm >= 0 && Number.isFinite(s.clipNorm) &&
    typeof s.targetQuantile === 'number' && s.targetQuantile >= 0 && s.targetQuantile <= 1 &&
    typeof s.learningRate === 'number' && s.learningRate >= 0 && Number.isFinite(s.learningRate) &&
    typeof s.geometric === 'boolean' &&
    typeof s.expectedClientsPerRound === 'number' && s.expectedClientsPerRound > 0 && Number.isFinite(s.expectedClientsPerRound) &&
    typeof s.clippedCountStddev === 'number' && s.clippedCountStddev >= 0 && Number.isFinite(s.clippedCountStddev);
  if (!ok) invalid(fn, 'state', state, 'a QuantileClipState from createQuantileClipState');
}

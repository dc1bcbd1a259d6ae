/**
 * The server-side end of a round: noise the aggregate (central DP), update the clip norm
 * (adaptive clipping), form the mean update with DP-FedAvg's fixed denominator or FedAvg's
 * summed weights, and step the server optimizer. Pure given its random streams.
 */
import { fillGaussian } from '../../privacy/dpsgd/noise.js';
import { serverOptimizer } from '../algorithms/serverOptimizer.js';
import { updateQuantileClip } from '../dp/updateQuantileClip.js';
import { effectiveDistributedNoiseMultiplier } from '../dp/distributedNoise.js';
import { expectedClientsPerRound, type ResolvedFederatedOptions } from './options.js';
import { splitNoise } from './roundPlan.js';
import { roundRng } from './seeds.js';
import type { FederatedServerState, RoundRecord } from './serverState.js';

/** The sum of a round's contributions, however it was formed (plain or secure). */
export interface RoundAggregate {
  /** Sum of the contributed vectors, over every coordinate (zeros where nothing was sent). */
  readonly sum: Float64Array;
  /** Sum of the contributed weights. */
  readonly totalWeight: number;
  /** Sum of the centred indicators (adaptive clipping). */
  readonly indicatorSum: number;
  /** The clients in the sum. */
  readonly contributors: readonly number[];
  /** The clients sampled this round. */
  readonly selected: readonly number[];
  /** Example-weighted mean training loss of the contributors, when it is released (no privacy). */
  readonly trainLoss?: number;
}

/**
 * The noise multiplier a round really had: the configured one with central noise; with
 * distributed noise what the contributors' shares delivered ({@link effectiveDistributedNoiseMultiplier}).
 */
export function deliveredNoiseMultiplier(options: ResolvedFederatedOptions, contributors: number): number {
  const p = options.privacy;
  if (p === undefined) return 0;
  if (p.noise === 'central') return p.noiseMultiplier;
  return effectiveDistributedNoiseMultiplier({ noiseMultiplier: p.noiseMultiplier, minSurvivingClients: p.minSurvivingClients, survivingClients: contributors });
}

/** The next state after a round with the given aggregate. */
export function finishRound(state: FederatedServerState, options: ResolvedFederatedOptions, aggregate: RoundAggregate, numClients: number): FederatedServerState {
  const round = state.round;
  const size = state.weights.length;
  const p = options.privacy;
  const sum = Float64Array.from(aggregate.sum);
  let indicatorSum = aggregate.indicatorSum;
  let clipNorm = state.clipNorm;
  let quantile = state.quantile;
  let mean: Float32Array;
  let record: RoundRecord = { round, selected: [...aggregate.selected], contributors: [...aggregate.contributors] };
  if (p !== undefined) {
    const split = splitNoise(options);
    const c = state.clipNorm as number;
    if (p.noise === 'central') {
      // One draw per coordinate from the server's stream; float32 noise, summed in float64.
      const noise = fillGaussian(roundRng(options.seed, round, 'serverNoise'), split.valueNoiseMultiplier * c, new Float32Array(size));
      for (let i = 0; i < size; i++) sum[i] = (sum[i] as number) + (noise[i] as number);
      if (quantile !== undefined && split.countNoiseStd > 0) {
        indicatorSum += fillGaussian(roundRng(options.seed, round, 'countNoise'), split.countNoiseStd, new Float32Array(1))[0] as number;
      }
    }
    // McMahan et al. 2018: divide by the expected number of clients, a constant, so that the
    // sensitivity of the mean is C / (qN) whoever took part.
    const denominator = expectedClientsPerRound(options.sampling, numClients);
    mean = Float32Array.from(sum, (v) => v / denominator);
    if (quantile !== undefined) {
      quantile = updateQuantileClip(quantile, { centeredBelowSum: indicatorSum });
      clipNorm = quantile.clipNorm;
    }
    record = {
      ...record,
      clipNorm: c,
      ...(quantile?.unclippedFraction !== undefined ? { unclippedFraction: quantile.unclippedFraction } : {}),
      noiseMultiplier: deliveredNoiseMultiplier(options, aggregate.contributors.length),
    };
  } else {
    const w = aggregate.totalWeight;
    mean = w > 0 ? Float32Array.from(sum, (v) => v / w) : new Float32Array(size);
    if (aggregate.trainLoss !== undefined) record = { ...record, trainLoss: aggregate.trainLoss };
  }
  // Finite contributions can still sum past float32's range (values near 3.4e38 from clients that
  // are not honest): such a round is refused whole, so the global model never holds NaN or Infinity.
  if (!mean.every(Number.isFinite)) return skipRound(state, aggregate.selected, 'nonFinite');
  const next = serverOptimizer(options.serverOptimizer).apply(state.optimizer, state.weights, mean);
  if (!next.weights.every(Number.isFinite)) return skipRound(state, aggregate.selected, 'nonFinite');
  return {
    round: round + 1,
    weights: next.weights,
    optimizer: next.state,
    ...(clipNorm !== undefined ? { clipNorm } : {}),
    ...(quantile !== undefined ? { quantile } : {}),
    history: [...state.history, record],
  };
}

/**
 * A round that released nothing: secure aggregation ended below its threshold, or the aggregate
 * was not finite. The model and the clip norm stay, the round counts, and no privacy is spent
 * (nothing computed from the updates left the server).
 */
export function skipRound(state: FederatedServerState, selected: readonly number[], reason: NonNullable<RoundRecord['abortReason']> = 'belowThreshold'): FederatedServerState {
  const record: RoundRecord = { round: state.round, selected: [...selected], contributors: [], aborted: true, abortReason: reason };
  return { ...state, round: state.round + 1, history: [...state.history, record] };
}

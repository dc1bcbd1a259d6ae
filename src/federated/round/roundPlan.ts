/**
 * What the server tells each selected client about a round besides the weights: the clip norm in
 * force, the client's share of distributed noise, and the fixed-point ring secure aggregation uses.
 * Computed once per round by {@link planRound}; the same plan drives the simulator and the
 * coordinator.
 */
import { adaptiveNoiseMultipliers } from '../dp/adaptiveNoiseMultipliers.js';
import type { ResolvedFederatedOptions } from './options.js';

/** The per-round instructions to clients. Plain JSON. */
export interface RoundPlan {
  /** Round index, from 0. */
  readonly round: number;
  /** With privacy: the L2 bound each client clips its update to. */
  readonly clipNorm?: number;
  /** With distributed noise: the standard deviation of each client's noise share on every coordinate. */
  readonly valueNoiseShareStd?: number;
  /** With distributed noise and adaptive clipping: each client's noise share on its clipped indicator. */
  readonly countNoiseShareStd?: number;
  /** With secure aggregation: the fixed-point scale (a power of two) and the bound it was chosen for. */
  readonly fixedPoint?: { readonly scale: number; readonly maxAbsValue: number };
  /** With secure aggregation and random-k: the seed every client uses to pick the same coordinates. */
  readonly sharedCoordinatesSeed?: number;
  /** With secure aggregation and random-k: how many coordinates are sent. */
  readonly sharedCoordinates?: number;
}

/** How the total noise multiplier splits between the update sum and the clipped-count estimate. */
export interface NoiseSplit {
  /** Noise std over clip norm on the summed updates. */
  readonly valueNoiseMultiplier: number;
  /** Noise std on the summed centred indicators (0 without adaptive clipping). */
  readonly countNoiseStd: number;
}

/**
 * Andrew et al. 2021, Thm. 1, as TFF's `DifferentiallyPrivateFactory.gaussian_adaptive` applies it:
 * releasing the sum with multiplier z_v and the count (sensitivity 1/2 for the centred indicator)
 * with std sigma_b costs the same as one Gaussian with z where z^-2 = z_v^-2 + (2 sigma_b)^-2.
 */
export function splitNoise(options: ResolvedFederatedOptions): NoiseSplit {
  const p = options.privacy;
  if (p === undefined) return { valueNoiseMultiplier: 0, countNoiseStd: 0 };
  if (!('adaptive' in p.clipping)) return { valueNoiseMultiplier: p.noiseMultiplier, countNoiseStd: 0 };
  const { valueNoiseMultiplier, countNoiseStd } = adaptiveNoiseMultipliers({
    noiseMultiplier: p.noiseMultiplier,
    expectedClientsPerRound: 1, // unused: the count's std is always given
    clippedCountStddev: p.clipping.adaptive.clippedCountStddev,
  });
  return { valueNoiseMultiplier, countNoiseStd };
}

/**
 * The largest power of two s with `n * (ceil(maxAbs * s) + 1) < 2^31`: a sum of n encodings of
 * values in [-maxAbs, maxAbs] (each rounded, so at most one unit more) cannot wrap in Z_{2^32}.
 */
export function safeFixedPointScale(maxAbsValue: number, clients: number): number {
  let s = 2 ** Math.floor(Math.log2((2 ** 31 / clients - 2) / maxAbsValue));
  while (clients * (Math.ceil(maxAbsValue * s) + 1) >= 2 ** 31) s /= 2;
  return s;
}

/** Inputs of {@link planRound} besides the options. */
export interface PlanRoundInputs {
  readonly round: number;
  /** The clip norm in force (fixed or the adaptive estimate). */
  readonly clipNorm?: number;
  /** The clients selected this round (secure aggregation sizes its ring for them). */
  readonly selectedClients: number;
  /** Total number of clients (for the expected count under Poisson sampling). */
  readonly numClients: number;
  /** A seed (uint32) for the shared random-k coordinates. */
  readonly sharedCoordinatesSeed?: number;
  /** Size of the flat weight vector. */
  readonly size: number;
}

/** The {@link RoundPlan} of one round. */
export function planRound(options: ResolvedFederatedOptions, inputs: PlanRoundInputs): RoundPlan {
  const p = options.privacy;
  const split = splitNoise(options);
  const distributed = p !== undefined && p.noise === 'distributed';
  const m = p?.minSurvivingClients ?? 1;
  const valueNoiseShareStd = distributed && inputs.clipNorm !== undefined ? (split.valueNoiseMultiplier * inputs.clipNorm) / Math.sqrt(m) : undefined;
  const countNoiseShareStd = distributed && split.countNoiseStd > 0 ? split.countNoiseStd / Math.sqrt(m) : undefined;
  let fixedPoint: RoundPlan['fixedPoint'];
  let sharedCoordinates: number | undefined;
  const sa = options.secureAggregation;
  if (sa !== undefined) {
    // A client's coordinates are its clipped update (|x_i| <= C), its noise share (bounded at 8
    // standard deviations: a client whose share exceeds that refuses and drops out, P < 1e-15 per
    // coordinate), its weight 1 and its centred indicator in [-1/2, 1/2].
    const maxAbsValue = sa.maxAbsValue ?? Math.max(1, (inputs.clipNorm ?? 0) + 8 * Math.max(valueNoiseShareStd ?? 0, countNoiseShareStd ?? 0));
    fixedPoint = { scale: safeFixedPointScale(maxAbsValue, Math.max(1, inputs.selectedClients)), maxAbsValue };
    if (options.compression?.method === 'randomK') sharedCoordinates = Math.max(1, Math.round(options.compression.fraction * inputs.size));
  }
  return {
    round: inputs.round,
    ...(inputs.clipNorm !== undefined ? { clipNorm: inputs.clipNorm } : {}),
    ...(valueNoiseShareStd !== undefined ? { valueNoiseShareStd } : {}),
    ...(countNoiseShareStd !== undefined ? { countNoiseShareStd } : {}),
    ...(fixedPoint !== undefined ? { fixedPoint } : {}),
    ...(sharedCoordinates !== undefined && inputs.sharedCoordinatesSeed !== undefined ? { sharedCoordinates, sharedCoordinatesSeed: inputs.sharedCoordinatesSeed } : {}),
  };
}

/**
 * Shamir threshold of a round with `selected` clients: `ceil(thresholdFraction · g)`, at least 2
 * (one client's "sum" is its own update) and at most g, where g is the group a client shares its
 * secrets with: everyone, or itself and its k neighbours under SecAgg+.
 */
export function secAggThreshold(options: ResolvedFederatedOptions, selected: number): number {
  const f = options.secureAggregation?.thresholdFraction ?? 1;
  const k = secAggNeighbours(options, selected);
  const group = k === undefined ? selected : k + 1;
  return Math.min(group, Math.max(2, Math.ceil(f * group)));
}

/** The SecAgg+ degree of a round, or undefined for the complete graph (also when k would reach everyone). */
export function secAggNeighbours(options: ResolvedFederatedOptions, selected: number): number | undefined {
  const k = options.secureAggregation?.neighbours;
  return k !== undefined && k < selected - 1 ? k : undefined;
}


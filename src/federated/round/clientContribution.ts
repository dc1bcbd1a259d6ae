/**
 * What one client sends for a round, computed from its local update and the round's plan: the
 * update compressed (with error feedback), clipped (user-level DP), weighted (plain FedAvg) and
 * noised (distributed DP). The same function runs in the simulator and in a networked client.
 *
 * The order matters for the guarantee: compression selects coordinates *before* clipping, so the
 * vector the server can see has norm at most the clip norm whatever was selected; the error
 * feedback residual only carries what compression left out, never what clipping removed (that
 * would grow without bound and bypass the clip).
 */
import type { Rng } from '../../core/rng.js';
import { invalid } from '../../core/validate.js';
import { clipUpdate } from '../dp/clipUpdate.js';
import { addGaussianNoise } from '../dp/addGaussianNoise.js';
import { randomKIndices, sharedIndices, topKIndices } from '../compression/selectCoordinates.js';
import { encodeFixedPoint } from '../secagg/fixedPoint.js';
import type { ClientUpdate } from '../types.js';
import type { ResolvedFederatedOptions } from './options.js';
import type { RoundPlan } from './roundPlan.js';

/** The numbers a client contributes: a vector to sum, its weight and its clipped indicator. */
export interface ClientContribution {
  /** The (weighted, clipped, noised) values sent: every coordinate, or the selected ones. */
  readonly values: Float32Array;
  /** With top-k / random-k without secure aggregation: the coordinates of `values`. */
  readonly indices?: Uint32Array;
  /** The FedAvg weight summed alongside (number of examples; 1 under DP). */
  readonly weight: number;
  /** Adaptive clipping's centred indicator: 1/2 if the update was not clipped, -1/2 if it was (plus noise share); 0 otherwise. */
  readonly indicator: number;
  /** L2 norm of what was clipped, before clipping (NaN without privacy). */
  readonly norm: number;
}

/** Inputs of {@link contributeUpdate}. */
export interface ContributeOptions {
  readonly update: ClientUpdate;
  readonly options: ResolvedFederatedOptions;
  readonly plan: RoundPlan;
  /** The client's noise stream (distributed noise). */
  readonly noiseRng: Rng;
  /** The client's stream for random-k without secure aggregation. */
  readonly compressionRng: Rng;
  /** The client's error-feedback residual from its previous round. */
  readonly residual?: Float32Array;
}

/** The client-side half of a round, and the residual to keep for the next one. */
export function contributeUpdate(input: ContributeOptions): { contribution: ClientContribution; residual?: Float32Array } {
  const { update, options, plan, noiseRng, compressionRng } = input;
  const comp = options.compression;
  const feedback = comp !== undefined && (comp.method === 'int8' || comp.errorFeedback === true);
  const n = update.delta.length;
  // Without privacy the example-weighted delta is what gets summed (sum / summed weights is the
  // weighted mean); under privacy every client weighs 1 and the clip bounds it.
  const w = options.privacy === undefined ? update.numExamples : 1;
  const corrected = new Float32Array(n);
  for (let i = 0; i < n; i++) corrected[i] = (update.delta[i] as number) * w + (feedback && input.residual !== undefined ? (input.residual[i] as number) : 0);

  // 1. Compression chooses what is sent.
  let values: Float32Array = corrected;
  let indices: Uint32Array | undefined;
  let residual: Float32Array | undefined;
  if (plan.sharedCoordinates !== undefined && plan.sharedCoordinatesSeed !== undefined) {
    indices = sharedIndices(plan.sharedCoordinatesSeed, n, plan.sharedCoordinates);
  } else if (comp !== undefined && comp.method !== 'int8') {
    const k = Math.max(1, Math.round(comp.fraction * n));
    // Only the choice of coordinates is needed here: values and residual follow below.
    indices = comp.method === 'topK' ? topKIndices(corrected, k) : randomKIndices(n, k, compressionRng);
  }
  if (indices !== undefined) {
    values = Float32Array.from(indices, (i) => corrected[i] as number);
    if (feedback) {
      residual = Float32Array.from(corrected);
      for (const i of indices) residual[i] = 0;
    }
  }

  // 2. Privacy: clip what is sent, then (with secure aggregation) add this client's noise share.
  let indicator = 0;
  let norm = Number.NaN;
  if (options.privacy !== undefined) {
    const clipNorm = plan.clipNorm as number;
    // Under secure aggregation the ring rounds every coordinate by up to 1/(2 scale): clip to a
    // margin below C so that the rounded vector, the one the sum really contains, has norm <= C.
    const margin = plan.fixedPoint !== undefined ? Math.sqrt(values.length) / (2 * plan.fixedPoint.scale) : 0;
    const target = clipNorm - margin;
    if (!(target > 0)) invalid('contributeUpdate', 'plan.fixedPoint.scale', plan.fixedPoint?.scale, `a scale fine enough that sqrt(coordinates)/(2 scale) < clipNorm = ${clipNorm}`);
    const clipped = clipUpdate(values, { clipNorm: target });
    values = clipped.update;
    norm = clipped.norm;
    if ('adaptive' in options.privacy.clipping) indicator = norm <= clipNorm ? 0.5 : -0.5;
    if (plan.valueNoiseShareStd !== undefined) values = addGaussianNoise(values, { std: plan.valueNoiseShareStd, rng: noiseRng });
    if (plan.countNoiseShareStd !== undefined) indicator = addGaussianNoise(new Float32Array([indicator]), { std: plan.countNoiseShareStd, rng: noiseRng })[0] as number;
  }
  const contribution: ClientContribution = {
    values,
    ...(indices !== undefined && plan.sharedCoordinates === undefined ? { indices } : {}),
    weight: w,
    indicator,
    norm,
  };
  return { contribution, ...(residual !== undefined ? { residual } : {}) };
}

/** The contribution as one fixed-point vector for secure aggregation: `[values..., weight, indicator]`. */
export function encodeContribution(c: ClientContribution, plan: RoundPlan, selectedClients: number): Uint32Array {
  const fp = plan.fixedPoint;
  if (fp === undefined) invalid('encodeContribution', 'plan.fixedPoint', fp, 'a fixed-point plan (the round uses secure aggregation)');
  const v = new Float32Array(c.values.length + 2);
  v.set(c.values);
  v[c.values.length] = c.weight;
  v[c.values.length + 1] = c.indicator;
  return encodeFixedPoint(v, { scale: fp.scale, maxAbs: fp.maxAbsValue, numClients: Math.max(1, selectedClients) });
}

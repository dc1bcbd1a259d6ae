/**
 * Privacy loss distribution of a {@link DpEvent} (internal), exhaustive over the event union,
 * after dp_accounting's `PLDAccountant._maybe_compose`.
 */
import type { NeighboringRelation } from '../accountant.js';
import type { DpEvent } from '../dpEvent.js';
import { assertNever } from '../rdp/eventRdp.js';
import { SubsampledLoss, gaussianNoise, laplaceNoise, type Noise } from './additiveNoise.js';
import { connectDotsPmf } from './connectDots.js';
import { discreteLaplacePmf, epsilonDeltaPmf, randomizedResponsePmf } from './discretePld.js';
import { mixtureGaussianPmf, mixtureIsPrivate } from './mixtureGaussianPld.js';
import { truncatedSubsampledGaussianPld } from './truncatedGaussianPld.js';
import { IDENTITY_PMF, composePmf, pmfDelta, pmfEpsilon, selfComposePmf, selfComposePmfPair, type Pmf } from './pmf.js';

/** The neighbouring relation a PLD is computed under. */
export type PldRelation = NeighboringRelation;

/**
 * A PLD: one PMF per direction (`add` undefined when symmetric, e.g. always under replace-one);
 * `nonPrivate` once a non-private event was composed (ε = ∞, δ = 1 from then on).
 */
export interface Pld {
  readonly remove: Pmf;
  readonly add?: Pmf;
  readonly nonPrivate?: boolean;
}

/** The PLD of no mechanism. */
export const IDENTITY_PLD: Pld = { remove: IDENTITY_PMF };

const NON_PRIVATE_PLD: Pld = { remove: IDENTITY_PMF, nonPrivate: true };

function noiseOf(event: DpEvent): Noise {
  if (event.kind === 'gaussian') return gaussianNoise(event.noiseMultiplier);
  if (event.kind === 'laplace') return laplaceNoise(event.noiseMultiplier);
  throw new Error('unreachable');
}

/** `count` compositions of an additive-noise mechanism subsampled at rate q. */
function mechanismPld(noise: Noise, q: number, count: number, interval: number, relation: PldRelation): Pld {
  if (relation === 'replaceOne') {
    return { remove: selfComposePmf(connectDotsPmf(new SubsampledLoss(noise, q, 'replace'), interval), count) };
  }
  const removeOne = connectDotsPmf(new SubsampledLoss(noise, q, 'remove'), interval);
  if (q === 1) return { remove: selfComposePmf(removeOne, count) };
  const addOne = connectDotsPmf(new SubsampledLoss(noise, q, 'add'), interval);
  const [remove, add] = selfComposePmfPair(removeOne, addOne, count);
  return { remove, add };
}

/** Composition of two PLDs (direction by direction). */
export function composePld(a: Pld, b: Pld): Pld {
  if (a.nonPrivate === true || b.nonPrivate === true) return NON_PRIVATE_PLD;
  const remove = composePmf(a.remove, b.remove);
  if (a.add === undefined && b.add === undefined) return { remove };
  return { remove, add: composePmf(a.add ?? a.remove, b.add ?? b.remove) };
}

/** `count` compositions of a symmetric one-PMF PLD. */
const symmetric = (pmf: Pmf, count: number): Pld => ({ remove: selfComposePmf(pmf, count) });

/**
 * The PLD of `count` repetitions of an event, composed onto `acc`. Parameters for which
 * dp_accounting defines the answer without a PLD are handled first: count 0 and sample rate 0
 * cost nothing, a non-private history stays non-private.
 */
export function composeEvent(acc: Pld, event: DpEvent, count: number, interval: number, relation: PldRelation = 'addOrRemoveOne'): Pld {
  if (count === 0 || acc.nonPrivate === true) return acc;
  const then = (b: Pld): Pld => composePld(acc, b);
  switch (event.kind) {
    case 'noOp':
      return acc;
    case 'nonPrivate':
      return NON_PRIVATE_PLD;
    case 'gaussian':
      // k Gaussians compose exactly into one with noise σ/√k (as dp_accounting does).
      return then(mechanismPld(gaussianNoise(event.noiseMultiplier / Math.sqrt(count)), 1, 1, interval, relation));
    case 'laplace':
      return then(mechanismPld(laplaceNoise(event.noiseMultiplier), 1, count, interval, relation));
    case 'permuteAndFlip':
      // the PLD of permute-and-flip is that of Laplace noise of scale 1/ε (dp_accounting)
      if (event.epsilon === 0) return acc;
      return then(mechanismPld(laplaceNoise(1 / event.epsilon), 1, count, interval, relation));
    case 'epsilonDelta':
      return then(symmetric(epsilonDeltaPmf(event.epsilon, event.delta, interval), count));
    case 'exponential':
      // the worst-case PLD of an ε-DP mechanism (loose for the exponential mechanism, as dp_accounting)
      return then(symmetric(epsilonDeltaPmf(event.epsilon, 0, interval), count));
    case 'randomizedResponse': {
      const { noiseParameter: p, numBuckets: k } = event;
      if (k === 1 || p === 1) return acc; // the output carries no information about the input
      if (p === 0) return NON_PRIVATE_PLD;
      return then(symmetric(randomizedResponsePmf(p, k, interval), count));
    }
    case 'discreteLaplace':
      return then(symmetric(discreteLaplacePmf(event.noiseParameter, event.sensitivity, 1, 'remove', interval), count));
    case 'poissonSampled': {
      const q = event.sampleRate;
      const inner = event.event;
      if (q === 0) return acc;
      if (q === 1) return composeEvent(acc, inner, count, interval, relation);
      if (inner.kind === 'discreteLaplace') {
        const remove = discreteLaplacePmf(inner.noiseParameter, inner.sensitivity, q, 'remove', interval);
        const add = discreteLaplacePmf(inner.noiseParameter, inner.sensitivity, q, 'add', interval);
        const [r, a] = selfComposePmfPair(remove, add, count);
        return then({ remove: r, add: a });
      }
      return then(mechanismPld(noiseOf(inner), q, count, interval, relation));
    }
    case 'selfComposed':
      return composeEvent(acc, event.event, count * event.count, interval, relation);
    case 'composed': {
      // each member composed `count` times, in order (dp_accounting)
      let out = acc;
      for (const e of event.events) out = composeEvent(out, e, count, interval, relation);
      return out;
    }
    case 'truncatedSubsampledGaussian': {
      const { datasetSize, sampleRate, truncatedBatchSize, noiseMultiplier } = event;
      if (sampleRate === 0 || truncatedBatchSize === 0) return acc; // nothing is released
      const one = truncatedSubsampledGaussianPld(datasetSize, sampleRate, truncatedBatchSize, noiseMultiplier, relation === 'replaceOne', interval);
      if (one.add === undefined) return then(symmetric(one.remove, count));
      const [remove, add] = selfComposePmfPair(one.remove, one.add, count);
      return then({ remove, add });
    }
    case 'mixtureOfGaussians': {
      // add/remove only (pldSupport); no positive sensitivity drawn: nothing is released
      if (!mixtureIsPrivate(event)) return acc;
      const [remove, add] = selfComposePmfPair(
        mixtureGaussianPmf(event, 'remove', interval),
        mixtureGaussianPmf(event, 'add', interval),
        count,
      );
      return then({ remove, add });
    }
    case 'zcdp':
    case 'sampledWithoutReplacement':
    case 'repeatAndSelect':
      throw new Error(`unreachable: unsupported event '${event.kind}'`);
    default:
      return assertNever(event);
  }
}

/** ε(δ) of a PLD: the larger over both directions. */
export function pldEpsilon(p: Pld, interval: number, delta: number): number {
  if (p.nonPrivate === true) return Infinity;
  const r = pmfEpsilon(p.remove, interval, delta);
  return p.add === undefined ? r : Math.max(r, pmfEpsilon(p.add, interval, delta));
}

/** δ(ε) of a PLD: the larger over both directions. */
export function pldDelta(p: Pld, interval: number, epsilon: number): number {
  if (p.nonPrivate === true) return 1;
  const r = pmfDelta(p.remove, interval, epsilon);
  return p.add === undefined ? r : Math.max(r, pmfDelta(p.add, interval, epsilon));
}

/**
 * RDP curve of a {@link DpEvent} (internal): exhaustive over the event union. The event must be
 * supported under the relation (see rdpSupport.ts).
 */
import type { NeighboringRelation } from '../accountant.js';
import type { DpEvent } from '../dpEvent.js';
import { laplaceRdp } from './laplaceRdp.js';
import { effectiveGaussianNoise } from './rdpSupport.js';
import { exponentialRdp, pureDpRdp, randomizedResponseRdp } from './mechanismRdp.js';
import { repeatAndSelectRdp } from './repeatAndSelectRdp.js';
import { sampleWorGaussianRdp } from './sampleWorGaussianRdp.js';
import { subsampledGaussianRdp } from './subsampledGaussianRdp.js';

/**
 * An accumulated RDP curve plus the delta accounted outside it (dp_accounting's `_extra_delta`,
 * from (epsilon, delta) events), kept as log(1 − delta) so that composition is a sum.
 */
export interface RdpCurve {
  readonly rdp: Float64Array;
  log1mDelta: number;
}

/** A zero curve over `n` orders. */
export function emptyCurve(n: number): RdpCurve {
  return { rdp: new Float64Array(n), log1mDelta: 0 };
}

function addPerOrder(out: RdpCurve, orders: readonly number[], multiplier: number, f: (alpha: number) => number): void {
  const rdp = out.rdp;
  for (let i = 0; i < orders.length; i++) rdp[i] = (rdp[i] as number) + multiplier * f(orders[i] as number);
}

/**
 * Adds `multiplier ×` the event's RDP curve (and extra delta) into `out` (same indexing as
 * `orders`); the event must be supported under `relation`.
 */
export function addEventRdp(event: DpEvent, orders: readonly number[], multiplier: number, out: RdpCurve, relation: NeighboringRelation): void {
  if (multiplier === 0) return;
  switch (event.kind) {
    case 'noOp':
      return;
    case 'nonPrivate':
      out.rdp.fill(Infinity);
      return;
    case 'gaussian': {
      const sigma = effectiveGaussianNoise(event, relation) as number;
      const s2 = sigma * sigma;
      addPerOrder(out, orders, multiplier, (a) => a / (2 * s2));
      return;
    }
    case 'laplace': {
      // Relative to one record's L1 contribution; replaced records are twice that apart (see effectiveGaussianNoise).
      const eps = (relation === 'replaceOne' ? 2 : 1) / event.noiseMultiplier;
      addPerOrder(out, orders, multiplier, (a) => laplaceRdp(eps, a));
      return;
    }
    case 'permuteAndFlip':
      if (event.epsilon > 0) addPerOrder(out, orders, multiplier, (a) => laplaceRdp(event.epsilon, a));
      return;
    case 'epsilonDelta':
      out.log1mDelta += multiplier * Math.log1p(-event.delta);
      addPerOrder(out, orders, multiplier, (a) => pureDpRdp(event.epsilon, a));
      return;
    case 'zcdp':
      addPerOrder(out, orders, multiplier, (a) => event.xi + event.rho * a);
      return;
    case 'exponential':
      addPerOrder(out, orders, multiplier, (a) => exponentialRdp(event.epsilon, a));
      return;
    case 'randomizedResponse':
      addPerOrder(out, orders, multiplier, (a) => randomizedResponseRdp(event.noiseParameter, event.numBuckets, a));
      return;
    case 'poissonSampled': {
      if (event.sampleRate === 0) return;
      if (event.sampleRate === 1) {
        addEventRdp(event.event, orders, multiplier, out, relation);
        return;
      }
      const sigma = effectiveGaussianNoise(event.event, relation) as number;
      if (sigma === Infinity) return;
      addPerOrder(out, orders, multiplier, (a) => subsampledGaussianRdp(event.sampleRate, sigma, a));
      return;
    }
    case 'sampledWithoutReplacement': {
      const sigma = effectiveGaussianNoise(event.event, relation) as number;
      const q = event.sampleSize / event.sourceDatasetSize;
      addPerOrder(out, orders, multiplier, (a) => sampleWorGaussianRdp(q, sigma, a));
      return;
    }
    case 'repeatAndSelect': {
      const one = emptyCurve(orders.length);
      addEventRdp(event.event, orders, 1, one, relation);
      const r = repeatAndSelectRdp(orders, one.rdp, event.mean, event.shape);
      for (let i = 0; i < orders.length; i++) out.rdp[i] = (out.rdp[i] as number) + multiplier * (r[i] as number);
      return;
    }
    case 'selfComposed':
      addEventRdp(event.event, orders, multiplier * event.count, out, relation);
      return;
    case 'composed':
      for (const e of event.events) addEventRdp(e, orders, multiplier, out, relation);
      return;
    case 'discreteLaplace':
    case 'mixtureOfGaussians':
    case 'truncatedSubsampledGaussian':
      throw new Error(`unsupported event ${event.kind}`);
    default:
      assertNever(event);
  }
}

/** Exhaustiveness guard. */
export function assertNever(x: never): never {
  throw new Error(`unexpected event ${JSON.stringify(x)}`);
}

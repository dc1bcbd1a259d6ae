/**
 * RDP curve of a {@link DpEvent} (internal): exhaustive over the event union.
 */
import type { DpEvent } from '../dpEvent.js';
import { laplaceRdp } from './laplaceRdp.js';
import { subsampledGaussianRdp } from './subsampledGaussianRdp.js';

/**
 * The noise multiplier of the single Gaussian equivalent to a nest of composed Gaussians
 * (dp_accounting's `_effective_gaussian_noise_multiplier`), or undefined when the event is not
 * such a nest.
 */
export function effectiveGaussianNoise(event: DpEvent): number | undefined {
  switch (event.kind) {
    case 'gaussian':
      return event.noiseMultiplier;
    case 'selfComposed': {
      const s = effectiveGaussianNoise(event.event);
      return s === undefined ? undefined : s / Math.sqrt(event.count);
    }
    case 'composed': {
      let inv = 0;
      for (const e of event.events) {
        const s = effectiveGaussianNoise(e);
        if (s === undefined) return undefined;
        inv += 1 / (s * s);
      }
      return inv === 0 ? undefined : 1 / Math.sqrt(inv);
    }
    case 'laplace':
    case 'poissonSampled':
      return undefined;
    default:
      return assertNever(event);
  }
}

/** Why the RDP accountant cannot take an event, or undefined if it can. */
export function rdpUnsupportedReason(event: DpEvent): string | undefined {
  switch (event.kind) {
    case 'gaussian':
    case 'laplace':
      return undefined;
    case 'poissonSampled':
      if (event.sampleRate === 1) return rdpUnsupportedReason(event.event);
      return effectiveGaussianNoise(event.event) === undefined
        ? 'RDP accounts for Poisson subsampling only of Gaussian mechanisms (or compositions of them); use the PLD accountant for subsampled Laplace'
        : undefined;
    case 'selfComposed':
      return rdpUnsupportedReason(event.event);
    case 'composed':
      for (const e of event.events) {
        const r = rdpUnsupportedReason(e);
        if (r !== undefined) return r;
      }
      return undefined;
    default:
      return assertNever(event);
  }
}

/** Adds `multiplier ×` the event's RDP curve into `out` (same indexing as `orders`). */
export function addEventRdp(event: DpEvent, orders: readonly number[], multiplier: number, out: Float64Array): void {
  switch (event.kind) {
    case 'gaussian': {
      const s2 = event.noiseMultiplier * event.noiseMultiplier;
      for (let i = 0; i < orders.length; i++) out[i] = (out[i] as number) + (multiplier * (orders[i] as number)) / (2 * s2);
      return;
    }
    case 'laplace': {
      const eps = 1 / event.noiseMultiplier;
      for (let i = 0; i < orders.length; i++) out[i] = (out[i] as number) + multiplier * laplaceRdp(eps, orders[i] as number);
      return;
    }
    case 'poissonSampled': {
      if (event.sampleRate === 1) {
        addEventRdp(event.event, orders, multiplier, out);
        return;
      }
      const sigma = effectiveGaussianNoise(event.event) as number;
      for (let i = 0; i < orders.length; i++) {
        out[i] = (out[i] as number) + multiplier * subsampledGaussianRdp(event.sampleRate, sigma, orders[i] as number);
      }
      return;
    }
    case 'selfComposed':
      addEventRdp(event.event, orders, multiplier * event.count, out);
      return;
    case 'composed':
      for (const e of event.events) addEventRdp(e, orders, multiplier, out);
      return;
    default:
      assertNever(event);
  }
}

/** Exhaustiveness guard. */
export function assertNever(x: never): never {
  throw new Error(`unexpected event ${JSON.stringify(x)}`);
}

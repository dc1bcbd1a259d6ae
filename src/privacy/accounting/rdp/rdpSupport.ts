/**
 * Which events the RDP accountant takes under which neighbouring relation (internal), following
 * dp_accounting's `RdpAccountant`.
 */
import type { NeighboringRelation } from '../accountant.js';
import type { DpEvent } from '../dpEvent.js';
import { assertNever } from './eventRdp.js';

/**
 * The noise multiplier of the single Gaussian equivalent to a nest of composed Gaussians and
 * zCDP events with xi = 0 (dp_accounting's `_effective_gaussian_noise_multiplier` with
 * `accept_zcdp`), Infinity for a nest with no mechanism in it, or undefined when the event is
 * not such a nest.
 *
 * The result is relative to the distance between neighbours' outputs. A Gaussian event's
 * `noiseMultiplier` is relative to one record's contribution (its add/remove sensitivity); two
 * datasets that differ by a replaced record are twice that apart, so under `'replaceOne'` the
 * effective multiplier is halved. dp_accounting's PLD accountant reads a Gaussian this way
 * (`GaussianPrivacyLoss` with REPLACE adjacency compares means -1 and +1); its RDP accountant does
 * not halve, so its two accountants disagree under REPLACE_ONE. We follow the PLD reading in both
 * accountants: the same event then means the same mechanism, and DP-SGD's `noiseMultiplier` (noise
 * over the clipping norm) can be used as is. A zCDP event's rho is already a guarantee under the
 * relation and is not rescaled.
 */
export function effectiveGaussianNoise(event: DpEvent, relation: NeighboringRelation = 'addOrRemoveOne'): number | undefined {
  switch (event.kind) {
    case 'gaussian':
      return relation === 'replaceOne' ? event.noiseMultiplier / 2 : event.noiseMultiplier;
    case 'zcdp':
      return event.xi === 0 ? 1 / Math.sqrt(2 * event.rho) : undefined;
    case 'selfComposed': {
      const s = effectiveGaussianNoise(event.event, relation);
      return s === undefined ? undefined : s / Math.sqrt(event.count);
    }
    case 'composed': {
      let inv = 0;
      for (const e of event.events) {
        const s = effectiveGaussianNoise(e, relation);
        if (s === undefined) return undefined;
        inv += 1 / (s * s);
      }
      return 1 / Math.sqrt(inv);
    }
    default:
      return undefined;
  }
}

/**
 * dp_accounting (`accept_zcdp=True`) amplifies a ρ-zCDP event by subsampling as if it were the
 * Gaussian with the same RDP curve. The subsampled RDP depends on the whole pair of output
 * distributions, not on the curve alone: the general bound of Zhu and Wang (2019, Thm 6) carries a
 * factor 3 on the higher-order terms that the Gaussian's expansion does not. Without a proof that the
 * Gaussian is the worst ρ-zCDP mechanism under subsampling, we refuse rather than risk an epsilon too small.
 */
const ZCDP_NOT_AMPLIFIED =
  'the RDP accountant does not amplify a zCDP event by subsampling (its subsampled RDP is not determined by rho; dp_accounting assumes the Gaussian\'s): subsample a gaussianEvent instead';

function containsZcdp(event: DpEvent): boolean {
  switch (event.kind) {
    case 'zcdp':
      return true;
    case 'selfComposed':
      return containsZcdp(event.event);
    case 'composed':
      return event.events.some(containsZcdp);
    default:
      return false;
  }
}

const SUBSAMPLED_GAUSSIANS_ONLY = (what: string): string =>
  `RDP accounts for ${what} only of Gaussian mechanisms (or compositions of them); use the PLD accountant for other subsampled mechanisms`;

function containsExtraDelta(event: DpEvent): boolean {
  switch (event.kind) {
    case 'epsilonDelta':
      return event.delta > 0;
    case 'selfComposed':
    case 'poissonSampled':
    case 'sampledWithoutReplacement':
    case 'repeatAndSelect':
      return containsExtraDelta(event.event);
    case 'composed':
      return event.events.some(containsExtraDelta);
    default:
      return false;
  }
}

/** Why the RDP accountant cannot take an event under a relation, or undefined if it can. */
export function rdpUnsupportedReason(event: DpEvent, relation: NeighboringRelation = 'addOrRemoveOne'): string | undefined {
  switch (event.kind) {
    case 'noOp':
    case 'nonPrivate':
    case 'gaussian':
    case 'laplace':
    case 'epsilonDelta':
    case 'zcdp':
    case 'exponential':
    case 'permuteAndFlip':
      return undefined;
    case 'randomizedResponse':
      return relation === 'replaceOne'
        ? undefined
        : "the RDP accountant takes randomized response under neighboringRelation 'replaceOne' only (as dp_accounting)";
    case 'discreteLaplace':
    case 'mixtureOfGaussians':
    case 'truncatedSubsampledGaussian':
      return `the RDP accountant has no RDP bound for a '${event.kind}' event (nor has dp_accounting's); use the PLD accountant`;
    case 'poissonSampled':
      if (relation !== 'addOrRemoveOne') {
        return "the RDP accountant takes Poisson subsampling under neighboringRelation 'addOrRemoveOne' only (as dp_accounting)";
      }
      // Sample rates 0 and 1 are exact for any supported event (an extension of dp_accounting).
      if (event.sampleRate === 0 || event.sampleRate === 1) return rdpUnsupportedReason(event.event, relation);
      if (containsZcdp(event.event)) return ZCDP_NOT_AMPLIFIED;
      return effectiveGaussianNoise(event.event) === undefined ? SUBSAMPLED_GAUSSIANS_ONLY('Poisson subsampling') : undefined;
    case 'sampledWithoutReplacement':
      if (relation !== 'replaceOne') {
        return "the RDP accountant takes sampling without replacement under neighboringRelation 'replaceOne' only (as dp_accounting)";
      }
      if (containsZcdp(event.event)) return ZCDP_NOT_AMPLIFIED;
      return effectiveGaussianNoise(event.event) === undefined ? SUBSAMPLED_GAUSSIANS_ONLY('sampling without replacement') : undefined;
    case 'repeatAndSelect':
      if (containsExtraDelta(event.event)) {
        return 'the RDP accountant cannot repeat-and-select an (epsilon, delta) event with delta > 0: its delta would grow with the number of runs';
      }
      return rdpUnsupportedReason(event.event, relation);
    case 'selfComposed':
      return rdpUnsupportedReason(event.event, relation);
    case 'composed':
      for (const e of event.events) {
        const r = rdpUnsupportedReason(e, relation);
        if (r !== undefined) return r;
      }
      return undefined;
    default:
      return assertNever(event);
  }
}


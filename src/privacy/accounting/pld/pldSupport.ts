/**
 * Which events the PLD accountant takes under which neighbouring relation (internal), as
 * dp_accounting's `PLDAccountant._maybe_compose` decides.
 */
import type { NeighboringRelation } from '../accountant.js';
import type { DpEvent } from '../dpEvent.js';
import { assertNever } from '../rdp/eventRdp.js';

const ADD_REMOVE_ONLY = (what: string): string =>
  `the PLD accountant takes ${what} under neighboringRelation 'addOrRemoveOne' only (as dp_accounting)`;

/** Why the PLD accountant cannot take an event under a relation, or undefined if it can. */
export function pldUnsupportedReason(event: DpEvent, relation: NeighboringRelation = 'addOrRemoveOne'): string | undefined {
  switch (event.kind) {
    case 'noOp':
    case 'nonPrivate':
    case 'gaussian':
    case 'epsilonDelta':
    case 'exponential':
    case 'truncatedSubsampledGaussian':
      return undefined;
    case 'laplace':
    case 'discreteLaplace':
    case 'permuteAndFlip':
      return relation === 'addOrRemoveOne' ? undefined : ADD_REMOVE_ONLY(`a '${event.kind}' event`);
    case 'randomizedResponse':
      return relation === 'replaceOne'
        ? undefined
        : "the PLD accountant takes randomized response under neighboringRelation 'replaceOne' only (as dp_accounting)";
    case 'poissonSampled': {
      const inner = event.event;
      if (event.sampleRate === 0) return undefined; // nothing is released
      if (event.sampleRate === 1) return pldUnsupportedReason(inner, relation);
      if (inner.kind === 'gaussian') return undefined;
      if (inner.kind === 'laplace' || inner.kind === 'discreteLaplace') {
        return relation === 'addOrRemoveOne' ? undefined : ADD_REMOVE_ONLY(`Poisson subsampling of a '${inner.kind}' event`);
      }
      if (inner.kind === 'mixtureOfGaussians') {
        return (
          'PLD accounts for Poisson subsampling of a single Gaussian, Laplace or discrete Laplace mechanism only ' +
          '(as dp_accounting); fold the sample rate q into the mixture instead: sensitivities [0, ...c], ' +
          'samplingProbs [1 − q, ...q·p]'
        );
      }
      return 'PLD accounts for Poisson subsampling of a single Gaussian, Laplace or discrete Laplace mechanism only';
    }
    case 'selfComposed':
      return pldUnsupportedReason(event.event, relation);
    case 'composed':
      for (const e of event.events) {
        const r = pldUnsupportedReason(e, relation);
        if (r !== undefined) return r;
      }
      return undefined;
    case 'mixtureOfGaussians':
      if (relation !== 'addOrRemoveOne') return ADD_REMOVE_ONLY("a 'mixtureOfGaussians' event");
      if (event.sensitivities.some((c, i) => c < 0 && (event.samplingProbs[i] as number) > 0)) {
        // dp_accounting raises; |cᵢ| gives a dominating mixture (Choquette-Choo et al. 2023, Cor. 4.7)
        return 'the PLD accountant takes mixture-of-Gaussians sensitivities >= 0 only (as dp_accounting); pass their absolute values, which give a dominating mixture';
      }
      return undefined;
    case 'zcdp':
    case 'sampledWithoutReplacement':
    case 'repeatAndSelect':
      return `the PLD accountant has no privacy loss distribution for a '${event.kind}' event; use the RDP accountant`;
    default:
      return assertNever(event);
  }
}

/**
 * Structural validation of a DpEvent (internal).
 */
import { invalid, nonNegativeInteger, numberInRange, positiveNumber } from '../../core/validate.js';
import type { DpEvent } from './dpEvent.js';
import { checkGaussianVariantEvent } from './events/gaussianVariantEvents.js';
import { checkNestedEventFields } from './events/nestedEvents.js';
import { checkBasicEvent } from './events/basicEvents.js';
import { checkPureDpEvent } from './events/pureDpEvents.js';

/** Every {@link DpEvent} `kind` (internal); a `Record` over the union, so a new kind must be listed here. */
const KINDS: Record<DpEvent['kind'], true> = {
  noOp: true,
  nonPrivate: true,
  gaussian: true,
  laplace: true,
  epsilonDelta: true,
  zcdp: true,
  randomizedResponse: true,
  exponential: true,
  permuteAndFlip: true,
  discreteLaplace: true,
  mixtureOfGaussians: true,
  truncatedSubsampledGaussian: true,
  poissonSampled: true,
  sampledWithoutReplacement: true,
  repeatAndSelect: true,
  selfComposed: true,
  composed: true,
};

/** Every {@link DpEvent} `kind`, in a stable order (internal). */
export const DP_EVENT_KINDS = /* @__PURE__ */ Object.freeze(Object.keys(KINDS)) as readonly DpEvent['kind'][];

/** Checks (recursively) that a value is a well-formed {@link DpEvent}; throws InvalidArgumentError otherwise. */
export function assertEvent(fn: string, argument: string, value: unknown): asserts value is DpEvent {
  const e = value as DpEvent;
  if (typeof value !== 'object' || value === null) invalid(fn, argument, value, 'a DpEvent object');
  switch (e.kind) {
    case 'gaussian':
    case 'laplace':
      positiveNumber(fn, `${argument}.noiseMultiplier`, e.noiseMultiplier);
      return;
    case 'noOp':
    case 'nonPrivate':
    case 'zcdp':
    case 'randomizedResponse':
      checkBasicEvent(fn, `${argument}.`, e);
      return;
    case 'epsilonDelta':
    case 'exponential':
    case 'permuteAndFlip':
    case 'discreteLaplace':
      checkPureDpEvent(fn, `${argument}.`, e);
      return;
    case 'mixtureOfGaussians':
    case 'truncatedSubsampledGaussian':
      checkGaussianVariantEvent(fn, `${argument}.`, e);
      return;
    case 'sampledWithoutReplacement':
    case 'repeatAndSelect':
      checkNestedEventFields(fn, `${argument}.`, e);
      assertEvent(fn, `${argument}.event`, e.event);
      return;
    case 'poissonSampled':
      numberInRange(fn, `${argument}.sampleRate`, e.sampleRate, { min: 0, max: 1 });
      assertEvent(fn, `${argument}.event`, e.event);
      return;
    case 'selfComposed':
      nonNegativeInteger(fn, `${argument}.count`, e.count);
      assertEvent(fn, `${argument}.event`, e.event);
      return;
    case 'composed':
      if (!Array.isArray(e.events)) invalid(fn, `${argument}.events`, e.events, 'an array of DpEvent');
      // Indexed: forEach would skip the holes of a sparse array.
      for (let i = 0; i < e.events.length; i++) assertEvent(fn, `${argument}.events[${i}]`, e.events[i]);
      return;
    default:
      invalid(fn, `${argument}.kind`, (e as { kind?: unknown }).kind, `one of ${DP_EVENT_KINDS.map((k) => `'${k}'`).join(', ')}`);
  }
}

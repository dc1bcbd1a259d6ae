/**
 * Structural validation of a DpEvent (internal).
 */
import { invalid, numberInRange, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { DpEvent } from './dpEvent.js';

/** Checks (recursively) that a value is a well-formed {@link DpEvent}; throws InvalidArgumentError otherwise. */
export function assertEvent(fn: string, argument: string, value: unknown): asserts value is DpEvent {
  const e = value as DpEvent;
  if (typeof value !== 'object' || value === null) invalid(fn, argument, value, 'a DpEvent object');
  switch (e.kind) {
    case 'gaussian':
    case 'laplace':
      positiveNumber(fn, `${argument}.noiseMultiplier`, e.noiseMultiplier);
      return;
    case 'poissonSampled':
      numberInRange(fn, `${argument}.sampleRate`, e.sampleRate, { min: 0, max: 1, minInclusive: false });
      assertEvent(fn, `${argument}.event`, e.event);
      return;
    case 'selfComposed':
      positiveInteger(fn, `${argument}.count`, e.count);
      assertEvent(fn, `${argument}.event`, e.event);
      return;
    case 'composed':
      if (!Array.isArray(e.events)) invalid(fn, `${argument}.events`, e.events, 'an array of DpEvent');
      e.events.forEach((x, i) => assertEvent(fn, `${argument}.events[${i}]`, x));
      return;
    default:
      invalid(fn, `${argument}.kind`, (e as { kind?: unknown }).kind, "one of 'gaussian', 'laplace', 'poissonSampled', 'selfComposed', 'composed'");
  }
}

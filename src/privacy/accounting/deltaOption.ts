import { invalid, numberInRange } from '../../core/validate.js';

/**
 * The `delta` option, also under its deprecated name `targetDelta` (internal): one of them, in (0, 1).
 */
export function deltaOption(fn: string, o: { readonly delta?: number; readonly targetDelta?: number }): number {
  if (o.delta !== undefined && o.targetDelta !== undefined && o.delta !== o.targetDelta) {
    invalid(fn, 'options.targetDelta', o.targetDelta, `undefined or equal to options.delta (${o.delta}); targetDelta is the deprecated name of delta`);
  }
  const argument = o.delta === undefined && o.targetDelta !== undefined ? 'options.targetDelta' : 'options.delta';
  return numberInRange(fn, argument, o.delta ?? o.targetDelta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
}

import { invalid } from '../../core/validate.js';

/**
 * Checks that every key of a strategy's record names a term (not the task) of the loss being
 * built; errors name `ethicalLoss`, where the strategy was passed as `options.weights` (internal).
 */
export function knownTerms(record: Readonly<Record<string, number>>, termNames: readonly string[], argument: string): void {
  const terms = termNames.slice(1);
  for (const k of Object.keys(record)) {
    if (!terms.includes(k)) invalid('ethicalLoss', `${argument}.${k}`, k, `the name of a term (${terms.join(', ') || 'none given'})`);
  }
}

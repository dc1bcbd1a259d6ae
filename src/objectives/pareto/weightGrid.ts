import { invalid } from '../../core/validate.js';

/**
 * All combinations (Cartesian product) of candidate weights per term, for {@link paretoSweep}.
 *
 * @param candidates - For each term name, a non-empty list of weights >= 0.
 * @returns One weight record per combination, the last term varying fastest.
 * @example
 * ```ts
 * import { weightGrid } from 'responsible-tfjs/objectives';
 * weightGrid({ demographicParity: [0, 1], l1: [0, 1e-4] });
 * // [{dp:0,l1:0},{dp:0,l1:1e-4},{dp:1,l1:0},{dp:1,l1:1e-4}] (names abbreviated)
 * ```
 */
export function weightGrid(candidates: Readonly<Record<string, readonly number[]>>): Record<string, number>[] {
  const fn = 'weightGrid';
  if (typeof candidates !== 'object' || candidates === null || Object.keys(candidates).length === 0) {
    invalid(fn, 'candidates', candidates, 'a record of at least one term name to a list of weights');
  }
  let grid: Record<string, number>[] = [{}];
  for (const [name, values] of Object.entries(candidates)) {
    if (!Array.isArray(values) || values.length === 0) invalid(fn, `candidates.${name}`, values, 'a non-empty array of weights');
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) invalid(fn, `candidates.${name}[${i}]`, v, 'a finite number >= 0');
    });
    grid = grid.flatMap((g) => values.map((v) => ({ ...g, [name]: v })));
  }
  return grid;
}

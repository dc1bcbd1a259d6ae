import { invalid, oneOf } from '../../core/validate.js';

/**
 * Direction of each objective of a Pareto comparison: `'min'` (smaller is better, e.g. a loss or
 * a fairness gap) or `'max'` (larger is better, e.g. accuracy).
 *
 * @example
 * ```ts
 * import type { ParetoObjectives } from 'responsible-tfjs/objectives';
 * const o: ParetoObjectives = { accuracy: 'max', demographicParity: 'min' };
 * ```
 */
export type ParetoObjectives = Readonly<Record<string, 'min' | 'max'>>;

/**
 * Whether point `a` dominates `b`: no worse in every objective and strictly better in one.
 *
 * @example
 * ```ts
 * import { dominates } from 'responsible-tfjs/objectives';
 * dominates({ acc: 0.9, gap: 0.1 }, { acc: 0.8, gap: 0.1 }, { acc: 'max', gap: 'min' }); // true
 * ```
 */
export function dominates(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>, objectives: ParetoObjectives): boolean {
  let strictly = false;
  for (const [k, dir] of Object.entries(objectives)) {
    const av = a[k] as number, bv = b[k] as number;
    const better = dir === 'min' ? av < bv : av > bv;
    const worse = dir === 'min' ? av > bv : av < bv;
    if (worse) return false;
    if (better) strictly = true;
  }
  return strictly;
}

/**
 * The non-dominated points among `points` (the Pareto front), in their original order. Points equal
 * in every objective do not dominate each other and are all kept.
 *
 * @param points - One record of metric values per point (extra keys are ignored).
 * @param objectives - The metrics compared and their directions (at least one).
 * @returns Indices into `points` of the front.
 * @throws InvalidArgumentError for a missing or non-finite metric or an unknown direction.
 * @example
 * ```ts
 * import { paretoFront } from 'responsible-tfjs/objectives';
 * const pts = [{ acc: 0.85, gap: 0.2 }, { acc: 0.8, gap: 0.05 }, { acc: 0.79, gap: 0.1 }];
 * paretoFront(pts, { acc: 'max', gap: 'min' }); // [0, 1]
 * ```
 */
export function paretoFront(points: readonly Readonly<Record<string, number>>[], objectives: ParetoObjectives): number[] {
  const fn = 'paretoFront';
  if (!Array.isArray(points)) invalid(fn, 'points', points, 'an array of metric records');
  if (typeof objectives !== 'object' || objectives === null || Object.keys(objectives).length === 0) {
    invalid(fn, 'objectives', objectives, "a record of at least one metric name to 'min' or 'max'");
  }
  for (const [k, dir] of Object.entries(objectives)) oneOf(fn, `objectives.${k}`, dir, ['min', 'max'] as const);
  points.forEach((p, i) => {
    for (const k of Object.keys(objectives)) {
      const v = (p as Record<string, unknown>)?.[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fn, `points[${i}].${k}`, v, 'a finite number');
    }
  });
  const front: number[] = [];
  for (let i = 0; i < points.length; i++) {
    let dominated = false;
    for (let j = 0; j < points.length && !dominated; j++) {
      if (j !== i && dominates(points[j]!, points[i]!, objectives)) dominated = true;
    }
    if (!dominated) front.push(i);
  }
  return front;
}

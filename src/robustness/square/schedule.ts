/**
 * The size schedule of Square's windows (internal), as the paper's Section 3 and torchattacks'
 * `Square.p_selection`: the fraction `p` of the image a window covers halves at fixed iterations.
 */
import type { AttackNorm } from '../types.js';
import type { SquareGeometry } from './geometry.js';

/** Iterations (on the 10,000-query scale) after which `p` halves once more. */
export const SCHEDULE_BREAKPOINTS: readonly number[] = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];

/**
 * Fraction of the image a window covers at 0-based iteration `iteration`: `pInit / 2^k`, with k
 * the number of breakpoints strictly below the iteration index. With `rescale`, the index is
 * first mapped to the 10,000-query scale, `floor(iteration / queries * 10000)`, so a shorter
 * budget goes through the whole schedule (torchattacks' `resc_schedule=True`).
 */
export function windowFraction(iteration: number, queries: number, pInit: number, rescale: boolean): number {
  const i = rescale ? Math.floor((iteration / queries) * 10000) : iteration;
  let halvings = 0;
  for (const b of SCHEDULE_BREAKPOINTS) if (i > b) halvings++;
  return pInit / 2 ** halvings;
}

/**
 * Window sides `[rows, columns]` covering about the fraction `p` of the image. A square of side
 * `s = round(sqrt(p h w))`, at least 1 (L-inf), or at least 3 and odd (L2), as torchattacks. When
 * `s` exceeds the shorter image side (only for images that are not square, e.g. a `1 x n` row of
 * features, or for a tiny L2 image), the window spans the shorter side and covers about `p h w`
 * values along the longer one (L2: at least 3 and odd, as far as the image allows).
 */
export function windowSides(p: number, g: SquareGeometry, norm: AttackNorm): [number, number] {
  const { height: h, width: w } = g;
  const area = p * h * w;
  const atLeast = (v: number): number => {
    if (norm === 'linf') return Math.max(v, 1);
    const s = Math.max(v, 3);
    return s % 2 === 0 ? s + 1 : s;
  };
  const s = atLeast(Math.round(Math.sqrt(area)));
  const short = Math.min(h, w);
  if (s <= short) return [s, s];
  if (h === w) return [h, w];
  const long = Math.min(Math.max(h, w), atLeast(Math.round(area / short)));
  return h < w ? [short, long] : [long, short];
}

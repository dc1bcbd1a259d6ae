import { invalid, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';

/**
 * Options of {@link minNormCoefficients}.
 *
 * @example
 * ```ts
 * import type { MinNormOptions } from 'responsible-tfjs/objectives';
 * const o: MinNormOptions = { maxIterations: 500, tolerance: 1e-9 };
 * ```
 */
export interface MinNormOptions {
  /** Frank-Wolfe iterations (integer >= 1). Default 250. */
  readonly maxIterations?: number;
  /** Stop when an iteration moves the weights by less than this (L1). Default 1e-6. */
  readonly tolerance?: number;
}

/**
 * Result of {@link minNormCoefficients}.
 *
 * @example
 * ```ts
 * import { minNormCoefficients } from 'responsible-tfjs/objectives';
 * const { alphas, normSquared } = minNormCoefficients([[1, 0], [0, 1]]); // [0.5, 0.5], 0.5
 * ```
 */
export interface MinNormResult {
  /** Convex weights (>= 0, sum 1), one per vector. */
  readonly alphas: number[];
  /** `|sum_i alpha_i v_i|^2`, from the Gram matrix. */
  readonly normSquared: number;
  /** Frank-Wolfe iterations used (0 for one or two vectors, solved in closed form). */
  readonly iterations: number;
}

/** argmin over gamma in [0, 1] of |gamma a + (1 - gamma) b|^2 given a.a, a.b, b.b (Sener & Koltun, Alg. 1). */
function lineSolve(aa: number, ab: number, bb: number): number {
  if (ab >= aa) return 1;
  if (ab >= bb) return 0;
  return (bb - ab) / (aa + bb - 2 * ab);
}

function quadForm(g: readonly (readonly number[])[], a: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a.length; j++) s += (a[i] as number) * (a[j] as number) * (g[i]![j] as number);
  return s;
}

/**
 * The minimum-norm point of the convex hull of vectors `v_1..v_k`, given their Gram matrix
 * `G[i][j] = v_i . v_j`: weights `alpha` (>= 0, summing to 1) minimising `|sum_i alpha_i v_i|^2`.
 * This is the MGDA sub-problem (Désidéri 2012): for two vectors the closed form
 * `gamma = clip((v2.v2 - v1.v2) / |v1 - v2|^2, 0, 1)`; for more, Frank-Wolfe started from the best
 * pair, with the exact line search of Sener & Koltun (2018, Algorithm 2).
 *
 * @param gram - Symmetric positive semi-definite `k x k` matrix of finite numbers, k >= 1.
 * @returns Weights, squared norm and iteration count.
 * @throws InvalidArgumentError for a non-square or non-finite matrix.
 * @example
 * ```ts
 * import { minNormCoefficients } from 'responsible-tfjs/objectives';
 * // v1 = (1, 0), v2 = (0, 2): the min-norm point is (0.8, 0.4), alpha = [0.8, 0.2].
 * console.log(minNormCoefficients([[1, 0], [0, 4]]).alphas);
 * ```
 */
export function minNormCoefficients(gram: readonly (readonly number[])[], options?: MinNormOptions): MinNormResult {
  const fn = 'minNormCoefficients';
  const o = optionsObject(fn, 'options', options);
  const maxIterations = positiveInteger(fn, 'options.maxIterations', o.maxIterations ?? 250);
  const tolerance = positiveNumber(fn, 'options.tolerance', o.tolerance ?? 1e-6);
  if (!Array.isArray(gram) || gram.length === 0) invalid(fn, 'gram', gram, 'a non-empty square matrix (array of rows)');
  const k = gram.length;
  gram.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== k) invalid(fn, `gram[${i}]`, row, `a row of ${k} numbers`);
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fn, `gram[${i}][${j}]`, v, 'a finite number');
    });
  });
  if (k === 1) return { alphas: [1], normSquared: gram[0]![0]!, iterations: 0 };
  // Best pair in closed form.
  let best = { i: 0, j: 1, gamma: 0, value: Infinity };
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const aa = gram[i]![i]!, ab = gram[i]![j]!, bb = gram[j]![j]!;
      const gamma = lineSolve(aa, ab, bb);
      const value = gamma * gamma * aa + 2 * gamma * (1 - gamma) * ab + (1 - gamma) * (1 - gamma) * bb;
      if (value < best.value) best = { i, j, gamma, value };
    }
  }
  const alphas = new Array<number>(k).fill(0);
  alphas[best.i] = best.gamma;
  alphas[best.j] = 1 - best.gamma;
  if (k === 2) return { alphas, normSquared: Math.max(0, best.value), iterations: 0 };
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gAlpha = gram.map((row) => row.reduce((s: number, v: number, j: number) => s + v * (alphas[j] as number), 0));
    let t = 0;
    for (let i = 1; i < k; i++) if ((gAlpha[i] as number) < (gAlpha[t] as number)) t = i;
    const aa = alphas.reduce((s, a, i) => s + a * (gAlpha[i] as number), 0);
    const gamma = lineSolve(aa, gAlpha[t] as number, gram[t]![t]!);
    let change = 0;
    for (let i = 0; i < k; i++) {
      const next = gamma * (alphas[i] as number) + (i === t ? 1 - gamma : 0);
      change += Math.abs(next - (alphas[i] as number));
      alphas[i] = next;
    }
    if (change < tolerance) {
      iterations++;
      break;
    }
  }
  return { alphas, normSquared: Math.max(0, quadForm(gram, alphas)), iterations };
}

/**
 * Weighted Lasso with an intercept, as scikit-learn's `Lasso(alpha)` fits Captum's default LIME
 * surrogate (`SkLearnLasso(alpha=0.01)`) (internal).
 *
 * scikit-learn rescales the sample weights to add up to n, centres on the weighted means, scales
 * rows by √weight and minimises `1/(2n) ‖y - Xβ‖² + α ‖β‖₁` by cyclic coordinate descent from 0.
 * The objective is the same as `1/(2 Σw) Σ w_i (y_i - b - x_iβ)² + α ‖β‖₁`. Here coordinate descent
 * runs on the m × m Gram matrix until the coefficients stop moving (relative change 1e-12), i.e.
 * to the optimum; scikit-learn stops earlier, at a duality gap below `tol = 1e-4` (scaled by
 * ‖y‖²), so its coefficients may differ from the optimum in about the fourth digit.
 */
import { centredScaled, type RegressionData } from './leastSquares.js';

const MAX_SWEEPS = 100_000;
const RELATIVE_CHANGE = 1e-12;

/** The Lasso coefficients (no intercept) for regularisation `alpha` (> 0). */
export function weightedLasso(data: RegressionData, alpha: number): Float64Array {
  const { rows: n, features: m } = data;
  let total = 0;
  for (let i = 0; i < n; i++) total += data.weights[i] as number;
  const { columns, target } = centredScaled(data, total > 0 ? n / total : 0);
  const gram = columns.map((a) => columns.map((b) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
    return s;
  }));
  const correlation = columns.map((a) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (a[i] as number) * (target[i] as number);
    return s;
  });
  const threshold = n * alpha;
  const beta = new Float64Array(m);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let largestChange = 0;
    let largestCoefficient = 0;
    for (let j = 0; j < m; j++) {
      const g = gram[j] as number[];
      const diagonal = g[j] as number;
      if (diagonal === 0) continue; // a feature that never varies keeps 0, as in scikit-learn
      let rho = correlation[j] as number;
      for (let k = 0; k < m; k++) if (k !== j) rho -= (g[k] as number) * (beta[k] as number);
      const next = Math.sign(rho) * Math.max(Math.abs(rho) - threshold, 0) / diagonal;
      largestChange = Math.max(largestChange, Math.abs(next - (beta[j] as number)));
      largestCoefficient = Math.max(largestCoefficient, Math.abs(next));
      beta[j] = next;
    }
    if (largestChange <= RELATIVE_CHANGE * largestCoefficient) break;
  }
  return beta;
}

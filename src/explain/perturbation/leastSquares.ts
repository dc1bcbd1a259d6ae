/**
 * Weighted linear least squares with an intercept, as scikit-learn's `LinearRegression` fits
 * Captum's KernelShap surrogate (internal).
 *
 * scikit-learn centres the columns and the targets on their weighted means, scales every row by
 * √weight and calls `scipy.linalg.lstsq` (LAPACK `gelsd`): the minimum-norm solution, singular
 * values below `max(n, m) · ε_float32 · σ_max` treated as zero (Captum hands it float32 arrays).
 * The minimum norm matters: with fewer samples than features, or a feature that never varies, the
 * system is singular and any other solver would return other coefficients.
 *
 * The systems are small (one per example: n samples × m features), so this is a short float64
 * solve rather than a dependency: Householder QR of the scaled design (n × m → m × m), then a
 * one-sided Jacobi SVD of R (Demmel & Veselić 1992), which gives the small singular values to full
 * relative accuracy so the rank cut-off is decided reliably. With fewer samples than features the
 * SVD is taken of the n rows instead. Work: O(n·m²) with m the smaller dimension.
 */

/** float32 machine epsilon (2^-23), the precision of the arrays scikit-learn solves here. */
const FLOAT32_EPSILON = 1.1920928955078125e-7;

/** Data of one weighted regression: `n` rows of `m` features, row-major. */
export interface RegressionData {
  readonly rows: number;
  readonly features: number;
  /** `[rows · features]`, row-major. */
  readonly design: ArrayLike<number>;
  readonly targets: ArrayLike<number>;
  /** Sample weights (>= 0). */
  readonly weights: ArrayLike<number>;
}

/** Weighted means of the columns and the targets. */
export function weightedMeans(data: RegressionData): { columns: Float64Array; target: number } {
  const { rows, features: m, design, targets, weights } = data;
  const columns = new Float64Array(m);
  let total = 0;
  let target = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights[i] as number;
    total += w;
    target += w * (targets[i] as number);
    for (let j = 0; j < m; j++) columns[j] = (columns[j] as number) + w * (design[i * m + j] as number);
  }
  if (total > 0) {
    for (let j = 0; j < m; j++) columns[j] = (columns[j] as number) / total;
    target /= total;
  }
  return { columns, target };
}

/**
 * The centred design scaled by `√(scale · weight)` per row, column-major (`m` columns of `n`), and
 * the centred targets scaled alike.
 */
export function centredScaled(data: RegressionData, scale = 1): { columns: Float64Array[]; target: Float64Array } {
  const { rows: n, features: m, design, targets, weights } = data;
  const means = weightedMeans(data);
  const columns = Array.from({ length: m }, () => new Float64Array(n));
  const target = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const root = Math.sqrt(scale * (weights[i] as number));
    target[i] = root * ((targets[i] as number) - means.target);
    for (let j = 0; j < m; j++) (columns[j] as Float64Array)[i] = root * ((design[i * m + j] as number) - (means.columns[j] as number));
  }
  return { columns, target };
}

function dot(a: Float64Array, b: Float64Array, from = 0): number {
  let s = 0;
  for (let i = from; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * Householder QR in place: reduces the columns (length n) and `rhs` so that the first
 * `k = min(n, m)` rows hold R and Qᵀ·rhs. Returns k.
 */
function householder(columns: Float64Array[], rhs: Float64Array): number {
  const n = rhs.length;
  const k = Math.min(n, columns.length);
  for (let j = 0; j < k; j++) {
    const a = columns[j] as Float64Array;
    const norm = Math.sqrt(dot(a, a, j));
    if (norm === 0) continue;
    const alpha = (a[j] as number) > 0 ? -norm : norm;
    // v = a[j:] - alpha e_1, applied as H = I - 2 v vᵀ / (vᵀ v).
    const v = a.slice(j);
    v[0] = (v[0] as number) - alpha;
    const vv = dot(v, v);
    if (vv === 0) continue;
    const reflect = (c: Float64Array): void => {
      let s = 0;
      for (let i = j; i < n; i++) s += (v[i - j] as number) * (c[i] as number);
      const f = (2 * s) / vv;
      for (let i = j; i < n; i++) c[i] = (c[i] as number) - f * (v[i - j] as number);
    };
    for (let c = j; c < columns.length; c++) reflect(columns[c] as Float64Array);
    reflect(rhs);
  }
  return k;
}

/**
 * One-sided Jacobi (Hestenes): rotates pairs of `columns` in place until they are mutually
 * orthogonal and returns the accumulated rotation V (`columns.length` columns): then column j is
 * σ_j u_j of the SVD `A = U Σ Vᵀ` of the original columns A.
 */
function orthogonalise(columns: Float64Array[]): Float64Array[] {
  const m = columns.length;
  const v = Array.from({ length: m }, (_, j) => {
    const e = new Float64Array(m);
    e[j] = 1;
    return e;
  });
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const ap = columns[p] as Float64Array;
        const aq = columns[q] as Float64Array;
        const alpha = dot(ap, ap);
        const beta = dot(aq, aq);
        const gamma = dot(ap, aq);
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        for (const [x, y] of [[ap, aq], [v[p] as Float64Array, v[q] as Float64Array]] as const) {
          for (let i = 0; i < x.length; i++) {
            const xi = x[i] as number;
            const yi = y[i] as number;
            x[i] = cs * xi - sn * yi;
            y[i] = sn * xi + cs * yi;
          }
        }
      }
    }
    if (!rotated) break;
  }
  return v;
}

/** Squared norms of the columns and the cut-off below which a squared singular value counts as 0. */
function spectrum(columns: Float64Array[], cutoff: number): { sigma2: number[]; floor2: number } {
  const sigma2 = columns.map((c) => dot(c, c));
  const largest2 = Math.max(0, ...sigma2);
  return { sigma2, floor2: cutoff * cutoff * largest2 };
}

/**
 * Minimum-norm least-squares solution of `A β ≈ b` for `A` given by its `m` columns of length n;
 * singular values at most `cutoff · σ_max` are treated as zero. Tall systems are reduced by QR to
 * m × m first; wide ones (n < m) are orthogonalised through their n rows, so the work and memory
 * grow with the smaller dimension squared.
 */
function minimumNormSolve(columns: Float64Array[], rhs: Float64Array, cutoff: number): Float64Array {
  const m = columns.length;
  const n = rhs.length;
  const solution = new Float64Array(m);
  if (n >= m) {
    householder(columns, rhs);
    const a = columns.map((c) => c.slice(0, m));
    const c = rhs.slice(0, m);
    const v = orthogonalise(a);
    const { sigma2, floor2 } = spectrum(a, cutoff);
    for (let j = 0; j < m; j++) {
      const s2 = sigma2[j] as number;
      if (!(s2 > floor2) || s2 === 0) continue;
      // a_j = σ_j u_j, so β's component along v_j is (u_jᵀ c) / σ_j = (a_j · c) / σ_j².
      const coefficient = dot(a[j] as Float64Array, c) / s2;
      const vj = v[j] as Float64Array;
      for (let i = 0; i < m; i++) solution[i] = (solution[i] as number) + coefficient * (vj[i] as number);
    }
    return solution;
  }
  // Wide: the rows of A are the columns of B = Aᵀ = U Σ Vᵀ, so A = V Σ Uᵀ and
  // β = A⁺ b = U Σ⁻¹ Vᵀ b = Σ_j b_j (v_j · b) / σ_j², with b_j = σ_j u_j the rotated rows.
  const rows = Array.from({ length: n }, (_, i) => Float64Array.from(columns, (col) => col[i] as number));
  const v = orthogonalise(rows);
  const { sigma2, floor2 } = spectrum(rows, cutoff);
  for (let j = 0; j < n; j++) {
    const s2 = sigma2[j] as number;
    if (!(s2 > floor2) || s2 === 0) continue;
    const coefficient = dot(v[j] as Float64Array, rhs) / s2;
    const bj = rows[j] as Float64Array;
    for (let i = 0; i < m; i++) solution[i] = (solution[i] as number) + coefficient * (bj[i] as number);
  }
  return solution;
}

/**
 * The coefficients (no intercept) of the weighted linear regression with intercept of `targets` on
 * the design: scikit-learn's `LinearRegression().fit(design, targets, sample_weight=weights)
 * .coef_`, minimum-norm when the system is singular.
 */
export function weightedLinearRegression(data: RegressionData): Float64Array {
  const { columns, target } = centredScaled(data);
  return minimumNormSolve(columns, target, Math.max(data.rows, data.features) * FLOAT32_EPSILON);
}

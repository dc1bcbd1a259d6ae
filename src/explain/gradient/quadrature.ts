/**
 * The path rules of integrated gradients (internal): the points `alpha_k` in [0, 1] and the weights
 * `w_k` of `∫₀¹ g(α) dα ≈ Σ w_k g(α_k)`, exactly as Captum builds them
 * (`captum/attr/_utils/approximation_methods.py`: `riemann_builders`, `gauss_legendre_builders`).
 */

/** The integration rule of {@link integratedGradients}, by Captum's definitions. */
export type IntegrationMethod = 'riemannLeft' | 'riemannRight' | 'riemannMiddle' | 'riemannTrapezoid' | 'gaussLegendre';

/** Every integration method, for validation messages. */
export const INTEGRATION_METHODS: readonly IntegrationMethod[] = [
  'riemannLeft', 'riemannRight', 'riemannMiddle', 'riemannTrapezoid', 'gaussLegendre',
];

/** Points and weights of a rule, both float32-rounded as Captum multiplies them in float32. */
export interface PathRule {
  /** The `α_k` in [0, 1], ascending. */
  readonly alphas: Float32Array;
  /** The weight of each point. */
  readonly weights: Float32Array;
}

/** Fewest steps a rule accepts: Captum asserts `n > 1` for the Riemann rules and `n > 0` for Gauss-Legendre. */
export function minimumSteps(method: IntegrationMethod): number {
  return method === 'gaussLegendre' ? 1 : 2;
}

/**
 * `torch.linspace(start, end, n)` in float32, as ATen's CPU kernel computes it: the ends and the
 * step are float32, the first half counts up from `start`, the second half down from `end`
 * (ATen's vectorised path can differ from this by one float32 ulp on some elements, about 6e-8).
 */
export function linspaceFloat32(start: number, end: number, n: number): Float32Array {
  const f = Math.fround;
  const a = f(start);
  const b = f(end);
  const step = f(f(b - a) / (n - 1));
  const halfway = Math.floor(n / 2);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = i < halfway ? f(a + f(step * i)) : f(b - f(step * (n - i - 1)));
  return out;
}

/**
 * Gauss-Legendre nodes and weights on [-1, 1] in float64: Newton's iteration on the Legendre
 * polynomial P_n from the usual cosine guesses, weights `2 / ((1 - x²) P_n'(x)²)`, then
 * symmetrised and scaled to add up to 2 as `numpy.polynomial.legendre.leggauss` does (Captum's
 * source of the rule). Ascending nodes.
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // The i-th largest root is close to cos(π (i + 3/4) / (n + 1/2)) (Abramowitz & Stegun 22.16.6).
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 1;
    for (let iteration = 0; iteration < 100; iteration++) {
      // P_n(x) and P_{n-1}(x) by Bonnet's recursion (k+1) P_{k+1} = (2k+1) x P_k - k P_{k-1}.
      let p0 = 1;
      let p1 = x;
      for (let k = 1; k < n; k++) {
        const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 0 ? 1 : p1;
      const pPrev = n === 1 ? 1 : p0;
      derivative = (n * (x * pn - pPrev)) / (x * x - 1);
      const dx = pn / derivative;
      x -= dx;
      if (Math.abs(dx) <= 1e-16 * Math.max(1, Math.abs(x))) break;
    }
    nodes[n - 1 - i] = x;
    weights[n - 1 - i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  // Symmetrise as leggauss does, then scale the weights to the length of the interval.
  const symNodes = new Float64Array(n);
  const symWeights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    symNodes[i] = ((nodes[i] as number) - (nodes[n - 1 - i] as number)) / 2;
    symWeights[i] = ((weights[i] as number) + (weights[n - 1 - i] as number)) / 2;
  }
  let total = 0;
  for (const w of symWeights) total += w;
  for (let i = 0; i < n; i++) symWeights[i] = ((symWeights[i] as number) * 2) / total;
  return { nodes: symNodes, weights: symWeights };
}

/**
 * Captum's rule for `method` with `n` points:
 * - Riemann rules: the α are `torch.linspace` in float32 (left `[0, 1 - 1/n]`, right `[1/n, 1]`,
 *   middle `[1/(2n), 1 - 1/(2n)]`, trapezoid `[0, 1]`), every weight is `1/n`, and the trapezoid
 *   halves its first and last weights, so its weights add up to `1 - 1/n`, not 1 (its points are
 *   `1/(n-1)` apart but weighted as if `1/n` apart: Captum's definition, kept as it is).
 * - Gauss-Legendre: `α = (p + 1) / 2`, weights `w / 2` from the float64 nodes `p` and weights `w`,
 *   then cast to float32.
 * `n` must be at least {@link minimumSteps} (checked by the caller).
 */
export function pathRule(method: IntegrationMethod, n: number): PathRule {
  if (method === 'gaussLegendre') {
    const { nodes, weights } = gaussLegendre(n);
    return {
      alphas: Float32Array.from(nodes, (p) => 0.5 * (1 + p)),
      weights: Float32Array.from(weights, (w) => 0.5 * w),
    };
  }
  const weights = new Float32Array(n).fill(1 / n);
  let alphas: Float32Array;
  if (method === 'riemannLeft') alphas = linspaceFloat32(0, 1 - 1 / n, n);
  else if (method === 'riemannRight') alphas = linspaceFloat32(1 / n, 1, n);
  else if (method === 'riemannMiddle') alphas = linspaceFloat32(1 / (2 * n), 1 - 1 / (2 * n), n);
  else {
    alphas = linspaceFloat32(0, 1, n);
    // Captum halves the float64 1/n before the float32 cast.
    weights[0] = 1 / n / 2;
    weights[n - 1] = 1 / n / 2;
  }
  return { alphas, weights };
}

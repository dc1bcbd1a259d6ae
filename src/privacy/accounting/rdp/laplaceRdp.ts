/**
 * RDP of the Laplace mechanism (internal).
 */

/**
 * RDP at one order of the Laplace mechanism with noise scale b = 1/eps over L1 sensitivity
 * (Mironov 2017, Prop. 6; same evaluation as dp_accounting's `_laplace_rdp`). Returned as an
 * upper bound: the formula plus its rounding allowance (it cancels eps against eps for small
 * eps), capped by two bounds that hold for any eps-DP mechanism, eps itself and α·eps²/2 (Bun
 * and Steinke 2016, Prop. 3.3), and > 0 for eps > 0.
 */
export function laplaceRdp(eps: number, alpha: number): number {
  let r: number;
  if (alpha === 1) r = eps + Math.expm1(-eps);
  else if (alpha < 1.1) {
    const c = Math.expm1(eps * (1 - 2 * alpha)) / (2 * alpha - 1);
    const v = -c * (alpha - 1);
    let sum = 0;
    let p = 1;
    for (let k = 1; k < 100; k++) {
      sum += p / k;
      p *= v;
    }
    r = eps + c * sum;
  } else r = eps + Math.log1p(((alpha - 1) * Math.expm1(eps * (1 - 2 * alpha))) / (2 * alpha - 1)) / (alpha - 1);
  const upper = r + 16 * Number.EPSILON * eps;
  return Math.max(Math.min(upper, eps, (alpha * eps * eps) / 2), Number.MIN_VALUE);
}

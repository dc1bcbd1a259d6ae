/**
 * Default Rényi orders.
 */


function range(start: number, stop: number, step: number, scale: number): number[] {
  const out: number[] = [];
  for (let i = start; i < stop; i += step) out.push(i / scale);
  return out;
}

/**
 * Opacus' default Rényi orders (`RDPAccountant.DEFAULT_ALPHAS`): 1.1, 1.2, ..., 10.9, then 12, 13,
 * ..., 63 (151 orders). The default of {@link RdpAccountant} and {@link computeRdp}.
 *
 * @example
 * ```ts
 * import { DEFAULT_RDP_ORDERS } from 'responsible-tfjs/privacy';
 * console.log(DEFAULT_RDP_ORDERS.length); // 151
 * ```
 */
export const DEFAULT_RDP_ORDERS: readonly number[] = /* @__PURE__ */ Object.freeze([
  ...range(11, 110, 1, 10),
  ...range(12, 64, 1, 1),
]);

/**
 * dp_accounting's default Rényi orders (`DEFAULT_RDP_ORDERS`): 1.1, ..., 10.9, 11, ..., 63, 128,
 * 256, 512, 1024 (156 orders). Pass them to {@link RdpAccountant} for small sample rates or large
 * noise, where Opacus' orders stop at 63 and the bound gets loose.
 *
 * @example
 * ```ts
 * import { RdpAccountant, DP_ACCOUNTING_RDP_ORDERS } from 'responsible-tfjs/privacy';
 * const acc = new RdpAccountant({ orders: DP_ACCOUNTING_RDP_ORDERS });
 * ```
 */
export const DP_ACCOUNTING_RDP_ORDERS: readonly number[] = /* @__PURE__ */ Object.freeze([
  ...range(11, 110, 1, 10),
  ...range(11, 64, 1, 1),
  128,
  256,
  512,
  1024,
]);

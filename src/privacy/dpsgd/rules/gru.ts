/**
 * Per-example gradients of `GRU` (internal), tfjs-layers 4.22's cell (reset gate applied before
 * the recurrent kernel; tfjs has no `resetAfter`): with `x_t W + b` split into z, r, h parts and
 * `U = [U_zr | U_h]`, `z, r = recAct(x_zr + h_{t-1} U_zr)`, `hh = act(x_h + (r h_{t-1}) U_h)`,
 * `h_t = z h_{t-1} + (1 - z) hh`. The recurrent input of `U_h` is `r h_{t-1}`, not `h_{t-1}`.
 */
import { add, matMul, mul, neg, split, type Tensor2D } from '../../../core/tf.js';
import { probed, recurrentRule, type CellMath } from './recurrent.js';

export const gruCell: CellMath = {
  cellClass: 'GRUCell',
  gates: 3,
  states: 1,
  blocks: (units) => [2 * units, units],
  step(p, xProj, [h], probe) {
    const prev = h as Tensor2D;
    const u = p.units;
    const [uzr, uh] = split(p.recurrentKernel, [2 * u, u], 1) as Tensor2D[];
    const [xzr, xh] = split(xProj, [2 * u, u], 1) as Tensor2D[];
    const [pzr, ph] = probe === undefined ? [undefined, undefined] : (split(probe, [2 * u, u], 1) as Tensor2D[]);
    const zr = probed(add(xzr as Tensor2D, matMul(prev, uzr as Tensor2D)), pzr);
    const [zPre, rPre] = split(zr, 2, 1) as Tensor2D[];
    const gate = p.recurrentActivation!;
    const z = gate.apply(zPre as Tensor2D) as Tensor2D;
    const reset = mul(gate.apply(rPre as Tensor2D), prev) as Tensor2D;
    const hh = p.activation.apply(probed(add(xh as Tensor2D, matMul(reset, uh as Tensor2D)), ph));
    const next = add(mul(z, prev), mul(add(1, neg(z)), hh)) as Tensor2D;
    return { states: [next], recurrentInputs: [prev, reset] };
  },
  check: (config) => (config.resetAfter === true ? 'resetAfter is not supported' : undefined),
};

export const gruRule = /* @__PURE__ */ recurrentRule(gruCell);

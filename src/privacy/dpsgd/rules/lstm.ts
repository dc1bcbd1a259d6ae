/**
 * Per-example gradients of `LSTM` (internal), tfjs-layers 4.22's cell: `z = x_t W + h_{t-1} U + b`
 * split into gates i, f, c, o; `c_t = f c_{t-1} + i act(z_c)`, `h_t = o act(c_t)`, where i, f, o use
 * the recurrent activation (default hardSigmoid). `unitForgetBias` only initialises the bias.
 */
import { add, matMul, mul, split, type Tensor2D } from '../../../core/tf.js';
import { probed, recurrentRule, type CellMath } from './recurrent.js';

export const lstmCell: CellMath = {
  cellClass: 'LSTMCell',
  gates: 4,
  states: 2,
  blocks: (units) => [4 * units],
  step(p, xProj, [h, c], probe) {
    const prev = h as Tensor2D;
    const z = probed(add(xProj, matMul(prev, p.recurrentKernel)), probe);
    const [zi, zf, zc, zo] = split(z, 4, 1) as Tensor2D[];
    const gate = p.recurrentActivation!;
    const carry = add(mul(gate.apply(zf as Tensor2D), c as Tensor2D), mul(gate.apply(zi as Tensor2D), p.activation.apply(zc as Tensor2D))) as Tensor2D;
    const next = mul(gate.apply(zo as Tensor2D), p.activation.apply(carry)) as Tensor2D;
    return { states: [next, carry], recurrentInputs: [prev] };
  },
};

export const lstmRule = /* @__PURE__ */ recurrentRule(lstmCell);

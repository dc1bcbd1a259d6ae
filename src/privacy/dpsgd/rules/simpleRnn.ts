/** Per-example gradients of `SimpleRNN`: `h_t = activation(x_t W + b + h_{t-1} U)` unrolled (internal). */
import { add, matMul, type Tensor2D } from '../../../core/tf.js';
import { probed, recurrentRule, type CellMath } from './recurrent.js';

export const simpleRnnCell: CellMath = {
  cellClass: 'SimpleRNNCell',
  gates: 1,
  states: 1,
  blocks: (units) => [units],
  step(p, xProj, [h], probe) {
    const prev = h as Tensor2D;
    const z = probed(add(xProj, matMul(prev, p.recurrentKernel)), probe);
    const next = p.activation.apply(z) as Tensor2D;
    return { states: [next], recurrentInputs: [prev] };
  },
};

export const simpleRnnRule = /* @__PURE__ */ recurrentRule(simpleRnnCell);

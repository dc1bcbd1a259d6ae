import { add, addN, dispose, mul, scalar, stack, sum, tidy, variableGrads, type NamedTensorMap, type Optimizer, type Scalar, type Tensor } from '../../core/tf.js';
import { ResponsibleError } from '../../core/errors.js';
import { connectAll, type LossState } from '../lossState.js';
import { minNormCoefficients } from './minNormCoefficients.js';

/**
 * One MGDA step on the bound batch: a gradient per objective, the Gram matrix read back (k x k
 * numbers), the min-norm weights solved in JavaScript, and their combination applied (internal).
 * @returns The objective values of the step.
 */
export async function mgdaStep(state: LossState, optimizer: Optimizer): Promise<number[]> {
  const s = state.strategy;
  if (s.kind !== 'mgda') throw new Error('mgdaStep: not an MGDA loss');
  const k = state.objectives.length;
  const vars = state.variables;
  const perObjective: NamedTensorMap[] = [];
  const valueTensors: Scalar[] = [];
  try {
    for (let i = 0; i < k; i++) {
      const { value, grads } = variableGrads(() => tidy(() => connectAll(state.values(state.context(), [i])[0]!, vars)), vars);
      perObjective.push(grads);
      valueTensors.push(value);
    }
    const gram = tidy(() => {
      const entries: Tensor[] = [];
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          entries.push(addN(vars.map((v) => sum(mul(perObjective[i]![v.name]!, perObjective[j]![v.name]!)))));
        }
      }
      return stack(entries);
    });
    const values = tidy(() => stack(valueTensors));
    const [g, v] = await Promise.all([gram.data(), values.data()]);
    gram.dispose();
    state.record(values);
    const valuesArr = Array.from(v);
    for (let i = 0; i < k; i++) {
      if (!Number.isFinite(g[i * k + i] as number)) {
        throw new ResponsibleError('NOT_CONVERGED',
          `EthicalLoss.step: the gradient of '${state.objectives[i]!.name}' is not finite (NaN or Infinity): training has diverged. Lower the learning rate or check the term`);
      }
    }
    const norms = Array.from({ length: k }, (_, i) => Math.sqrt(Math.max(g[i * k + i] as number, 0)));
    const scale = norms.map((n, i) => {
      const loss = Math.abs(valuesArr[i] as number);
      const raw = s.normalization === 'l2' ? n : s.normalization === 'loss' ? loss : s.normalization === 'loss+' ? loss * n : 1;
      return raw > 1e-12 ? raw : 1;
    });
    const scaledGram = Array.from({ length: k }, (_, i) =>
      Array.from({ length: k }, (_, j) => (g[i * k + j] as number) / ((scale[i] as number) * (scale[j] as number))));
    const { alphas } = minNormCoefficients(scaledGram, { maxIterations: s.maxIterations, tolerance: s.tolerance });
    for (let i = 0; i < k; i++) state.weights[i] = (alphas[i] as number) / (scale[i] as number);
    const combined = tidy(() => {
      const out: NamedTensorMap = {};
      for (const variable of vars) {
        let d: Tensor = scalar(0);
        for (let i = 0; i < k; i++) d = add(d, mul(scalar(state.weights[i] as number), perObjective[i]![variable.name]!));
        out[variable.name] = d;
      }
      return out;
    });
    optimizer.applyGradients(combined);
    dispose(Object.values(combined));
    return valuesArr;
  } finally {
    for (const grads of perObjective) dispose(Object.values(grads));
    dispose(valueTensors);
  }
}

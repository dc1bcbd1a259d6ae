import { add, addN, dispose, mul, scalar, stack, sum, tidy, variableGrads, type NamedTensorMap, type Optimizer, type Scalar, type Tensor } from '../../core/tf.js';
import { ResponsibleError } from '../../core/errors.js';
import { connectAll, type LossState } from '../lossState.js';
import type { ObjectiveGradients } from './types.js';
import { weightVector } from './weightVector.js';

/** Gradients the loss owns until `release` (internal). */
export interface OwnedObjectiveGradients extends ObjectiveGradients {
  /** Frees the gradients. */
  release(): void;
}

/**
 * One backward pass per objective on the bound batch, the Gram matrix of the gradients and the
 * values read back (k x k + k numbers); records the values on the loss; `apply` updates the model
 * through `optimizer` (internal).
 * @throws ResponsibleError (NOT_CONVERGED) when a gradient is not finite.
 */
export async function objectiveGradients(state: LossState, optimizer: Optimizer): Promise<OwnedObjectiveGradients> {
  const k = state.objectives.length;
  const vars = state.variables;
  const perObjective: NamedTensorMap[] = [];
  const valueTensors: Scalar[] = [];
  const release = (): void => {
    for (const grads of perObjective) dispose(Object.values(grads));
  };
  try {
    for (let i = 0; i < k; i++) {
      const { value, grads } = variableGrads(() => tidy(() => connectAll(state.values(state.context(), [i])[0]!, vars)), vars);
      perObjective.push(grads);
      valueTensors.push(value);
    }
    const gramTensor = tidy(() => {
      const entries: Tensor[] = [];
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) entries.push(addN(vars.map((v) => sum(mul(perObjective[i]![v.name]!, perObjective[j]![v.name]!)))));
      }
      return stack(entries);
    });
    const values = tidy(() => stack(valueTensors));
    const g = await gramTensor.data();
    gramTensor.dispose();
    state.record(values);
    const v = Array.from(await values.data());
    const gram = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => g[i * k + j] as number));
    for (let i = 0; i < k; i++) {
      if (!Number.isFinite(gram[i]![i]!)) {
        throw new ResponsibleError('NOT_CONVERGED',
          `EthicalLoss.step: the gradient of '${state.objectives[i]!.name}' is not finite (NaN or Infinity): training has diverged. Lower the learning rate or check the term`);
      }
    }
    const apply = (weights: readonly number[]): void =>
      applyCombination(state, optimizer, perObjective, weightVector('EthicalLoss.step', 'apply(weights)', weights, k, true));
    return { perObjective, gram, values: v, apply, release };
  } catch (e) {
    release();
    throw e;
  } finally {
    dispose(valueTensors);
  }
}

/** Applies `sum_i weights[i] * g_i` with the optimizer. */
function applyCombination(state: LossState, optimizer: Optimizer, perObjective: readonly NamedTensorMap[], weights: readonly number[]): void {
  const combined = tidy(() => {
    const out: NamedTensorMap = {};
    for (const variable of state.variables) {
      let d: Tensor = scalar(0);
      perObjective.forEach((grads, i) => {
        d = add(d, mul(scalar(weights[i] as number), grads[variable.name]!));
      });
      out[variable.name] = d;
    }
    return out;
  });
  optimizer.applyGradients(combined);
  dispose(Object.values(combined));
}

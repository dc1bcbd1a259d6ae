import { stack, tidy, type Optimizer } from '../../core/tf.js';
import { invalid } from '../../core/validate.js';
import type { LossState } from '../lossState.js';
import { objectiveGradients, type OwnedObjectiveGradients } from './objectiveGradients.js';
import type { WeightingBatchContext, WeightingStepContext, WeightingStepResult } from './types.js';
import { weightVector } from './weightVector.js';

function setter(state: LossState, fn: string): (weights: readonly number[]) => void {
  return (weights) => {
    const next = weightVector(fn, `setWeights (${state.strategy.name})`, weights, state.weights.length, true);
    next.forEach((w, i) => (state.weights[i] = w));
  };
}

/** Runs the strategy's `setBatch` hook, if any, on the batch just bound (internal). */
export async function setBatchWeighting(state: LossState): Promise<void> {
  const hook = state.weighting.setBatch;
  if (hook === undefined) return;
  const ctx: WeightingBatchContext = {
    termNames: state.names(),
    get weights() {
      return [...state.weights];
    },
    async values() {
      const values = tidy(() => stack(state.values(state.context())));
      try {
        return Array.from(await values.data());
      } finally {
        values.dispose();
      }
    },
    setWeights: setter(state, 'EthicalLoss.setBatch'),
  };
  await hook.call(state.weighting, ctx);
}

/**
 * One step of the strategy on the bound batch (internal): builds its context, runs `step`, checks
 * the result, and frees every gradient the step asked for, whatever happens.
 */
export async function stepWeighting(state: LossState, optimizer: Optimizer): Promise<WeightingStepResult> {
  const fn = 'EthicalLoss.step';
  const k = state.objectives.length;
  const handed: OwnedObjectiveGradients[] = [];
  const ctx: WeightingStepContext = {
    termNames: state.names(),
    get weights() {
      return [...state.weights];
    },
    async minimize() {
      const cost = optimizer.minimize(() => state.evaluate(), true, state.variables)!;
      const [total] = await cost.data();
      cost.dispose();
      return { total: total as number, values: Array.from(await state.lastValues!.data()) };
    },
    async gradients() {
      const g = await objectiveGradients(state, optimizer);
      handed.push(g);
      return g;
    },
    setWeights: setter(state, fn),
  };
  try {
    const r = await state.weighting.step(ctx);
    if (typeof r !== 'object' || r === null || typeof r.total !== 'number') {
      invalid(fn, `step (${state.strategy.name})`, r, 'a strategy step resolving to { total, values, weights }');
    }
    return {
      total: r.total,
      values: weightVector(fn, `step (${state.strategy.name}).values`, r.values, k, true),
      weights: weightVector(fn, `step (${state.strategy.name}).weights`, r.weights, k, true),
    };
  } finally {
    for (const g of handed) g.release();
  }
}

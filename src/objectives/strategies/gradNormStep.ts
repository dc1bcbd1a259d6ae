import type { Optimizer } from '../../core/tf.js';
import type { LossState } from '../lossState.js';
import { applyCombination, objectiveGradients } from './objectiveGradients.js';

/**
 * One GradNorm step (internal): per-objective gradients, the model update at the current weights,
 * then one step of the weights on the GradNorm loss and their renormalisation.
 * @returns The objective values of the step.
 */
export async function gradNormStep(state: LossState, optimizer: Optimizer): Promise<number[]> {
  const s = state.strategy;
  if (s.kind !== 'gradNorm') throw new Error('gradNormStep: not a GradNorm loss');
  const k = state.objectives.length;
  const { perObjective, gram, values, release } = await objectiveGradients(state);
  try {
    applyCombination(state, optimizer, perObjective, state.weights);
    if (state.initialValues === undefined) state.initialValues = values.map((v) => Math.abs(v));
    const initial = state.initialValues;
    const ratios = values.map((v, i) => (initial[i]! > 1e-12 ? Math.abs(v) / initial[i]! : 1));
    const meanRatio = ratios.reduce((a, b) => a + b, 0) / k;
    const norms = gram.map((row, i) => Math.sqrt(Math.max(row[i] as number, 0)));
    const weighted = norms.map((n, i) => (state.weights[i] as number) * n);
    const meanWeighted = weighted.reduce((a, b) => a + b, 0) / k;
    const next = weighted.map((g, i) => {
      const target = meanWeighted * (meanRatio > 0 ? (ratios[i]! / meanRatio) ** s.alpha : 1);
      const w = (state.weights[i] as number) - s.weightLearningRate * Math.sign(g - target) * (norms[i] as number);
      return Math.max(w, 1e-6);
    });
    const total = next.reduce((a, b) => a + b, 0);
    for (let i = 0; i < k; i++) state.weights[i] = (k * next[i]!) / total;
    return values;
  } finally {
    release();
  }
}

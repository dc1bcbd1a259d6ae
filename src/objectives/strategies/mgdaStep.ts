import type { Optimizer } from '../../core/tf.js';
import type { LossState } from '../lossState.js';
import { minNormCoefficients } from './minNormCoefficients.js';
import { applyCombination, objectiveGradients } from './objectiveGradients.js';

/**
 * One MGDA step on the bound batch: a gradient per objective, the Gram matrix read back (k x k
 * numbers), the min-norm weights solved in JavaScript, and their combination applied (internal).
 * @returns The objective values of the step.
 */
export async function mgdaStep(state: LossState, optimizer: Optimizer): Promise<number[]> {
  const s = state.strategy;
  if (s.kind !== 'mgda') throw new Error('mgdaStep: not an MGDA loss');
  const k = state.objectives.length;
  const { perObjective, gram: g, values, release } = await objectiveGradients(state);
  try {
    const norms = g.map((row, i) => Math.sqrt(Math.max(row[i] as number, 0)));
    const scale = norms.map((n, i) => {
      const loss = Math.abs(values[i] as number);
      const raw = s.normalization === 'l2' ? n : s.normalization === 'loss' ? loss : s.normalization === 'loss+' ? loss * n : 1;
      return raw > 1e-12 ? raw : 1;
    });
    const scaledGram = g.map((row, i) => row.map((v, j) => v / ((scale[i] as number) * (scale[j] as number))));
    const { alphas } = minNormCoefficients(scaledGram, { maxIterations: s.maxIterations, tolerance: s.tolerance });
    for (let i = 0; i < k; i++) state.weights[i] = (alphas[i] as number) / (scale[i] as number);
    applyCombination(state, optimizer, perObjective, state.weights);
    return values;
  } finally {
    release();
  }
}

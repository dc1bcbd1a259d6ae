/**
 * Square against torchattacks 3.5.1 (reference/robustness2/square.json: L-inf eps 0.05 and 0.1 on
 * both digits models, 1000 queries, seeds 0..4). Another RNG can only agree statistically:
 * - with the default window positions (every position, see `WindowPositions`), each of our
 *   seeds must reach a robust accuracy no higher than torchattacks' mean over its seeds plus one
 *   point (the issue's bound), and break nearly every row torchattacks breaks with all 5 seeds;
 * - with `windowPositions: 'torchattacks'` (torchattacks' corner draw, which never uses the last
 *   row and column), our mean robust accuracy over 3 seeds must lie within 4 points of
 *   torchattacks' mean (both sides): the same method gives the same strength.
 * On the cpu backend (slow: the CNN's convolutions make 1000 queries take 20 to 50 s there) only
 * the bound is checked, with one seed, and the CNN runs 250 queries instead of 1000: it still
 * meets the bound, with room (robust accuracy 0.84 and 0.49 at 250 queries, against bounds of
 * 0.874 and 0.556). Seeded runs gave the same robust accuracies on cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import ref from '../fixtures/robustness2/square.json';
import digits from '../fixtures/robustness/digits_test.json';
import { seededRng } from '../../src/core/rng.js';
import { square, type WindowPositions } from '../../src/robustness/square/index.js';
import { describeBackends } from '../helpers/backends.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from './referenceModels.js';

const N = 100;
const labels = ref.meta.labels;

interface Case {
  readonly model: string;
  readonly eps: number;
  readonly settings: { readonly n_queries: number; readonly p_init: number };
  readonly robust_acc_per_seed: readonly number[];
  readonly success_frequency: readonly number[];
}
const cases = Object.values(ref.cases) as Case[];

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** Per-row success (1 = misclassified) and robust accuracy of one seeded run. */
async function run(model: LayersModel, name: ReferenceModelName, c: Case, queries: number, seed: number, windowPositions: WindowPositions): Promise<{ success: number[]; accuracy: number }> {
  const x = tf.tensor(digits.x.slice(0, N * 64), [N, ...referenceInputShape(name)]);
  const adv = await square(model, x, labels, { epsilon: c.eps, queries, pInit: c.settings.p_init, rng: seededRng(seed), windowPositions });
  const pred = tf.argMax(model.predict(adv) as tf.Tensor, 1);
  const p = await pred.data();
  const linf = tf.max(tf.abs(tf.sub(adv, x)));
  expect(await linf.data()).toSatisfy((v: Float32Array) => v[0]! <= c.eps + 1e-6);
  tf.dispose([x, adv, pred, linf]);
  const success = labels.map((l, i) => (p[i] === l ? 0 : 1));
  return { success, accuracy: 1 - mean(success) };
}

describeBackends('square vs torchattacks (statistical)', (backend) => {
  for (const c of cases) {
    const name = c.model as ReferenceModelName;
    const queries = backend === 'cpu' && name === 'cnn' ? 250 : c.settings.n_queries;
    const refMean = mean(c.robust_acc_per_seed);

    it(`${name} L-inf ${c.eps}: robust accuracy <= torchattacks' mean + 1 point (${queries} queries)`, async () => {
      const model = referenceModel(name);
      const always = c.success_frequency.flatMap((f, i) => (f === 1 ? [i] : []));
      for (const seed of backend === 'cpu' ? [0] : [0, 1]) {
        const { success, accuracy } = await run(model, name, c, queries, seed, 'all');
        expect(accuracy, `seed ${seed}: ours ${accuracy}, torchattacks ${refMean}`).toBeLessThanOrEqual(refMean + 0.01 + 1e-9);
        const broken = always.filter((i) => success[i] === 1).length;
        expect(broken / always.length, `rows torchattacks always breaks`).toBeGreaterThanOrEqual(0.9);
      }
      model.dispose();
    });

    if (backend === 'cpu') continue;
    it(`${name} L-inf ${c.eps}: with torchattacks' window positions, the same robust accuracy (±4 points)`, async () => {
      const model = referenceModel(name);
      const accuracies: number[] = [];
      for (const seed of [10, 11, 12]) accuracies.push((await run(model, name, c, queries, seed, 'torchattacks')).accuracy);
      expect(Math.abs(mean(accuracies) - refMean), `ours ${accuracies}, torchattacks ${c.robust_acc_per_seed}`).toBeLessThanOrEqual(0.04);
      model.dispose();
    });
  }
});

/**
 * Step-by-step agreement with torchattacks: the iterate after every PGD step for test rows 0..4
 * (one batch of 5). PGD with k steps and no random start must reproduce the reference's k-th
 * iterate, for k = 1..10, within 1e-4 (L-inf) and 1e-3 (L2), on rows not fragile in the batch-100
 * run of the same attack and whose clean true-class margin is below 11.5 (see
 * torchattacksReference.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import ref from '../fixtures/robustness/attacks.json';
import traj from '../fixtures/robustness/trajectories.json';
import { pgd } from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from './referenceModels.js';

const CASES = [
  { id: 'pgd_linf_eps0.1_alpha0.01_steps10', norm: 'linf' as const, epsilon: 0.1, stepSize: 0.01, tol: 1e-4 },
  { id: 'pgd_l2_eps1.0_alpha0.2_steps10', norm: 'l2' as const, epsilon: 1, stepSize: 0.2, tol: 1e-3 },
];

describeBackends('PGD trajectories', () => {
  for (const name of ['mlp', 'cnn'] as ReferenceModelName[]) {
    for (const c of CASES) {
      it(`${name} ${c.id}: every iterate`, async () => {
        const model = referenceModel(name);
        const x = tf.tensor(traj.x, [5, ...referenceInputShape(name)]);
        const fragile = new Set(ref.models[name].attacks.find((a) => a.id === c.id)!.fragile_samples);
        const logits = await tf.tidy(() => model.predict(x) as tf.Tensor).array() as number[][];
        const rows = logits
          .map((row, i) => row[traj.labels[i]!]! - Math.max(...row.filter((_, j) => j !== traj.labels[i])))
          .map((m, i) => (m < 11.5 && !fragile.has(i) ? i : -1))
          .filter((i) => i >= 0);
        expect(rows.length).toBeGreaterThanOrEqual(2);
        const iterates = (traj.models[name] as Record<string, number[][]>)[c.id]!;
        for (let k = 1; k <= 10; k++) {
          const adv = await pgd(model, x, traj.labels, { norm: c.norm, epsilon: c.epsilon, stepSize: c.stepSize, steps: k, randomStart: false });
          const got = await adv.data();
          adv.dispose();
          for (const i of rows) {
            for (let j = 0; j < 64; j++) {
              expect(Math.abs(got[i * 64 + j]! - iterates[k - 1]![i * 64 + j]!), `step ${k} row ${i}`).toBeLessThanOrEqual(c.tol);
            }
          }
        }
        x.dispose();
        model.dispose();
      });
    }
  }
});

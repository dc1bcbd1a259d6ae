/**
 * APGD in L2. No public L2 reference exists (torchattacks' L2 cases are held out), so: every row
 * satisfies ||delta||_2 <= eps and the box, and APGD-CE breaks at least as many rows as PGD-L2
 * with the same budget (100 gradient steps, random start, the better of two step sizes) on the
 * digits, for both models; APGD-T in L2 stays inside the constraints and breaks rows too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { seededRng } from '../../src/core/index.js';
import { pgd } from '../../src/robustness/index.js';
import { apgd, apgdTargeted } from '../../src/robustness/apgd/index.js';
import { describeBackends } from '../helpers/backends.js';
import { D, inputs, labels100, N, predictionsAndMargins } from './apgdFixture.js';
import { referenceModel, type ReferenceModelName } from './referenceModels.js';

const STEPS = 100;

/** Number of rows misclassified, after checking the L2 ball and the box on every row. */
async function brokenWithinBall(name: ReferenceModelName, adv: tf.Tensor, x: tf.Tensor, eps: number): Promise<number> {
  const model = referenceModel(name);
  const [a, xs] = await Promise.all([adv.data(), x.data()]);
  for (let i = 0; i < N; i++) {
    let sq = 0;
    for (let k = i * D; k < (i + 1) * D; k++) {
      expect(a[k]! >= 0 && a[k]! <= 1, `row ${i} in [0, 1]`).toBe(true);
      sq += (a[k]! - xs[k]!) ** 2;
    }
    expect(Math.sqrt(sq), `row ${i} L2`).toBeLessThanOrEqual(eps * (1 + 1e-5));
  }
  const { pred } = await predictionsAndMargins(model, adv, labels100);
  model.dispose();
  return pred.filter((p, i) => p !== labels100[i]).length;
}

describeBackends('APGD in L2', () => {
  for (const name of ['mlp', 'cnn'] as ReferenceModelName[]) {
    for (const eps of [0.5, 1.5]) {
      it(`${name} eps ${eps}: constraints hold and APGD-CE breaks at least as many rows as PGD-L2 (${STEPS} steps)`, async () => {
        const model = referenceModel(name);
        const x = inputs(name);
        let pgdBest = 0;
        for (const stepSize of [eps / 4, eps / 20]) {
          const adv = await pgd(model, x, labels100, { norm: 'l2', epsilon: eps, stepSize, steps: STEPS, rng: seededRng(1) });
          pgdBest = Math.max(pgdBest, await brokenWithinBall(name, adv, x, eps));
          adv.dispose();
        }
        const ce = await apgd(model, x, labels100, { norm: 'l2', epsilon: eps, steps: STEPS, rng: seededRng(1) });
        const ceBroken = await brokenWithinBall(name, ce, x, eps);
        const dlr = await apgd(model, x, labels100, { norm: 'l2', epsilon: eps, steps: STEPS, loss: 'dlr', rng: seededRng(1) });
        const dlrBroken = await brokenWithinBall(name, dlr, x, eps);
        const targeted = await apgdTargeted(model, x, labels100, { norm: 'l2', epsilon: eps, steps: 10, targetClasses: 3, rng: seededRng(1) });
        const targetedBroken = await brokenWithinBall(name, targeted, x, eps);
        tf.dispose([ce, dlr, targeted, x]);
        model.dispose();
        expect(ceBroken, `APGD-CE ${ceBroken}, PGD-L2 ${pgdBest}`).toBeGreaterThanOrEqual(pgdBest);
        // DLR and APGD-T are different objectives: they break rows, within a few of CE.
        expect(dlrBroken).toBeGreaterThanOrEqual(ceBroken - 5);
        expect(targetedBroken).toBeGreaterThanOrEqual(ceBroken - 5);
      });
    }
  }
});

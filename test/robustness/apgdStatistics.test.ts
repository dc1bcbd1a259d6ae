/**
 * APGD and APGD-T with our own random starts against torchattacks' robust accuracy
 * (reference/robustness2/apgd.json, seeds 0..4; curve.json on all 450 test rows).
 *
 * - On the 100 rows of every reference case, the mean robust accuracy over our seeds is at most
 *   torchattacks' mean over its seeds plus one point (issue 14). The seeds differ (our starts come
 *   from `seededRng`, not torch's generator), so only the statistics can agree.
 * - On the 450 rows (curve.json), APGD-CE and APGD-DLR (100 steps, one seed) are each at most
 *   torchattacks' APGD (seed 0) plus one point, and the two together (a row is robust only if it
 *   resists both) at most PGD-20's robust accuracy plus two rows. A single loss is not always
 *   within two rows of PGD-20, in the reference too: at eps 0.1 torchattacks' APGD-DLR leaves 9
 *   (MLP) and 8 (CNN) rows more than PGD-20, and our APGD-CE varies by 3 rows over seeds.
 *
 * The CNN's statistics run on wasm only: on the cpu backend (plain JavaScript convolutions) they
 * take six minutes. The cpu CNN is covered row by row from the stored starts in apgdReference.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import curve from '../fixtures/robustness2/curve.json';
import digits from '../fixtures/robustness/digits_test.json';
import { seededRng } from '../../src/core/index.js';
import { apgd, apgdTargeted } from '../../src/robustness/apgd/index.js';
import { describeBackends } from '../helpers/backends.js';
import { cases, inputs, labels100, predictionsAndMargins, referenceMeanRobustAccuracy } from './apgdFixture.js';
import { referenceModel, type ReferenceModelName } from './referenceModels.js';

const SEEDS = [1, 2, 3];
/** APGD-T at 100 steps runs 9 target classes of 100 iterations; its reference accuracy does not vary over seeds. */
const seedsFor = (attack: string, steps: number): number[] => (attack === 'apgdt' && steps === 100 ? [1] : SEEDS);
const N450 = 450;
/** Curve points checked per model: every public eps for the MLP; for the (slower) CNN, the eps where attacks differ. */
const CURVE_EPS: Record<ReferenceModelName, number[]> = { mlp: [0.02, 0.05, 0.1, 0.2, 0.3], cnn: [0.05, 0.1, 0.2] };

describeBackends('APGD robust accuracy against torchattacks', (backend) => {
  for (const c of cases) {
    const seeds = seedsFor(c.attack, c.steps);
    it.skipIf(backend === 'cpu' && c.model === 'cnn')(`${c.key}: mean over seeds ${seeds.join(', ')} <= torchattacks' mean + 1 point`, async () => {
      const model = referenceModel(c.model);
      const x = inputs(c.model);
      const accuracies: number[] = [];
      for (const seed of seeds) {
        const common = { epsilon: c.eps, steps: c.steps, rng: seededRng(seed) };
        const adv = c.attack === 'apgdt'
          ? await apgdTargeted(model, x, labels100, common)
          : await apgd(model, x, labels100, { ...common, loss: c.attack === 'apgd_ce' ? 'ce' : 'dlr' });
        const { pred } = await predictionsAndMargins(model, adv, labels100);
        adv.dispose();
        accuracies.push(pred.filter((p, i) => p === labels100[i]).length / labels100.length);
      }
      tf.dispose(x);
      model.dispose();
      const mean = accuracies.reduce((s, v) => s + v, 0) / accuracies.length;
      expect(mean, `ours ${accuracies.join(', ')}`).toBeLessThanOrEqual(referenceMeanRobustAccuracy(c) + 0.01 + 1e-9);
    });
  }

  for (const name of ['mlp', 'cnn'] as ReferenceModelName[]) {
    const pgd20 = curve.models[name].pgd20_from_attacks_json;
    const reference = { ce: curve.models[name].apgd_ce_steps100, dlr: curve.models[name].apgd_dlr_steps100 };
    for (const eps of CURVE_EPS[name]) {
      const at = curve.eps.indexOf(eps);
      it.skipIf(backend === 'cpu' && name === 'cnn')(`${name} 450 rows eps ${eps}: APGD-CE and -DLR (100 steps) vs torchattacks' APGD and PGD-20`, async () => {
        const model = referenceModel(name);
        const x = inputs(name, N450);
        const y = digits.labels.slice(0, N450);
        const robust: boolean[][] = [];
        for (const loss of ['ce', 'dlr'] as const) {
          const adv = await apgd(model, x, y, { epsilon: eps, steps: 100, loss, rng: seededRng(1) });
          const { pred } = await predictionsAndMargins(model, adv, y);
          adv.dispose();
          robust.push(pred.map((p, i) => p === y[i]));
          const accuracy = robust[robust.length - 1]!.filter(Boolean).length / N450;
          const theirs = reference[loss][at];
          if (theirs !== null && theirs !== undefined) {
            expect(accuracy, `APGD-${loss}: ours ${accuracy}, torchattacks ${theirs}`).toBeLessThanOrEqual(theirs + 0.01 + 1e-9);
          }
        }
        // A row is robust to the pair only if it resists both losses (AutoAttack's way to combine).
        const both = robust[0]!.filter((r, i) => r && robust[1]![i]).length / N450;
        expect(both, `CE and DLR together ${both}, PGD-20 ${pgd20[at]}`).toBeLessThanOrEqual(pgd20[at]! + 2 / N450 + 1e-9);
        tf.dispose(x);
        model.dispose();
      });
    }
  }
});

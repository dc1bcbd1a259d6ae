/**
 * Accuracies of further torchattacks settings (NOTES.md table, the 100 test rows as one batch):
 * exact for the MLP (no fragile rows under L-inf), within one row (0.01) for the CNN, whose confident rows
 * are decided by float32 rounding. Targeted attacks aim at (y + 1) % 10.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import ref from '../fixtures/robustness/attacks.json';
import table from '../fixtures/robustness/notes_table.json';
import { fgsm, pgd } from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from './referenceModels.js';

const labels = ref.inputs.labels;
const targets = labels.map((l) => (l + 1) % 10);

async function rates(model: LayersModel, adv: tf.Tensor): Promise<[number, number]> {
  const pred = Array.from(await tf.tidy(() => tf.argMax(model.predict(adv) as tf.Tensor, 1)).data());
  adv.dispose();
  const acc = pred.filter((p, i) => p === labels[i]).length / pred.length;
  const hit = pred.filter((p, i) => p === targets[i]).length / pred.length;
  return [acc, hit];
}

describeBackends('torchattacks accuracy table', (backend) => {
  // The CNN's 40-step runs are slow on the cpu backend; they run on wasm.
  for (const name of ['mlp', 'cnn'] as ReferenceModelName[]) {
    it(`${name}: untargeted settings`, async () => {
      const model = referenceModel(name);
      const x = tf.tensor(ref.inputs.x, [100, ...referenceInputShape(name)]);
      for (const c of table.cases) {
        if (name === 'cnn' && backend === 'cpu' && (c.steps ?? 0) > 10) continue;
        const adv = c.attack === 'fgsm'
          ? await fgsm(model, x, labels, { epsilon: c.eps })
          : await pgd(model, x, labels, { epsilon: c.eps, stepSize: c.alpha!, steps: c.steps!, randomStart: false });
        const [acc] = await rates(model, adv);
        if (name === 'mlp') expect(acc, JSON.stringify(c)).toBeCloseTo(c.mlp, 10);
        else expect(Math.abs(acc - c.cnn), JSON.stringify(c)).toBeLessThanOrEqual(0.011);
      }
      x.dispose();
      model.dispose();
    });

    it(`${name}: targeted settings`, async () => {
      const model = referenceModel(name);
      const x = tf.tensor(ref.inputs.x, [100, ...referenceInputShape(name)]);
      for (const c of table.targeted) {
        const adv = c.attack === 'fgsm'
          ? await fgsm(model, x, targets, { epsilon: c.eps, targeted: true })
          : await pgd(model, x, targets, {
            epsilon: c.eps, stepSize: c.alpha!, steps: c.steps!, randomStart: false, targeted: true, norm: c.norm as 'linf' | 'l2',
          });
        const [acc, hit] = await rates(model, adv);
        const [refAcc, refHit] = c[name] as number[];
        const tol = 0.011;
        expect(Math.abs(acc - refAcc!), `${JSON.stringify(c)} acc ${acc}`).toBeLessThanOrEqual(tol);
        expect(Math.abs(hit - refHit!), `${JSON.stringify(c)} hit ${hit}`).toBeLessThanOrEqual(tol);
      }
      x.dispose();
      model.dispose();
    });
  }
});

/**
 * FGSM and PGD on the reference digits MLP on webgl and webgpu, against torchattacks. GPU
 * backends reduce in a different order (and webgl may store 16-bit floats), so a few near-zero
 * gradient entries can take the other sign: the test asks for 99% of coordinates within 1e-4
 * (L-inf attacks) or 1e-3 (L2) and accuracies within 2 of 100 rows, and checks the constraints on
 * every coordinate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import ref from '../fixtures/robustness/attacks.json';
import { fgsm, pgd } from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceModel } from '../robustness/referenceModels.js';

describeBackends('robustness in the browser', (backend) => {
  for (const at of ref.models.mlp.attacks) {
    it(`mlp ${at.id} agrees with torchattacks`, async () => {
      expect(tf.getBackend()).toBe(backend);
      const model = referenceModel('mlp');
      const x = tf.tensor2d(ref.inputs.x, [100, 64]);
      const p = at.params as { eps: number; alpha?: number; steps?: number };
      const l2 = at.attack === 'PGDL2';
      const adv = at.attack === 'FGSM'
        ? await fgsm(model, x, ref.inputs.labels, { epsilon: p.eps })
        : await pgd(model, x, ref.inputs.labels, { epsilon: p.eps, stepSize: p.alpha!, steps: p.steps!, randomStart: false, norm: l2 ? 'l2' : 'linf' });
      const got = await adv.data();
      const predT = tf.tidy(() => tf.argMax(model.predict(adv) as tf.Tensor, 1));
      const pred = Array.from(await predT.data());
      tf.dispose([adv, predT, x]);
      model.dispose();

      const tol = l2 ? 1e-3 : 1e-4;
      let close = 0;
      for (let k = 0; k < got.length; k++) {
        const v = got[k]!;
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        if (!l2) expect(Math.abs(v - ref.inputs.x[k]!)).toBeLessThanOrEqual(p.eps + 1e-5);
        if (Math.abs(v - at.adv[k]!) <= tol) close++;
      }
      expect(close / got.length).toBeGreaterThanOrEqual(0.99);
      expect(pred.filter((c, i) => c === at.pred[i]).length).toBeGreaterThanOrEqual(98);
      const acc = pred.filter((c, i) => c === ref.inputs.labels[i]).length / 100;
      expect(Math.abs(acc - at.acc)).toBeLessThanOrEqual(0.02);
    });
  }

  it('pgd leaks no tensors', async () => {
    const model = referenceModel('mlp');
    const x = tf.tensor2d(ref.inputs.x.slice(0, 8 * 64), [8, 64]);
    await expectNoLeaks(() => pgd(model, x, ref.inputs.labels.slice(0, 8), { epsilon: 0.1, stepSize: 0.02, steps: 3, restarts: 2 }));
    x.dispose();
    model.dispose();
  });
});

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import ref from '../fixtures/robustness/attacks.json';
import digits from '../fixtures/robustness/digits_test.json';
import { InvalidArgumentError } from '../../src/core/index.js';
import { fgsm, pgd, robustAccuracy, robustAccuracyCurve } from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from './referenceModels.js';

describeBackends('robust accuracy', (backend) => {
  // Reference: PGD-Linf, 20 steps, alpha = eps / 8, no random start, all 450 rows as one batch.
  // The CNN curve runs on wasm only (the cpu backend's convolutions are slow).
  for (const name of (backend === 'cpu' ? ['mlp'] : ['mlp', 'cnn']) as ReferenceModelName[]) {
    it(`${name}: curve over 450 test rows matches torchattacks`, async () => {
      const model = referenceModel(name);
      const x = tf.tensor(digits.x, [450, ...referenceInputShape(name)]);
      const points: number[] = [];
      const curve = await robustAccuracyCurve(model, x, digits.labels, {
        epsilons: ref.robust_curve_450.eps,
        attack: (epsilon) => (m, xb, yb) => pgd(m, xb, yb, { epsilon, stepSize: epsilon / 8, steps: 20, randomStart: false }),
        batchSize: 450,
        onPoint: ({ accuracy }) => { points.push(accuracy); },
      });
      const expected = ref.robust_curve_450.models[name].acc;
      expect(curve.epsilons).toEqual(ref.robust_curve_450.eps);
      expect(points).toEqual(curve.accuracies);
      curve.accuracies.forEach((a, i) => {
        // MLP exact; the CNN within one of 450 rows (its confident rows are decided by rounding).
        expect(Math.abs(a - expected[i]!), `eps ${curve.epsilons[i]}`).toBeLessThanOrEqual(name === 'mlp' ? 1e-9 : 1 / 450 + 1e-9);
      });
      x.dispose();
      model.dispose();
    });
  }

  it('robustAccuracy counts correct adversarial predictions batch by batch, without leaks', async () => {
    const model = referenceModel('mlp');
    const x = tf.tensor(ref.inputs.x, [100, 64]);
    const attack = (m: LayersModel | ((t: tf.Tensor) => tf.Tensor), xb: tf.Tensor, yb: tf.Tensor1D): Promise<tf.Tensor> => fgsm(m, xb, yb, { epsilon: 0.1 });
    // FGSM is sign-based, so batches of 30 give the batch-100 reference accuracy.
    const acc = await expectNoLeaks(() => robustAccuracy(model, x, ref.inputs.labels, attack, { batchSize: 30 }));
    expect(acc).toBeCloseTo(ref.models.mlp.attacks[0]!.acc, 10);
    const clean = await robustAccuracy(model, x, tf.oneHot(tf.tensor1d(ref.inputs.labels, 'int32'), 10), async (_m, xb) => tf.clone(xb));
    expect(clean).toBeCloseTo(ref.models.mlp.clean.acc, 10);
    await expect(robustAccuracy(model, x, ref.inputs.labels, attack, { batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(robustAccuracy(model, x, ref.inputs.labels, async () => tf.zeros([1]))).rejects.toThrow(InvalidArgumentError);
    await expect(robustAccuracyCurve(model, x, ref.inputs.labels, { epsilons: [-0.1], attack: () => attack })).rejects.toThrow(/epsilons\[0\]/);
    await expect(robustAccuracyCurve(model, x, ref.inputs.labels.slice(1), { epsilons: [0], attack: () => attack })).rejects.toThrow(/100 labels/);
    x.dispose();
    model.dispose();
  });
});

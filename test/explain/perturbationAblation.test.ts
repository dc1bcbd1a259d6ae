/**
 * featureAblation against every stored Captum FeatureAblation case (digits without a mask, Adult
 * with the one-hot groups and the train-mean baseline), and its feature masks: per-example masks,
 * non-contiguous ids, tensors and nested arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { featureAblation, type FeatureMask } from '../../src/explain/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { explainModel, expectCloseToReference, referenceCase, referenceCaseKeys, referenceInputs } from './fixtures.js';
import { caseBaseline, caseTargets, checkKnownSettings, PERTURBATION_TOLERANCE } from './perturbationCases.js';

describeBackends('featureAblation', () => {
  for (const name of ['mlp', 'cnn', 'adult'] as const) {
    for (const key of referenceCaseKeys(name).filter((k) => k.split('/')[2]!.startsWith('feature_ablation'))) {
      it(`matches Captum: ${key}`, async () => {
        const c = referenceCase(name, key);
        checkKnownSettings(c);
        const model = explainModel(name);
        const x = referenceInputs(name);
        const baseline = caseBaseline(c);
        const mask = c.settings?.['feature_mask'] as number[] | null | undefined;
        let values: Float32Array | undefined;
        await expectNoLeaks(async () => {
          const result = await featureAblation(model, x, { baseline, target: caseTargets(name, c), ...(mask ? { featureMask: mask } : {}) });
          values = (await result.attributions.data()) as Float32Array;
          return result;
        });
        expectCloseToReference(values!, c.attr, { ...PERTURBATION_TOLERANCE, skipRows: c.fragile ?? [] });
        tf.dispose([x, baseline as tf.Tensor]);
        model.dispose();
      });
    }
  }

  it('writes the group difference to every element of the group, for any ids, mask form and per-example masks', async () => {
    // f(x) = [Σ w_e x_e, 0] with baseline 0: a group's attribution is Σ_{e in group} w_e x_e.
    const w = tf.tensor2d([[1, 0], [2, 0], [4, 0], [8, 0]]);
    const model = (x: tf.Tensor): tf.Tensor => tf.matMul(x, w);
    const x = tf.tensor2d([[1, 1, 1, 1], [1, 2, 3, 4]]);
    const t = [0, 0];
    const shared = [7, -3, 7, 100]; // groups {0, 2}, {1}, {3}
    const expected = [5, 2, 5, 8, 13, 4, 13, 32];
    const forms: FeatureMask[] = [shared, Int32Array.from(shared), tf.tensor1d(shared, 'int32'), tf.tensor2d([shared], [1, 4], 'int32'), tf.tensor1d(shared, 'float32')];
    for (const featureMask of forms) {
      const { attributions } = await featureAblation(model, x, { featureMask, target: t });
      expect(Array.from(await attributions.data())).toEqual(expected);
      attributions.dispose();
    }
    // One mask per example: row 1 groups {0, 1} and {2, 3}.
    const perExample = [[0, 1, 2, 3], [5, 5, 6, 6]];
    const { attributions } = await featureAblation(model, x, { featureMask: perExample, target: t });
    expect(Array.from(await attributions.data())).toEqual([1, 2, 4, 8, 5, 5, 44, 44]);
    tf.dispose([w, x, attributions, ...forms.filter((f): f is tf.Tensor => f instanceof tf.Tensor)]);
  });

  it('batches every (feature, example) pair: one forward call for the 64 pixels of 50 digits', async () => {
    const model = explainModel('mlp');
    const x = referenceInputs('mlp');
    let calls = 0;
    const counted = (t: tf.Tensor): tf.Tensor => {
      calls++;
      return model.predict(t) as tf.Tensor;
    };
    const { attributions } = await featureAblation(counted, x);
    expect(calls).toBe(3);
    tf.dispose([x, attributions]);
    model.dispose();
  });
});

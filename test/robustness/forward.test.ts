import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import models from '../fixtures/robustness/models.json';
import { describeBackends } from '../helpers/backends.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from './referenceModels.js';

describeBackends('reference digits models', () => {
  for (const name of ['mlp', 'cnn'] as ReferenceModelName[]) {
    it(`${name}: tfjs logits match torch float32 within 1e-4`, async () => {
      const check = models[name].check;
      const model = referenceModel(name);
      const x = tf.tensor(check.x, [check.labels.length, ...referenceInputShape(name)]);
      const logits = model.predict(x) as tf.Tensor;
      const got = await logits.data();
      let maxDiff = 0;
      check.logits_torch_float32.forEach((v, i) => { maxDiff = Math.max(maxDiff, Math.abs(v - (got[i] as number))); });
      expect(maxDiff).toBeLessThan(1e-4);
      tf.dispose([x, logits]);
      model.dispose();
    });
  }
});

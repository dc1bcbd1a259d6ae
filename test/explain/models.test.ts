/** The reference models as built here compute Captum's model outputs on the reference rows. */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeBackends } from '../helpers/backends.js';
import mlpRef from '../fixtures/explain/attributions_mlp.json';
import cnnRef from '../fixtures/explain/attributions_cnn.json';
import adultRef from '../fixtures/explain/attributions_adult.json';
import { digitsModel, explainModel, expectCloseToReference, referenceInputs, type ExplainModelName } from './fixtures.js';

const outputs: Record<ExplainModelName, unknown> = {
  mlp: mlpRef.inputs.output_float32, cnn: cnnRef.inputs.output_float32, adult: adultRef.inputs.output_float32,
};

describeBackends('explain reference models', () => {
  for (const name of ['mlp', 'cnn', 'adult'] as const) {
    it(`${name} reproduces the reference outputs`, () => {
      const model = explainModel(name);
      const x = referenceInputs(name);
      const out = tf.tidy(() => {
        const y = model.predict(x) as tf.Tensor;
        return name === 'adult' ? tf.concat([tf.sub(1, y), y], 1) : y;
      });
      expectCloseToReference(out.dataSync(), outputs[name], { atol: 1e-4, rtol: 1e-5 });
      tf.dispose([x, out]);
      model.dispose();
    });
  }
  it('fused and separate ReLU layers compute the same CNN', () => {
    const a = digitsModel('cnn'), b = digitsModel('cnn', { separateRelu: false });
    const x = referenceInputs('cnn');
    const [ya, yb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
    expect(tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, ya, yb]);
    a.dispose(); b.dispose();
  });
});

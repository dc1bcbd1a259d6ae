/** objectiveStep: the step shape `step(model, batch, options)` over an EthicalLoss. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { crossEntropyTerm, demographicParityTerm, ethicalLoss, lagrangian, objectiveStep } from '../../src/objectives/index.js';
import { describeBackends } from '../helpers/backends.js';

function model(seed: number): tfl.Sequential {
  return tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: tfl.initializers.glorotUniform({ seed }) })] });
}

describeBackends('objectiveStep', () => {
  it('takes the same step as setBatch + step, multipliers included', async () => {
    const x = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]);
    const y = [1, 0, 1, 0];
    const groups = tf.tensor1d([0, 1, 0, 1]);
    const results = [];
    const weights: number[][] = [];
    for (const viaFunction of [true, false]) {
      const m = model(3);
      const loss = ethicalLoss({ model: m, task: crossEntropyTerm(), terms: [demographicParityTerm()], weights: lagrangian({ bounds: { demographicParity: 0.01 } }) });
      const optimizer = tf.train.sgd(0.5);
      const batch = { x, y: tf.tensor1d(y, 'int32'), extras: { groups } };
      for (let k = 0; k < 3; k++) {
        results.push(viaFunction ? await objectiveStep(m, batch, { loss, optimizer }) : (await loss.setBatch(batch), await loss.step(optimizer)));
      }
      weights.push(Array.from(await (m.getWeights()[0] as tf.Tensor).data()));
      loss.dispose();
      optimizer.dispose();
      batch.y.dispose();
      m.dispose();
    }
    expect(results.slice(0, 3)).toEqual(results.slice(3));
    expect(results[2]!.weights.demographicParity).toBeGreaterThan(0); // the multiplier rose
    expect(weights[0]).toEqual(weights[1]);
    tf.dispose([x, groups]);
  });

  it('takes [N, 1] 0/1 label columns for a single-unit model, as the other modules do', async () => {
    const x = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]);
    const out = [];
    for (const y of [tf.tensor1d([1, 0, 1, 0], 'int32'), tf.tensor2d([[1], [0], [1], [0]])]) {
      const m = model(4);
      const loss = ethicalLoss({ model: m, task: crossEntropyTerm(), weights: {} });
      const optimizer = tf.train.sgd(0.5);
      out.push(await objectiveStep(m, { x, y }, { loss, optimizer }));
      loss.dispose();
      optimizer.dispose();
      y.dispose();
      m.dispose();
    }
    expect(out[1]).toEqual(out[0]);
    await expect((async () => {
      const m = model(4);
      const loss = ethicalLoss({ model: m, task: crossEntropyTerm(), weights: {} });
      try {
        await objectiveStep(m, { x, y: tf.tensor2d([[1], [0], [2], [0]]) }, { loss, optimizer: tf.train.sgd(0.1) });
      } finally {
        loss.dispose();
        m.dispose();
      }
    })()).rejects.toThrow(/'y\[2\]' must be a 0\/1 label/);
    x.dispose();
  });

  it('refuses a loss of another model and a missing optimizer', async () => {
    const a = model(1), b = model(2);
    const loss = ethicalLoss({ model: a, task: crossEntropyTerm(), weights: {} });
    const batch = { x: tf.zeros([2, 2]), y: [0, 1] };
    await expect(objectiveStep(b, batch, { loss, optimizer: tf.train.sgd(0.1) })).rejects.toThrow(/'options.loss'/);
    await expect(objectiveStep(a, batch, { loss, optimizer: {} as tf.Optimizer })).rejects.toThrow(/'options.optimizer'/);
    loss.dispose();
    tf.dispose(batch.x);
    a.dispose();
    b.dispose();
  });
});

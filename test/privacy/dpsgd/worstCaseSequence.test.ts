/**
 * The adversary's inputs against the sequence-layer rules: one example of a batch is 1e19, 3e38 or
 * -3e38 everywhere. Without noise, an SGD step with learning rate 1 moves the weights by at most
 * (number of examples) × maxGradNorm / expectedBatchSize, the weights stay finite, and no tensor
 * leaks, on every backend. NaN and Infinity inputs are refused with a typed error naming the example.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { describeBackends } from '../../helpers/backends.js';
import { expectNoLeaks } from '../../helpers/leaks.js';
import { dpSgdStep } from '../../../src/privacy/index.js';

const init = { recurrentInitializer: 'glorotUniform' as const, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) };
const MODELS: Record<string, () => tfl.LayersModel> = {
  LSTM: () => tfl.sequential({ layers: [tfl.layers.lstm({ units: 4, inputShape: [5, 3], ...init }), tfl.layers.dense({ units: 2 })] }),
  GRU: () => tfl.sequential({ layers: [tfl.layers.gru({ units: 4, inputShape: [5, 3], returnSequences: true, ...init }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] }),
  SimpleRNN: () => tfl.sequential({ layers: [tfl.layers.simpleRNN({ units: 4, inputShape: [5, 3], activation: 'relu', ...init }), tfl.layers.dense({ units: 2 })] }),
  Conv1D: () => tfl.sequential({ layers: [tfl.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [5, 3], activation: 'relu' }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] }),
  SeparableConv2D: () => tfl.sequential({ layers: [tfl.layers.reshape({ targetShape: [5, 3, 1], inputShape: [5, 3] }), tfl.layers.separableConv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] }),
};
const MAX_GRAD_NORM = 0.5;

async function weights(model: tfl.LayersModel): Promise<Float32Array[]> {
  // Copies: on cpu, data() can hand out the backend's own buffer, which a later step may reuse.
  return Promise.all(model.trainableWeights.map(async (w) => Float32Array.from((await w.read().data()) as Float32Array)));
}

describeBackends('DP-SGD worst cases on sequence layers', () => {
  for (const [name, build] of Object.entries(MODELS)) {
    it(`${name}: an example of 1e19 or ±3e38 cannot move the weights past the clipping bound; NaN and Infinity are refused`, async () => {
      for (const v of [1e19, 3e38, -3e38]) {
        const model = build();
        const optimizer = tf.train.sgd(1);
        const data = new Float32Array(3 * 15).map((_, i) => ((i % 5) - 2) / 5);
        data.fill(v, 15, 30); // the middle example is the adversary's
        const x = tf.tensor3d(data, [3, 5, 3]);
        const before = await weights(model);
        const step = (): ReturnType<typeof dpSgdStep> => dpSgdStep(model, x, [1, 0, 1], { optimizer, maxGradNorm: MAX_GRAD_NORM, noiseMultiplier: 0, expectedBatchSize: 1 });
        const r = await step();
        const after = await weights(model);
        let moved = 0;
        before.forEach((w, k) => w.forEach((b, j) => {
          const a = after[k]![j]!;
          expect(Number.isFinite(a), `${name} ${v}: weight ${k}[${j}]`).toBe(true);
          moved += (a - b) ** 2;
        }));
        expect(Math.sqrt(moved), `${name} ${v}`).toBeLessThanOrEqual(3 * MAX_GRAD_NORM * (1 + 1e-5));
        expect(r.zeroedCount + r.clippedCount, `${name} ${v}`).toBeGreaterThanOrEqual(1);
        await expectNoLeaks(step); // (it runs two more steps)
        x.dispose();
        optimizer.dispose();
        model.dispose();
      }
      for (const v of [NaN, Infinity]) {
        const model = build();
        const x = tf.fill([3, 5, 3], v);
        await expect(dpSgdStep(model, x, [1, 0, 1], { optimizer: tf.train.sgd(1), maxGradNorm: MAX_GRAD_NORM, noiseMultiplier: 0, expectedBatchSize: 1 })).rejects.toThrow(/dpSgdStep: argument 'x' must be finite/);
        x.dispose();
        model.dispose();
      }
    });
  }
});

import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  demographicParityPenalty,
  equalizedOddsPenalty,
  fromTensors,
  metricFrame,
  mmdPenalty,
  selectionRate,
  truePositiveRate,
} from '../../src/fairness/index.js';
import ref from '../fixtures/fairness/metrics.json';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const edge = ref.edge_cases.find((e) => e.name === 'weighted_small')!;
const input = edge.input as { y_true: number[]; y_pred: number[]; sensitive_features: string[]; sample_weight: number[] };

describeBackends('fairness in the browser', (backend) => {
  it('runs on the requested backend', () => expect(tf.getBackend()).toBe(backend));

  it('a frame from tensors matches Fairlearn on the weighted example', async () => {
    const t = { yTrue: tf.tensor1d(input.y_true, 'int32'), yPred: tf.tensor1d(input.y_pred, 'int32'), sampleWeight: tf.tensor1d(input.sample_weight) };
    const f = metricFrame({ metrics: { selection_rate: selectionRate, true_positive_rate: truePositiveRate }, ...(await fromTensors(t)), sensitiveFeatures: input.sensitive_features });
    const byGroup = (edge.metric_frame as unknown as { by_group: Record<string, number>[] }).by_group;
    for (const row of byGroup) {
      // Weights pass through float32 on the device: 1e-6.
      expect(f.byGroup[row.sf as unknown as string]!.selection_rate).toBeCloseTo(row.selection_rate!, 6);
      expect(f.byGroup[row.sf as unknown as string]!.true_positive_rate).toBeCloseTo(row.true_positive_rate!, 6);
    }
    tf.dispose(Object.values(t));
  });

  it('penalties: values, finite gradients, no leaks', async () => {
    const tol = backend === 'webgl' ? 1e-3 : 1e-5;
    const s = tf.tensor1d([0.9, 0.2, 0.4, 0.1, 0.3, 0.5]);
    const groups = [0, 0, 0, 1, 1, 1];
    const dp = demographicParityPenalty({ scores: s, groups, numGroups: 2 });
    expect(Math.abs((await dp.data())[0]! - 0.2)).toBeLessThan(tol);
    const same = mmdPenalty({ scores: tf.tensor1d([0.1, 0.5, 0.7, 0.7, 0.1, 0.5]), membership: [1, 1, 1, 0, 0, 0] });
    expect(Math.abs((await same.data())[0]!)).toBeLessThan(tol);
    await expectNoLeaks(() => tf.grad((z: tf.Tensor) => equalizedOddsPenalty({ scores: tf.sigmoid(z), labels: [1, 0, 1, 1, 0, 0], groups, numGroups: 2 }))(s));
    const g = tf.grad((z: tf.Tensor) => mmdPenalty({ scores: tf.sigmoid(z), membership: [1, 1, 1, 0, 0, 0], kernel: 'laplacian' }))(s);
    expect(Array.from(await g.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([s, dp, same, g]);
  });
});

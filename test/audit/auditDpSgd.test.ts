/**
 * The one-run audit of private training (auditDpSgd), and through it the honesty of the library's
 * own DP-SGD: on the digits MLP the audit's lower bound stays below the epsilon fitPrivately reports
 * at 1, 4 and 8, a non-private run with the same canaries gives a clearly positive bound, and a
 * DP-SGD broken on purpose (no clipping) is caught.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { auditDpSgd, oneRunEpsilonLowerBound, outOfDistributionCanaries, type AuditTrainer } from '../../src/audit/index.js';
import { seededRng } from '../../src/core/rng.js';
import { fitPrivately, fitWithPerExampleEngine, getNoiseMultiplier, poissonBatches } from '../../src/privacy/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { loadDigitsSplits } from './digitsData.js';

/** A "model" that remembers its training rows exactly: confident on them, uniform elsewhere. */
function memorizer(classes: number, held: tf.Tensor[]): AuditTrainer {
  return async (x, y) => {
    const rows = x.clone();
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), classes));
    held.push(rows, labels);
    const model = (input: tf.Tensor): tf.Tensor =>
      tf.tidy(() => {
        const d = tf.sum(tf.square(tf.sub(tf.expandDims(input, 1), tf.expandDims(rows, 0))), 2);
        const nearest = tf.argMin(d, 1);
        const exact = tf.cast(tf.equal(tf.min(d, 1), 0), 'float32');
        return tf.mul(tf.gather(labels, nearest), tf.mul(tf.expandDims(exact, 1), 20));
      });
    return { model, epsilon: 0.5, delta: 1e-5 };
  };
}

describeBackends('auditDpSgd', (backend) => {
  it('a trainer that memorises its data is caught: every guess right, the bound at its maximum, above the reported 0.5', async () => {
    const data = { x: tf.randomUniform([30, 3], 0, 1, 'float32', 1), y: Int32Array.from({ length: 30 }, (_, i) => i % 4) };
    const canaries = outOfDistributionCanaries({ count: 100, shape: [3], numClasses: 4, low: 5, high: 6, rng: seededRng('c') });
    const held: tf.Tensor[] = [];
    const r = await auditDpSgd(memorizer(4, held), data, { canaries, positiveGuesses: 20, negativeGuesses: 20, rng: seededRng('a') });
    expect(r.canaries).toBe(100);
    expect([r.guesses, r.correct]).toEqual([40, 40]);
    expect(r.epsilonLowerBound).toBeCloseTo(oneRunEpsilonLowerBound({ canaries: 100, guesses: 40, correct: 40, delta: 1e-5, confidence: 0.95 }), 12);
    expect(r.maxCertifiableEpsilon).toBe(r.epsilonLowerBound);
    expect(r.epsilonLowerBound).toBeGreaterThan(2);
    expect(r.exceedsReported).toBe(true);
    expect(r.canRefute).toBe(true);
    expect([r.reportedEpsilon, r.delta]).toEqual([0.5, 1e-5]);
    expect(r.trainingRows).toBe(30 + r.included.reduce((a, b) => a + b, 0));
    // Included canaries score higher (loss about 0) than excluded ones (loss ln 4).
    r.scores.forEach((s, i) => expect(s > -0.01).toBe(r.included[i] === 1));
    tf.dispose([data.x, canaries.x, ...held]);
  });

  it('leaves no tensors behind (beyond what the trainer keeps)', async () => {
    const data = { x: tf.randomUniform([10, 2], 0, 1, 'float32', 2), y: new Int32Array(10) };
    const canaries = outOfDistributionCanaries({ count: 10, shape: [2], numClasses: 2, rng: seededRng(1) });
    const w = tf.variable(tf.randomNormal([2, 2], 0, 1, 'float32', 3));
    const trainer: AuditTrainer = async () => ({ model: (input: tf.Tensor) => tf.matMul(input, w) });
    await expectNoLeaks(() => auditDpSgd(trainer, data, { canaries, positiveGuesses: 2, negativeGuesses: 2, rng: seededRng(4) }));
    tf.dispose([data.x, canaries.x, w]);
  });

  it('rejects bad input with typed errors', async () => {
    const data = { x: tf.zeros([4, 2]), y: new Int32Array(4) };
    const canaries = outOfDistributionCanaries({ count: 4, shape: [2], numClasses: 2, rng: seededRng(1) });
    const trainer: AuditTrainer = async () => ({ model: (input: tf.Tensor) => tf.zeros([input.shape[0]!, 2]) });
    await expect(auditDpSgd('nope' as never, data, { canaries })).rejects.toThrow(/trainer/);
    await expect(auditDpSgd(trainer, { x: 3, y: [] } as never, { canaries })).rejects.toThrow(/data\.x/);
    await expect(auditDpSgd(trainer, data, { canaries: { x: tf.zeros([0, 2]), y: new Int32Array(0), kind: 'custom' } })).rejects.toThrow(/at least 1 canary/);
    await expect(auditDpSgd(trainer, data, { canaries, confidence: 1 })).rejects.toThrow(/options\.confidence/);
    await expect(auditDpSgd(trainer, data, { canaries, score: 'margin' as never })).rejects.toThrow(/options\.score/);
    await expect(auditDpSgd(trainer, data, { canaries, positiveGuesses: 3, negativeGuesses: 2 })).rejects.toThrow(/positiveGuesses|negativeGuesses|guesses/);
    await expect(auditDpSgd(async () => ({ model: trainer as never, epsilon: -1 }), data, { canaries })).rejects.toThrow(/non-negative epsilon/);
    await expect(auditDpSgd(async () => 42 as never, data, { canaries })).rejects.toThrow(/resolves to \{ model/);
    tf.dispose([data.x, canaries.x]);
  });

  // Each run trains the digits MLP for 30 epochs (about 2 s on wasm, 20 s on cpu): wasm only.
  const heavy = it.skipIf(backend === 'cpu');
  const EPOCHS = 30;
  const BATCH = 64;
  const { train } = loadDigitsSplits();
  const mlp = (): tfl.LayersModel =>
    tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [64], units: 64, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
  // 200 canaries uniform in [-2, 2]^64: far from the digits (pixels in [0, 1]) and nearly
  // orthogonal to them and to each other, with random labels only memorisation can fit.
  const canaryOptions = { count: 200, shape: [64], numClasses: 10, low: -2, high: 2 } as const;
  const guesses = { positiveGuesses: 40, negativeGuesses: 40 } as const;

  function privateTrainer(targetEpsilon: number, seed: string): AuditTrainer {
    return async (x, y) => {
      const model = mlp();
      const r = await fitPrivately(model, x, y, {
        epochs: EPOCHS, batchSize: BATCH, maxGradNorm: 1, targetEpsilon, delta: 1e-5, optimizer: tf.train.sgd(0.5), rng: seededRng(seed),
      });
      return { model, epsilon: r.epsilon, delta: r.delta };
    };
  }

  async function audited(trainer: AuditTrainer, seed: string) {
    const x = tf.tensor2d(train.x, [train.n, 64]);
    const canaries = outOfDistributionCanaries({ ...canaryOptions, rng: seededRng(`canaries-${seed}`) });
    const r = await auditDpSgd(trainer, { x, y: train.y }, { canaries, ...guesses, delta: 1e-5, rng: seededRng(`inclusion-${seed}`) });
    (r.model as tfl.LayersModel).dispose();
    tf.dispose([x, canaries.x]);
    return r;
  }

  for (const targetEpsilon of [1, 4, 8]) {
    heavy(`fitPrivately at epsilon ${targetEpsilon}: the lower bound stays below the reported epsilon in every run`, async () => {
      for (const seed of ['a', 'b', 'c']) {
        const r = await audited(privateTrainer(targetEpsilon, `dp-${targetEpsilon}-${seed}`), `${targetEpsilon}-${seed}`);
        expect(r.reportedEpsilon).toBeLessThanOrEqual(targetEpsilon);
        expect(r.reportedEpsilon).toBeGreaterThan(targetEpsilon - 1e-3);
        expect(r.exceedsReported, `lower bound ${r.epsilonLowerBound} (${r.correct}/${r.guesses})`).toBe(false);
        expect(r.epsilonLowerBound).toBeLessThan(r.reportedEpsilon!);
        // 80 guesses among 200 canaries certify at most 3.26: only epsilon 1 can be refuted.
        expect(r.canRefute).toBe(targetEpsilon === 1);
      }
    }, 120_000);
  }

  heavy('a non-private run with the same canaries gives a clearly positive lower bound (> 2)', async () => {
    const r = await audited(async (x, y) => {
      const model = mlp();
      await fitWithPerExampleEngine(model, x, y, { epochs: EPOCHS, batchSize: BATCH, optimizer: tf.train.sgd(0.5), rng: seededRng('np') });
      return { model };
    }, 'np');
    expect(r.reportedEpsilon).toBeUndefined();
    expect(r.canRefute).toBeUndefined();
    expect(r.epsilonLowerBound, `${r.correct}/${r.guesses}`).toBeGreaterThan(2);
    expect(r.exceedsReported).toBe(false);
  }, 120_000);

  heavy('a DP-SGD that forgets to clip, reporting epsilon 1, is caught (lower bound > 1)', async () => {
    // The bug: the noise is calibrated for clipping norm 1 and epsilon 1, but per-example gradients
    // are summed unclipped, so an example's influence is unbounded and the accounting is false.
    const broken: AuditTrainer = async (x, y) => {
      const model = mlp();
      const optimizer = tf.train.sgd(0.5);
      const n = y.length;
      const sampleRate = BATCH / n;
      const steps = Math.round(n / BATCH) * EPOCHS;
      const sigma = getNoiseMultiplier({ targetEpsilon: 1, delta: 1e-5, sampleRate, steps });
      const rng = seededRng('broken');
      const yOneHot = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
      for (const rows of poissonBatches({ numExamples: n, sampleRate, steps, rng })) {
        if (rows.length === 0) continue;
        tf.tidy(() => {
          const xb = tf.gather(x, rows);
          const yb = tf.gather(yOneHot, rows);
          const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb) as tf.Tensor, undefined, 0, tf.Reduction.SUM) as tf.Scalar);
          value.dispose();
          const noisy: Record<string, tf.Tensor> = {};
          for (const [name, g] of Object.entries(grads)) {
            noisy[name] = tf.div(tf.add(g, tf.mul(tf.randomNormal(g.shape, 0, 1, 'float32', rng.nextUint32()), sigma)), BATCH);
          }
          optimizer.applyGradients(noisy);
        });
      }
      yOneHot.dispose();
      optimizer.dispose();
      return { model, epsilon: 1, delta: 1e-5 };
    };
    const r = await audited(broken, 'broken');
    expect(r.exceedsReported, `lower bound ${r.epsilonLowerBound} (${r.correct}/${r.guesses})`).toBe(true);
    expect(r.epsilonLowerBound).toBeGreaterThan(1);
  }, 120_000);
});

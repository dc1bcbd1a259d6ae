/**
 * PGD-10 (L-inf, batch 256) on the reference digits CNN and MLP, against its floor: 10 times one
 * forward+backward pass with respect to the input, measured in the same run. Goal: ratio <= 1.1.
 * Run: npm run bench -- robustness [--backend cpu,wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import digits from '../test/fixtures/robustness/digits_test.json';
import { pgd, softmaxCrossEntropy } from '../src/robustness/index.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from '../test/robustness/referenceModels.js';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchRow } from './harness.js';

const BATCH = 256;
const STEPS = 10;
const rows: BenchRow[] = [];

for (const backend of benchBackends()) {
  await useBenchBackend(backend);
  for (const name of ['cnn', 'mlp'] as ReferenceModelName[]) {
    const model: LayersModel = referenceModel(name);
    const x = tf.tensor(digits.x.slice(0, BATCH * 64), [BATCH, ...referenceInputShape(name)]);
    const labels = digits.labels.slice(0, BATCH);
    const yOneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const inputGradient = tf.grad((xi: tf.Tensor) => tf.mean(softmaxCrossEntropy(yOneHot, model.apply(xi) as tf.Tensor)));
    const opts = { warmup: 3, minRuns: 15, minTimeMs: backend === 'cpu' ? 3000 : 1500 };
    // Interleave: floor, attack, floor again; the floor is the lower of the two medians.
    const fwdBwd = async (): Promise<void> => {
      const g = tf.tidy(() => inputGradient(x));
      await g.data();
      g.dispose();
    };
    const attack = async (): Promise<void> => {
      const adv = await pgd(model, x, labels, { epsilon: 0.1, stepSize: 0.01, steps: STEPS, randomStart: false });
      await adv.data();
      adv.dispose();
    };
    const floorA = await measure(fwdBwd, opts);
    const pgdTiming = await measure(attack, { ...opts, minRuns: 9 });
    const floorB = await measure(fwdBwd, opts);
    const oneMs = Math.min(floorA.medianMs, floorB.medianMs);
    const oneMinMs = Math.min(floorA.minMs, floorB.minMs);
    const floorMs = STEPS * oneMs;
    rows.push({
      case: `PGD-${STEPS} ${name} batch ${BATCH}`,
      backend,
      pgdMedianMs: pgdTiming.medianMs,
      pgdMinMs: pgdTiming.minMs,
      fwdBwdMedianMs: oneMs,
      floorMs,
      ratio: pgdTiming.medianMs / floorMs,
      ratioOfMinima: pgdTiming.minMs / (STEPS * oneMinMs),
      imagesPerSecond: Math.round((BATCH * 1000) / pgdTiming.medianMs),
      runs: pgdTiming.runs,
    });
    tf.dispose([x, yOneHot]);
    model.dispose();
  }
}

printTable('PGD-10 against 10 x (forward + backward w.r.t. the input)', rows);
writeResults('robustness', rows, { goal: 'ratio <= 1.1', attack: 'pgd linf eps 0.1, step 0.01, 10 steps, no random start' });

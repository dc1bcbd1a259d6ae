/**
 * PGD-10 and APGD-100 (L-inf, batch 256) on the reference digits CNN and MLP, against their
 * floor: as many forward+backward passes with respect to the input as the attack has
 * iterations, measured in the same run. Goals: PGD ratio <= 1.1; APGD ratio <= 1.15 on the CNN
 * (wasm).
 * APGD attacks only the rows classified correctly, so it is given the model's own predictions as
 * labels: every row is attacked and the floor covers the same batch.
 * Run: npm run bench -- robustness [--backend cpu,wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import digits from '../test/fixtures/robustness/digits_test.json';
import { pgd, softmaxCrossEntropy } from '../src/robustness/index.js';
import { apgd } from '../src/robustness/apgd/index.js';
import { seededRng } from '../src/core/index.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from '../test/robustness/referenceModels.js';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchRow } from './harness.js';

const BATCH = 256;
const PGD_STEPS = 10;
const APGD_STEPS = 100;
const rows: BenchRow[] = [];

for (const backend of benchBackends()) {
  await useBenchBackend(backend);
  for (const name of ['cnn', 'mlp'] as ReferenceModelName[]) {
    const model: LayersModel = referenceModel(name);
    const x = tf.tensor(digits.x.slice(0, BATCH * 64), [BATCH, ...referenceInputShape(name)]);
    const labels = digits.labels.slice(0, BATCH);
    const predicted = Array.from(await tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).data());
    const yOneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const inputGradient = tf.grad((xi: tf.Tensor) => tf.mean(softmaxCrossEntropy(yOneHot, model.apply(xi) as tf.Tensor)));
    const opts = { warmup: 3, minRuns: 15, minTimeMs: backend === 'cpu' ? 3000 : 1500 };
    // Interleave: floor, attack, floor again; the floor is the lower of the two medians.
    const fwdBwd = async (): Promise<void> => {
      const g = tf.tidy(() => inputGradient(x));
      await g.data();
      g.dispose();
    };
    const timeAgainstFloor = async (label: string, steps: number, attack: () => Promise<tf.Tensor>, attackRuns: number): Promise<void> => {
      const run = async (): Promise<void> => {
        const adv = await attack();
        await adv.data();
        adv.dispose();
      };
      const floorA = await measure(fwdBwd, opts);
      const timing = await measure(run, { ...opts, warmup: 1, minRuns: attackRuns });
      const floorB = await measure(fwdBwd, opts);
      const oneMs = Math.min(floorA.medianMs, floorB.medianMs);
      const oneMinMs = Math.min(floorA.minMs, floorB.minMs);
      const floorMs = steps * oneMs;
      rows.push({
        case: `${label} ${name} batch ${BATCH}`,
        backend,
        attackMedianMs: timing.medianMs,
        attackMinMs: timing.minMs,
        fwdBwdMedianMs: oneMs,
        floorMs,
        ratio: timing.medianMs / floorMs,
        ratioOfMinima: timing.minMs / (steps * oneMinMs),
        imagesPerSecond: Math.round((BATCH * 1000) / timing.medianMs),
        runs: timing.runs,
      });
    };
    await timeAgainstFloor(`PGD-${PGD_STEPS}`, PGD_STEPS,
      () => pgd(model, x, labels, { epsilon: 0.1, stepSize: 0.01, steps: PGD_STEPS, randomStart: false }), 9);
    await timeAgainstFloor(`APGD-${APGD_STEPS}`, APGD_STEPS,
      () => apgd(model, x, predicted, { epsilon: 0.1, steps: APGD_STEPS, rng: seededRng(0) }), 5);
    tf.dispose([x, yOneHot]);
    model.dispose();
  }
}

printTable('Attacks against their floor: iterations x (forward + backward w.r.t. the input)', rows);
writeResults('robustness', rows, {
  goal: 'PGD ratio <= 1.1; APGD ratio <= 1.15 (cnn, wasm)',
  attack: 'pgd linf eps 0.1, step 0.01, 10 steps, no random start; apgd-ce linf eps 0.1, 100 steps, labels = predictions',
});

/**
 * npm run example -- compress-digits [--backend cpu|wasm]
 *
 * Trains a digits MLP, prunes it to 80 % sparsity with a polynomial schedule while fine-tuning,
 * quantizes the kernels to int8 and prints size, multiply-accumulates and test accuracy at each
 * stage. Sizes are measured: the weights encoded densely and in the sparse layout (bitmap plus
 * non-zero entries), and the dense file gzipped. A dense file alone does not shrink with pruning.
 */
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { barChartSvg, lineChartSvg, seededRng } from 'responsible-tfjs';
import {
  compressionReport, encodeQuantizedWeights, polynomialDecay, pruneByMagnitude, pruningCallback, quantizeModel,
  type CompressionReport, type QuantizedModelWeights,
} from 'responsible-tfjs/compression';
import { setupBackend } from '../shared/backend.js';
import { loadDigits, shuffleDigits } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';

const backend = await setupBackend();
const started = performance.now();
const { train, test } = loadDigits();
const rng = seededRng(2024);
const shuffled = shuffleDigits(train, rng);
const xTrain = tf.tensor2d(shuffled.x, [train.n, 64]);
const yTrain = tf.oneHot(tf.tensor1d(shuffled.y, 'int32'), 10);
const xTest = tf.tensor2d(test.x, [test.n, 64]);

const BATCH = 32;
const STEPS_PER_EPOCH = Math.ceil(train.n / BATCH); // 43
const model = tfl.sequential({
  layers: [
    tfl.layers.dense({ units: 128, inputShape: [64], activation: 'relu', name: 'fc1', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
    tfl.layers.dense({ units: 128, activation: 'relu', name: 'fc2', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    tfl.layers.dense({ units: 10, name: 'logits', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
  ],
});
const compile = (lr: number): void => model.compile({ optimizer: tf.train.adam(lr), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });

async function accuracy(): Promise<number> {
  const pred = tf.tidy(() => tf.argMax(model.predict(xTest) as tf.Tensor, 1));
  const p = await pred.data();
  pred.dispose();
  let correct = 0;
  for (let i = 0; i < test.n; i++) if (p[i] === test.y[i]) correct++;
  return correct / test.n;
}

function kernelSparsity(r: CompressionReport): number {
  const total = r.layers.reduce((s, l) => s + l.kernelParams, 0);
  return 1 - r.layers.reduce((s, l) => s + l.kernelNonZero, 0) / total;
}

interface Stage {
  name: string; accuracy: number; report: CompressionReport; denseBytes: number; sparseBytes: number; gzipBytes: number; note: string;
}
const stages: Stage[] = [];
/** Records a stage; sizes are the encoded weights files (float32 stages: every weight kept as float32). */
async function record(name: string, note: string, quantized?: QuantizedModelWeights): Promise<void> {
  const report = await compressionReport(model);
  const weights = quantized ?? floatWeights();
  const dense = encodeQuantizedWeights(weights);
  const sparse = encodeQuantizedWeights(weights, { sparse: true });
  stages.push({
    name, accuracy: await accuracy(), report, denseBytes: dense.byteLength, sparseBytes: sparse.byteLength,
    gzipBytes: gzipSync(new Uint8Array(dense), { level: 9 }).byteLength, note,
  });
}
function floatWeights(): QuantizedModelWeights {
  return { entries: model.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[], float32: Float32Array.from(w.read().dataSync()) })) };
}

// 1. Baseline.
compile(1e-3);
await model.fit(xTrain, yTrain, { epochs: 40, batchSize: BATCH, shuffle: false, verbose: 0 });
await record('float32 baseline', '40 epochs, Adam 1e-3');
const baseline = model.getWeights().map((w) => tf.clone(w));

// 2. For comparison: one-shot 80 % pruning without fine-tuning, and int8 without pruning.
await pruneByMagnitude(model, { sparsity: 0.8, scope: 'layer' });
await record('one-shot prune 80 %', 'no fine-tuning');
model.setWeights(baseline);
const int8Only = await quantizeModel(model, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true });
await record('int8 only', 'per-channel symmetric', int8Only.weights);
model.setWeights(baseline);

// 3. Gradual pruning while fine-tuning: 0 -> 80 % over 15 epochs (masks updated every 15 steps), 25 epochs in all.
const PRUNE_EPOCHS = 15;
const FINE_TUNE_EPOCHS = 25;
const schedule = polynomialDecay({
  initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: PRUNE_EPOCHS * STEPS_PER_EPOCH, power: 3, frequency: 15,
});
const pruning = pruningCallback(model, { schedule });
compile(5e-4);
const curve: { epoch: number; sparsity: number; accuracy: number }[] = [];
await model.fit(xTrain, yTrain, {
  epochs: FINE_TUNE_EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0,
  callbacks: [pruning, { onEpochEnd: async (epoch: number) => { curve.push({ epoch: epoch + 1, sparsity: kernelSparsity(await compressionReport(model)), accuracy: await accuracy() }); } }],
});
pruning.dispose();
await record('pruned 80 % (schedule)', `polynomial 0 -> 0.8 over ${PRUNE_EPOCHS} epochs, ${FINE_TUNE_EPOCHS} epochs fine-tuning`);

// 4. Quantize the pruned model's kernels to int8 (zeros stay exactly zero under symmetric int8).
const pruned8 = await quantizeModel(model, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true });
await record('pruned 80 % + int8', 'per-channel symmetric int8 kernels, float32 biases', pruned8.weights);

const base = stages[0]!;
const kb = (b: number): string => (b / 1024).toFixed(1);
const table = textTable(
  ['stage', 'non-zero', 'dense file KiB', 'sparse file KiB', 'smaller (sparse)', 'gzip(dense) KiB', 'MACs dense', 'MACs sparse', 'test acc %', 'delta pt'],
  stages.map((s) => [
    s.name, `${s.report.nonZero}/${s.report.params}`, kb(s.denseBytes), kb(s.sparseBytes), `${(base.denseBytes / s.sparseBytes).toFixed(2)}x`,
    kb(s.gzipBytes), s.report.macs, s.report.sparseMacs, (100 * s.accuracy).toFixed(2), (100 * (s.accuracy - base.accuracy)).toFixed(2),
  ]),
);
console.log(`backend ${backend}; train ${train.n}, test ${test.n} digits; model 64-128-128-10 (${base.report.params} parameters)\n`);
console.log(table);
const final = stages[stages.length - 1]!;
console.log(`\nfinal: ${(base.denseBytes / final.sparseBytes).toFixed(2)}x smaller as a sparse int8 file (${(base.denseBytes / final.denseBytes).toFixed(2)}x dense int8, ` +
  `${(base.gzipBytes / final.gzipBytes).toFixed(2)}x gzipped), ` +
  `${(100 * (final.accuracy - base.accuracy)).toFixed(2)} accuracy points, sparse MACs ${final.report.sparseMacs} of ${final.report.macs}`);
console.log(`int8 max abs kernel error after pruning: ${pruned8.report.maxAbsError.toExponential(2)}`);
console.log(`\nfine-tuning curve (epoch: kernel sparsity, test accuracy):\n${curve.map((c) => `  ${c.epoch}: ${(100 * c.sparsity).toFixed(1)} %, ${(100 * c.accuracy).toFixed(2)} %`).join('\n')}`);

const sizeSvg = barChartSvg(
  {
    categories: stages.map((s) => s.name.replace(' (schedule)', '')),
    series: [
      { label: 'file size %', values: stages.map((s) => (100 * Math.min(s.denseBytes, s.sparseBytes)) / base.denseBytes) },
      { label: 'test accuracy %', values: stages.map((s) => 100 * s.accuracy) },
    ],
  },
  { title: 'Digits MLP: smaller weights file (dense or sparse, % of float32) and test accuracy', yLabel: '%', yMin: 0, yMax: 100, width: 900, height: 420 },
);
const curveSvg = lineChartSvg(
  [
    { label: 'kernel sparsity (%)', x: curve.map((c) => c.epoch), y: curve.map((c) => 100 * c.sparsity), dashed: true },
    { label: 'test accuracy (%)', x: curve.map((c) => c.epoch), y: curve.map((c) => 100 * c.accuracy) },
  ],
  { title: 'Pruning while fine-tuning (polynomial schedule to 80 %)', xLabel: 'fine-tuning epoch', yLabel: '%', yMin: 0, yMax: 100, width: 760 },
);
console.log(`\nwrote ${writeOutput('compression-size-accuracy.svg', sizeSvg)}`);
console.log(`wrote ${writeOutput('compression-pruning-schedule.svg', curveSvg)}`);
console.log(`wrote ${writeOutput('compression-digits.json', JSON.stringify({ backend, stages: stages.map((s) => ({ ...s, report: { ...s.report, layers: s.report.layers } })), curve }, null, 2))}`);
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
tf.dispose([xTrain, yTrain, xTest, ...baseline]);

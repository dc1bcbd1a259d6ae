/**
 * Explaining a digits CNN with responsible-tfjs/explain: saliency (the signed gradient),
 * integrated gradients, SmoothGrad, Grad-CAM and occlusion side by side for the first test digit
 * of each class 0 to 4, their infidelity and max-sensitivity (the quality metrics of Yeh et al. 2019) over
 * the test set, and what each costs.
 *
 * Run: npm run example -- explain-digits [--backend cpu|wasm]
 *
 * The CNN is trained on the cpu backend whatever the backend (tfjs 4.22's wasm backend cannot train
 * Conv2D layers); everything else runs on the chosen backend. Its conv2 layer is followed by a
 * separate ReLU layer, so Grad-CAM reads the pre-ReLU map; a copy with the ReLU fused into conv2
 * (same weights, ./model.ts) shows how the post-ReLU map differs. Every random draw is
 * seeded, so a rerun on the same backend prints the same numbers (timings aside).
 */
import { cpus } from 'node:os';
import { relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { seededRng } from 'responsible-tfjs';
import {
  attributionHeatmapSvg, explanationsHtml, gridFromTensor, infidelity, integratedGradients, interpolateAttribution,
  layerGradCam, noiseTunnel, occlusion, saliency, sensitivityMax, type AttributionResult, type ExplanationFunction,
} from 'responsible-tfjs/explain';
import { setupBackend } from '../shared/backend.js';
import { loadDigits, shuffleDigits } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';
import { svgGrid, writeFigure } from './figure.js';
import { trainDigitsCnn } from './model.js';

const backend = await setupBackend();
const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}, tfjs ${tf.version_core}`;
const started = performance.now();
const elapsed = (): string => ((performance.now() - started) / 1000).toFixed(1);
const { train, test } = loadDigits();

// 1. Train the CNN (seeded initialisers, rows in a seeded order, tfjs model.fit on cpu).
const TRAIN = { epochs: 8, batchSize: 32, learningRate: 1e-2 };
const { separate: model, fused, finalLoss } = await trainDigitsCnn(shuffleDigits(train, seededRng('explain-digits-order')), TRAIN);
const xTest = tf.tensor4d(test.x, [test.n, 8, 8, 1]);
const logits = model.predict(xTest) as tf.Tensor2D;
const predicted = Int32Array.from(await tf.tidy(() => tf.argMax(logits, 1)).data());
const probabilities = await tf.tidy(() => tf.softmax(logits)).data();
logits.dispose();
const accuracy = predicted.filter((p, i) => p === test.y[i]).length / test.n;
console.log(`[${elapsed()} s] CNN trained on cpu (${TRAIN.epochs} epochs, final loss ${finalLoss.toFixed(4)}); test accuracy ${accuracy.toFixed(4)} on ${test.n} digits`);
console.log(`explaining on backend ${backend} (${machine})\n`);

// 2. The methods, each explaining the given classes (here: the predicted ones) of a batch in one call.
const methods: { key: string; label: string; settings: string; run: (x: tf.Tensor, target: Int32Array) => Promise<AttributionResult> }[] = [
  {
    key: 'saliency', label: 'Saliency', settings: 'signed gradient (abs: false)',
    run: (x, target) => saliency(model, x, { target, abs: false }),
  },
  {
    key: 'ig', label: 'Integrated gradients', settings: '50 Gauss-Legendre steps, black baseline',
    run: (x, target) => integratedGradients(model, x, { target, steps: 50, method: 'gaussLegendre', baselines: 0, internalBatchSize: 4096, returnConvergenceDelta: true }),
  },
  {
    key: 'smoothgrad', label: 'SmoothGrad', settings: 'signed gradient, 50 samples, sd 0.15',
    run: (x, target) => noiseTunnel(saliency, model, x, { target, type: 'smoothgrad', samples: 50, stdevs: 0.15, samplesBatchSize: 10, rng: seededRng('smoothgrad'), abs: false }),
  },
  {
    key: 'gradcam', label: 'Grad-CAM', settings: 'conv2 (pre-ReLU, 4x4), ReLU, bilinear to 8x8',
    run: async (x, target) => {
      // conv2 is followed by a separate ReLU layer: its output is the pre-ReLU map.
      const { attributions: map } = await layerGradCam(model, x, { target, layer: 'conv2', reluAttributions: true });
      const attributions = interpolateAttribution(map, [8, 8], 'bilinear');
      map.dispose();
      return { attributions };
    },
  },
  {
    key: 'occlusion', label: 'Occlusion', settings: '2x2 black window, stride 1',
    run: (x, target) => occlusion(model, x, { target, window: [2, 2, 1], strides: [1, 1, 1], baseline: 0 }),
  },
];

/** Runs `fn` and returns its result with the wall time in seconds (tensors read, so work is done). */
async function timed<T extends AttributionResult>(fn: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const t0 = performance.now();
  const result = await fn();
  await result.attributions.data();
  return { result, seconds: (performance.now() - t0) / 1000 };
}

// 3. Attributions for all test digits, timed; infidelity with the same seeded Gaussian perturbations
// (sd 0.1, 50 per digit) for every method; max-sensitivity on the first 50 test digits.
const INFIDELITY = { samples: 50, stdev: 0.1 };
const SENSITIVITY = { samples: 10, perturbationRadius: 0.02, rows: 50 };
const xSens = tf.slice(xTest, 0, SENSITIVITY.rows);
const predictedSens = predicted.slice(0, SENSITIVITY.rows);
/** Each value `copies` times in a row (the order of the metrics' repeated batches). */
const repeatEach = (values: Int32Array, copies: number): Int32Array => Int32Array.from({ length: values.length * copies }, (_, r) => values[Math.floor(r / copies)]!);
const rows: (string | number)[][] = [];
const results: Record<string, unknown>[] = [];
const attributionsByMethod = new Map<string, tf.Tensor>();
for (const m of methods) {
  const { result, seconds } = await timed(() => m.run(xTest, predicted));
  attributionsByMethod.set(m.key, result.attributions);
  const mean = async (t: tf.Tensor1D): Promise<number> => {
    const v = Array.from(await t.data());
    t.dispose();
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  const inf = await mean(await infidelity(model, xTest, result.attributions, { ...INFIDELITY, rng: seededRng('infidelity') }));
  const infNormalized = await mean(await infidelity(model, xTest, result.attributions, { ...INFIDELITY, normalize: true, rng: seededRng('infidelity') }));
  // Every perturbed copy explains the class predicted for its unperturbed digit.
  const explain: ExplanationFunction = (x, { copies }) => m.run(x, repeatEach(predictedSens, copies));
  const t0 = performance.now();
  const sens = await mean(await sensitivityMax(explain, xSens, { samples: SENSITIVITY.samples, perturbationRadius: SENSITIVITY.perturbationRadius, rng: seededRng('sensitivity') }));
  const sensSeconds = (performance.now() - t0) / 1000;
  let medianDelta: number | undefined;
  if (result.convergenceDelta !== undefined) {
    const d = Array.from(await result.convergenceDelta.data(), Math.abs).sort((a, b) => a - b);
    medianDelta = d[Math.floor(d.length / 2)]!;
    result.convergenceDelta.dispose();
  }
  rows.push([m.label, seconds, Math.round(test.n / seconds), inf, infNormalized, sens]);
  results.push({ method: m.key, settings: m.settings, seconds, digitsPerSecond: test.n / seconds, infidelity: inf, infidelityNormalized: infNormalized, sensitivityMax: sens, sensitivitySeconds: sensSeconds, medianAbsConvergenceDelta: medianDelta });
  console.log(`[${elapsed()} s] ${m.label} [${m.settings}]: ${seconds.toFixed(2)} s for ${test.n} digits${medianDelta === undefined ? '' : `, median |convergence delta| ${medianDelta.toExponential(2)}`}`);
}

console.log(`\nAttribution quality over the ${test.n} test digits (predicted class; infidelity: ${INFIDELITY.samples} Gaussian perturbations of sd ${INFIDELITY.stdev} per digit, seeded, lower is better;`);
console.log(`max-sensitivity: ${SENSITIVITY.samples} uniform perturbations of radius ${SENSITIVITY.perturbationRadius}, first ${SENSITIVITY.rows} digits, lower is better), backend ${backend}\n`);
console.log(textTable(['method', `seconds (${test.n} digits)`, 'digits / s', 'infidelity', 'infidelity (normalized)', 'max-sensitivity'], rows));

// Grad-CAM of the same layer name on the fused form reads conv2's post-ReLU output instead.
const gradCamOf = async (m: typeof model): Promise<Float32Array> => {
  const { attributions } = await layerGradCam(m, xTest, { target: predicted, layer: 'conv2', reluAttributions: true });
  const v = (await attributions.data()) as Float32Array;
  attributions.dispose();
  return v;
};
const pre = await gradCamOf(model);
const post = await gradCamOf(fused);
let sameHottest = 0;
let absDiff = 0;
let absPre = 0;
for (let i = 0; i < test.n; i++) {
  const argmax = (v: Float32Array): number => v.subarray(i * 16, i * 16 + 16).reduce((best, x, j, a) => (x > a[best]! ? j : best), 0);
  if (argmax(pre) === argmax(post)) sameHottest++;
  for (let j = i * 16; j < i * 16 + 16; j++) { absDiff += Math.abs(pre[j]! - post[j]!); absPre += Math.abs(pre[j]!); }
}
console.log(`\nGrad-CAM of conv2, pre-ReLU map (separate ReLU layer) vs post-ReLU map (fused ReLU), ReLU on both: mean |difference| ${(absDiff / absPre).toFixed(3)} of the mean |pre-ReLU map|; same hottest cell on ${sameHottest} of ${test.n} digits`);

// 4. Pictures: the first test digit of each class 0 to 4, every method (25 heatmaps of about 13 KB:
// all ten classes would make a 650 KB figure).
const shown = Array.from({ length: 5 }, (_, d) => test.y.indexOf(d));
const panels: { title: string; svg: string; caption: string }[] = [];
const cells: string[][] = [];
for (const i of shown) {
  const image = await gridFromTensor(xTest, { example: i });
  const row: string[] = [];
  for (const m of methods) {
    const map = await gridFromTensor(attributionsByMethod.get(m.key)!, { example: i });
    const svg = attributionHeatmapSvg(map, { image, imageRange: [1, 0], title: m.label, cellSize: 20 });
    row.push(svg);
    panels.push({ title: `test digit ${i} (label ${test.y[i]}): ${m.label}`, svg, caption: `${m.settings}; predicted ${predicted[i]} (p ${probabilities[i * 10 + predicted[i]!]!.toFixed(3)})` });
  }
  cells.push(row);
}
const rowLabels = shown.map((i) => `#${i}: ${test.y[i]} → ${predicted[i]}`);
console.log(`\nwrote ${writeFigure('explain-digits.svg', svgGrid(cells, { title: `Digits CNN: what drives the predicted class (backend ${backend})`, rows: rowLabels }))}`);
// The digit 2 of the grid, shown larger, one file per method.
const showcase = shown[2]!;
for (const m of methods) {
  const map = await gridFromTensor(attributionsByMethod.get(m.key)!, { example: showcase });
  const svg = attributionHeatmapSvg(map, { image: await gridFromTensor(xTest, { example: showcase }), imageRange: [1, 0], title: `${m.label}, digit ${test.y[showcase]}`, cellSize: 24 });
  console.log(`wrote ${writeFigure(`explain-digits-${m.key}.svg`, svg)}`);
}
console.log(`wrote ${writeFigure('explain-digits.html', explanationsHtml(panels, { title: 'Digits CNN: saliency, integrated gradients, SmoothGrad, Grad-CAM and occlusion', columns: methods.length }))}`);
console.log(`wrote ${relative(process.cwd(), writeOutput('explain-digits.json', JSON.stringify({ backend, machine, train: { ...TRAIN, finalLoss, accuracy }, infidelity: INFIDELITY, sensitivity: SENSITIVITY, methods: results }, null, 2)))}`);

tf.dispose([xTest, xSens, ...attributionsByMethod.values()]);
model.dispose();
fused.dispose();
console.log(`total ${elapsed()} s`);

/**
 * The end-to-end story on the shipped data (npm run demo; wasm backend by default, offline).
 *
 * Adult (census income): a baseline classifier; the same model trained with a demographic-parity
 * constraint (ethical loss, Lagrange multipliers); and one trained with DP-SGD at epsilon 3. Each is
 * measured for accuracy and group fairness by sex. The fairness constraint is not combined with
 * DP-SGD: a batch-level gap couples examples and cannot be clipped per example, and the library
 * refuses the combination (shown at the end of part A).
 *
 * Digits (8x8 images): a normally trained MLP against one trained adversarially (PGD); both are
 * attacked with PGD over several epsilons. The robust model is then pruned to 80 % sparsity while
 * fine-tuning adversarially and quantized to int8, and attacked again.
 *
 * Prints one report table and writes examples/output/demo-report.html with SVG plots.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { barChartSvg, lineChartSvg, seededRng } from 'responsible-tfjs';
import {
  compressionReport, encodeQuantizedWeights, polynomialDecay, pruningCallback, quantizeModel,
} from 'responsible-tfjs/compression';
import { demographicParityDifference, equalizedOddsDifference, metricFrame, metricFrameSvg, selectionRate, truePositiveRate } from 'responsible-tfjs/fairness';
import {
  NonDecomposableTermError, crossEntropyTerm, demographicParityTerm, ethicalLoss, lagrangian, trainMultiObjective,
} from 'responsible-tfjs/objectives';
import { RdpAccountant, PldAccountant, fitPrivately } from 'responsible-tfjs/privacy';
import { fitAdversarially, pgd, robustAccuracyCurve } from 'responsible-tfjs/robustness';
import { setupBackend } from '../shared/backend.js';
import { loadAdult, loadDigits, shuffleDigits } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';
import { renderReport, type ReportSection } from './report.js';

const backend = await setupBackend();
const started = performance.now();
const log = (msg: string): void => console.log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${msg}`);

interface Row {
  model: string;
  data: string;
  accuracy: number;
  dpDiff?: number;
  eoDiff?: number;
  epsilon?: number;
  robustAcc?: number;
  sizeKiB?: number;
}
const rows: Row[] = [];

// ---------------------------------------------------------------- Part A: Adult
const BOUND = 0.05;
const ADULT_EPOCHS = 12;
const { train: adultTrain, test: adultTest } = loadAdult();
const xa = tf.tensor2d(adultTrain.x, [adultTrain.n, adultTrain.numFeatures]);
const xaTest = tf.tensor2d(adultTest.x, [adultTest.n, adultTest.numFeatures]);
const femaleTrain = tf.tensor1d(adultTrain.sex.map((s) => (s === 'Female' ? 1 : 0)), 'int32');
log(`Adult: ${adultTrain.n} train / ${adultTest.n} test rows, ${adultTrain.numFeatures} features`);

function logistic(units: 1 | 2, seed: number): tfl.LayersModel {
  return tfl.sequential({
    layers: [tfl.layers.dense({ units, inputShape: [adultTrain.numFeatures], kernelInitializer: tfl.initializers.glorotNormal({ seed }) })],
  });
}

/** Hard test-set decisions: one logit (> 0) or two logits (arg-max). */
async function adultPredictions(model: tfl.LayersModel): Promise<Int32Array> {
  const out = tf.tidy(() => {
    const z = model.predict(xaTest) as tf.Tensor;
    return z.shape[1] === 1 ? tf.cast(tf.greater(tf.reshape(z, [-1]), 0), 'int32') : tf.argMax(z, 1);
  });
  const pred = Int32Array.from(await out.data());
  out.dispose();
  return pred;
}

function fairnessOf(pred: Int32Array): { accuracy: number; dpDiff: number; eoDiff: number } {
  let correct = 0;
  pred.forEach((p, i) => void (p === adultTest.y[i] && correct++));
  const opts = { sensitiveFeatures: adultTest.sex };
  return {
    accuracy: correct / adultTest.n,
    dpDiff: demographicParityDifference(adultTest.y, pred, opts),
    eoDiff: equalizedOddsDifference(adultTest.y, pred, opts),
  };
}

async function trainAdult(weight: number | ReturnType<typeof lagrangian>): Promise<tfl.LayersModel> {
  const model = logistic(1, 1);
  const loss = ethicalLoss({
    model, task: crossEntropyTerm(), terms: [demographicParityTerm({ temperature: 0.25 })],
    weights: typeof weight === 'number' ? { demographicParity: weight } : weight,
  });
  const optimizer = tf.train.adam(0.02);
  await trainMultiObjective(model, { x: xa, y: adultTrain.y, extras: { groups: femaleTrain } }, {
    loss, optimizer, epochs: ADULT_EPOCHS, batchSize: 512, rng: seededRng('demo-adult'),
  });
  loss.dispose();
  optimizer.dispose();
  return model;
}

const adultModels: { label: string; pred: Int32Array }[] = [];
{
  const baseline = await trainAdult(0);
  const pred = await adultPredictions(baseline);
  adultModels.push({ label: 'baseline', pred });
  rows.push({ model: 'baseline (logistic regression)', data: 'Adult', ...fairnessOf(pred) });
  baseline.dispose();
  log('Adult baseline trained');

  const fair = await trainAdult(lagrangian({ bounds: { demographicParity: BOUND }, multiplierLearningRate: 1 }));
  const fairPred = await adultPredictions(fair);
  adultModels.push({ label: `DP constraint <= ${BOUND}`, pred: fairPred });
  rows.push({ model: `ethical loss: DP gap <= ${BOUND} (Lagrangian)`, data: 'Adult', ...fairnessOf(fairPred) });
  fair.dispose();
  log('Adult model with the fairness constraint trained');
}

// DP-SGD at epsilon 3, delta 1e-5 (RDP accounting), noise calibrated by fitPrivately.
const DP = { targetEpsilon: 3, delta: 1e-5, epochs: 5, batchSize: 256, maxGradNorm: 1 };
const privateModel = logistic(2, 1);
const privateOptimizer = tf.train.sgd(0.5);
const priv = await fitPrivately(privateModel, xa, adultTrain.y, {
  ...DP, accountant: 'rdp', optimizer: privateOptimizer, rng: seededRng('demo-dp-noise-for-reproducibility-only'),
});
const privatePred = await adultPredictions(privateModel);
adultModels.push({ label: `DP-SGD (eps ${DP.targetEpsilon})`, pred: privatePred });
const privateEpsilon = priv.history.epsilon[priv.history.epsilon.length - 1]!;
rows.push({ model: `DP-SGD, target eps ${DP.targetEpsilon}, delta ${DP.delta}`, data: 'Adult', ...fairnessOf(privatePred), epsilon: privateEpsilon });
log(`Adult DP-SGD model trained: sigma ${priv.noiseMultiplier.toFixed(4)}, epsilon ${privateEpsilon.toFixed(3)}`);
privateModel.dispose();
privateOptimizer.dispose();

// The same history under the tight PLD accountant, epoch by epoch.
const sampleRate = DP.batchSize / adultTrain.n;
const stepsPerEpoch = Math.round(1 / sampleRate);
const epochs = priv.history.epsilon.map((_, i) => i + 1);
const pldEpsilons = epochs.map((e) => new PldAccountant().step({ noiseMultiplier: priv.noiseMultiplier, sampleRate }, e * stepsPerEpoch).getEpsilon(DP.delta));
const rdpEpsilons = epochs.map((e) => new RdpAccountant().step({ noiseMultiplier: priv.noiseMultiplier, sampleRate }, e * stepsPerEpoch).getEpsilon(DP.delta));

// Coupled terms under DP-SGD are refused, by design.
let refusal = '';
{
  const model = logistic(1, 1);
  const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [demographicParityTerm()], weights: { demographicParity: 1 } });
  try {
    await trainMultiObjective(model, { x: xa, y: adultTrain.y, extras: { groups: femaleTrain } }, {
      loss, optimizer: tf.train.sgd(0.1), epochs: 1, batchSize: 256, privacy: { maxGradNorm: 1, noiseMultiplier: 1 },
    });
  } catch (e) {
    if (!(e instanceof NonDecomposableTermError)) throw e;
    refusal = `Training the demographic-parity term under DP-SGD is refused (${e.name}): the term(s) ${e.terms.join(', ')} couple the examples of a batch, so no per-example gradient exists to clip.`;
  }
  loss.dispose();
  model.dispose();
}
tf.dispose([xa, xaTest, femaleTrain]);

// ---------------------------------------------------------------- Part B: Digits
const { train, test } = loadDigits();
const { x: xRows, y: yTrain } = shuffleDigits(train, seededRng('demo-digits-order'));
const xd = tf.tensor2d(xRows, [train.n, 64]);
const xdTest = tf.tensor2d(test.x, [test.n, 64]);
const ydOneHot = tf.oneHot(tf.tensor1d(yTrain, 'int32'), 10);

function mlp(seed: number): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 128, activation: 'relu', inputShape: [64], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

async function digitsAccuracy(model: tfl.LayersModel): Promise<number> {
  const p = tf.tidy(() => tf.argMax(model.predict(xdTest) as tf.Tensor, 1));
  const v = await p.data();
  p.dispose();
  let correct = 0;
  v.forEach((c, i) => void (c === test.y[i] && correct++));
  return correct / test.n;
}

const EPSILONS = [0, 0.05, 0.1, 0.15, 0.2];
const EVAL_EPS = 0.1;
async function curveOf(model: tfl.LayersModel, label: string): Promise<number[]> {
  const rng = seededRng(`demo-eval-${label}`);
  const curve = await robustAccuracyCurve(model, xdTest, test.y, {
    epsilons: EPSILONS,
    attack: (epsilon) => (m, xb, yb) => pgd(m, xb, yb, { epsilon, stepSize: epsilon / 4, steps: 10, rng }),
    batchSize: 150,
  });
  return curve.accuracies;
}

async function weightsKiB(model: tfl.LayersModel, quantized?: Awaited<ReturnType<typeof quantizeModel>>): Promise<number> {
  const weights = quantized?.weights ?? {
    entries: await Promise.all(model.weights.map(async (w) => ({ name: w.originalName, shape: w.shape as number[], float32: Float32Array.from(await w.read().data()) }))),
  };
  return encodeQuantizedWeights(weights, { sparse: true }).byteLength / 1024;
}

const TRAIN_ATTACK = { epsilon: EVAL_EPS, stepSize: 0.025, steps: 7 };
const curves: { label: string; accuracies: number[] }[] = [];

const normal = mlp(1);
normal.compile({ optimizer: tf.train.adam(1e-3), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
await normal.fit(xd, ydOneHot, { epochs: 30, batchSize: 64, shuffle: false, verbose: 0 });
curves.push({ label: 'normal', accuracies: await curveOf(normal, 'normal') });
rows.push({ model: 'normal MLP', data: 'Digits', accuracy: await digitsAccuracy(normal), robustAcc: curves[0]!.accuracies[EPSILONS.indexOf(EVAL_EPS)]!, sizeKiB: await weightsKiB(normal) });
log('Digits normal model trained and attacked');

const robust = mlp(1);
await fitAdversarially(robust, xd, yTrain, {
  epochs: 30, batchSize: 64, method: 'pgd', attack: TRAIN_ATTACK, optimizer: tf.train.adam(1e-3), shuffle: true, rng: seededRng('demo-pgd-at'),
});
curves.push({ label: 'PGD adversarial training', accuracies: await curveOf(robust, 'robust') });
rows.push({ model: 'PGD adversarial training', data: 'Digits', accuracy: await digitsAccuracy(robust), robustAcc: curves[1]!.accuracies[EPSILONS.indexOf(EVAL_EPS)]!, sizeKiB: await weightsKiB(robust) });
log('Digits adversarially trained model trained and attacked');

// Prune to 80 % with a polynomial schedule while fine-tuning adversarially, then quantize to int8.
const FINE_TUNE_EPOCHS = 10;
const stepsPerDigitsEpoch = Math.ceil(train.n / 64);
const pruning = pruningCallback(robust, {
  schedule: polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 6 * stepsPerDigitsEpoch, power: 3, frequency: 10 }),
});
await pruning.onTrainBegin();
await fitAdversarially(robust, xd, yTrain, {
  epochs: FINE_TUNE_EPOCHS, batchSize: 64, method: 'pgd', attack: TRAIN_ATTACK, optimizer: tf.train.adam(5e-4), shuffle: true,
  rng: seededRng('demo-prune'),
  // fitAdversarially has no batch-begin hook: advance the schedule and re-apply the masks after
  // each optimizer update, so pruned weights stay zero from one batch to the next.
  callbacks: { onBatchEnd: async () => { await pruning.onBatchBegin(); await pruning.onBatchEnd(); } },
});
pruning.dispose();
const quantized = await quantizeModel(robust, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true });
const report = await compressionReport(robust);
curves.push({ label: 'PGD-AT, pruned 80 % + int8', accuracies: await curveOf(robust, 'compressed') });
rows.push({
  model: `PGD-AT, pruned ${(100 * (1 - report.nonZero / report.params)).toFixed(0)} % + int8`, data: 'Digits', accuracy: await digitsAccuracy(robust),
  robustAcc: curves[2]!.accuracies[EPSILONS.indexOf(EVAL_EPS)]!, sizeKiB: await weightsKiB(robust, quantized),
});
log('Digits model pruned, quantized and attacked');
tf.dispose([xd, xdTest, ydOneHot]);
normal.dispose();
robust.dispose();

// ---------------------------------------------------------------- Report
const fmt = (v: number | undefined, digits = 4): string => (v === undefined ? '-' : v.toFixed(digits));
const header = ['model', 'data', 'accuracy', 'DP diff (sex)', 'EO diff (sex)', 'epsilon (delta 1e-5)', `robust acc (PGD eps ${EVAL_EPS})`, 'weights KiB'];
const tableRows = rows.map((r) => [r.model, r.data, fmt(r.accuracy), fmt(r.dpDiff), fmt(r.eoDiff), fmt(r.epsilon, 3), fmt(r.robustAcc), fmt(r.sizeKiB, 1)]);
console.log(`\nbackend ${backend}\n`);
console.log(textTable(header, tableRows));
console.log(`\n${refusal}`);

const frames = adultModels.map((m) =>
  metricFrame({ metrics: { selectionRate, truePositiveRate }, yTrue: adultTest.y, yPred: m.pred, sensitiveFeatures: { sex: adultTest.sex } }),
);
const groupNames = frames[0]!.groups.map((g) => g.key);
const sections: ReportSection[] = [
  {
    title: 'Summary',
    text: `Every figure below was computed by this run (backend ${backend}). Accuracy is on the held-out test split of each data set.`,
    table: { header, rows: tableRows },
  },
  {
    title: 'Fairness on Adult (by sex)',
    text: `Selection rate (share predicted >50K) per group for the baseline, the model trained with the demographic-parity constraint (bound ${BOUND}) and the DP-SGD model.`,
    figures: [
      barChartSvg(
        { categories: groupNames, series: adultModels.map((m, i) => ({ label: m.label, values: groupNames.map((g) => frames[i]!.byGroup[g]!.selectionRate!) })) },
        { title: 'Adult: selection rate by sex', yLabel: 'selection rate', yMin: 0 },
      ),
      metricFrameSvg(frames[0]!, { title: 'Adult baseline: selection rate and TPR by sex', yMax: 1 }),
    ],
  },
  {
    title: 'Privacy spent',
    text: `DP-SGD with noise multiplier ${priv.noiseMultiplier.toFixed(4)}, sampling rate ${sampleRate.toFixed(5)}, clipping norm ${DP.maxGradNorm}. RDP is what training was calibrated with; PLD evaluates the same mechanism tightly. ${refusal}`,
    figures: [
      lineChartSvg(
        [
          { label: 'RDP', x: epochs, y: rdpEpsilons },
          { label: 'PLD', x: epochs, y: pldEpsilons, dashed: true },
        ],
        { title: 'Adult DP-SGD: epsilon spent (delta 1e-5)', xLabel: 'epoch', yLabel: 'epsilon', yMin: 0 },
      ),
    ],
  },
  {
    title: 'Robustness on Digits',
    text: `Test accuracy under PGD-10 (L-inf, step epsilon/4, random start) for the normal model, the adversarially trained one and the same model after pruning and int8 quantization.`,
    figures: [
      lineChartSvg(curves.map((c) => ({ label: c.label, x: EPSILONS, y: c.accuracies })), {
        title: 'Digits: robust accuracy under PGD', xLabel: 'epsilon (pixels in [0, 1])', yLabel: 'accuracy', yMin: 0, yMax: 1,
      }),
    ],
  },
  {
    title: 'Size',
    text: 'Weights file sizes as encoded by the compression module (sparse layout: bitmap plus non-zero values).',
    figures: [
      barChartSvg(
        { categories: rows.filter((r) => r.sizeKiB !== undefined).map((r) => r.model), series: [{ label: 'KiB', values: rows.filter((r) => r.sizeKiB !== undefined).map((r) => r.sizeKiB!) }] },
        { title: 'Digits: weights file size', yLabel: 'KiB', yMin: 0, width: 760 },
      ),
    ],
  },
];
const html = renderReport('responsible-tfjs demo report', `Generated ${new Date().toISOString()} by npm run demo (backend ${backend}).`, sections);
console.log(`\nwrote ${writeOutput('demo-report.html', html)}`);
writeOutput('demo.json', JSON.stringify({ backend, rows, rdpEpsilons, pldEpsilons, epsilons: EPSILONS, curves, noiseMultiplier: priv.noiseMultiplier }, null, 2));
log('done');

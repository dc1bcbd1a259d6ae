/**
 * The footprint of a digits classifier and of cheaper variants of it: a 64-256-256-10 teacher, the
 * teacher pruned to 80 % sparsity, the teacher with int8 weights, a 64-16-10 student distilled from
 * the teacher, and the same student trained on the labels alone. For each: test accuracy, MACs
 * (dense and sparse-aware), the weights file size, measured latency on this backend, and energy
 * and emissions per 1,000 inferences.
 *
 * Run: npm run example -- sustainability-digits [--backend cpu|wasm] [--watts W]
 *
 * Energy: on Linux with a readable RAPL powercap tree the package counters are read; otherwise
 * (this machine, containers, macOS, browsers) the energy is a power-model estimate: the measured
 * time times an ASSUMED device power (--watts, default 15 W, labelled as an assumption in the
 * output), so it scales the latency and says nothing more. Emissions use the world-average grid
 * intensity shipped with the module (its source and year are printed). Training is seeded; the
 * latencies vary from run to run with the machine's load.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from 'responsible-tfjs';
import {
  constantSparsity, encodeQuantizedWeights, pruneByMagnitude, pruningCallback, quantizeModel, type QuantizedModelWeights,
} from 'responsible-tfjs/compression';
import { fitWithPerExampleEngine } from 'responsible-tfjs/privacy';
import {
  carbonFromEnergy, countOperations, distill, footprintReport, measureEnergy, measureInference, readRaplEnergy,
  type FootprintVariant, type PowercapFs,
} from 'responsible-tfjs/sustainability';
import { setupBackend } from '../shared/backend.js';
import { loadDigits, shuffleDigits } from '../shared/data.js';
import { writeOutput } from '../shared/output.js';

const backend = await setupBackend();
const started = performance.now();
const wattsArg = process.argv.indexOf('--watts');
const WATTS = wattsArg >= 0 ? Number(process.argv[wattsArg + 1]) : 15;
const { train: rawTrain, test } = loadDigits();
const train = shuffleDigits(rawTrain, seededRng('sustainability-order'));
const xTrain = tf.tensor2d(train.x, [train.n, 64]);
const xTest = tf.tensor2d(test.x, [test.n, 64]);
const EPOCHS = 40;

let seed = 0;
function mlp(hidden: readonly number[]): tfl.LayersModel {
  const layers = hidden.map((units, i) =>
    tfl.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [64] } : {}), kernelInitializer: tfl.initializers.glorotUniform({ seed: ++seed }) }));
  return tfl.sequential({ layers: [...layers, tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: ++seed }) })] });
}

async function accuracy(model: tfl.LayersModel): Promise<number> {
  const pred = tf.tidy(() => tf.argMax(model.predict(xTest) as tf.Tensor, 1));
  const p = Array.from(await pred.data());
  pred.dispose();
  return p.reduce((c, v, i) => c + (v === test.y[i] ? 1 : 0), 0) / test.n;
}

async function trainOnLabels(model: tfl.LayersModel, epochs = EPOCHS): Promise<void> {
  const optimizer = tf.train.adam(3e-3);
  await fitWithPerExampleEngine(model, xTrain, train.y, { epochs, batchSize: 32, optimizer, rng: seededRng(`labels-${seed}`) });
  optimizer.dispose();
}

function floatWeights(model: tfl.LayersModel): QuantizedModelWeights {
  return { entries: model.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[], float32: Float32Array.from(w.read().dataSync()) })) };
}

// RAPL when this machine exposes it (Node passes its own file system in), else the stated power model.
const fs = (await import('node:fs/promises')) as unknown as PowercapFs;
const rapl = await readRaplEnergy(fs);
const energyOptions = rapl.available
  ? { rapl: { fs } }
  : { power: { watts: WATTS, source: `ASSUMED ${WATTS} W device power (no RAPL here: ${rapl.message}); set --watts` } };

const variants: FootprintVariant[] = [];
async function measure(name: string, model: tfl.LayersModel, sizeBytes: number): Promise<void> {
  const single = tf.slice(xTest, [0, 0], [1, 64]);
  const latency = await measureInference(model, single, { warmup: 20, runs: 200 });
  const inferences = 1000;
  // Energy of 1,000 single-example predictions, as an app answering one request at a time would run
  // them (inputs prepared beforehand); the median of three measurements, after a warm-up.
  const inputs = Array.from({ length: inferences }, (_, i) => tf.slice(xTest, [i % test.n, 0], [1, 64]));
  const predictAll = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const out = model.predict(inputs[i]!) as tf.Tensor;
      await out.data();
      out.dispose();
    }
  };
  await predictAll(100);
  const estimates = [];
  for (let r = 0; r < 3; r++) estimates.push(await measureEnergy(() => predictAll(inferences), energyOptions));
  const estimate = estimates.sort((a, b) => a.joules - b.joules)[1]!;
  tf.dispose([single, ...inputs]);
  variants.push({ name, accuracy: await accuracy(model), operations: await countOperations(model), sizeBytes, latency, energy: { estimate, inferences } });
  console.log(`${name}: accuracy ${variants[variants.length - 1]!.accuracy!.toFixed(4)}, median ${latency.latencyMs.median.toFixed(3)} ms`);
}

// 1. The teacher.
const teacher = mlp([256, 256]);
await trainOnLabels(teacher);
await measure('teacher 64-256-256-10', teacher, encodeQuantizedWeights(floatWeights(teacher)).byteLength);
const teacherWeights = teacher.getWeights().map((w) => tf.clone(w));

// 2. The teacher pruned to 80 % and fine-tuned 10 epochs with the mask held (sparse file format).
const pruned = mlp([256, 256]);
pruned.setWeights(teacherWeights);
await pruneByMagnitude(pruned, { sparsity: 0.8, scope: 'layer' });
const holdMask = pruningCallback(pruned, { schedule: constantSparsity({ targetSparsity: 0.8, beginStep: 1, endStep: 1 }) });
pruned.compile({ optimizer: tf.train.adam(5e-4), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
const yTrainOneHot = tf.oneHot(tf.tensor1d(train.y, 'int32'), 10);
await pruned.fit(xTrain, yTrainOneHot, { epochs: 10, batchSize: 32, shuffle: false, verbose: 0, callbacks: [holdMask] });
holdMask.dispose();
yTrainOneHot.dispose();
await measure('teacher pruned 80 %', pruned, encodeQuantizedWeights(floatWeights(pruned), { sparse: true }).byteLength);

// 3. The teacher with int8 weights (per-channel symmetric; tfjs still computes in float32).
const int8 = mlp([256, 256]);
int8.setWeights(teacherWeights);
const quantized = await quantizeModel(int8, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true });
await measure('teacher int8', int8, encodeQuantizedWeights(quantized.weights).byteLength);

// 4. A 64-16-10 student distilled from the teacher (T = 4, alpha = 0.9), and 5. the same student on labels alone.
const student = mlp([16]);
const distillOptimizer = tf.train.adam(3e-3);
await distill(teacher, student, xTrain, { y: train.y, temperature: 4, alpha: 0.9, epochs: EPOCHS, batchSize: 32, optimizer: distillOptimizer, rng: seededRng('distill') });
distillOptimizer.dispose();
await measure('student 64-16-10 distilled', student, encodeQuantizedWeights(floatWeights(student)).byteLength);
const scratch = mlp([16]);
await trainOnLabels(scratch);
await measure('student 64-16-10 on labels', scratch, encodeQuantizedWeights(floatWeights(scratch)).byteLength);

const report = footprintReport(variants, { title: 'Digits classifiers: footprint', grid: { region: 'WORLD' } });
const grid = carbonFromEnergy(1, { region: 'WORLD' });
console.log(`\nbackend ${backend}; ${test.n} test digits; energy: ${variants[0]!.energy!.estimate.method} (${variants[0]!.energy!.estimate.uncertainty})`);
console.log(`emissions at ${grid.gramsPerKwh} g CO2e/kWh (world average, ${grid.source}, ${grid.year})\n`);
console.log(report.table);
writeOutput('sustainability-digits.html', report.html);
for (const [name, svg] of Object.entries(report.charts)) console.log(`wrote ${writeOutput(`sustainability-digits-${name}.svg`, svg!)}`);
writeOutput('sustainability-digits.json', JSON.stringify({ backend, watts: rapl.available ? null : WATTS, rows: report.rows, operations: variants.map((v) => ({ name: v.name, conventions: v.operations!.conventions })) }, null, 2));
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
tf.dispose([xTrain, xTest, ...teacherWeights]);
[teacher, pruned, int8, student, scratch].forEach((m) => m.dispose());

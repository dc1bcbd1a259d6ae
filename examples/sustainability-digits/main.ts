/**
 * The footprint of a digits classifier and of cheaper variants of it: a 64-256-256-10 teacher, the
 * teacher pruned to 80 % sparsity, the teacher with int8 weights, a 64-16-10 student distilled from
 * the teacher, and the same student trained on the labels alone. For each: test accuracy, MACs
 * (dense and sparse-aware), the weights file size, measured latency on this backend (batched, and
 * one example at a time), and energy and emissions per 1,000 inferences.
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
  type EnergyEstimate, type FootprintVariant, type InferenceMeasurement, type PowercapFs,
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

interface Candidate { readonly name: string; readonly model: tfl.LayersModel; readonly sizeBytes: number }
const candidates: Candidate[] = [];
function measure(name: string, model: tfl.LayersModel, sizeBytes: number): void {
  candidates.push({ name, model, sizeBytes });
}

/**
 * Measured after all training, in three rounds that visit every variant in turn so that drift in the
 * machine's load hits all of them alike; each variant keeps its median round. Latency and energy are
 * for batched inference (the 450 test digits in one call; energy over about a second of such
 * calls); single-example latency (one request at a time, where per-call overhead dominates) is
 * printed next to it.
 */
async function measureAll(): Promise<{ variants: FootprintVariant[]; singleMs: number[] }> {
  const single = tf.slice(xTest, [0, 0], [1, 64]);
  // Enough calls for about a second of work per energy measurement: a window of a few milliseconds
  // would measure the timer and the event loop, not the model.
  const callsFor = candidates.map(() => 10);
  const predictBatches = async (model: tfl.LayersModel, calls = 10): Promise<void> => {
    for (let i = 0; i < calls; i++) {
      // One batch of 450 (predict would split it into batches of 32 by default).
      const out = model.predict(xTest, { batchSize: test.n }) as tf.Tensor;
      await out.data();
      out.dispose();
    }
  };
  for (const [i, c] of candidates.entries()) {
    await predictBatches(c.model);
    const probe = await measureInference(c.model, xTest, { warmup: 2, runs: 10, profile: false });
    callsFor[i] = Math.max(10, Math.ceil(1000 / probe.latencyMs.median));
  }
  const latencies = candidates.map(() => [] as InferenceMeasurement[]);
  const singles = candidates.map(() => [] as number[]);
  const energies = candidates.map(() => [] as EnergyEstimate[]);
  for (let round = 0; round < 3; round++) {
    for (const [i, c] of candidates.entries()) {
      latencies[i]!.push(await measureInference(c.model, xTest, { warmup: 3, runs: 30 }));
      singles[i]!.push((await measureInference(c.model, single, { warmup: 10, runs: 100, profile: false })).latencyMs.median);
      energies[i]!.push(await measureEnergy(() => predictBatches(c.model, callsFor[i]), energyOptions));
    }
  }
  const variants: FootprintVariant[] = [];
  for (const [i, c] of candidates.entries()) {
    const latency = latencies[i]!.sort((a, b) => a.latencyMs.median - b.latencyMs.median)[1]!;
    const estimate = energies[i]!.sort((a, b) => a.joules - b.joules)[1]!;
    variants.push({
      name: c.name, accuracy: await accuracy(c.model), operations: await countOperations(c.model), sizeBytes: c.sizeBytes, latency,
      energy: { estimate, inferences: callsFor[i]! * test.n },
    });
  }
  single.dispose();
  return { variants, singleMs: singles.map((s) => s.sort((a, b) => a - b)[1]!) };
}

// 1. The teacher.
const teacher = mlp([256, 256]);
await trainOnLabels(teacher);
measure('teacher 64-256-256-10', teacher, encodeQuantizedWeights(floatWeights(teacher)).byteLength);
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
measure('teacher pruned 80 %', pruned, encodeQuantizedWeights(floatWeights(pruned), { sparse: true }).byteLength);

// 3. The teacher with int8 weights (per-channel symmetric; tfjs still computes in float32).
const int8 = mlp([256, 256]);
int8.setWeights(teacherWeights);
const quantized = await quantizeModel(int8, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true });
measure('teacher int8', int8, encodeQuantizedWeights(quantized.weights).byteLength);

// 4. A 64-16-10 student distilled from the teacher (T = 4, alpha = 0.9), and 5. the same student on labels alone.
const student = mlp([16]);
const distillOptimizer = tf.train.adam(3e-3);
await distill(teacher, student, xTrain, { y: train.y, temperature: 4, alpha: 0.9, epochs: EPOCHS, batchSize: 32, optimizer: distillOptimizer, rng: seededRng('distill') });
distillOptimizer.dispose();
measure('student 64-16-10 distilled', student, encodeQuantizedWeights(floatWeights(student)).byteLength);
const scratch = mlp([16]);
await trainOnLabels(scratch);
measure('student 64-16-10 on labels', scratch, encodeQuantizedWeights(floatWeights(scratch)).byteLength);

const { variants, singleMs } = await measureAll();
const report = footprintReport(variants, { title: 'Digits classifiers: footprint', grid: { region: 'WORLD' } });
const grid = carbonFromEnergy(1, { region: 'WORLD' });
console.log(`\nbackend ${backend}; ${test.n} test digits; energy: ${variants[0]!.energy!.estimate.method} (${variants[0]!.energy!.estimate.uncertainty})`);
console.log(`emissions at ${grid.gramsPerKwh} g CO2e/kWh (world average, ${grid.source}, ${grid.year})\n`);
console.log(report.table);
console.log(`\nsingle-example latency (one request at a time), median ms: ${variants.map((v, i) => `${v.name} ${singleMs[i]!.toFixed(4)}`).join('; ')}`);
writeOutput('sustainability-digits.html', report.html);
for (const [name, svg] of Object.entries(report.charts)) console.log(`wrote ${writeOutput(`sustainability-digits-${name}.svg`, svg!)}`);
writeOutput('sustainability-digits.json', JSON.stringify({ backend, watts: rapl.available ? null : WATTS, rows: report.rows, singleExampleMs: singleMs, operations: variants.map((v) => ({ name: v.name, conventions: v.operations!.conventions })) }, null, 2));
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
tf.dispose([xTrain, xTest, ...teacherWeights]);
[teacher, pruned, int8, student, scratch].forEach((m) => m.dispose());

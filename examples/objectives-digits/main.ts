/**
 * Robustness and sparsity together on the UCI digits: an MLP trained with the task loss alone,
 * against one trained with a PGD adversarial term and an L1 sparsity term; both are then pruned to
 * the same sparsities and attacked. Run: npm run example -- objectives-digits [--backend cpu|wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { lineChartSvg, seededRng } from 'responsible-tfjs';
import { pruneByMagnitude } from 'responsible-tfjs/compression';
import {
  NonDecomposableTermError, adversarialTerm, crossEntropyTerm, ethicalLoss, l1Term, trainMultiObjective, type EthicalLossOptions,
  type TrainMultiObjectiveOptions,
} from 'responsible-tfjs/objectives';
import { pgd, robustAccuracy } from 'responsible-tfjs/robustness';
import { setupBackend } from '../shared/backend.js';
import { loadDigits } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';

const EPSILON = 0.1; // L-inf radius in pixel units ([0, 1])
const EPOCHS = 30;
const SPARSITIES = [0, 0.5, 0.7, 0.8, 0.9];

const backend = await setupBackend();
const { train, test } = loadDigits();
const xTrain = tf.tensor2d(train.x, [train.n, 64]);
const xTest = tf.tensor2d(test.x, [test.n, 64]);
const yTest = tf.tensor1d(test.y, 'int32');

function makeModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 64, inputShape: [64], activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

const attack = (x: tf.Tensor, seed: number) => (m: Parameters<typeof pgd>[0], xb: tf.Tensor, yb: tf.Tensor1D) =>
  pgd(m, xb, yb, { epsilon: EPSILON, stepSize: EPSILON / 4, steps: 10, rng: seededRng(seed) });

async function cleanAccuracy(model: tfl.LayersModel): Promise<number> {
  const pred = await tf.tidy(() => tf.argMax(model.predict(xTest) as tf.Tensor, 1)).data();
  return Array.from(pred).reduce((s, p, i) => s + (p === test.y[i] ? 1 : 0), 0) / test.n;
}

async function fit(label: string, terms: EthicalLossOptions['terms'], weights: EthicalLossOptions['weights'], privacy?: TrainMultiObjectiveOptions['privacy']) {
  const model = makeModel();
  const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: terms ?? [], weights });
  const optimizer = tf.train.adam(0.005);
  const started = performance.now();
  const { history, privacy: spent } = await trainMultiObjective(model, { x: xTrain, y: train.y }, {
    loss, optimizer, epochs: EPOCHS, batchSize: 64, rng: seededRng(3), ...(privacy ? { privacy } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  loss.dispose();
  optimizer.dispose();
  // Prune copies of the trained weights to each sparsity and evaluate clean and robust accuracy.
  const trained = model.getWeights().map((w) => w.clone());
  const rows: { sparsity: number; clean: number; robust: number }[] = [];
  for (const sparsity of SPARSITIES) {
    model.setWeights(trained);
    if (sparsity > 0) await pruneByMagnitude(model, { sparsity, scope: 'global' });
    rows.push({ sparsity, clean: await cleanAccuracy(model), robust: await robustAccuracy(model, xTest, yTest, attack(xTest, 7)) });
  }
  model.setWeights(trained);
  const l1 = (await Promise.all(model.getWeights().filter((w) => w.rank === 2).map((w) => tf.tidy(() => tf.sum(tf.abs(w))).data()))).reduce((s, v) => s + v[0]!, 0);
  tf.dispose(trained);
  return { label, model, history, rows, seconds, l1, epsilon: spent?.epsilon };
}

console.log(`backend ${backend}; digits: ${train.n} train, ${test.n} test; PGD-10 at L-inf epsilon ${EPSILON}`);
const base = await fit('task only', [], {});
const robust = await fit('task + PGD + L1', [adversarialTerm({ epsilon: EPSILON, stepSize: EPSILON / 4, steps: 5, rng: seededRng(11) }), l1Term()], { adversarial: 1, l1: 5e-4 });

// The same sparsity term under DP-SGD (per-example clipping, noise; seeded noise: for a reproducible example only).
const DP = { maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5, rng: seededRng(13) };
const privateSparse = await fit('task + L1, DP-SGD', [l1Term()], { l1: 5e-4 }, DP);

const table: (string | number)[][] = [];
for (const r of [base, robust, privateSparse]) for (const row of r.rows) table.push([r.label, row.sparsity, row.clean, row.robust]);
console.log('\nTest accuracy after global magnitude pruning (no fine-tuning):');
console.log(textTable(['model', 'sparsity', 'clean acc.', `robust acc. (eps ${EPSILON})`], table));
console.log(`\nkernel L1 norm: task only ${base.l1.toFixed(1)}, task + PGD + L1 ${robust.l1.toFixed(1)}`);
console.log(`training time: task only ${base.seconds.toFixed(1)} s, task + PGD + L1 ${robust.seconds.toFixed(1)} s, task + L1 under DP-SGD ${privateSparse.seconds.toFixed(1)} s`);
console.log(`DP-SGD: noise multiplier ${DP.noiseMultiplier}, clipping norm ${DP.maxGradNorm}, epsilon ${privateSparse.epsilon!.toFixed(2)} at delta ${DP.delta} (RDP)`);
const at = (r: typeof base, s: number) => r.rows.find((x) => x.sparsity === s)!;
for (const s of [0, 0.8]) {
  console.log(`at ${100 * s}% sparsity: robust accuracy ${at(base, s).robust.toFixed(4)} -> ${at(robust, s).robust.toFixed(4)}, clean ${at(base, s).clean.toFixed(4)} -> ${at(robust, s).clean.toFixed(4)}`);
}
const pct = SPARSITIES.map((s) => 100 * s);
writeOutput('objectives-digits-sparsity.svg', lineChartSvg([
  { label: 'task only: clean', x: pct, y: base.rows.map((r) => r.clean), dashed: true, color: '#1f77b4' },
  { label: 'task only: robust', x: pct, y: base.rows.map((r) => r.robust), color: '#1f77b4' },
  { label: '+PGD+L1: clean', x: pct, y: robust.rows.map((r) => r.clean), dashed: true, color: '#d62728' },
  { label: '+PGD+L1: robust', x: pct, y: robust.rows.map((r) => r.robust), color: '#d62728' },
  { label: '+L1, DP-SGD: clean', x: pct, y: privateSparse.rows.map((r) => r.clean), dashed: true, color: '#2ca02c' },
  { label: '+L1, DP-SGD: robust', x: pct, y: privateSparse.rows.map((r) => r.robust), color: '#2ca02c' },
], { title: `Digits: accuracy against sparsity (PGD-10, eps ${EPSILON})`, xLabel: 'weights pruned (%)', yLabel: 'test accuracy', yMin: 0, yMax: 1 }));
const epochs = Array.from({ length: EPOCHS }, (_, i) => i + 1);
writeOutput('objectives-digits-terms.svg', lineChartSvg([
  { label: 'task (clean CE)', x: epochs, y: robust.history.task! },
  { label: 'adversarial CE', x: epochs, y: robust.history.adversarial! },
  { label: 'task only: clean CE', x: epochs, y: base.history.task!, dashed: true },
], { title: 'Digits: per-term training loss', xLabel: 'epoch', yLabel: 'mean loss', yMin: 0 }));
writeOutput('objectives-digits.json', JSON.stringify({
  backend, epsilon: EPSILON, epochs: EPOCHS,
  ...Object.fromEntries([['base', base], ['robust', robust], ['privateSparse', privateSparse]].map(([k, r]) => {
    const m = r as typeof base;
    return [k, { rows: m.rows, l1: m.l1, seconds: m.seconds, history: m.history, dpEpsilon: m.epsilon }];
  })),
}, null, 2));

// Under DP-SGD the adversarial term is accepted (per example); a batch-coupled term would be refused.
try {
  const m = makeModel();
  const bad = ethicalLoss({ model: m, task: crossEntropyTerm(), terms: [{ name: 'batchSpread', dataDependence: 'batch', fn: (ctx) => tf.mean(tf.moments(ctx.outputs, 0).variance) as tf.Scalar }], weights: { batchSpread: 1 } });
  await trainMultiObjective(m, { x: xTrain, y: train.y }, { loss: bad, optimizer: tf.train.sgd(0.1), epochs: 1, batchSize: 64, privacy: DP });
} catch (e) {
  if (e instanceof NonDecomposableTermError) console.log(`\nrefused as expected: ${e.message}`);
  else throw e;
}
console.log('\nwrote examples/output/objectives-digits-{sparsity,terms}.svg and objectives-digits.json');
base.model.dispose();
robust.model.dispose();
privateSparse.model.dispose();
tf.dispose([xTrain, xTest, yTest]);

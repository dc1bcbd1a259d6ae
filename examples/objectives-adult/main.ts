/**
 * Fairness as a constraint on UCI Adult: a logistic regression trained with a demographic-parity
 * bound (Lagrange multipliers), against an unconstrained baseline and a sweep of fixed penalty
 * weights (Pareto front). Run: npm run example -- objectives-adult [--backend cpu|wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { barChartSvg, lineChartSvg, seededRng } from 'responsible-tfjs';
import {
  NonDecomposableTermError, crossEntropyTerm, demographicParityTerm, ethicalLoss, lagrangian, paretoSweep, trainMultiObjective, weightGrid,
  type EthicalLossOptions, type SweepPoint,
} from 'responsible-tfjs/objectives';
import { setupBackend } from '../shared/backend.js';
import { loadAdult, type AdultEncoded } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';

const BOUND = 0.05; // the user's bound on the demographic-parity difference (selection-rate gap by sex)
const EPOCHS = 6;
const BATCH = 512;
const TEMPERATURE = 0.25; // sharpened soft rates, closer to the hard decisions the metric counts

const backend = await setupBackend();
const { train, test } = loadAdult();
const tensors = (d: AdultEncoded) => ({
  x: tf.tensor2d(d.x, [d.n, d.numFeatures]),
  y: d.y,
  groups: tf.tensor1d(d.sex.map((s) => (s === 'Female' ? 1 : 0)), 'int32'),
});
const tr = tensors(train), te = tensors(test);

function makeModel(seed: number): tfl.LayersModel {
  return tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [train.numFeatures], kernelInitializer: tfl.initializers.glorotNormal({ seed }) })] });
}

interface Evaluation { accuracy: number; dpDifference: number; selectionRate: { male: number; female: number } }

async function evaluate(model: tfl.LayersModel): Promise<Evaluation> {
  const logits = await tf.tidy(() => tf.reshape(model.predict(te.x) as tf.Tensor, [-1])).data();
  let correct = 0;
  const sel = [0, 0], count = [0, 0];
  const g = await te.groups.data();
  logits.forEach((z, i) => {
    const pred = z > 0 ? 1 : 0;
    if (pred === test.y[i]) correct++;
    sel[g[i]!]! += pred;
    count[g[i]!]!++;
  });
  const male = sel[0]! / count[0]!, female = sel[1]! / count[1]!;
  return { accuracy: correct / test.n, dpDifference: Math.abs(male - female), selectionRate: { male, female } };
}

async function fit(weights: EthicalLossOptions['weights'], seed: number, label: string) {
  const model = makeModel(seed);
  const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [demographicParityTerm({ temperature: TEMPERATURE })], weights });
  const optimizer = tf.train.adam(0.02);
  const perEpoch: Evaluation[] = [];
  const started = performance.now();
  const { history } = await trainMultiObjective(model, { x: tr.x, y: tr.y, extras: { groups: tr.groups } }, {
    loss, optimizer, epochs: EPOCHS, batchSize: BATCH, rng: seededRng(seed),
    callbacks: { onEpochEnd: async () => void perEpoch.push(await evaluate(model)) },
  });
  const seconds = (performance.now() - started) / 1000;
  const result = { label, model, history, perEpoch, final: perEpoch[perEpoch.length - 1]!, seconds };
  loss.dispose();
  optimizer.dispose();
  return result;
}

console.log(`backend ${backend}; Adult: ${train.n} train, ${test.n} test rows, ${train.numFeatures} features; bound on DP difference ${BOUND}`);
const baseline = await fit({ demographicParity: 0 }, 1, 'unconstrained');
const constrained = await fit(lagrangian({ bounds: { demographicParity: BOUND }, multiplierLearningRate: 1 }), 1, `Lagrangian, DP <= ${BOUND}`);

// Fixed penalty weights: the trade-off curve and its Pareto front.
const sweep = await paretoSweep({
  grid: weightGrid({ demographicParity: [0, 0.25, 1, 4] }),
  objectives: { accuracy: 'max', dpDifference: 'min' },
  run: async (w) => {
    const r = await fit({ demographicParity: w.demographicParity! }, 1, `fixed ${w.demographicParity}`);
    r.model.dispose();
    return { accuracy: r.final.accuracy, dpDifference: r.final.dpDifference };
  },
});

const rows = [baseline, constrained].map((r) => [
  r.label, r.final.accuracy, r.final.dpDifference, r.final.selectionRate.male, r.final.selectionRate.female,
  r.history.demographicParityWeight![EPOCHS - 1]!, Number(r.seconds.toFixed(1)),
]);
console.log('\nTest set (hard decisions at 0.5):');
console.log(textTable(['model', 'accuracy', 'DP difference', 'sel. rate male', 'sel. rate female', 'final multiplier', 'seconds'], rows));
const cost = baseline.final.accuracy - constrained.final.accuracy;
console.log(`\nDP difference ${baseline.final.dpDifference.toFixed(4)} -> ${constrained.final.dpDifference.toFixed(4)} (bound ${BOUND}: ${constrained.final.dpDifference <= BOUND ? 'met' : 'NOT met'}), accuracy cost ${(100 * cost).toFixed(2)} points`);
console.log('\nFixed-weight sweep (Pareto front marked *):');
const onFront = (p: SweepPoint) => sweep.front.includes(p);
console.log(textTable(['weight', 'accuracy', 'DP difference', 'front'], sweep.points.map((p) => [p.weights.demographicParity!, p.metrics.accuracy!, p.metrics.dpDifference!, onFront(p) ? '*' : ''])));

const epochs = Array.from({ length: EPOCHS }, (_, i) => i + 1);
writeOutput('objectives-adult-dp.svg', lineChartSvg([
  { label: 'unconstrained', x: epochs, y: baseline.perEpoch.map((e) => e.dpDifference) },
  { label: 'Lagrangian', x: epochs, y: constrained.perEpoch.map((e) => e.dpDifference) },
  { label: `bound ${BOUND}`, x: epochs, y: epochs.map(() => BOUND), dashed: true, color: '#555' },
], { title: 'Adult: demographic-parity difference on the test set', xLabel: 'epoch', yLabel: 'DP difference (sex)', yMin: 0 }));
writeOutput('objectives-adult-multiplier.svg', lineChartSvg([
  { label: 'Lagrange multiplier', x: epochs, y: constrained.history.demographicParityWeight! },
], { title: 'Adult: multiplier of the DP constraint', xLabel: 'epoch', yLabel: 'lambda', yMin: 0 }));
writeOutput('objectives-adult-selection.svg', barChartSvg({
  categories: ['Male', 'Female'],
  series: [
    { label: 'unconstrained', values: [baseline.final.selectionRate.male, baseline.final.selectionRate.female] },
    { label: 'Lagrangian', values: [constrained.final.selectionRate.male, constrained.final.selectionRate.female] },
  ],
}, { title: 'Adult: selection rate (predicted >50K) by sex, test set', yLabel: 'selection rate', yMin: 0 }));
const sorted = [...sweep.front].sort((a, b) => a.metrics.dpDifference! - b.metrics.dpDifference!);
writeOutput('objectives-adult-pareto.svg', lineChartSvg([
  { label: 'fixed weights', x: sweep.points.map((p) => p.metrics.dpDifference!), y: sweep.points.map((p) => p.metrics.accuracy!), dashed: true },
  { label: 'Pareto front', x: sorted.map((p) => p.metrics.dpDifference!), y: sorted.map((p) => p.metrics.accuracy!) },
  { label: 'Lagrangian', x: [constrained.final.dpDifference], y: [constrained.final.accuracy] },
  { label: 'unconstrained', x: [baseline.final.dpDifference], y: [baseline.final.accuracy] },
], { title: 'Adult: accuracy against DP difference', xLabel: 'DP difference (test)', yLabel: 'accuracy (test)' }));
writeOutput('objectives-adult.json', JSON.stringify({
  backend, bound: BOUND, epochs: EPOCHS, batchSize: BATCH, temperature: TEMPERATURE,
  baseline: { ...baseline.final, seconds: baseline.seconds, history: baseline.history },
  constrained: { ...constrained.final, seconds: constrained.seconds, history: constrained.history },
  sweep: sweep.points, front: sweep.front,
}, null, 2));
// The same constraint cannot be trained under DP-SGD: the gap couples the examples of a batch.
{
  const model = makeModel(1);
  const loss = ethicalLoss({ model, task: crossEntropyTerm(), terms: [demographicParityTerm()], weights: { demographicParity: 1 } });
  try {
    await trainMultiObjective(model, { x: tr.x, y: tr.y, extras: { groups: tr.groups } }, {
      loss, optimizer: tf.train.sgd(0.1), epochs: 1, batchSize: BATCH, privacy: { maxGradNorm: 1, noiseMultiplier: 1 },
    });
  } catch (e) {
    if (!(e instanceof NonDecomposableTermError)) throw e;
    console.log(`\nunder DP-SGD: ${e.name} for terms [${e.terms.join(', ')}]`);
  }
  loss.dispose();
  model.dispose();
}
console.log('\nwrote examples/output/objectives-adult-{dp,multiplier,selection,pareto}.svg and objectives-adult.json');
baseline.model.dispose();
constrained.model.dispose();
tf.dispose([tr.x, tr.groups, te.x, te.groups]);

/**
 * Robustness on the UCI digits: a normally trained MLP against two adversarially trained with
 * responsible-tfjs (PGD adversarial training, Madry et al.; TRADES, Zhang et al.), compared by
 * their robust-accuracy curves under PGD-20 (L-inf, step epsilon / 8, random start), then by
 * AutoAttack at the training epsilon (the gap between PGD's and AutoAttack's accuracy is what PGD
 * misses), and by the minimal perturbations C&W L2 and DeepFool need to flip each decision.
 *
 * Run: npm run example -- robustness-digits [--backend cpu|wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { lineChartSvg, seededRng } from 'responsible-tfjs';
import {
  autoAttack, carliniWagnerL2, deepFool, fitAdversarially, minimalPerturbation, minimalPerturbationSvg, pgd, robustAccuracyCurve,
  robustnessReport, type AutoAttackResult, type MinimalPerturbationSummary,
} from 'responsible-tfjs/robustness';
import { setupBackend } from '../shared/backend.js';
import { loadDigits, shuffleDigits } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';

const backend = await setupBackend();
const started = performance.now();
const seconds = (): string => ((performance.now() - started) / 1000).toFixed(1);
const { train, test } = loadDigits();

// Shuffle the training rows once with a seeded generator so every run sees the same order.
const { x: xTrainRows, y: yTrain } = shuffleDigits(train, seededRng('digits-order'));
const xTrain = tf.tensor2d(xTrainRows, [train.n, 64]);
const xTest = tf.tensor2d(test.x, [test.n, 64]);

/** The reference architecture: Dense 64 -> 64 ReLU -> 10 logits, seeded initialisation. */
function mlp(seed: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 64, activation: 'relu', inputShape: [64], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  model.add(tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

const EPOCHS = 40;
const BATCH = 64;
const TRAIN_ATTACK = { epsilon: 0.1, stepSize: 0.025, steps: 7 };

// 1. Normal training with tfjs.
const normal = mlp(1);
// tfjs-layers' built-in cross-entropies expect probabilities; the model returns logits.
normal.compile({ optimizer: tf.train.adam(1e-3), loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
const yTrainOneHot = tf.oneHot(tf.tensor1d(yTrain, 'int32'), 10);
await normal.fit(xTrain, yTrainOneHot, { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0 });
console.log(`[${seconds()} s] normal model trained (${EPOCHS} epochs)`);

// 2. PGD adversarial training (Madry et al. 2018) and 3. TRADES (Zhang et al. 2019), with this library.
const progress = (label: string) => ({
  onEpochEnd: (epoch: number, logs: { loss: number; adversarialAccuracy: number }) => {
    if ((epoch + 1) % 10 === 0) {
      console.log(`[${seconds()} s] ${label} epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, adversarial accuracy ${logs.adversarialAccuracy.toFixed(4)}`);
    }
  },
});
const madry = mlp(1);
await fitAdversarially(madry, xTrain, yTrain, {
  epochs: EPOCHS, batchSize: BATCH, method: 'pgd', attack: TRAIN_ATTACK, optimizer: tf.train.adam(1e-3),
  shuffle: true, rng: seededRng('pgd-at'), callbacks: progress('PGD-AT'),
});
const trades = mlp(1);
await fitAdversarially(trades, xTrain, yTrain, {
  epochs: EPOCHS, batchSize: BATCH, method: 'trades', beta: 6, attack: TRAIN_ATTACK, optimizer: tf.train.adam(1e-3),
  shuffle: true, rng: seededRng('trades'), callbacks: progress('TRADES'),
});

// Robust accuracy on the 450 test rows under PGD-20 with a random start.
const epsilons = [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3];
const models = [
  { label: 'normal', model: normal },
  { label: 'PGD-AT', model: madry },
  { label: 'TRADES', model: trades },
];
const curves: { label: string; accuracies: number[] }[] = [];
for (const { label, model } of models) {
  const rng = seededRng(`eval-${label}`);
  const curve = await robustAccuracyCurve(model, xTest, test.y, {
    epsilons,
    attack: (epsilon) => (m, xb, yb) => pgd(m, xb, yb, { epsilon, stepSize: epsilon / 8, steps: 20, rng }),
    batchSize: 150,
  });
  curves.push({ label, accuracies: curve.accuracies });
  console.log(`[${seconds()} s] robust-accuracy curve of ${label} done`);
}

console.log(`\nRobust accuracy on the ${test.n} digits test rows (PGD-20, L-inf, step eps/8, random start), backend ${backend}`);
console.log(`PGD-AT and TRADES (beta 6) trained against PGD-${TRAIN_ATTACK.steps}, eps ${TRAIN_ATTACK.epsilon}, step ${TRAIN_ATTACK.stepSize}\n`);
console.log(textTable(['epsilon', ...curves.map((c) => c.label)], epsilons.map((e, i) => [e, ...curves.map((c) => c.accuracies[i]!)])));

const svg = lineChartSvg(
  curves.map((c, i) => ({ label: c.label, x: epsilons, y: c.accuracies, dashed: i === 0 })),
  { title: 'Digits MLP: robust accuracy under PGD-20 (L-inf)', xLabel: 'epsilon (pixel scale 0..1)', yLabel: 'robust accuracy', yMin: 0, yMax: 1 },
);
console.log(`\nwrote ${writeOutput('robustness-digits.svg', svg)}`);

// 4. AutoAttack (standard: APGD-CE, APGD-T, FAB-T, Square) at the training epsilon, on all 450 test
// rows. PGD-20 measured an upper bound on robust accuracy; AutoAttack a tighter one.
const EVAL_EPSILON = 0.1;
const autoAttacks: { label: string; result: AutoAttackResult; pgdAccuracy: number; seconds: number }[] = [];
for (const [i, { label, model }] of models.entries()) {
  const t0 = performance.now();
  const result = await autoAttack(model, xTest, test.y, { epsilon: EVAL_EPSILON, rng: seededRng(`autoattack-${label}`), batchSize: test.n });
  const took = (performance.now() - t0) / 1000;
  result.adversarial.dispose();
  autoAttacks.push({ label, result, pgdAccuracy: curves[i]!.accuracies[epsilons.indexOf(EVAL_EPSILON)]!, seconds: took });
  console.log(`[${seconds()} s] AutoAttack on ${label}: ${took.toFixed(1)} s`);
}
console.log(`\nAccuracy at eps ${EVAL_EPSILON} (L-inf) on the ${test.n} test rows: PGD-20 against AutoAttack (standard, 100 iterations, Square 5,000 queries)\n`);
console.log(textTable(
  ['model', 'clean', 'PGD-20', 'AutoAttack', 'gap', ...autoAttacks[0]!.result.log.map((e) => `broken by ${e.attack}`), 'seconds'],
  autoAttacks.map(({ label, result, pgdAccuracy, seconds: s }) => [
    label, result.cleanAccuracy, pgdAccuracy, result.robustAccuracy, pgdAccuracy - result.robustAccuracy,
    ...result.log.map((e) => e.broken), s,
  ]),
));
console.log(`\nwrote ${writeOutput('robustness-digits-autoattack.svg', robustnessReport(
  autoAttacks.map(({ label, result }) => ({ label, result })),
  { title: `Digits MLP: accuracy after each attack of AutoAttack (L-inf ${EVAL_EPSILON})` },
))}`);

// 5. Minimal perturbations: the smallest L2 change that flips each decision; larger is more robust.
// DeepFool steps to the nearest linearised boundary and, with torchattacks' settings, ends on it
// (within about 1e-6 of the margin, where rounding decides the label), so its norms are the
// distances to the boundary of every correctly classified row. C&W optimises the distance with the
// paper's margin and a binary search over c, and reports the rows it pushed across.
const minimal: { label: string; attack: string; rows: string; summary: MinimalPerturbationSummary; seconds: number }[] = [];
for (const [m, { label, model }] of models.slice(0, 2).entries()) {
  const correct = autoAttacks[m]!.result.cleanCorrect.flatMap((c, i) => (c === 1 ? [i] : []));
  const rows = tf.tensor1d(correct, 'int32');
  const xCorrect = tf.gather(xTest, rows);
  const yCorrect = correct.map((i) => test.y[i]!);
  rows.dispose();
  for (const attack of ['DeepFool', 'C&W L2'] as const) {
    const t0 = performance.now();
    const xAdv = attack === 'DeepFool'
      ? await deepFool(model, xCorrect, yCorrect, { steps: 50, overshoot: 0.02 })
      : await carliniWagnerL2(model, xCorrect, yCorrect, { margin: 'paper', c: 1, binarySearchSteps: 5, steps: 100, learningRate: 0.01 });
    // DeepFool: every row (its end point is on the boundary); C&W: the rows it fooled.
    const summary = attack === 'DeepFool'
      ? await minimalPerturbation(xCorrect, xAdv)
      : await minimalPerturbation(xCorrect, xAdv, { model, y: yCorrect });
    xAdv.dispose();
    const took = (performance.now() - t0) / 1000;
    minimal.push({ label, attack, rows: attack === 'DeepFool' ? 'distance to the boundary' : 'rows pushed across', summary, seconds: took });
    const file = `robustness-digits-${attack === 'DeepFool' ? 'deepfool' : 'cw'}-${label.toLowerCase().replace(/[^a-z]+/g, '-')}.svg`;
    writeOutput(file, minimalPerturbationSvg(summary, {
      norm: 'l2', bins: 20, title: `${attack} on the ${label} MLP: L2 norm of the minimal perturbation`,
      id: file.replace(/\.svg$/, ''),
    }));
    console.log(`[${seconds()} s] ${attack} on ${label}: wrote ${file}`);
  }
  xCorrect.dispose();
}
console.log('\nMinimal L2 perturbations of the correctly classified test rows (median and quartiles)\n');
console.log(textTable(
  ['model', 'attack', 'summarised', 'rows', 'median L2', 'q25', 'q75', 'seconds'],
  minimal.map(({ label, attack, rows, summary, seconds: s }) => {
    const st = summary.statistics.l2!;
    const q = (p: number): number => st.quantiles.find((e) => e.probability === p)?.value ?? NaN;
    return [label, attack, rows, `${summary.summarizedCount}/${summary.count}`, st.median, q(0.25), q(0.75), s];
  }),
));

console.log(`\nwrote ${writeOutput('robustness-digits.json', JSON.stringify({
  backend, epsilons, curves, trainAttack: TRAIN_ATTACK, epochs: EPOCHS,
  autoAttack: autoAttacks.map(({ label, result, pgdAccuracy, seconds: s }) => ({
    label, epsilon: EVAL_EPSILON, cleanAccuracy: result.cleanAccuracy, pgd20Accuracy: pgdAccuracy,
    robustAccuracy: result.robustAccuracy, log: result.log, seconds: s,
  })),
  minimalPerturbation: minimal.map(({ label, attack, rows, summary, seconds: s }) => ({
    label, attack, summarised: rows, rows: summary.summarizedCount, count: summary.count, l2: summary.statistics.l2, seconds: s,
  })),
}, null, 2))}`);
console.log(`total ${seconds()} s`);

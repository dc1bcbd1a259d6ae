/**
 * Robustness on the UCI digits: a normally trained MLP against two adversarially trained with
 * responsible-tfjs (PGD adversarial training, Madry et al.; TRADES, Zhang et al.), compared by
 * their robust-accuracy curves under PGD-20 (L-inf, step epsilon / 8, random start).
 *
 * Run: npm run example -- robustness-digits [--backend cpu|wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { lineChartSvg, seededRng } from 'responsible-tfjs';
import { fitAdversarially, pgd, robustAccuracyCurve } from 'responsible-tfjs/robustness';
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
console.log(`wrote ${writeOutput('robustness-digits.json', JSON.stringify({ backend, epsilons, curves, trainAttack: TRAIN_ATTACK, epochs: EPOCHS }, null, 2))}`);
console.log(`total ${seconds()} s`);

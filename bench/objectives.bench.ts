/**
 * Overhead of the multi-objective machinery: one training step of an MLP (64-64-10, batch 128) with
 * the plain task loss through optimizer.minimize, against EthicalLoss.step with fixed weights (task
 * + L1), with a Lagrangian constraint, and with MGDA and GradNorm (one backward pass per objective),
 * in one run.
 * Run: npm run bench -- objectives
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { crossEntropyTerm, ethicalLoss, gradNorm, l1Term, lagrangian, mgda, type EthicalLossOptions } from '../src/objectives/index.js';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchRow } from './harness.js';

const rows: BenchRow[] = [];
for (const backend of benchBackends()) {
  await useBenchBackend(backend);
  const makeModel = () => tfl.sequential({ layers: [tfl.layers.dense({ units: 64, inputShape: [64], activation: 'relu' }), tfl.layers.dense({ units: 10 })] });
  const model = makeModel();
  const x = tf.randomUniform([128, 64], 0, 1, 'float32', 1);
  const labels = Array.from({ length: 128 }, (_, i) => i % 10);
  const yOneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const optimizer = tf.train.sgd(0.01);
  const opts = { minTimeMs: 1500, warmup: 5 };
  const plain = await measure(async () => {
    // The same cross-entropy (through log-softmax) as crossEntropyTerm, so the ratio is the framework's overhead.
    const cost = optimizer.minimize(() => tf.neg(tf.mean(tf.sum(tf.mul(yOneHot, tf.logSoftmax(model.apply(x) as tf.Tensor)), 1))) as tf.Scalar, true)!;
    await cost.data();
    cost.dispose();
  }, opts);
  rows.push({ case: 'optimizer.minimize (task only)', backend, medianMs: plain.medianMs, ratio: 1, runs: plain.runs });
  const cases: [string, EthicalLossOptions['weights']][] = [
    ['EthicalLoss.step, fixed (task + L1)', { l1: 1e-4 }],
    ['EthicalLoss.step, Lagrangian (L1 <= bound)', lagrangian({ bounds: { l1: 1e4 } })],
    ['EthicalLoss.step, MGDA (2 objectives)', mgda()],
    ['EthicalLoss.step, GradNorm (2 objectives)', gradNorm()],
  ];
  for (const [name, weights] of cases) {
    const m = makeModel();
    const loss = ethicalLoss({ model: m, task: crossEntropyTerm(), terms: [l1Term()], weights });
    await loss.setBatch({ x, y: labels });
    const t = await measure(async () => {
      await loss.step(optimizer);
    }, opts);
    rows.push({ case: name, backend, medianMs: t.medianMs, ratio: t.medianMs / plain.medianMs, runs: t.runs });
    loss.dispose();
    m.dispose();
  }
  const setBatch = ethicalLoss({ model, task: crossEntropyTerm(), terms: [l1Term()], weights: { l1: 1e-4 } });
  const sb = await measure(async () => {
    await setBatch.setBatch({ x, y: labels });
  });
  rows.push({ case: 'EthicalLoss.setBatch (labels to one-hot)', backend, medianMs: sb.medianMs, ratio: sb.medianMs / plain.medianMs, runs: sb.runs });
  setBatch.dispose();
  tf.dispose([x, yOneHot]);
  optimizer.dispose();
  model.dispose();
}
printTable('objectives: one training step, MLP 64-64-10, batch 128', rows);
writeResults('objectives', rows);

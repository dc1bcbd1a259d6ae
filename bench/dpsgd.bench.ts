/**
 * npm run bench -- dpsgd [--backend cpu,wasm]: one training step of an MLP (784-256-256-10) and a
 * small CNN (two 3x3 convolutions + dense, 28x28x1 inputs) at batch 64 and 256, side by side:
 * a non-private step (tfjs autodiff of the mean loss), our DP-SGD step (vectorized per-example
 * gradients, clipping, noise) and micro-batching (one autodiff pass per example, then clip and
 * sum). Micro-batching is timed on 16 examples and scaled linearly to the batch (stated in the
 * table). Random inputs; medians of a few runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from '../src/core/rng.js';
import { dpSgdStep } from '../src/privacy/index.js';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchRow } from './harness.js';

const MICRO_SAMPLE = 16;
const OPTS = { warmup: 1, minRuns: 3, maxRuns: 5, minTimeMs: 0 };

function mlp(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tfl.layers.dense({ units: 256, activation: 'relu' }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
}
function cnn(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10 }),
    ],
  });
}

function meanLoss(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
}

const rows: BenchRow[] = [];
for (const backend of benchBackends()) {
  await useBenchBackend(backend);
  for (const [name, build, shape] of [['MLP 784-256-256-10', mlp, [784]], ['CNN 2x conv3x3 + dense', cnn, [28, 28, 1]]] as const) {
    for (const batch of [64, 256]) {
      const model = build();
      const x = tf.randomUniform([batch, ...shape], 0, 1, 'float32', 1);
      const labels = Array.from({ length: batch }, (_, i) => i % 10);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const optimizer = tf.train.sgd(0.01);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      tf.engine().startScope();
      let nonPrivate: number | undefined;
      try {
        nonPrivate = (await measure(() => tf.tidy(() => void optimizer.minimize(() => meanLoss(model, x, y), false, vars)), OPTS)).medianMs;
      } catch {
        nonPrivate = undefined; // e.g. Conv2DBackpropFilter is not registered on wasm
      }
      tf.engine().endScope();
      let peak = 0;
      const rng = seededRng(1);
      const dp = await measure(async () => {
        await dpSgdStep(model, x, labels, { optimizer, maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: batch, rng });
        peak = Math.max(peak, tf.memory().numBytes);
      }, OPTS);
      let micro: number | undefined;
      try {
        const xs = tf.slice(x, 0, MICRO_SAMPLE);
        const ys = tf.slice(y, 0, MICRO_SAMPLE);
        const t = await measure(() => tf.tidy(() => {
          let acc: tf.Tensor[] | undefined;
          for (let i = 0; i < MICRO_SAMPLE; i++) {
            const { grads } = tf.variableGrads(() => meanLoss(model, tf.slice(xs, i, 1), tf.slice(ys, i, 1)), vars);
            const g = vars.map((v) => grads[v.name]!);
            const norm = tf.sqrt(tf.addN(g.map((t) => tf.sum(tf.square(t)))));
            const c = tf.minimum(1, tf.div(1, norm));
            const clipped = g.map((t) => tf.mul(t, c));
            acc = acc === undefined ? clipped : acc.map((a, k) => tf.add(a, clipped[k]!));
          }
          return acc;
        }), OPTS);
        micro = (t.medianMs * batch) / MICRO_SAMPLE;
        tf.dispose([xs, ys]);
      } catch {
        micro = undefined;
      }
      rows.push({
        case: `${name}, batch ${batch}`, backend,
        nonPrivateMs: nonPrivate ?? 'not available',
        dpSgdMs: dp.medianMs,
        microBatchMs: micro === undefined ? 'not available' : `${micro.toFixed(0)} (scaled from ${MICRO_SAMPLE})`,
        'dp/nonPrivate': nonPrivate === undefined ? '-' : Number((dp.medianMs / nonPrivate).toFixed(2)),
        'micro/dp': micro === undefined ? '-' : Number((micro / dp.medianMs).toFixed(1)),
        peakMiB: Number((peak / 2 ** 20).toFixed(1)),
      });
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    }
  }
}
printTable('One training step (median ms)', rows);
writeResults('dpsgd', rows);

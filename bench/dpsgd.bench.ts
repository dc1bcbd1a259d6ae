/**
 * npm run bench -- dpsgd [--backend cpu,wasm] [--digits]: one training step side by side, on the digits models
 * of our speed goals (MLP 64-64-10 at batch 256; CNN conv3x3x8 'same' + conv3x3x16 'same' + dense 10 on
 * 8x8x1 at batch 64) and on the older MLP (784-256-256-10) and CNN (two 3x3 convolutions + dense,
 * 28x28x1) at batch 64 and 256: a non-private step (tfjs autodiff of the mean loss), our DP-SGD
 * step (vectorized per-example gradients, clipping, noise) and micro-batching (one autodiff pass
 * per example, then clip and sum: what a user would write without the engine). Micro-batching is
 * timed on 16 examples and scaled linearly to the batch (stated in the table). Random inputs;
 * medians of a few runs.
 *
 * Opacus: with OPACUS_PYTHONPATH set (an Opacus 1.4 checkout and opt_einsum; python from
 * OPACUS_PYTHON, default /usr/bin/python3 with torch 1.13), bench/opacus/dpsgd_step.py runs in
 * the same job, just before the tfjs cases, on 2 torch threads, and its medians join the digits rows.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from '../src/core/rng.js';
import { dpSgdStep } from '../src/privacy/index.js';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchRow } from './harness.js';
import { digitsCnn, digitsMlp } from './dpsgdModels.js';

const MICRO_SAMPLE = 16;
const OPTS = { warmup: 1, minRuns: 3, maxRuns: 5, minTimeMs: 0 };
/** The small digits models are fast: more runs for a stable median. */
const DIGITS_OPTS = { warmup: 3, minRuns: 15, maxRuns: 40, minTimeMs: 1500 };

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

interface Case { readonly name: string; readonly build: () => tfl.LayersModel; readonly shape: number[]; readonly batch: number; readonly opacus?: string; readonly digits: boolean }
const CASES: Case[] = [
  { name: 'digits MLP 64-64-10', build: digitsMlp, shape: [64], batch: 256, opacus: 'digits MLP 64-64-10, batch 256', digits: true },
  { name: 'digits CNN 2 conv 3x3 + dense', build: digitsCnn, shape: [8, 8, 1], batch: 64, opacus: 'digits CNN 2 conv + dense, batch 64', digits: true },
  ...[64, 256].map((batch) => ({ name: 'MLP 784-256-256-10', build: mlp, shape: [784], batch, digits: false })),
  ...[64, 256].map((batch) => ({ name: 'CNN 2x conv3x3 + dense', build: cnn, shape: [28, 28, 1], batch, digits: false })),
];

/** One Opacus timing from bench/opacus/dpsgd_step.py. */
interface OpacusTiming { readonly case: string; readonly opacusMs: number; readonly nonPrivateMs: number; readonly version: string; readonly torch: string; readonly threads: number }

/** Opacus's medians (every case at 2 threads, then 1), or none when OPACUS_PYTHONPATH is not set. */
function runOpacus(): OpacusTiming[] {
  const pythonPath = process.env.OPACUS_PYTHONPATH;
  if (pythonPath === undefined) return [];
  const script = fileURLToPath(new URL('./opacus/dpsgd_step.py', import.meta.url));
  const r = spawnSync(process.env.OPACUS_PYTHON ?? '/usr/bin/python3', [script], { env: { ...process.env, PYTHONPATH: pythonPath }, encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`Opacus run failed: ${r.stderr.slice(-500)}`);
    return [];
  }
  return r.stdout.trim().split('\n').map((line) => {
    const j = JSON.parse(line) as { case: string; opacusMs: number; nonPrivateMs: number; opacus: string; torch: string; threads: number };
    return { case: j.case, opacusMs: j.opacusMs, nonPrivateMs: j.nonPrivateMs, version: j.opacus, torch: j.torch, threads: j.threads };
  });
}

function meanLoss(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
}

/** `--digits`: the two digits cases only (the speed-goal rows; the 28x28 CNN on cpu takes minutes). */
const cases = process.argv.includes('--digits') ? CASES.filter((c) => c.digits) : CASES;
const loadavg = (): string => os.loadavg().map((v) => v.toFixed(2)).join(' ');
const loadStart = loadavg();
const opacus = runOpacus();
const opacusRows: BenchRow[] = opacus.map((v) => ({ case: v.case, backend: `Opacus ${v.version}, torch ${v.torch} cpu, ${v.threads} threads`, nonPrivateMs: v.nonPrivateMs, dpSgdMs: v.opacusMs }));
/** Opacus's faster thread count for a case (the comparison most favourable to Opacus). */
const bestOpacus = (name: string): OpacusTiming | undefined =>
  opacus.filter((o) => o.case === name).sort((a, b) => a.opacusMs - b.opacusMs)[0];
const rows: BenchRow[] = [];
for (const backend of benchBackends()) {
  await useBenchBackend(backend);
  for (const c of cases) {
    const { batch } = c;
    const opts = c.digits ? DIGITS_OPTS : OPTS;
    const model = c.build();
    const x = tf.randomUniform([batch, ...c.shape], 0, 1, 'float32', 1);
    const labels = Array.from({ length: batch }, (_, i) => i % 10);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const optimizer = tf.train.sgd(0.01);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    tf.engine().startScope();
    let nonPrivate: number | undefined;
    try {
      nonPrivate = (await measure(() => tf.tidy(() => void optimizer.minimize(() => meanLoss(model, x, y), false, vars)), opts)).medianMs;
    } catch {
      nonPrivate = undefined; // e.g. Conv2DBackpropFilter is not registered on wasm
    }
    tf.engine().endScope();
    let peak = 0;
    const rng = seededRng(1);
    const dp = await measure(async () => {
      await dpSgdStep(model, x, labels, { optimizer, maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: batch, rng });
      peak = Math.max(peak, tf.memory().numBytes);
    }, opts);
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
    const o = c.opacus === undefined ? undefined : bestOpacus(c.opacus);
    rows.push({
      case: `${c.name}, batch ${batch}`, backend,
      nonPrivateMs: nonPrivate ?? 'not available',
      dpSgdMs: dp.medianMs,
      microBatchMs: micro === undefined ? 'not available' : `${micro.toFixed(0)} (scaled from ${MICRO_SAMPLE})`,
      'dp/nonPrivate': nonPrivate === undefined ? '-' : Number((dp.medianMs / nonPrivate).toFixed(2)),
      'micro/dp': micro === undefined ? '-' : Number((micro / dp.medianMs).toFixed(1)),
      'opacus/dp': o === undefined ? '-' : `${(o.opacusMs / dp.medianMs).toFixed(2)} (${o.threads}t)`,
      peakMiB: Number((peak / 2 ** 20).toFixed(1)),
    });
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}
const loadEnd = loadavg();
printTable('One training step (median ms)', rows);
printTable('Opacus, same job (median ms)', opacusRows);
console.log(`\nloadavg (1, 5, 15 min) at start: ${loadStart}; at end: ${loadEnd}`);
writeResults('dpsgd', [...rows, ...opacusRows], { loadavgStart: loadStart, loadavgEnd: loadEnd });

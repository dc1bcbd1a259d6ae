/**
 * Integrated gradients (50 Gauss-Legendre steps, batch of 32 digits, zero baseline) on the
 * reference digits CNN and MLP, against its floor: ONE batched input-gradient computation (forward
 * + backward) over the same 50 x 32 = 1,600 path points, built beforehand, measured in the same
 * run. Goal (issue 13): ratio <= 1.2. IG is measured with the targets given and with the default
 * `'predicted'` target (one more forward pass over the 32 inputs), and with the model given as a
 * plain function (the explain module then swaps no layer for its gradient passes). The ratio is
 * the median over interleaved rounds of (IG median / floor median) within each round.
 * Run: npm run bench -- explain [--backend cpu,wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import digits from '../test/fixtures/robustness/digits_test.json';
import { integratedGradients } from '../src/explain/index.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from '../test/robustness/referenceModels.js';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchRow, type Timing } from './harness.js';

const BATCH = 32;
const STEPS = 50;
const ROUNDS = 7;
const rows: BenchRow[] = [];

for (const backend of benchBackends()) {
  await useBenchBackend(backend);
  for (const name of ['cnn', 'mlp'] as ReferenceModelName[]) {
    const model: LayersModel = referenceModel(name);
    const x = tf.tensor(digits.x.slice(0, BATCH * 64), [BATCH, ...referenceInputShape(name)]);
    const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1));
    const target = Array.from(await predicted.data());
    // The floor's inputs: the 1,600 path points (step-major, as IG stacks them) and their targets.
    const points = tf.tidy(() => {
      const alphas = tf.reshape(tf.linspace(0.01, 0.99, STEPS), [STEPS, 1, ...referenceInputShape(name).map(() => 1)]);
      return tf.reshape(tf.mul(alphas, tf.expandDims(x, 0)), [STEPS * BATCH, ...referenceInputShape(name)]);
    });
    const mask = tf.tidy(() => tf.oneHot(tf.tile(predicted, [STEPS]) as tf.Tensor1D, 10));
    const inputGradient = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(model.apply(xi) as tf.Tensor, mask)));
    const opts = { warmup: 1, minRuns: 5, minTimeMs: backend === 'cpu' ? 800 : 300 };
    const floorRun = async (): Promise<void> => {
      const g = tf.tidy(() => inputGradient(points));
      await g.data();
      g.dispose();
    };
    // The same model as a plain function: no layer is swapped for the gradient passes.
    const asFunction = (input: tf.Tensor): tf.Tensor => model.apply(input) as tf.Tensor;
    const igRun = (withTargets: boolean, m: LayersModel | ((input: tf.Tensor) => tf.Tensor) = model) => async (): Promise<void> => {
      const { attributions } = await integratedGradients(m, x, withTargets ? { target, steps: STEPS } : { steps: STEPS });
      await attributions.data();
      attributions.dispose();
    };
    // Interleaved rounds (floor, IG, IG 'predicted'), so that a change of machine load between
    // blocks does not show as a ratio: each round gives one ratio, the median round is reported.
    const rounds: { floor: Timing; ig: Timing; predicted: Timing; fn: Timing }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push({
        floor: await measure(floorRun, opts), ig: await measure(igRun(true), opts), predicted: await measure(igRun(false), opts),
        fn: await measure(igRun(true, asFunction), opts),
      });
    }
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    };
    const variants = [['targets given', 'ig'], ["'predicted'", 'predicted'], ['as a function, targets given', 'fn']] as const;
    for (const [label, pick] of variants) {
      rows.push({
        case: `IG ${STEPS} steps, ${name}, batch ${BATCH}, ${label}`,
        backend,
        igMedianMs: median(rounds.map((r) => r[pick].medianMs)),
        floorMedianMs: median(rounds.map((r) => r.floor.medianMs)),
        ratio: median(rounds.map((r) => r[pick].medianMs / r.floor.medianMs)),
        ratioOfMinima: Math.min(...rounds.map((r) => r[pick].minMs)) / Math.min(...rounds.map((r) => r.floor.minMs)),
        runs: rounds.reduce((n, r) => n + r[pick].runs, 0),
      });
    }
    tf.dispose([x, predicted, points, mask]);
    model.dispose();
  }
}

printTable(`Integrated gradients (${STEPS} steps x ${BATCH} digits) against one batched input gradient over the ${STEPS * BATCH} path points`, rows);
writeResults('explain', rows, { goal: 'ratio <= 1.2', method: 'integratedGradients, gaussLegendre, zero baseline' });

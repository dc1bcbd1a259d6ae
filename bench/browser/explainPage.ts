/**
 * The page side of `npm run bench -- explain-browser`: integrated gradients (50 Gauss-Legendre
 * steps, 32 digits) against its floor, one batched input gradient over the 1,600 path points, on a
 * browser backend, in interleaved rounds as bench/explain.bench.ts does in Node. Bundled by the
 * Node side with esbuild; results are left on `window.benchResult`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import digits from '../../test/fixtures/robustness/digits_test.json';
import { integratedGradients } from '../../src/explain/index.js';
import { referenceInputShape, referenceModel, type ReferenceModelName } from '../../test/robustness/referenceModels.js';

const BATCH = 32;
const STEPS = 50;
const ROUNDS = 5;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function time(run: () => Promise<void>, runs: number): Promise<number> {
  await run(); // warm-up: shader compilation, texture allocation
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    t.push(performance.now() - start);
  }
  return median(t);
}

interface Row { backend: string; model: string; igMs: number; floorMs: number; ratio: number }

async function benchBackend(backend: string): Promise<Row[]> {
  if (!(await tf.setBackend(backend))) return [];
  await tf.ready();
  const rows: Row[] = [];
  for (const name of ['cnn', 'mlp'] as ReferenceModelName[]) {
    const model = referenceModel(name);
    const x = tf.tensor(digits.x.slice(0, BATCH * 64), [BATCH, ...referenceInputShape(name)]);
    const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1));
    const target = Array.from(await predicted.data());
    const points = tf.tidy(() => {
      const alphas = tf.reshape(tf.linspace(0.01, 0.99, STEPS), [STEPS, 1, ...referenceInputShape(name).map(() => 1)]);
      return tf.reshape(tf.mul(alphas, tf.expandDims(x, 0)), [STEPS * BATCH, ...referenceInputShape(name)]);
    });
    const mask = tf.tidy(() => tf.oneHot(tf.tile(predicted, [STEPS]) as tf.Tensor1D, 10));
    const inputGradient = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(model.apply(xi) as tf.Tensor, mask)));
    const floor = async (): Promise<void> => {
      const g = tf.tidy(() => inputGradient(points));
      await g.data();
      g.dispose();
    };
    const ig = async (): Promise<void> => {
      const { attributions } = await integratedGradients(model, x, { target, steps: STEPS });
      await attributions.data();
      attributions.dispose();
    };
    const ratios: number[] = [];
    const floors: number[] = [];
    const igs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const f = await time(floor, 5);
      const i = await time(ig, 5);
      floors.push(f);
      igs.push(i);
      ratios.push(i / f);
    }
    rows.push({ backend, model: name, igMs: median(igs), floorMs: median(floors), ratio: median(ratios) });
    tf.dispose([x, predicted, points, mask]);
    model.dispose();
  }
  return rows;
}

const backends = new URLSearchParams(location.search).get('backends')?.split(',') ?? ['webgl', 'webgpu'];
const results: Row[] = [];
let error: string | undefined;
try {
  tf.env().set('PROD', true);
  for (const b of backends) results.push(...(await benchBackend(b)));
} catch (e) {
  error = String((e as Error)?.stack ?? e);
}
(window as unknown as { benchResult: unknown }).benchResult = { results, error, userAgent: navigator.userAgent };

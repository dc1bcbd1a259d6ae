/**
 * The page side of `npm run bench -- dpsgd-threads`: DP-SGD steps on tfjs's wasm backend with
 * `setThreadsCount(n)` (n from `?threads=n`), set before the backend starts. Bundled by
 * bench/browser/dpsgd-threads.bench.ts with esbuild and served cross-origin isolated; results are left
 * on `window.benchResult`. Models and options as the digits rows of bench/dpsgd.bench.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { seededRng } from '../../src/core/rng.js';
import { dpSgdStep } from '../../src/privacy/index.js';
import { digitsCnn, digitsMlp } from '../dpsgdModels.js';

const WARMUP = 3;
const RUNS = Number(new URLSearchParams(location.search).get("runs") ?? "21");

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function time(run: () => Promise<void> | void): Promise<{ medianMs: number; minMs: number; runs: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    t.push(performance.now() - start);
  }
  return { medianMs: median(t), minMs: Math.min(...t), runs: t.length };
}


interface Row { case: string; medianMs: number; minMs: number; runs: number }

async function main(): Promise<unknown> {
  const threads = Number(new URLSearchParams(location.search).get('threads') ?? '1');
  tf.env().set('PROD', true);
  setWasmPaths('/wasm/');
  setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) failed');
  await tf.ready();
  const rows: Row[] = [];
  const cases = [
    { name: 'digits CNN 2 conv 3x3 + dense, batch 64', build: digitsCnn, shape: [8, 8, 1], batch: 64, nonPrivate: false },
    { name: 'digits MLP 64-64-10, batch 256', build: digitsMlp, shape: [64], batch: 256, nonPrivate: true },
  ];
  for (const c of cases) {
    const model = c.build();
    const x = tf.randomUniform([c.batch, ...c.shape], 0, 1, 'float32', 1);
    const labels = Array.from({ length: c.batch }, (_, i) => i % 10);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const optimizer = tf.train.sgd(0.01);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    if (c.nonPrivate) {
      const t = await time(async () => {
        const loss = optimizer.minimize(() => tf.tidy(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar), true, vars);
        await loss!.data();
        loss!.dispose();
      });
      rows.push({ case: `${c.name}, non-private (tfjs minimize)`, ...t });
    }
    const rng = seededRng(1);
    const t = await time(async () => {
      await dpSgdStep(model, x, labels, { optimizer, maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: c.batch, rng });
    });
    rows.push({ case: `${c.name}, dpSgdStep`, ...t });
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
  return {
    threadsRequested: threads, threadsCount: getThreadsCount(), crossOriginIsolated: self.crossOriginIsolated,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined', hardwareConcurrency: navigator.hardwareConcurrency,
    backend: tf.getBackend(), simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    multithreadSupport: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), userAgent: navigator.userAgent, rows,
  };
}

const w = window as unknown as { benchResult?: unknown };
main().then((r) => { w.benchResult = r; }, (e: unknown) => { w.benchResult = { error: String((e as Error)?.stack ?? e) }; });

/**
 * The sustainability module on webgl and webgpu (SwiftShader in headless Chromium): operation
 * counts and measured latency on the GPU backends, and the distillation loss against float64.
 *
 * - countOperations of the digits MLP (64 → Dense 64 relu → Dense 10) and a small CNN (8×8×1 →
 *   Conv2D 8 3×3 'same' relu → MaxPool 2 → Flatten → Dense 10) whose weights were computed on the
 *   GPU: totals against the counts derived by hand below, and sparseMacs of Dense kernels whose
 *   zeros are set by hand (a mask multiplied in on the GPU), which countOperations reads back from
 *   the device. A synchronous read of a GPU-computed tensor fails on webgpu (zeros, or a lost device),
 *   so these tests would catch a `dataSync` on the sparse path.
 * - measureInference of the MLP on a [32, 64] batch: ordered percentiles, run count, throughput
 *   `32 / median seconds`, the backend's name, no leaks, and kernel times: SwiftShader gives them on
 *   both backends (webgl's disjoint timer query extension version 2, webgpu's 'timestamp-query'), so
 *   `kernels` is asserted present with the two fused matmuls of the two Dense layers.
 * - distillationLoss (T = 4, alpha 0.9 and 0.3) against Hinton et al. 2015's formula evaluated here
 *   in float64, within `backendTolerance` relative to max(1, |value|); one short distill run (twice 4 steps)
 *   that lowers the loss and leaks nothing. Class indices in a GPU tensor are tested on webgl only:
 *   validating them reads them synchronously (`toOneHot`, src/core/labels.ts), which loses the webgpu
 *   device (documented; distill reads them asynchronously); one-hot rows in a GPU tensor are not read and run on both.
 *
 * Measured run time (tests only, shared 2-core machine): 18-23 s for both backends, most of it
 * first-use shader compilation of the distillation forward and backward passes (about 3 s and 5 s
 * per backend). Measured agreement of distillationLoss with float64: at most 2.2e-7 relative (webgl) and
 * 1.1e-7 (webgpu), far inside `backendTolerance` (1e-3 webgl, 1e-5 webgpu).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { seededRng, type Rng } from '../../src/core/rng.js';
import { countOperations, distill, distillationLoss, measureInference } from '../../src/sustainability/index.js';
import { backendTolerance, describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** The digits MLP: 64 pixels → Dense 64 relu → Dense 10 (logits). */
function digitsMlp(): tfl.Sequential {
  return tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [64], units: 64, activation: 'relu', name: 'hidden' }),
    tfl.layers.dense({ units: 10, name: 'logits' }),
  ] });
}

/** A small digits CNN: 8×8×1 → Conv2D 8 3×3 'same' relu → MaxPool 2×2 → Flatten → Dense 10. */
function digitsCnn(): tfl.Sequential {
  return tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
    tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
    tfl.layers.flatten({ name: 'flat' }),
    tfl.layers.dense({ units: 10, name: 'logits' }),
  ] });
}

/** Deterministic non-zero values ±0.01..±0.07 (exact zeros come only from the masks). */
const pattern = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * 0.01 * (1 + (i % 7)));

/** Hand-set zeros: every entry whose flat index is a multiple of 5. */
const everyFifthZero = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1));

/**
 * Gives every weight of `model` the values `pattern` (times `mask` when given), computed on the
 * current backend: the product is a GPU kernel's output, so its values live only on the device.
 */
function setGpuWeights(model: tfl.LayersModel, mask?: (n: number) => number[]): void {
  const weights = model.getWeights().map((w) => tf.tidy(() => {
    const values = tf.tensor(pattern(w.size), w.shape);
    return tf.mul(values, tf.tensor(mask === undefined ? Array<number>(w.size).fill(1) : mask(w.size), w.shape));
  }));
  model.setWeights(weights);
  tf.dispose(weights);
}

/** Float64 log-softmax of one row. */
function logSoftmax64(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
}

/**
 * Hinton, Vinyals and Dean 2015 (arXiv:1503.02531, section 2), batch mean in float64 of
 * alpha T² KL(softmax(t/T) ‖ softmax(s/T)) + (1 − alpha) CE(y, softmax(s)).
 */
function distillationLoss64(s: readonly number[][], t: readonly number[][], y: readonly number[], temperature: number, alpha: number): number {
  const per = s.map((si, n) => {
    const ls = logSoftmax64(si.map((v) => v / temperature));
    const lt = logSoftmax64(t[n]!.map((v) => v / temperature));
    const kl = lt.reduce((acc, l, k) => acc + Math.exp(l) * (l - ls[k]!), 0);
    const ce = -logSoftmax64(si)[y[n]!]!;
    return alpha * temperature * temperature * kl + (1 - alpha) * ce;
  });
  return per.reduce((a, b) => a + b, 0) / per.length;
}

/** Box-Muller normal from a seeded Rng. */
const normal = (rng: Rng): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

const rows = (rng: Rng, n: number, d: number, scale: number): number[][] => Array.from({ length: n }, () => Array.from({ length: d }, () => scale * normal(rng)));

async function scalarValue(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
}

describeBackends('sustainability in the browser', (backend) => {
  const tol = backendTolerance(backend);

  it('countOperations: the digits MLP and a small CNN with GPU weights match the hand counts', async () => {
    expect(tf.getBackend()).toBe(backend);
    const mlp = digitsMlp();
    setGpuWeights(mlp);
    // hidden: 64 inputs × 64 units = 4096 MACs; logits: 64 × 10 = 640 MACs; 4096 + 640 = 4736 per example.
    // Parameters: (64·64 + 64) + (64·10 + 10) = 4160 + 650 = 4810. FLOPs: 2·4736 + 64 bias + 64 relu + 10 bias = 9610.
    const mlpMacs = 64 * 64 + 64 * 10;
    const mlpParams = 64 * 64 + 64 + 64 * 10 + 10;
    expect([mlpMacs, mlpParams]).toEqual([4736, 4810]);
    const m1 = await countOperations(mlp);
    // Every weight entry is non-zero, so the sparse count (read back from the GPU) equals the dense one.
    expect(m1.total).toMatchObject({ macs: mlpMacs, sparseMacs: mlpMacs, parameters: mlpParams, trainableParameters: mlpParams, flops: 2 * mlpMacs + 64 + 64 + 10 });
    const m32 = await countOperations(mlp, { batchSize: 32 });
    expect(m32.total).toMatchObject({ macs: 32 * mlpMacs, sparseMacs: 32 * mlpMacs, parameters: mlpParams });

    const cnn = digitsCnn();
    setGpuWeights(cnn);
    // conv: 'same' keeps 8×8 = 64 positions, each 3·3·1 inputs × 8 filters = 72 MACs: 4608.
    // pool, flatten: 0 MACs. logits: 4·4·8 = 128 inputs × 10 = 1280 MACs. 4608 + 1280 = 5888.
    // Parameters: (3·3·1·8 + 8) + (128·10 + 10) = 80 + 1290 = 1370.
    // FLOPs: conv 2·4608 + 512 bias + 512 relu; pool 128 outputs × 3 comparisons; logits 2·1280 + 10.
    const cnnMacs = 8 * 8 * (3 * 3 * 1 * 8) + 4 * 4 * 8 * 10;
    const cnnParams = 3 * 3 * 1 * 8 + 8 + 4 * 4 * 8 * 10 + 10;
    expect([cnnMacs, cnnParams]).toEqual([5888, 1370]);
    const c1 = await countOperations(cnn);
    expect(c1.layers.map((l) => [l.name, l.outputShape, l.macs, l.parameters])).toEqual([
      ['conv', [8, 8, 8], 4608, 80], ['pool', [4, 4, 8], 0, 0], ['flat', [128], 0, 0], ['logits', [10], 1280, 1290],
    ]);
    expect(c1.total).toMatchObject({ macs: cnnMacs, sparseMacs: cnnMacs, parameters: cnnParams, flops: 2 * 4608 + 512 + 512 + 128 * 3 + 2 * 1280 + 10 });
    await expectNoLeaks(() => countOperations(cnn, { batchSize: 4 }));
    mlp.dispose();
    cnn.dispose();
  });

  it('countOperations: sparseMacs counts the hand-set zeros of Dense kernels read back from the GPU', async () => {
    const mlp = digitsMlp();
    setGpuWeights(mlp, everyFifthZero);
    // Zeros at flat indices 0, 5, 10, ...: ceil(n / 5) of n entries. hidden kernel 4096 entries → 820 zeros,
    // 3276 non-zero; logits kernel 640 → 128 zeros, 512 non-zero. Dense on rank-2 input: 1 position per example.
    const nonZero = (n: number): number => n - Math.ceil(n / 5);
    const [hiddenKernel, , logitsKernel] = mlp.getWeights();
    const read = await hiddenKernel!.data();
    expect(Array.from(read).filter((v) => v !== 0)).toHaveLength(nonZero(4096)); // the zeros survived the GPU
    expect(Array.from(await logitsKernel!.data()).filter((v) => v !== 0)).toHaveLength(nonZero(640));
    const counts = await countOperations(mlp, { batchSize: 32 });
    expect(counts.layers.map((l) => [l.name, l.macs, l.sparseMacs])).toEqual([
      ['hidden', 32 * 4096, 32 * nonZero(4096)],
      ['logits', 32 * 640, 32 * nonZero(640)],
    ]);
    expect(counts.total.sparseMacs).toBe(32 * (3276 + 512));
    // Dense on a sequence [5, 4]: the kernel [4, 3] applies at 5 positions; 5 of its 12 entries set to 0 by hand.
    const seq = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5, 4], units: 3, name: 'seq' })] });
    const kernelMask = [1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0];
    setGpuWeights(seq, (n) => (n === 12 ? kernelMask : Array<number>(n).fill(1)));
    const s = await countOperations(seq);
    expect(s.total).toMatchObject({ macs: 5 * 12, sparseMacs: 5 * 7 });
    expect(await countOperations(seq, { sparse: false })).toMatchObject({ total: { macs: 60, sparseMacs: null } });
    mlp.dispose();
    seq.dispose();
  });

  it('measureInference: the MLP on a [32, 64] batch; percentiles, throughput, backend, kernel times, no leaks', async () => {
    const mlp = digitsMlp();
    setGpuWeights(mlp);
    const rng = seededRng(`sustainability-browser-${backend}`);
    const x = tf.tensor2d(rows(rng, 32, 64, 1));
    const runs = 8;
    const m = await measureInference(mlp, x, { warmup: 2, runs });
    const l = m.latencyMs;
    expect(l.runs).toHaveLength(runs);
    expect(l.p99).toBeUndefined(); // only from 100 runs
    expect(l.min).toBeGreaterThan(0);
    expect(l.min).toBeLessThanOrEqual(l.p10);
    expect(l.p10).toBeLessThanOrEqual(l.median);
    expect(l.median).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.max);
    expect(l.mean).toBeGreaterThanOrEqual(l.min);
    expect(l.mean).toBeLessThanOrEqual(l.max);
    expect(m.batchSize).toBe(32);
    expect(Math.abs(m.throughputPerSecond - 32 / (l.median / 1000))).toBeLessThanOrEqual(1e-9 * m.throughputPerSecond);
    expect(m.backend).toBe(backend);
    expect(m.newTensors).toBe(0);
    expect(m.peakBytesAdded).toBeGreaterThan(0);
    // Both backends report kernel times under SwiftShader (observed): webgl through its disjoint timer
    // query extension, webgpu through the 'timestamp-query' feature. The MLP runs one fused matmul per Dense layer.
    expect(m.kernelTimesUnavailable).toBeUndefined();
    const matMul = m.kernels?.find((k) => k.name === '_FusedMatMul');
    expect(matMul?.count).toBe(2);
    expect(matMul?.totalMs).toBeGreaterThan(0);
    for (const k of m.kernels ?? []) expect(Number.isFinite(k.totalMs) && k.totalMs >= 0, k.name).toBe(true);
    await expectNoLeaks(() => measureInference(mlp, x, { warmup: 1, runs: 3 }));
    expect(x.isDisposed).toBe(false);
    x.dispose();
    mlp.dispose();
  });

  it('distillationLoss matches the float64 formula at T = 4, alpha 0.9 and 0.3', async () => {
    const rng = seededRng('sustainability-browser-distillation');
    const s = rows(rng, 6, 5, 2);
    const t = rows(rng, 6, 5, 3);
    const y = [0, 4, 2, 1, 3, 2];
    // Logits and one-hot labels computed on the GPU (values live only on the device).
    const sGpu = tf.tidy(() => tf.add(tf.tensor2d(s), tf.zeros([6, 5])));
    const tGpu = tf.tidy(() => tf.add(tf.tensor2d(t), tf.zeros([6, 5])));
    const oneHotGpu = tf.tidy(() => tf.add(tf.oneHot(tf.tensor1d(y, 'int32'), 5), tf.zeros([6, 5])));
    // Class indices as a GPU tensor: webgl only. distillationLoss (synchronous) validates them with a
    // synchronous read, which loses the webgpu device; its documentation says to pass arrays or one-hot
    // rows there, and distill (asynchronous) reads them asynchronously (tested below).
    const indicesGpu = backend === 'webgpu' ? undefined : tf.tidy(() => tf.cast(tf.add(tf.tensor1d(y), tf.zeros([6])), 'int32'));
    const labelSets: [string, number[] | tf.Tensor][] = [['indices', y], ['one-hot GPU tensor', oneHotGpu]];
    if (indicesGpu !== undefined) labelSets.push(['indices GPU tensor', indicesGpu]);
    for (const alpha of [0.9, 0.3]) {
      const expected = distillationLoss64(s, t, y, 4, alpha);
      for (const [what, labels] of labelSets) {
        const got = await scalarValue(distillationLoss(sGpu, tGpu, labels, { temperature: 4, alpha }));
        expect(Math.abs(got - expected), `alpha ${alpha}, ${what}: ${got} vs ${expected}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
      }
    }
    await expectNoLeaks(() => distillationLoss(sGpu, tGpu, oneHotGpu, { temperature: 4, alpha: 0.3 }));
    await expectNoLeaks(() => distillationLoss(sGpu, tGpu, y, { temperature: 4, alpha: 0.9 }));
    tf.dispose([sGpu, tGpu, oneHotGpu, ...(indicesGpu ? [indicesGpu] : [])]);
  });

  it('distill reads class indices in a GPU tensor asynchronously (no synchronous read on webgpu)', async () => {
    const rng = seededRng('sustainability-browser-distill-gpu-labels');
    const x = tf.tensor2d(rows(rng, 32, 8, 1));
    const yGpu = tf.tidy(() => tf.cast(tf.add(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 4)), tf.zeros([32])), 'int32'));
    const net = (hidden: number, seed: number): tfl.Sequential => tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [8], units: hidden, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ] });
    const teacher = net(16, 5);
    const student = net(4, 7);
    const optimizer = tf.train.sgd(0.1);
    const result = await distill(teacher, student, x, { y: yGpu, temperature: 4, alpha: 0.5, epochs: 1, batchSize: 16, optimizer, rng });
    expect(result.steps).toBe(2);
    expect(Number.isFinite(result.history.loss[0])).toBe(true);
    tf.dispose([x, yGpu]);
    teacher.dispose();
    student.dispose();
    optimizer.dispose();
  });

  it('distill: a short run lowers the distillation loss and leaks nothing', async () => {
    const rng = seededRng('sustainability-browser-distill');
    const x = tf.tensor2d(rows(rng, 64, 8, 1));
    const y = Array.from({ length: 64 }, (_, i) => i % 4);
    const net = (hidden: number, seed: number): tfl.Sequential => tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [8], units: hidden, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ] });
    const teacher = net(32, 1);
    const student = net(8, 3);
    const loss = async (): Promise<number> => scalarValue(tf.tidy(() =>
      distillationLoss(student.predict(x) as tf.Tensor, teacher.predict(x) as tf.Tensor, y, { temperature: 4, alpha: 0.9 })));
    const before = await loss();
    const optimizer = tf.train.sgd(0.1);
    const options = { y, temperature: 4, alpha: 0.9, epochs: 1, batchSize: 16, optimizer, rng };
    // expectNoLeaks runs distill twice (8 steps in all): the second run must leave the tensor count unchanged.
    const result = await expectNoLeaks(() => distill(teacher, student, x, options));
    expect(result.steps).toBe(4); // 64 examples in batches of 16
    expect(result.history.loss).toHaveLength(1);
    const after = await loss();
    expect(after).toBeLessThan(before);
    x.dispose();
    teacher.dispose();
    student.dispose();
    optimizer.dispose();
  });
});

/**
 * npm run bench -- sustainability [--backend cpu,wasm] (wasm by default): what the sustainability
 * module measures, and what measuring costs, side by side in one run per backend.
 *
 * 1. Inference time per example of the sustainability-digits variants (examples/sustainability-digits):
 *    the 64-256-256-10 teacher, the teacher pruned to 80 % (pruneByMagnitude, per layer), the teacher
 *    with int8 weights (quantizeModel with applyToModel: the float32 weights hold values on the int8
 *    grid) and a 64-16-10 student, at batch 450 (the digits test split in one call) and at batch 1
 *    (one request at a time), next to countOperations' dense and sparse MACs. Training is not
 *    needed for timing: the weights are seeded Glorot-uniform, pruned and quantized as the example
 *    does, so they have the example's sparsity and int8 values. The claim the table shows: tfjs
 *    runs dense float32 kernels, so zeros and int8-representable values do not make it faster
 *    (time ratio ~1 where the sparse MACs ratio is 0.2); a smaller architecture does (its time
 *    ratio follows its dense MACs ratio at batch 450; at batch 1 the per-call overhead dominates).
 * 2. measureInference's own overhead: its reported median and its wall time against a bare loop of
 *    `model.predict(x, { batchSize: n })` + `await out.data()` with the same number of runs. Two
 *    differences are separated out: measureInference calls `tidy(() => model.apply(x, { training:
 *    false }))`, not predict (whose batch loop adds a slice of the input and a concat of the
 *    output, even for one batch), and it yields to the event loop between calls (setImmediate in
 *    Node); each bare loop is run with and without that yield. At batch 450 `predict(x)` with
 *    tfjs's default batchSize 32 (15 calls and a concat: not the same work) is shown as well.
 * 3. countOperations on MobileNetV1 0.25 at 128x128 (built as test/sustainability/operationsMobileNet.test.ts
 *    builds it): sparse false (the shape walk only) against sparse true (which also reads every
 *    kernel off the backend with `await data()` to count its non-zeros), the kernel reads alone, and
 *    the counting loop alone.
 *
 * Every section runs its cases interleaved (one warm-up round, then each case once per round)
 * because the machine is shared and its load drifts; each row gives the ratio of medians and the
 * median of the per-round ratios to the baseline case (paired), which cancels most of the drift.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { pruneByMagnitude, quantizeModel } from '../src/compression/index.js';
import { countOperations, measureInference } from '../src/sustainability/index.js';
import { loadDigits } from '../examples/shared/data.js';
import { mobileNetV1 } from '../test/helpers/mobileNet.js';
import { benchBackends, printTable, useBenchBackend, writeResults, type BenchBackend, type BenchRow } from './harness.js';

const INFERENCE_ROUNDS = 7;
const RUNS_BATCHED = 20; // measureInference runs per round at batch 450
const RUNS_SINGLE = 200; // and at batch 1
const OVERHEAD_ROUNDS = 7;
const OVERHEAD_RUNS_BATCHED = 30;
const OVERHEAD_RUNS_SINGLE = 300;
const COUNT_ROUNDS = 9;
const COUNT_CALLS = 20; // calls per case per round (one call takes a fraction of a millisecond to 2 ms)

// This suite defaults to wasm (the backend the example reports); --backend or RTF_BACKENDS overrides.
const backends: BenchBackend[] = process.argv.includes('--backend') || process.env.RTF_BACKENDS !== undefined ? benchBackends() : ['wasm'];

let seed = 0;
/** The example's MLP: hidden ReLU layers, a linear 10-way output, seeded Glorot-uniform kernels. */
function mlp(hidden: readonly number[]): tfl.LayersModel {
  const layers = hidden.map((units, i) =>
    tfl.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [64] } : {}), kernelInitializer: tfl.initializers.glorotUniform({ seed: ++seed }) }));
  return tfl.sequential({ layers: [...layers, tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: ++seed }) })] });
}


const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ratio = (a: number, b: number, digits = 2): number => Number((a / b).toFixed(digits));

/**
 * Runs the cases in turn, once each per round, after one unmeasured warm-up round; each case
 * returns the value it measured (so a case may time itself, or report a median of its own). Returns
 * every case's values, one per round.
 */
async function interleaved(cases: readonly (() => Promise<number>)[], rounds: number): Promise<number[][]> {
  for (const run of cases) await run();
  const values = cases.map((): number[] => []);
  for (let r = 0; r < rounds; r++) for (const [i, run] of cases.entries()) values[i]!.push(await run());
  return values;
}
/** Median over rounds, and the median of the per-round ratios to `base` (paired). */
function summary(values: readonly number[], base: readonly number[]): { median: number; min: number; ratio: number; paired: number } {
  return { median: median(values), min: Math.min(...values), ratio: ratio(median(values), median(base)), paired: ratio(median(values.map((v, r) => v / base[r]!)), 1) };
}
/** Milliseconds with enough digits for sub-millisecond times (printTable would round them to 3 significant). */
const ms = (v: number): number => Number(v.toPrecision(3));

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `runs` calls of `call` + `await data()`: the per-call median and the wall time of the loop. */
async function bareLoop(call: () => tf.Tensor, runs: number, yieldBetween: boolean): Promise<{ medianMs: number; wallMs: number }> {
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    if (yieldBetween) await yieldToLoop();
    const t0 = performance.now();
    const out = call();
    await out.data();
    out.dispose();
    times.push(performance.now() - t0);
  }
  return { medianMs: median(times), wallMs: performance.now() - start };
}

const { test } = loadDigits();
const BATCH = test.n; // 450
const inferenceRows: BenchRow[] = [];
const overheadRows: BenchRow[] = [];
const countRows: BenchRow[] = [];
const notes: string[] = [];

for (const backend of backends) {
  await useBenchBackend(backend);
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    notes.push(`wasm: SIMD ${String(simd)}, multithread ${String(threads)} (tfjs-backend-wasm in Node runs its kernels on one thread unless threads are supported)`);
  }
  const xBatch = tf.tensor2d(test.x, [BATCH, 64]);
  const xOne = tf.slice(xBatch, [0, 0], [1, 64]);

  // The variants, made as the example makes them (without training).
  seed = 0;
  const teacher = mlp([256, 256]);
  const teacherWeights = teacher.getWeights().map((w) => tf.clone(w));
  const pruned = mlp([256, 256]);
  pruned.setWeights(teacherWeights);
  await pruneByMagnitude(pruned, { sparsity: 0.8, scope: 'layer' });
  const int8 = mlp([256, 256]);
  int8.setWeights(teacherWeights);
  await quantizeModel(int8, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true });
  const student = mlp([16]);
  tf.dispose(teacherWeights);
  const variants = [
    { name: 'teacher 64-256-256-10', model: teacher },
    { name: 'teacher pruned 80 %', model: pruned },
    { name: 'teacher int8 (float32 kernels)', model: int8 },
    { name: 'student 64-16-10', model: student },
  ];

  // 1. Per-example inference time against MACs.
  {
    const counts = await Promise.all(variants.map((v) => countOperations(v.model)));
    const cases = [
      ...variants.map((v) => async () => (await measureInference(v.model, xBatch, { warmup: 1, runs: RUNS_BATCHED, profile: false })).latencyMs.median),
      ...variants.map((v) => async () => (await measureInference(v.model, xOne, { warmup: 5, runs: RUNS_SINGLE, profile: false })).latencyMs.median),
    ];
    const values = await interleaved(cases, INFERENCE_ROUNDS);
    const macs0 = counts[0]!.total.macs;
    const sparse0 = counts[0]!.total.sparseMacs!;
    for (const [b, batch] of [BATCH, 1].entries()) {
      const base = values[b * variants.length]!;
      for (const [i, v] of variants.entries()) {
        const s = summary(values[b * variants.length + i]!, base);
        const c = counts[i]!.total;
        inferenceRows.push({
          case: v.name, backend, batch,
          macs: c.macs, sparseMacs: c.sparseMacs!, 'macs ratio': ratio(c.macs, macs0, 3), 'sparse ratio': ratio(c.sparseMacs!, sparse0, 3),
          msPerCall: ms(s.median), usPerExample: ms((s.median * 1000) / batch), minMsPerCall: ms(s.min),
          'time ratio (medians)': s.ratio, 'time ratio (paired)': s.paired,
        });
      }
    }
  }

  // 2. measureInference against a bare loop with the same number of runs.
  for (const [model, name, x, runs] of [
    [teacher, 'teacher', xBatch, OVERHEAD_RUNS_BATCHED],
    [teacher, 'teacher', xOne, OVERHEAD_RUNS_SINGLE],
    [student, 'student', xOne, OVERHEAD_RUNS_SINGLE],
  ] as const) {
    const n = x.shape[0];
    const predict = (batchSize?: number) => (): tf.Tensor => model.predict(x, batchSize === undefined ? {} : { batchSize }) as tf.Tensor;
    // What measureInference calls: apply with training false, inside tidy (no slice and concat of predict's batch loop).
    const apply = (): tf.Tensor => tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
    const measured = async (): Promise<{ medianMs: number; wallMs: number }> => {
      const t0 = performance.now();
      const medianMs = (await measureInference(model, x, { warmup: 0, runs, profile: false })).latencyMs.median;
      return { medianMs, wallMs: performance.now() - t0 };
    };
    const cases: { label: string; run: () => Promise<{ medianMs: number; wallMs: number }>; note?: string }[] = [
      { label: `bare predict(x, { batchSize: ${n} }) + await data()`, run: () => bareLoop(predict(n), runs, false) },
      { label: 'the same + setImmediate yield between calls', run: () => bareLoop(predict(n), runs, true) },
      { label: 'bare tidy(apply(x)) + await data()', run: () => bareLoop(apply, runs, false) },
      { label: 'the same + setImmediate yield between calls', run: () => bareLoop(apply, runs, true) },
      { label: 'measureInference (warmup 0, profile false)', run: measured, note: `${runs + 1} calls (one untimed after the runs); yields between calls` },
      ...(n > 32 ? [{ label: 'bare predict(x) (default batchSize 32: 15 calls + concat)', run: () => bareLoop(predict(), runs, false) }] : []),
    ];
    // Each case returns its wall time; the per-call medians are collected beside it.
    const perCall = cases.map((): number[] => []);
    const walls = await interleaved(cases.map((c, i) => async () => {
      const r = await c.run();
      perCall[i]!.push(r.medianMs);
      return r.wallMs;
    }), OVERHEAD_ROUNDS);
    // Drop the warm-up round's per-call medians so they pair with the walls.
    const calls = perCall.map((p) => p.slice(1));
    for (const [i, c] of cases.entries()) {
      const w = summary(walls[i]!, walls[0]!);
      const p = summary(calls[i]!, calls[0]!);
      overheadRows.push({
        case: `${name}, batch ${n}: ${c.label}`, backend, runs,
        msPerCall: ms(p.median), 'per-call ratio (paired)': p.paired, wallMs: ms(w.median), 'wall ratio (medians)': w.ratio, 'wall ratio (paired)': w.paired,
        note: c.note ?? '',
      });
    }
  }

  // 3. countOperations on MobileNetV1 0.25 at 128x128, sparse false against true.
  {
    const mobileNet = mobileNetV1(128);
    const kernels = mobileNet.weights.filter((w) => /kernel/.test(w.originalName));
    let macs = 0;
    let sparseMacs = 0;
    let nonZeros = 0;
    // countOperations's counting loop (src/sustainability/operations/countOperations.ts, nonZero) on values read beforehand.
    const countNonZeros = (v: ArrayLike<number>): number => {
      let count = 0;
      for (let i = 0; i < v.length; i++) if (v[i] !== 0) count++;
      return count;
    };
    const values: tf.TypedArray[] = [];
    for (const k of kernels) values.push((await k.read().data()) as tf.TypedArray);
    const block = (fn: () => Promise<void>) => async (): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < COUNT_CALLS; i++) await fn();
      return (performance.now() - t0) / COUNT_CALLS;
    };
    const cases = [
      block(async () => void (macs = (await countOperations(mobileNet, { sparse: false })).total.macs)),
      block(async () => void (sparseMacs = (await countOperations(mobileNet, { sparse: true })).total.sparseMacs!)),
      block(async () => { for (const k of kernels) await k.read().data(); }),
      block(async () => { for (const v of values) nonZeros = countNonZeros(v); }),
    ];
    const times = await interleaved(cases, COUNT_ROUNDS);
    const entries = kernels.reduce((s, k) => s + k.shape.reduce((a: number, b) => a * (b as number), 1), 0);
    const labels = [
      `countOperations sparse: false (${macs} MACs)`,
      `countOperations sparse: true (${sparseMacs} sparse MACs)`,
      `await data() of the ${kernels.length} kernels alone (${entries} entries)`,
      'the non-zero counting loop alone over those values',
    ];
    for (const [i, label] of labels.entries()) {
      const s = summary(times[i]!, times[0]!);
      countRows.push({ case: label, backend, msPerCall: ms(s.median), minMs: ms(s.min), 'ratio (medians)': s.ratio, 'ratio (paired)': s.paired });
    }
    mobileNet.dispose();
  }

  variants.forEach((v) => v.model.dispose());
  tf.dispose([xBatch, xOne]);
  const left = tf.memory().numTensors;
  if (left > 0) notes.push(`${backend}: ${left} tensors still allocated at the end`);
}

printTable(`1. Inference per example against MACs (digits MLP variants, random weights pruned/quantized as the example does; ${INFERENCE_ROUNDS} interleaved rounds of measureInference, median of the round medians; ratios to the teacher at the same batch)`, inferenceRows);
printTable(`2. measureInference against a bare predict loop (${OVERHEAD_ROUNDS} interleaved rounds; ratios to the bare loop)`, overheadRows);
printTable(`3. countOperations on MobileNetV1 0.25 at 128x128 (ms per call, ${COUNT_ROUNDS} interleaved rounds of ${COUNT_CALLS} calls; ratios to sparse: false)`, countRows);
for (const note of notes) console.log(`\nnote: ${note}`);
writeResults('sustainability', [...inferenceRows, ...overheadRows, ...countRows], { notes, backends });

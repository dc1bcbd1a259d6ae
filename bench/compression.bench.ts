/**
 * npm run bench -- compression [--backend cpu,wasm]: global magnitude pruning (80 %) and int8
 * quantization of a 10-million-parameter Dense model, and the inference time of the pruned and
 * quantized (dequantized) model against the original, side by side in one run per backend.
 * tfjs runs dense kernels: zeros and int8-representable values do not make inference faster; the
 * gain is in storage (see the sizes) and in MACs a sparse or integer engine could skip.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { compressionReport, encodeQuantizedWeights, pruneByMagnitude, quantizeModel } from '../src/compression/index.js';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchRow } from './harness.js';

const UNITS = [1024, 2304, 2304, 1024, 10];
const BATCH = 32;
const timing = { warmup: 1, minRuns: 3, maxRuns: 5, minTimeMs: 0 };

function buildModel(): tfl.Sequential {
  const model = tfl.sequential();
  for (let i = 1; i < UNITS.length; i++) {
    model.add(tfl.layers.dense({
      units: UNITS[i]!, activation: i < UNITS.length - 1 ? 'relu' : 'linear', name: `fc${i}`,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: i }), ...(i === 1 ? { inputShape: [UNITS[0]!] } : {}),
    }));
  }
  return model;
}

const rows: BenchRow[] = [];
const extra: Record<string, unknown> = {};
for (const backend of benchBackends()) {
  await useBenchBackend(backend);
  const model = buildModel();
  const params = model.countParams();
  const x = tf.randomUniform([BATCH, UNITS[0]!], 0, 1, 'float32', 7);
  const original = model.getWeights().map((w) => tf.clone(w));
  const infer = async (): Promise<void> => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  };
  const kernels = () => model.layers.map((l) => l.getWeights()[0]!);

  const tPrune = await measure(async () => {
    const { weights } = await pruneByMagnitude(kernels(), { sparsity: 0.8, scope: 'global' });
    tf.dispose(weights as tf.Tensor[]);
  }, timing);
  const tQuant = await measure(() => quantizeModel(model, { dtype: 'int8', scheme: 'symmetric', axis: -1 }), timing);

  const pruneResult = await pruneByMagnitude(model, { sparsity: 0.8, scope: 'global' });
  const report = await compressionReport(model);
  const pruned = model.getWeights().map((w) => tf.clone(w));
  const prunedInt8 = await quantizeModel(model, { dtype: 'int8', scheme: 'symmetric', axis: -1 });
  const prunedInt8SparseBytes = encodeQuantizedWeights(prunedInt8.weights, { sparse: true }).byteLength;
  model.setWeights(original);
  const q = await quantizeModel(model, { dtype: 'int8', scheme: 'symmetric', axis: -1, applyToModel: true });
  const quantized = model.getWeights().map((w) => tf.clone(w));
  const encodedBytes = encodeQuantizedWeights(q.weights).byteLength;

  // Inference of the three weight sets, interleaved round by round so drift hits all alike.
  const variants = [original, pruned, quantized];
  const times: number[][] = [[], [], []];
  const rounds = backend === 'cpu' ? 5 : 15;
  for (let r = -1; r < rounds; r++) {
    for (let v = 0; v < variants.length; v++) {
      model.setWeights(variants[v]!);
      const t = await measure(infer, { warmup: 0, minRuns: 1, maxRuns: 1, minTimeMs: 0 });
      if (r >= 0) times[v]!.push(t.medianMs); // round -1 warms up
    }
  }
  const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
  const tOriginal = { medianMs: median(times[0]!), runs: rounds };
  const tPruned = { medianMs: median(times[1]!), runs: rounds };
  const tQuantized = { medianMs: median(times[2]!), runs: rounds };

  const base = tOriginal.medianMs;
  rows.push(
    { case: `global prune 80 % (${(params / 1e6).toFixed(1)} M params)`, backend, medianMs: tPrune.medianMs, runs: tPrune.runs, vsInference: tPrune.medianMs / base },
    { case: 'int8 per-channel quantizeModel', backend, medianMs: tQuant.medianMs, runs: tQuant.runs, vsInference: tQuant.medianMs / base },
    { case: `inference, original (batch ${BATCH})`, backend, medianMs: base, runs: tOriginal.runs, vsInference: 1 },
    { case: 'inference, pruned 80 %', backend, medianMs: tPruned.medianMs, runs: tPruned.runs, vsInference: tPruned.medianMs / base },
    { case: 'inference, int8 dequantized', backend, medianMs: tQuantized.medianMs, runs: tQuantized.runs, vsInference: tQuantized.medianMs / base },
  );
  extra[backend] = {
    params, prunedZeros: pruneResult.report.zeros, macs: report.macs, sparseMacs: report.sparseMacs,
    bytes: { float32: report.bytes.float32, int8Encoded: encodedBytes, prunedInt8SparseEncoded: prunedInt8SparseBytes, sparseInt8Estimate: report.bytes.sparseInt8 },
    quantMaxAbsError: q.report.maxAbsError,
  };
  tf.dispose([x, ...original, ...pruned, ...quantized]);
  model.dispose();
}
printTable(`compression of a ${UNITS.join('-')} Dense model (median ms)`, rows);
console.log(`\nsizes and MACs: ${JSON.stringify(extra, null, 1)}`);
writeResults('compression', rows, { model: UNITS, batch: BATCH, ...extra });

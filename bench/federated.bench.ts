/**
 * npm run bench -- federated [--backend cpu,wasm]: what privacy costs per federated round, side by
 * side in one run.
 *
 * 1. Aggregating n client vectors of d = 20,000 coordinates: the plain float64 sum (what a server
 *    without secure aggregation does), the full secure aggregation protocol in process (every
 *    client's key agreements, masks, Shamir shares and encryption, and the server's unmasking), and
 *    SecAgg+ with 8 neighbours; ratios to the plain sum. Backend-independent (WebCrypto and typed
 *    arrays), so measured once.
 * 2. One simulated round of the digits MLP (64-32-10, 10 clients of 13 examples, 2 local epochs):
 *    FedAvg, DP-FedAvg (central noise), DP-FedAvg with secure aggregation and distributed noise;
 *    ratios to FedAvg, per backend.
 * 3. Compressing a 1,000,000-coordinate update: int8, top-1%, random-1%, against copying it.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from '../src/core/rng.js';
import { compressUpdate, runSecAggInProcess, simulateFederated, type FederatedOptions } from '../src/federated/index.js';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchRow } from './harness.js';

const rows: BenchRow[] = [];
const D = 20_000;

// 1. Aggregation.
for (const n of [10, 50, 100]) {
  const rng = seededRng(`agg-${n}`);
  const inputs = Array.from({ length: n }, () => Uint32Array.from({ length: D }, () => rng.nextUint32()));
  const floats = inputs.map((v) => Float32Array.from(v, (x) => x / 2 ** 32));
  const timing = { warmup: 1, minRuns: 3, maxRuns: 5, minTimeMs: 0 };
  const plain = await measure(() => {
    const sum = new Float64Array(D);
    for (const v of floats) for (let i = 0; i < D; i++) sum[i] = (sum[i] as number) + (v[i] as number);
    return sum;
  }, timing);
  const threshold = Math.ceil((2 * n) / 3);
  const secure = await measure(() => runSecAggInProcess({ inputs, threshold, curve: 'P-256' }), timing);
  rows.push({ case: `sum of ${n} x ${D}`, method: 'plain float64 sum', medianMs: plain.medianMs, ratio: 1 });
  rows.push({ case: `sum of ${n} x ${D}`, method: 'secure aggregation (full graph)', medianMs: secure.medianMs, ratio: secure.medianMs / plain.medianMs });
  if (n > 10) {
    const plus = await measure(() => runSecAggInProcess({ inputs, threshold: 5, neighbours: 8, curve: 'P-256' }), timing);
    rows.push({ case: `sum of ${n} x ${D}`, method: 'SecAgg+ (8 neighbours)', medianMs: plus.medianMs, ratio: plus.medianMs / plain.medianMs });
  }
}
printTable(`Aggregating one round (WebCrypto, P-256; all clients simulated in this process)`, rows);

// 2. A simulated round per backend.
const roundRows: BenchRow[] = [];
for (const backend of benchBackends()) {
  await useBenchBackend(backend);
  const rng = seededRng('round');
  const clients = Array.from({ length: 10 }, () => ({
    x: tf.tensor2d(Array.from({ length: 13 * 64 }, () => rng.next() * 16), [13, 64]),
    y: Int32Array.from({ length: 13 }, () => Math.floor(rng.next() * 10)),
  }));
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [64], units: 32, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
    tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  const base: FederatedOptions = { rounds: 1, localEpochs: 2, batchSize: 8, clientLearningRate: 0.1, sampling: { method: 'uniform', clientsPerRound: 10 }, seed: 'bench' };
  const privacy = { noiseMultiplier: 1, clipping: { clipNorm: 1 }, delta: 1e-3 } as const;
  const configs: [string, FederatedOptions][] = [
    ['FedAvg', base],
    ['DP-FedAvg (central noise)', { ...base, privacy }],
    ['DP-FedAvg + SecAgg (distributed noise)', { ...base, privacy: { ...privacy, noise: 'distributed' }, secureAggregation: {} }],
  ];
  let first = 0;
  for (const [name, options] of configs) {
    const t = await measure(() => simulateFederated({ ...options, model, clients }), { warmup: 1, minRuns: 5, maxRuns: 9, minTimeMs: 0 });
    if (first === 0) first = t.medianMs;
    roundRows.push({ case: 'one round, 10 clients, digits MLP', backend, method: name, medianMs: t.medianMs, ratio: t.medianMs / first });
  }
  tf.dispose(clients.map((c) => c.x));
  model.dispose();
}
printTable('One simulated round (training dominates; privacy adds clipping, noise and the protocol)', roundRows);

// 3. Compression.
const compressionRows: BenchRow[] = [];
{
  const rng = seededRng('compress');
  const delta = Float32Array.from({ length: 1_000_000 }, () => rng.next() - 0.5);
  const k = 10_000;
  const timing = { warmup: 1, minRuns: 5, maxRuns: 9, minTimeMs: 0 };
  const copy = await measure(() => Float32Array.from(delta), timing);
  compressionRows.push({ case: '1,000,000 coordinates', method: 'copy (dense float32)', medianMs: copy.medianMs, ratio: 1, bytes: delta.byteLength });
  for (const [name, options] of [['int8', { method: 'int8' }], ['top-1%', { method: 'topK', k }], ['random-1%', { method: 'randomK', k, rng: seededRng(1) }]] as const) {
    let bytes = 0;
    const t = await measure(() => {
      const { encoded } = compressUpdate(delta, options);
      bytes = encoded.values.byteLength + ('indices' in encoded ? encoded.indices.byteLength : 'scales' in encoded ? encoded.scales.byteLength : 4);
    }, timing);
    compressionRows.push({ case: '1,000,000 coordinates', method: name, medianMs: t.medianMs, ratio: t.medianMs / copy.medianMs, bytes });
  }
}
printTable('Compressing one update (residual for error feedback included)', compressionRows);
writeResults('federated', [...rows, ...roundRows, ...compressionRows]);

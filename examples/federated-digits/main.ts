/**
 * Federated learning on the UCI digits: 100 simulated clients, each holding a Dirichlet(0.5)
 * non-IID share of the training split, about 10 per round (Poisson sampling, rate 0.1). Compares
 * FedAvg, FedAdam, user-level DP-FedAvg with central noise, and DP-FedAvg with secure aggregation
 * and noise shared among the clients, on test accuracy per round; and the bytes a client sends
 * per round without and with compression. Run: npm run example -- federated-digits [--backend cpu|wasm] [--rounds R]
 *
 * Every random choice is seeded so that the printed figures reproduce; that is for
 * reproducibility only. A real deployment leaves `seed` out and gets crypto.getRandomValues.
 */
import { barChartSvg, lineChartSvg } from 'responsible-tfjs';
import { userLevelPrivacy } from 'responsible-tfjs/federated';
import { setupBackend } from '../shared/backend.js';
import { loadDigits } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';
import { runFederatedDigits, type VariantResult } from './experiment.js';
import { ACCURACY_VARIANTS, COMPRESSION_VARIANTS, DELTA } from './variants.js';

const NUM_CLIENTS = 100;
const ALPHA = 0.5;
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(process.argv[roundsArg + 1]) : 40;

const backend = await setupBackend();
const started = performance.now();
const { train, test } = loadDigits();
const SEEDS = ['federated-digits-1', 'federated-digits-2', 'federated-digits-3'];
const config = { numClients: NUM_CLIENTS, alpha: ALPHA, rounds: ROUNDS };
const variants = [...ACCURACY_VARIANTS, ...COMPRESSION_VARIANTS];
// Three seeds (partition, sampling, training order, noise): DP runs on 100 users vary a lot from
// one seed to the next, and one run would say more about its seed than about the method.
const runs: VariantResult[][] = [];
let partitionSizes: number[] = [];
for (const seed of SEEDS) {
  const out = await runFederatedDigits(train, test, { ...config, seed, variants }, (line) => console.log(`[${seed}] ${line}`));
  runs.push(out.results);
  if (partitionSizes.length === 0) partitionSizes = out.partitionSizes;
}
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const results = variants.map((v, i) => {
  const per = runs.map((r) => r[i]!);
  return {
    name: v.name,
    accuracy: Array.from({ length: ROUNDS }, (_, k) => mean(per.map((p) => p.accuracy[k]!))),
    finals: per.map((p) => p.accuracy.at(-1)!),
    bytesUpPerRound: mean(per.map((p) => p.bytesUpPerRound)),
    epsilon: per[0]!.epsilon === undefined ? undefined : Math.max(...per.map((p) => p.epsilon!)),
    delta: per[0]!.delta,
    seconds: mean(per.map((p) => p.seconds)),
  };
});
const sorted = [...partitionSizes].sort((a, b) => a - b);
console.log(`\n${NUM_CLIENTS} clients, Dirichlet(${ALPHA}) over labels: examples per client min ${sorted[0]}, median ${sorted[NUM_CLIENTS >> 1]}, max ${sorted.at(-1)}; ${ROUNDS} rounds; backend ${backend}`);
console.log('(seeded: reproducible, for demonstration only)\n');
const rows = results.map((r) => [
  r.name,
  r.accuracy.at(-1)!.toFixed(3),
  `${Math.min(...r.finals).toFixed(3)}-${Math.max(...r.finals).toFixed(3)}`,
  r.epsilon === undefined ? '-' : `${r.epsilon.toFixed(2)} (delta ${r.delta})`,
  Math.round(r.bytesUpPerRound),
  r.seconds.toFixed(1),
]);
console.log(textTable(['configuration', `final test accuracy (mean of ${SEEDS.length} seeds)`, 'range', 'user-level epsilon (largest)', 'bytes up per round', 'seconds per run'], rows));

// The same noise and the same ~10 clients per round, in larger populations: the sampling rate
// falls with the population and so does epsilon (privacy amplification by sampling).
const dp = ACCURACY_VARIANTS[2]!.options.privacy!;
const scaleRows = [100, 1e4, 1e6, 1e8].map((n) => {
  const sampleRate = 10 / n;
  const delta = 1 / (10 * n);
  const rdp = userLevelPrivacy({ rounds: ROUNDS, sampling: { method: 'poisson', sampleRate }, noiseMultiplier: dp.noiseMultiplier, delta });
  const pld = userLevelPrivacy({ rounds: ROUNDS, sampling: { method: 'poisson', sampleRate }, noiseMultiplier: dp.noiseMultiplier, delta, accountant: 'pld' });
  return [n, sampleRate, delta, rdp.epsilon.toPrecision(3), pld.epsilon.toPrecision(3)];
});
console.log(`\nUser-level epsilon of ${ROUNDS} rounds at noise multiplier ${dp.noiseMultiplier} with ~10 clients per round, by population:`);
console.log(textTable(['clients', 'sample rate', 'delta (1/10N)', 'epsilon (RDP)', 'epsilon (PLD)'], scaleRows));

const accuracyNames = new Set(ACCURACY_VARIANTS.map((v) => v.name));
const roundsAxis = Array.from({ length: ROUNDS }, (_, i) => i + 1);
const accuracySvg = lineChartSvg(
  results.filter((r) => accuracyNames.has(r.name)).map((r) => ({
    label: r.epsilon === undefined ? r.name : `${r.name}, epsilon ${r.epsilon.toFixed(1)}`,
    x: roundsAxis,
    y: r.accuracy,
  })),
  { title: `Digits, ${NUM_CLIENTS} non-IID clients (Dirichlet ${ALPHA}): test accuracy per round (delta ${DELTA})`, xLabel: 'round', yLabel: 'test accuracy', yMin: 0, yMax: 1 },
);
console.log(`\nwrote ${writeOutput('federated-digits-accuracy.svg', accuracySvg)}`);
const bytesSvg = barChartSvg(
  {
    categories: ['dense float32', ...COMPRESSION_VARIANTS.map((v) => v.name)],
    series: [{ label: 'bytes per round', values: [results[0]!.bytesUpPerRound, ...results.filter((r) => !accuracyNames.has(r.name)).map((r) => r.bytesUpPerRound)] }],
  },
  { title: 'Update bytes sent per round (all clients of the round)', yLabel: 'bytes' },
);
console.log(`wrote ${writeOutput('federated-digits-bytes.svg', bytesSvg)}`);
const compressionSvg = lineChartSvg(
  [results[0]!, ...results.filter((r) => !accuracyNames.has(r.name))].map((r) => ({ label: r.name === 'FedAvg' ? 'FedAvg, dense float32' : r.name, x: roundsAxis, y: r.accuracy })),
  { title: 'Digits: test accuracy per round with compressed updates', xLabel: 'round', yLabel: 'test accuracy', yMin: 0, yMax: 1 },
);
console.log(`wrote ${writeOutput('federated-digits-compression.svg', compressionSvg)}`);
writeOutput('federated-digits.json', JSON.stringify({ backend, ...config, seeds: SEEDS, delta: DELTA, results, scaleRows }, null, 2));
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);

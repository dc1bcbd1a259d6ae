/**
 * npm run bench -- privacy: accountant speed side by side with the Python references (Opacus and
 * dp_accounting, timed on this machine class; see test/fixtures/privacy/timings.json). Accounting
 * is plain JavaScript, so no tfjs backend is involved. Each run builds a fresh accountant, as the
 * Python timings do.
 */
import os from 'node:os';
import { PldAccountant, RdpAccountant, getNoiseMultiplier } from '../src/privacy/index.js';
import timings from '../test/fixtures/privacy/timings.json';
import { measure, printTable, writeResults, type BenchRow } from './harness.js';

const T = timings.timings;
const q = 0.004;
const sigma = 1.1;
const steps = 10_000;
const delta = 1e-5;

let value = 0;
const rows: BenchRow[] = [];
const add = (name: string, ms: number, runs: number, refName: string, refMs: number, v: number, refV: number): void => {
  rows.push({ case: name, oursMs: ms, runs, reference: refName, refMs, speedup: refMs / ms, ours: v, refValue: refV });
};

// 1. RDP: fresh accountant, 10,000 steps, getEpsilon (computes the 151-order RDP curve).
let t = await measure(() => {
  value = new RdpAccountant().step({ noiseMultiplier: sigma, sampleRate: q }, steps).getEpsilon(delta);
}, { warmup: 5, minRuns: 20, minTimeMs: 1000 });
add('RDP step×10k + getEpsilon (fresh)', t.medianMs, t.runs, 'Opacus RDPAccountant', T.opacus_rdp_get_epsilon_steps10000.median_s * 1e3, value, T.opacus_rdp_get_epsilon_steps10000.value);
add('RDP step×10k + getEpsilon (fresh)', t.medianMs, t.runs, 'dp_accounting RdpAccountant', T.dpacc_rdp_compose_get_epsilon_steps10000.median_s * 1e3, value, T.dpacc_rdp_compose_get_epsilon_steps10000.value);

// 2. RDP getEpsilon inside a training loop: the curve is cached, one more step then getEpsilon.
const warm = new RdpAccountant().step({ noiseMultiplier: sigma, sampleRate: q }, steps - 1);
warm.getEpsilon(delta); // the per-step RDP curve is now cached, as in a training loop
t = await measure(() => {
  value = warm.clone().step({ noiseMultiplier: sigma, sampleRate: q }).getEpsilon(delta);
}, { warmup: 20, minRuns: 200, minTimeMs: 500 });
add('RDP +1 step + getEpsilon (in a loop)', t.medianMs, t.runs, 'Opacus RDPAccountant', T.opacus_rdp_get_epsilon_steps10000.median_s * 1e3, value, T.opacus_rdp_get_epsilon_steps10000.value);

// 3. PLD: fresh accountant, 10,000 steps at the default interval 1e-4, getEpsilon.
t = await measure(() => {
  value = new PldAccountant().step({ noiseMultiplier: sigma, sampleRate: q }, steps).getEpsilon(delta);
}, { warmup: 1, minRuns: 5, minTimeMs: 1000 });
add('PLD step×10k + getEpsilon (vdi 1e-4)', t.medianMs, t.runs, 'dp_accounting PLDAccountant', T.dpacc_pld_compose_get_epsilon_steps10000.median_s * 1e3, value, T.dpacc_pld_compose_get_epsilon_steps10000.value);
add('PLD step×10k + getEpsilon (vdi 1e-4)', t.medianMs, t.runs, 'Opacus PRVAccountant (eps_error 0.01)', T.opacus_prv_get_epsilon_steps10000.median_s * 1e3, value, T.opacus_prv_get_epsilon_steps10000.value);

// 4. getNoiseMultiplier for a 60-epoch MNIST-like run (eps 3, delta 1e-5, q = 256/60000).
const sr = 256 / 60000;
const nmSteps = Math.floor(60 / sr);
t = await measure(() => {
  value = getNoiseMultiplier({ targetEpsilon: 3, delta, sampleRate: sr, steps: nmSteps });
}, { warmup: 2, minRuns: 10, minTimeMs: 1000 });
add('getNoiseMultiplier rdp, 60 epochs', t.medianMs, t.runs, 'Opacus get_noise_multiplier (rdp)', T.opacus_get_noise_multiplier_eps3_60epochs.median_s * 1e3, value, T.opacus_get_noise_multiplier_eps3_60epochs.value);
t = await measure(() => {
  value = getNoiseMultiplier({ targetEpsilon: 3, delta, sampleRate: sr, steps: nmSteps, accountant: 'pld' });
}, { warmup: 0, minRuns: 3, minTimeMs: 0 });
rows.push({ case: 'getNoiseMultiplier pld, 60 epochs', oursMs: t.medianMs, runs: t.runs, reference: '(no Python timing)', ours: value });

printTable('Privacy accounting: ours (median) vs the Python references (median of 5, same machine class)', rows);
console.log(`\nload average now: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} on ${os.cpus().length} cores (Python runs: ${timings.loadavg_before.map((l) => l.toFixed(2)).join(', ')})`);
console.log(`Python timings: ${timings.cpu_model}, ${timings.logical_cpus} vCPUs, ${timings.caveat}`);
writeResults('privacy', rows, { pythonTimings: timings.timings, pythonMachine: { cpu: timings.cpu_model, cpus: timings.logical_cpus } });

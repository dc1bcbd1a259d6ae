/**
 * "For my dataset size, batch size and epochs, what noise multiplier gives epsilon = 3 at
 * delta = 1e-5, and what epsilon do I get after each epoch?"
 *
 *   npm run example -- privacy-accounting [--dataset-size N] [--batch-size B] [--epochs E]
 *                                         [--target-epsilon 3] [--delta 1e-5]
 *
 * Defaults: the shipped digits training set (1,347 images), batch 64, 30 epochs. For the MNIST
 * setting of the TF Privacy tutorial: --dataset-size 60000 --batch-size 256 --epochs 60.
 * Pure accounting: no tensors, no backend. Writes examples/output/privacy-accounting.{svg,json}.
 */
import { lineChartSvg } from 'responsible-tfjs';
import { PldAccountant, RdpAccountant, getNoiseMultiplier } from 'responsible-tfjs/privacy';
import { loadDigits } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got ${process.argv[i + 1]}`);
  return v;
}

const datasetSize = arg('dataset-size', loadDigits().train.n);
const batchSize = arg('batch-size', 64);
const epochs = arg('epochs', 30);
const targetEpsilon = arg('target-epsilon', 3);
const delta = arg('delta', 1e-5);

// Poisson sampling with expected batch size B: each record joins a step with probability B/N.
const sampleRate = batchSize / datasetSize;
const stepsPerEpoch = Math.round(datasetSize / batchSize);
const steps = epochs * stepsPerEpoch;
console.log(
  `dataset ${datasetSize}, batch ${batchSize} (sample rate ${sampleRate.toFixed(5)}), ${epochs} epochs x ${stepsPerEpoch} steps = ${steps} steps`,
);
console.log(`target: epsilon ${targetEpsilon} at delta ${delta}\n`);

let t0 = performance.now();
const sigmaRdp = getNoiseMultiplier({ targetEpsilon, delta, sampleRate, steps, accountant: 'rdp' });
const msRdp = performance.now() - t0;
t0 = performance.now();
const sigmaPld = getNoiseMultiplier({ targetEpsilon, delta, sampleRate, steps, accountant: 'pld' });
const msPld = performance.now() - t0;
console.log(`noise multiplier for epsilon <= ${targetEpsilon}:`);
console.log(`  RDP accountant: sigma = ${sigmaRdp.toFixed(4)}   (${msRdp.toFixed(0)} ms)`);
console.log(`  PLD accountant: sigma = ${sigmaPld.toFixed(4)}   (${msPld.toFixed(0)} ms; ${(100 * (1 - sigmaPld / sigmaRdp)).toFixed(1)}% less noise for the same guarantee)\n`);

// Epsilon after each epoch: one history, evaluated by both accountants (same sigma), plus the
// run calibrated with PLD.
const rdp = new RdpAccountant();
const pld = new PldAccountant();
const pldTight = new PldAccountant();
const rows: (string | number)[][] = [];
const series = { epoch: [] as number[], rdp: [] as number[], pld: [] as number[], pldTight: [] as number[] };
for (let e = 1; e <= epochs; e++) {
  rdp.step({ noiseMultiplier: sigmaRdp, sampleRate }, stepsPerEpoch);
  pld.step({ noiseMultiplier: sigmaRdp, sampleRate }, stepsPerEpoch);
  pldTight.step({ noiseMultiplier: sigmaPld, sampleRate }, stepsPerEpoch);
  const er = rdp.getEpsilon(delta);
  const ep = pld.getEpsilon(delta);
  const et = pldTight.getEpsilon(delta);
  series.epoch.push(e);
  series.rdp.push(er);
  series.pld.push(ep);
  series.pldTight.push(et);
  rows.push([e, e * stepsPerEpoch, er, ep, et]);
}
console.log(
  textTable(['epoch', 'steps', `RDP eps (sigma ${sigmaRdp.toFixed(3)})`, `PLD eps (sigma ${sigmaRdp.toFixed(3)})`, `PLD eps (sigma ${sigmaPld.toFixed(3)})`], rows),
);

const svg = lineChartSvg(
  [
    { label: `RDP, sigma ${sigmaRdp.toFixed(3)}`, x: series.epoch, y: series.rdp },
    { label: `PLD, sigma ${sigmaRdp.toFixed(3)}`, x: series.epoch, y: series.pld },
    { label: `PLD, sigma ${sigmaPld.toFixed(3)}`, x: series.epoch, y: series.pldTight },
    { label: `target ${targetEpsilon}`, x: [1, epochs], y: [targetEpsilon, targetEpsilon], dashed: true, color: '#888888' },
  ],
  {
    title: `Epsilon (delta ${delta}) vs epochs: N ${datasetSize}, batch ${batchSize}`,
    xLabel: 'epoch',
    yLabel: 'epsilon',
    yMin: 0,
  },
);
console.log(`\nwrote ${writeOutput('privacy-accounting.svg', svg)}`);
console.log(
  `wrote ${writeOutput(
    'privacy-accounting.json',
    JSON.stringify({ datasetSize, batchSize, epochs, sampleRate, stepsPerEpoch, targetEpsilon, delta, sigmaRdp, sigmaPld, ...series }, null, 1),
  )}`,
);

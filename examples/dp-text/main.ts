/**
 * DP-SGD on text: a character-level next-character model (Embedding -> SimpleRNN -> Dense softmax
 * over a 30-symbol alphabet) trained on chapters 1-12 of Moby-Dick (public domain; the slice and its
 * provenance are in examples/data) privately at epsilon 3 and 8 (delta 1e-5, below 1/(10N) for the
 * N = 7,348 training windows, RDP accounting) and non-privately, evaluated on chapters 13-15.
 * Run: npm run example -- dp-text [--backend cpu|wasm] [--cell simpleRNN|lstm|gru|flatten]
 *      [--units 32] [--epochs 4] [--batch 128] [--stride 16] [--delta 1e-5]
 * A record is one window of 32 characters with the character that follows it; windows start every
 * `--stride` characters, so with the default 16 they overlap (docs/dp-text.md says what that means
 * for the guarantee). LSTM and GRU cells run too (--cell lstm) but cost 3-5 times as much.
 *
 * The noise and the batch sampling are drawn from seeded generators so that the printed figures
 * reproduce; that is for reproducibility only. A real private run leaves `rng` out and gets the
 * secure default.
 */
import { lineChartSvg } from 'responsible-tfjs';
import { setupBackend } from '../shared/backend.js';
import { textTable, writeOutput } from '../shared/output.js';
import { runDpText, type Cell, type DpTextConfig } from './experiment.js';
import { loadMobyDickChapters } from './text.js';

const TRAIN_CHAPTERS = 12; // chapters 1-12 train, 13-15 held out

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function cellFromArgs(): Cell {
  const cell = arg('--cell') ?? 'simpleRNN';
  if (cell === 'lstm' || cell === 'gru' || cell === 'simpleRNN' || cell === 'flatten') return cell;
  throw new Error(`unknown cell ${cell}: use lstm, gru, simpleRNN or flatten`);
}

const cfg: DpTextConfig = {
  cell: cellFromArgs(),
  window: 32,
  stride: Number(arg('--stride') ?? 16),
  embedDim: 16,
  units: Number(arg('--units') ?? 32),
  epochs: Number(arg('--epochs') ?? 4),
  batchSize: Number(arg('--batch') ?? 128),
  maxGradNorm: 1,
  learningRate: 0.01,
  epsilons: [3, 8],
  testStride: 20,
  sampleLength: 120,
  ...(arg('--delta') === undefined ? {} : { delta: Number(arg('--delta')) }),
};

// Variants (another cell or stride) write their own files beside the default run's.
const variant = `${cfg.cell === 'simpleRNN' ? '' : `-${cfg.cell}`}${cfg.stride === 16 ? '' : `-stride${cfg.stride}`}`;
const out = (suffix: string): string => `dp-text${variant}${suffix}`;

const backend = await setupBackend();
const started = performance.now();
const chapters = loadMobyDickChapters();
const trainText = chapters.slice(0, TRAIN_CHAPTERS).join(' ');
const testText = chapters.slice(TRAIN_CHAPTERS).join(' ');
console.log(`dp-text: ${cfg.cell}, backend ${backend}`);
const result = await runDpText(trainText, testText, cfg, (line) => console.log(line));

const rows = result.runs.map((r) => [
  r.targetEpsilon ?? 'none (non-private)', r.noiseMultiplier ?? '-', r.epsilonSpent ?? '-', r.steps, r.accuracy, r.perplexity, r.seconds,
]);
rows.push(['unigram (held-out freq.)', '-', '-', 0, result.unigramAccuracy, result.unigramPerplexity, 0]);
const model = cfg.cell === 'flatten' ? `Embedding(30, ${cfg.embedDim}) -> Flatten -> Dense(${cfg.units}, tanh)` : `Embedding(30, ${cfg.embedDim}) -> ${cfg.cell}(${cfg.units})`;
console.log(`\n${model} -> Dense(30, softmax); windows of ${cfg.window} characters every ${cfg.stride}: ${result.trainWindows} training windows, ` +
  `${result.testWindows} held-out; ${cfg.epochs} epochs, expected batch ${cfg.batchSize}, clipping ${cfg.maxGradNorm}, Adam lr ${cfg.learningRate}, ` +
  `delta ${result.delta.toExponential(3)} (1/N = ${(1 / result.trainWindows).toExponential(3)}), backend ${backend}`);
console.log('(seeded noise and sampling: reproducible, for demonstration only)\n');
console.log(textTable(['target epsilon', 'noise multiplier', 'epsilon spent', 'steps', 'held-out accuracy', 'perplexity', 'seconds'], rows));
console.log(`\nprompt: "${result.prompt}"`);
for (const r of result.runs) console.log(`${r.targetEpsilon === null ? 'non-private' : `epsilon ${r.targetEpsilon}`}: "${r.sample}"`);

const name = (e: number | null): string => (e === null ? 'non-private' : `DP-SGD, epsilon ${e}`);
const chart = (key: 'accuracy' | 'perplexity', unigram: number, yLabel: string, yMin?: number): string => {
  const at = result.runs[0]?.curve.at ?? [];
  return lineChartSvg(
    [
      ...result.runs.map((r) => ({ label: name(r.targetEpsilon), x: r.curve.at, y: r.curve[key], dashed: r.targetEpsilon === null })),
      { label: 'unigram (held-out frequencies)', x: at, y: at.map(() => unigram), dashed: true, color: '#888' },
    ],
    {
      title: `Moby-Dick next character (${cfg.cell}), chapters 13-15 held out; delta = ${result.delta.toExponential(0)}`,
      xLabel: 'epochs of training', yLabel, ...(yMin === undefined ? {} : { yMin }), xMin: 0, xMax: cfg.epochs,
    },
  );
};
const svg = chart('accuracy', result.unigramAccuracy, 'held-out next-character accuracy', 0);
writeOutput(out('-perplexity.svg'), chart('perplexity', result.unigramPerplexity, 'held-out perplexity (per character)'));
console.log(`\nwrote ${writeOutput(out('.svg'), svg)} and ${out('-perplexity.svg')}`);
const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
writeOutput(out('.json'), JSON.stringify({ backend, model, config: cfg, seeded: true, seconds, ...result }, null, 2));
console.log(`total ${seconds} s`);

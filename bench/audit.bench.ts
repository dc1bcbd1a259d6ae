/**
 * npm run bench -- audit [--backend cpu,wasm] (wasm by default): what the privacy audits cost, side
 * by side in one run, on the UCI digits and the MLP 64-64-10 of the dp-digits example.
 *
 * 1. The cost claim of auditDpSgd: one training run plus one forward pass over the canaries, where
 *    LiRA offline with k shadow models costs k trainings. fitPrivately alone (30 epochs, batch 64,
 *    epsilon 4, delta 1e-5, SGD 0.5) against auditDpSgd of the same trainer with 200
 *    out-of-distribution canaries, and against 4 private shadow trainings plus offline LiRA scores.
 *    Skipped on cpu (about ten times slower; a note is printed).
 * 2. Scoring the 1,797 digits: membershipScores (one forward pass per batch) against
 *    gradientNormScores (one backward pass per example, any differentiable model) against the
 *    privacy module's vectorised perExampleGradientNorms (supported layers only).
 * 3. auditPrivatizer (1000 Dirac canaries, 690 steps, clipAndNoise at the noise of epsilon 4)
 *    against the same number of clipAndNoise calls alone: the white-box audit's own overhead.
 * 4. The pure statistics: oneRunEpsilonLowerBound at m = 1e3, 1e4, 1e5 and
 *    epsilonLowerBoundFromScores on 10,000 scores (every threshold against one).
 * Sections 1 and 3 run their cases interleaved (one warm-up round, then a run of each case per
 * round) because the machine is shared and its load drifts over the seconds a training takes; each
 * row gives the ratio of medians, of minima, and the median of the per-round ratios (paired), which
 * cancels most of the drift. Sections 2 and 4 use the harness's measure. All ratios are of times
 * measured in this run.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng, type Rng } from '../src/core/rng.js';
import {
  auditDpSgd, auditPrivatizer, epsilonLowerBoundFromScores, gradientNormScores, liraScores, membershipScores,
  oneRunEpsilonLowerBound, outOfDistributionCanaries, trainShadowModels,
} from '../src/audit/index.js';
import { clipAndNoise, fitPrivately, getNoiseMultiplier, perExampleGradientNorms } from '../src/privacy/index.js';
import { loadDigits } from '../examples/shared/data.js';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchBackend, type BenchRow, type Timing } from './harness.js';

const EPOCHS = 30;
const BATCH = 64;
const TARGET_EPSILON = 4;
const DELTA = 1e-5;
const CANARIES = 200;
const GUESSES = 40;
const SHADOWS = 4;
const PRIVATIZER_CANARIES = 1000;
const PRIVATIZER_STEPS = 690; // 30 epochs of ceil(1447 / 64) Poisson batches: the digits plus ~100 included canaries
const PRIVATIZER_SAMPLE_RATE = 64 / 1447;
const TRAINING_ROUNDS = 3;
const PRIVATIZER_ROUNDS = 5;
const SCORING = { warmup: 1, minRuns: 3, maxRuns: 5, minTimeMs: 0 };

// This suite defaults to wasm (training on cpu is about ten times slower); --backend or RTF_BACKENDS overrides.
const backends: BenchBackend[] = process.argv.includes('--backend') || process.env.RTF_BACKENDS !== undefined ? benchBackends() : ['wasm'];

function mlp(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [64], units: 64, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

/** The private trainer of the dp-digits example, on a fresh model; the noise is seeded so every run does the same work. */
async function trainPrivately(x: tf.Tensor, y: ArrayLike<number> | tf.Tensor, rng: Rng): Promise<{ model: tfl.LayersModel; epsilon: number; delta: number; steps: number }> {
  const model = mlp();
  const optimizer = tf.train.sgd(0.5);
  try {
    const r = await fitPrivately(model, x, y as Int32Array, {
      epochs: EPOCHS, batchSize: BATCH, maxGradNorm: 1, targetEpsilon: TARGET_EPSILON, delta: DELTA, optimizer, rng,
    });
    return { model, epsilon: r.epsilon, delta: r.delta, steps: r.steps };
  } finally {
    optimizer.dispose();
  }
}

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
/** A Timing from a list of run times (the statistics of the harness's measure). */
function timingOf(times: readonly number[]): Timing {
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs: times.length };
}

/**
 * Runs the cases in turn, one run each per round, after one unmeasured warm-up round. The machine is
 * shared and its load drifts over the minutes a training takes; interleaving exposes every case to
 * the same drift, and the per-round ratio to the first case (the paired ratio) cancels most of it.
 */
async function interleaved(cases: readonly (() => Promise<void>)[], rounds: number): Promise<{ timing: Timing; paired: number }[]> {
  for (const run of cases) await run();
  const times = cases.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, run] of cases.entries()) {
      const t0 = performance.now();
      await run();
      times[i]!.push(performance.now() - t0);
    }
  }
  return times.map((t) => ({ timing: timingOf(t), paired: median(t.map((v, r) => v / times[0]![r]!)) }));
}

const ratio = (a: number, b: number, digits = 2): number => Number((a / b).toFixed(digits));
const timingCells = (t: Timing): Record<string, number> => ({ medianMs: t.medianMs, minMs: t.minMs, maxMs: t.maxMs, runs: t.runs });

const { train, test } = loadDigits();
const allX = new Float32Array([...train.x, ...test.x]);
const allY = Int32Array.from([...train.y, ...test.y]);
const ALL = train.n + test.n;

const costRows: BenchRow[] = [];
const scoringRows: BenchRow[] = [];
const privatizerRows: BenchRow[] = [];
const statisticsRows: BenchRow[] = [];
const notes: string[] = [];

for (const backend of backends) {
  await useBenchBackend(backend);
  const xTrain = tf.tensor2d(train.x, [train.n, 64]);
  const xAll = tf.tensor2d(allX, [ALL, 64]);

  // 1. One training run against the one-run audit against LiRA offline with k shadows.
  if (backend === 'cpu') {
    notes.push('cpu: the training rows (fitPrivately, auditDpSgd, shadow models + LiRA) are skipped; run them on wasm.');
  } else {
    let target: tfl.LayersModel | undefined;
    let fitSteps = 0;
    const fit = async (): Promise<void> => {
      const r = await trainPrivately(xTrain, train.y, seededRng('bench-audit-fit'));
      target?.dispose();
      target = r.model;
      fitSteps = r.steps;
    };

    const canaries = outOfDistributionCanaries({ count: CANARIES, shape: [64], numClasses: 10, low: -2, high: 2, rng: seededRng('bench-audit-canaries') });
    const auditTraining: number[] = [];
    const auditScoring: number[] = [];
    let bound = '';
    const audit = async (): Promise<void> => {
      const r = await auditDpSgd((x, y) => trainPrivately(x, y, seededRng('bench-audit-fit')), { x: xTrain, y: train.y }, {
        canaries, positiveGuesses: GUESSES, negativeGuesses: GUESSES, rng: seededRng('bench-audit-inclusion'),
      });
      (r.model as tfl.LayersModel).dispose();
      auditTraining.push(r.trainingMs);
      auditScoring.push(r.scoringMs);
      bound = `eps >= ${r.epsilonLowerBound.toFixed(2)} (reported ${r.reportedEpsilon?.toFixed(2)}; ${r.trainingRows} rows)`;
    };

    // Shadows are drawn from the whole pool (train + test, the rows LiRA attacks), each row with probability 1/2.
    // With 4 shadows a row is in all of them with probability 1/16 and has no OUT observation: LiRA offline
    // scores the rows left out at least once (fixedVariance: one OUT observation each is enough).
    const shadowTraining: number[] = [];
    const shadowScoring: number[] = [];
    let shadowRows = 0;
    let shadowSteps = 0;
    let scoredRows = 0;
    const lira = async (): Promise<void> => {
      const t0 = performance.now();
      shadowSteps = 0;
      const shadows = await trainShadowModels(async (x, y, { index }) => {
        const r = await trainPrivately(x, y as Int32Array, seededRng(`bench-audit-shadow-${index}`));
        shadowSteps += r.steps;
        return r.model;
      }, xAll, allY, { count: SHADOWS, rng: seededRng('bench-audit-shadows') });
      const t1 = performance.now();
      const rows = [...allY.keys()].filter((i) => shadows.included.some((mask) => mask[i] === 0));
      const xs = tf.tidy(() => tf.gather(xAll, tf.tensor1d(rows, 'int32')));
      await liraScores(target!, xs, rows.map((i) => allY[i]!), {
        mode: 'offline', fixedVariance: true,
        shadows: { models: shadows.models, included: shadows.included.map((mask) => rows.map((i) => mask[i]!)) },
      });
      xs.dispose();
      shadowTraining.push(t1 - t0);
      shadowScoring.push(performance.now() - t1);
      shadowRows = shadows.included.reduce((s, mask) => s + mask.reduce((a, b) => a + b, 0), 0) / SHADOWS;
      scoredRows = rows.length;
      shadows.models.forEach((m) => (m as tfl.LayersModel).dispose());
    };
    // (a) first: LiRA attacks the model it trains.
    const [tFit, tAudit, tLira] = await interleaved([fit, audit, lira], TRAINING_ROUNDS);
    canaries.x.dispose();
    target?.dispose();

    const ratios = (t: { timing: Timing; paired: number }): Record<string, number> => ({
      'ratio (medians)': ratio(t.timing.medianMs, tFit!.timing.medianMs),
      'ratio (minima)': ratio(t.timing.minMs, tFit!.timing.minMs),
      'ratio (paired)': ratio(t.paired, 1),
    });
    costRows.push(
      {
        case: `(a) fitPrivately, ${train.n} rows, ${EPOCHS} epochs`, backend, ...timingCells(tFit!.timing), trainingMs: tFit!.timing.medianMs, scoringMs: '-',
        ...ratios(tFit!), steps: fitSteps, note: 'one private training run',
      },
      {
        case: `(b) auditDpSgd, ${CANARIES} OOD canaries`, backend, ...timingCells(tAudit!.timing), trainingMs: median(auditTraining.slice(-TRAINING_ROUNDS)), scoringMs: median(auditScoring.slice(-TRAINING_ROUNDS)),
        ...ratios(tAudit!), steps: '-', note: bound,
      },
      {
        case: `(c) ${SHADOWS} private shadows + LiRA offline`, backend, ...timingCells(tLira!.timing), trainingMs: median(shadowTraining.slice(-TRAINING_ROUNDS)), scoringMs: median(shadowScoring.slice(-TRAINING_ROUNDS)),
        ...ratios(tLira!), steps: shadowSteps, note: `~${Math.round(shadowRows)} rows per shadow (pool ${ALL}); LiRA on ${scoredRows} rows`,
      },
    );
  }

  // 2. Scoring throughput on the 1,797 digits, one model, one set of rows.
  {
    const model = mlp();
    const loss = await measure(() => membershipScores(model, xAll, allY, { score: 'loss' }), SCORING);
    const gradNorm = await measure(() => gradientNormScores(model, xAll, allY), SCORING);
    const vectorised = await measure(async () => {
      const { norms, layerNorms } = perExampleGradientNorms(model, xAll, allY);
      await norms.data();
      tf.dispose([norms, layerNorms]);
    }, SCORING);
    const perRow = (t: Timing): number => Number(((t.medianMs * 1000) / ALL).toFixed(1));
    scoringRows.push(
      { case: `membershipScores 'loss', ${ALL} rows`, backend, ...timingCells(loss), usPerRow: perRow(loss), 'ratio to loss': 1, 'ratio to vectorised': ratio(loss.medianMs, vectorised.medianMs) },
      { case: `gradientNormScores, ${ALL} rows`, backend, ...timingCells(gradNorm), usPerRow: perRow(gradNorm), 'ratio to loss': ratio(gradNorm.medianMs, loss.medianMs, 1), 'ratio to vectorised': ratio(gradNorm.medianMs, vectorised.medianMs, 1) },
      { case: `privacy perExampleGradientNorms, ${ALL} rows`, backend, ...timingCells(vectorised), usPerRow: perRow(vectorised), 'ratio to loss': ratio(vectorised.medianMs, loss.medianMs), 'ratio to vectorised': 1 },
    );
    model.dispose();
  }

  // 3. The white-box audit against the privatizer calls it makes.
  {
    const noiseMultiplier = getNoiseMultiplier({ targetEpsilon: TARGET_EPSILON, delta: DELTA, sampleRate: PRIVATIZER_SAMPLE_RATE, steps: PRIVATIZER_STEPS });
    const opts = { maxGradNorm: 1, noiseMultiplier, expectedBatchSize: BATCH };
    // The same number of calls on a batch of the size the audit makes (about 500 included canaries x q, plus its zero row).
    const rows = Math.round((PRIVATIZER_CANARIES / 2) * PRIVATIZER_SAMPLE_RATE) + 1;
    const g = tf.tidy(() => tf.cast(tf.oneHot(tf.range(0, rows, 1, 'int32'), PRIVATIZER_CANARIES), 'float32')) as tf.Tensor2D;
    const callsAlone = async (): Promise<void> => {
      const rng = seededRng('bench-audit-privatizer');
      for (let t = 0; t < PRIVATIZER_STEPS; t++) tf.dispose((await clipAndNoise([g], { ...opts, rng })).gradients);
    };
    let bound = '';
    const audit = async (): Promise<void> => {
      const rng = seededRng('bench-audit-privatizer');
      const r = await auditPrivatizer(async (p) => (await clipAndNoise([p], { ...opts, rng })).gradients, {
        canaries: PRIVATIZER_CANARIES, steps: PRIVATIZER_STEPS, sampleRate: PRIVATIZER_SAMPLE_RATE, epsilon: TARGET_EPSILON, delta: DELTA, rng,
      });
      bound = `eps >= ${r.epsilonLowerBound.toFixed(2)} (sigma ${noiseMultiplier.toFixed(3)})`;
    };
    const [alone, audited] = await interleaved([callsAlone, audit], PRIVATIZER_ROUNDS);
    g.dispose();
    privatizerRows.push(
      {
        case: `${PRIVATIZER_STEPS} x clipAndNoise [${rows}, ${PRIVATIZER_CANARIES}]`, backend, ...timingCells(alone!.timing), msPerStep: ratio(alone!.timing.medianMs, PRIVATIZER_STEPS, 3),
        'ratio (medians)': 1, 'ratio (minima)': 1, 'ratio (paired)': 1, note: 'the privatizer alone',
      },
      {
        case: `auditPrivatizer, ${PRIVATIZER_CANARIES} canaries, ${PRIVATIZER_STEPS} steps`, backend, ...timingCells(audited!.timing), msPerStep: ratio(audited!.timing.medianMs, PRIVATIZER_STEPS, 3),
        'ratio (medians)': ratio(audited!.timing.medianMs, alone!.timing.medianMs), 'ratio (minima)': ratio(audited!.timing.minMs, alone!.timing.minMs),
        'ratio (paired)': ratio(audited!.paired, 1), note: bound,
      },
    );
  }

  xTrain.dispose();
  xAll.dispose();
}

// 4. The pure statistics (no tensors: measured once, whatever the backend).
{
  let base: number | undefined;
  for (const m of [1e3, 1e4, 1e5]) {
    const r = m / 5;
    let eps = 0;
    const t = await measure(() => void (eps = oneRunEpsilonLowerBound({ canaries: m, guesses: r, correct: 0.8 * r, delta: DELTA })), { warmup: 1, minRuns: 5, maxRuns: 50, minTimeMs: 300 });
    base ??= t.medianMs;
    statisticsRows.push({ case: `oneRunEpsilonLowerBound m=${m}, r=${r}, v=${0.8 * r}`, ...timingCells(t), ratio: ratio(t.medianMs, base), note: `eps >= ${eps.toFixed(3)}` });
  }
  const rng = seededRng('bench-audit-scores');
  const n = 10_000;
  const isMember = Uint8Array.from({ length: n }, (_, i) => i % 2);
  // Members score a little higher: a Gaussian shift of 0.5 (Box-Muller on the seeded rng).
  const scores = Float64Array.from({ length: n }, (_, i) => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next()) + 0.5 * (i % 2));
  let all = 0;
  const sweep = await measure(() => void (all = epsilonLowerBoundFromScores(scores, isMember, { delta: DELTA, thresholds: 'all' }).epsilon), { warmup: 1, minRuns: 5, maxRuns: 50, minTimeMs: 300 });
  const one = await measure(() => epsilonLowerBoundFromScores(scores, isMember, { delta: DELTA, thresholds: [0.25] }), { warmup: 1, minRuns: 5, maxRuns: 200, minTimeMs: 300 });
  statisticsRows.push(
    { case: `epsilonLowerBoundFromScores ${n} scores, one threshold`, ...timingCells(one), ratio: 1, note: 'baseline of the sweep' },
    { case: `epsilonLowerBoundFromScores ${n} scores, thresholds 'all'`, ...timingCells(sweep), ratio: ratio(sweep.medianMs, one.medianMs, 1), note: `eps >= ${all.toFixed(3)}, Bonferroni over every threshold` },
  );
}

printTable('1. Audit cost against one training run (median ms; digits MLP 64-64-10, epsilon 4)', costRows);
printTable(`2. Membership scoring of the ${ALL} digits (median ms, untrained MLP 64-64-10)`, scoringRows);
printTable('3. White-box audit against its privatizer calls (median ms)', privatizerRows);
printTable('4. Statistics (median ms, no tensors)', statisticsRows);
for (const note of notes) console.log(`\nnote: ${note}`);
writeResults('audit', [...costRows, ...scoringRows, ...privatizerRows, ...statisticsRows], { notes, backends });

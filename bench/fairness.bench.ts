/**
 * npm run bench -- fairness: the demographic-parity and equalized-odds differences, a metric frame
 * (selection rate, TPR, FPR) and the group encoding on 1,000,000 rows with 5 groups, as plain
 * arrays and as tfjs tensors on each backend. Each case runs side by side with the naive way (a
 * JavaScript filter over the rows of each group, per metric) and with Fairlearn v0.12's recorded
 * time on the same data shape (test/fixtures/fairness/timings.json, measured on this machine class).
 */
import * as tf from '@tensorflow/tfjs-core';
import { seededRng } from '../src/core/rng.js';
import {
  demographicParityDifference,
  encodeGroups,
  equalizedOddsDifference,
  falsePositiveRate,
  fromTensors,
  metricFrame,
  selectionRate,
  truePositiveRate,
} from '../src/fairness/index.js';
import timings from '../test/fixtures/fairness/timings.json';
import { benchBackends, measure, printTable, useBenchBackend, writeResults, type BenchRow, type Timing } from './harness.js';

const N = 1_000_000;
const rng = seededRng('fairness-bench');
const yTrue = Int32Array.from({ length: N }, () => rng.nextUint32() & 1);
const yPred = Int32Array.from({ length: N }, () => rng.nextUint32() & 1);
const codes = Int32Array.from({ length: N }, () => rng.nextUint32() % 5);
const names = ['A', 'B', 'C', 'D', 'E'];
const sfStrings = Array.from(codes, (c) => names[c]!);
const races = ['White', 'Black', 'Asian-Pac-Islander', 'Amer-Indian-Eskimo', 'Other'];
const sex = Array.from({ length: N }, () => (rng.nextUint32() & 1 ? 'Male' : 'Female'));
const race = Array.from(codes, (c) => races[c]!);
const metrics = { sel: selectionRate, tpr: truePositiveRate, fpr: falsePositiveRate };

/** The naive way: for each metric, the distinct groups, then a filter over all rows per group. */
function naiveRate(sf: readonly string[], keep: (t: number) => boolean): number[] {
  const groups = [...new Set(sf)].sort();
  return groups.map((g) => {
    let num = 0;
    let den = 0;
    for (let i = 0; i < sf.length; i++) {
      if (sf[i] !== g || !keep(yTrue[i]!)) continue;
      den++;
      num += yPred[i]!;
    }
    return den === 0 ? 0 : num / den;
  });
}
const spread = (v: number[]): number => Math.max(...v) - Math.min(...v);
function naiveDpEo(sf: readonly string[]): { dp: number; eo: number } {
  const dp = spread(naiveRate(sf, () => true));
  const eo = Math.max(spread(naiveRate(sf, (t) => t === 1)), spread(naiveRate(sf, (t) => t === 0)));
  return { dp, eo };
}
function dpEo(sensitiveFeatures: Parameters<typeof demographicParityDifference>[2]['sensitiveFeatures']): { dp: number; eo: number } {
  return {
    dp: demographicParityDifference(yTrue, yPred, { sensitiveFeatures }),
    eo: equalizedOddsDifference(yTrue, yPred, { sensitiveFeatures }),
  };
}
/** The frame plus both differences, reading the differences off the one frame. */
function frameAndDifferences(sensitiveFeatures: ArrayLike<string | number>) {
  const f = metricFrame({ metrics, yTrue, yPred, sensitiveFeatures });
  const d = f.difference();
  return { dp: d.sel!, eo: Math.max(d.tpr!, d.fpr!) };
}

// The two implementations must agree before they are timed.
const ours = dpEo(sfStrings);
const naive = naiveDpEo(sfStrings);
if (Math.abs(ours.dp - naive.dp) > 1e-12 || Math.abs(ours.eo - naive.eo) > 1e-12) throw new Error(`naive ${JSON.stringify(naive)} != ${JSON.stringify(ours)}`);
if (Math.abs(ours.dp - timings.demographic_parity_difference.value) > 1e-2) throw new Error('unexpected data');

const fairlearnFrameMs = timings.MetricFrame_sel_tpr_fpr.median_s * 1000;
const fairlearnDpEoMs = (timings.demographic_parity_difference.median_s + timings.equalized_odds_difference.median_s) * 1000;
const fairlearnAllMs = fairlearnFrameMs + fairlearnDpEoMs;
const rows: BenchRow[] = [];
const add = (c: string, backend: string, t: Timing, refs: { naiveMs?: number; fairlearnMs?: number } = {}): void => {
  rows.push({
    case: c, backend, medianMs: t.medianMs, minMs: t.minMs, runs: t.runs,
    naiveMs: refs.naiveMs, naiveOverOurs: refs.naiveMs === undefined ? undefined : refs.naiveMs / t.medianMs,
    fairlearnMs: refs.fairlearnMs, fairlearnOverOurs: refs.fairlearnMs === undefined ? undefined : refs.fairlearnMs / t.medianMs,
  });
};

const opts = { warmup: 2, minRuns: 7, minTimeMs: 1500 };
const naiveOpts = { warmup: 1, minRuns: 5, minTimeMs: 0 };
const naiveTiming = await measure(() => naiveDpEo(sfStrings), naiveOpts);
add('naive: DP + EO differences by filtering each group (string groups)', 'none', naiveTiming, { fairlearnMs: fairlearnDpEoMs });
add('demographicParityDifference + equalizedOddsDifference (string groups)', 'none', await measure(() => dpEo(sfStrings), opts), {
  naiveMs: naiveTiming.medianMs, fairlearnMs: fairlearnDpEoMs,
});
add('demographicParityDifference + equalizedOddsDifference (int groups)', 'none', await measure(() => dpEo(codes), opts), { fairlearnMs: fairlearnDpEoMs });
add('demographicParityDifference + equalizedOddsDifference (sex x race strings, 10 groups)', 'none', await measure(() => dpEo({ sex, race }), opts));
add('frame sel/tpr/fpr, string groups (arrays)', 'none', await measure(() => metricFrame({ metrics, yTrue, yPred, sensitiveFeatures: sfStrings }), opts), { fairlearnMs: fairlearnFrameMs });
add('frame sel/tpr/fpr, int groups (arrays)', 'none', await measure(() => metricFrame({ metrics, yTrue, yPred, sensitiveFeatures: codes }), opts), { fairlearnMs: fairlearnFrameMs });
add('frame + DP and EO differences from it (arrays)', 'none', await measure(() => frameAndDifferences(sfStrings), opts), { naiveMs: naiveTiming.medianMs, fairlearnMs: fairlearnAllMs });
add('encodeGroups (string groups)', 'none', await measure(() => encodeGroups(sfStrings), { ...opts, maxRuns: 20 }));

for (const backend of benchBackends()) {
  await useBenchBackend(backend);
  const t = { yTrue: tf.tensor1d(yTrue, 'int32'), yPred: tf.tensor1d(yPred, 'int32'), sensitiveFeatures: tf.tensor1d(codes, 'int32') };
  add(
    'tensors: fromTensors (await data) + frame + DP/EO differences',
    backend,
    await measure(async () => {
      const inputs = await fromTensors(t);
      const f = metricFrame({ metrics, ...inputs });
      return f.difference();
    }, opts),
    { fairlearnMs: fairlearnAllMs },
  );
  tf.dispose(Object.values(t));
}

printTable(`Fairness on ${N.toLocaleString('en')} rows, 5 groups (median ms; Fairlearn ${fairlearnFrameMs.toFixed(0)} ms for the frame alone)`, rows);
writeResults('fairness', rows, {
  rows: N, groups: 5,
  fairlearn: { frameMs: fairlearnFrameMs, dpEoMs: fairlearnDpEoMs, frameDpEoMs: fairlearnAllMs, source: 'timings.json (fairlearn v0.12.0, pandas 1.5.3, 2 shared cores)' },
});

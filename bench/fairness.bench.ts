/**
 * npm run bench -- fairness: a metric frame (selection rate, TPR, FPR) and the demographic-parity
 * and equalized-odds differences on 1,000,000 rows with 5 groups, as plain arrays and as tfjs
 * tensors on each backend, side by side with Fairlearn v0.12's recorded time on the same data
 * shape (test/fixtures/fairness/timings.json, measured on this machine class).
 */
import * as tf from '@tensorflow/tfjs-core';
import { seededRng } from '../src/core/rng.js';
import {
  demographicParityDifference,
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
const metrics = { sel: selectionRate, tpr: truePositiveRate, fpr: falsePositiveRate };

/** The frame plus both differences, reading the differences off the one frame. */
function frameAndDifferences(sensitiveFeatures: ArrayLike<string | number>) {
  const f = metricFrame({ metrics, yTrue, yPred, sensitiveFeatures });
  const d = f.difference();
  return { dp: d.sel!, eo: Math.max(d.tpr!, d.fpr!) };
}

const fairlearnFrameMs = timings.MetricFrame_sel_tpr_fpr.median_s * 1000;
const fairlearnAllMs = fairlearnFrameMs + (timings.demographic_parity_difference.median_s + timings.equalized_odds_difference.median_s) * 1000;
const rows: BenchRow[] = [];
const add = (c: string, backend: string, t: Timing, fairlearnMs: number): void => {
  rows.push({ case: c, backend, medianMs: t.medianMs, minMs: t.minMs, runs: t.runs, fairlearnMs, fairlearnOverOurs: fairlearnMs / t.medianMs });
};

const opts = { warmup: 2, minRuns: 7, minTimeMs: 1500 };
add('frame sel/tpr/fpr, string groups (arrays)', 'none', await measure(() => metricFrame({ metrics, yTrue, yPred, sensitiveFeatures: sfStrings }), opts), fairlearnFrameMs);
add('frame sel/tpr/fpr, int groups (arrays)', 'none', await measure(() => metricFrame({ metrics, yTrue, yPred, sensitiveFeatures: codes }), opts), fairlearnFrameMs);
add('frame + DP and EO differences from it (arrays)', 'none', await measure(() => frameAndDifferences(sfStrings), opts), fairlearnAllMs);
add(
  'frame + demographicParityDifference + equalizedOddsDifference (3 passes)',
  'none',
  await measure(() => {
    metricFrame({ metrics, yTrue, yPred, sensitiveFeatures: sfStrings });
    demographicParityDifference(yTrue, yPred, { sensitiveFeatures: sfStrings });
    equalizedOddsDifference(yTrue, yPred, { sensitiveFeatures: sfStrings });
  }, opts),
  fairlearnAllMs,
);

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
    fairlearnAllMs,
  );
  tf.dispose(Object.values(t));
}

printTable(`Fairness metric frame on ${N.toLocaleString('en')} rows, 5 groups (median ms; Fairlearn ${fairlearnFrameMs.toFixed(0)} ms for the frame alone)`, rows);
writeResults('fairness', rows, { rows: N, groups: 5, fairlearn: { frameMs: fairlearnFrameMs, frameDpEoMs: fairlearnAllMs, source: 'timings.json (fairlearn v0.12.0, pandas 1.5.3, 2 shared cores)' } });

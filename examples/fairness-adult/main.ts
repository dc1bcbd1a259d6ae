/**
 * npm run example -- fairness-adult [--backend cpu|wasm]
 *
 * Trains a logistic regression on UCI Adult (shipped in examples/data), measures its per-group
 * metrics by sex and by race, then tries three mitigations and compares accuracy, demographic
 * parity difference and equalized odds difference before and after:
 *   1. reweighing (pre-processing, Kamiran & Calders),
 *   2. a soft demographic-parity penalty in the training loss (in-processing),
 *   3. the threshold optimizer (post-processing, Hardt et al.), for DP and for equalized odds.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { barChartSvg, seededRng, tensorSeed } from 'responsible-tfjs';
import {
  accuracy,
  count,
  demographicParityDifference,
  demographicParityPenalty,
  encodeGroups,
  equalizedOddsDifference,
  falsePositiveRate,
  fitThresholdOptimizer,
  metricFrame,
  metricFrameSvg,
  metricFrameTable,
  reweighing,
  rocAuc,
  selectionRate,
  thresholdPredict,
  truePositiveRate,
} from 'responsible-tfjs/fairness';
import { setupBackend } from '../shared/backend.js';
import { loadAdult, type AdultEncoded } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';

const backend = await setupBackend('wasm');
const { train, test } = loadAdult();
console.log(`backend ${backend}; Adult train ${train.n} rows, test ${test.n} rows, ${train.numFeatures} features`);

const EPOCHS = 8;
const BATCH = 512;
const rng = seededRng('fairness-adult');
const sexCodes = encodeGroups(train.sex);

interface TrainOptions {
  readonly sampleWeight?: Float64Array;
  readonly dpPenalty?: number;
}

/** Logistic regression (one Dense unit) trained with Adam in a custom loop: weighted BCE + λ · soft DP gap. */
async function trainModel(opts: TrainOptions = {}): Promise<tfl.LayersModel> {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: 1, inputShape: [train.numFeatures], activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: tensorSeed(seededRng(1)) }) })],
  });
  const optimizer = tf.train.adam(0.01);
  const x = tf.tensor2d(train.x, [train.n, train.numFeatures]);
  const y = tf.tensor1d(train.y, 'float32');
  const w = tf.tensor1d(Float32Array.from(opts.sampleWeight ?? new Float64Array(train.n).fill(1)), 'float32');
  const g = tf.tensor1d(sexCodes.codes, 'int32');
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < train.n; start += BATCH) {
      const idx = tf.tensor1d(order.subarray(start, Math.min(train.n, start + BATCH)), 'int32');
      const [xb, yb, wb, gb] = [tf.gather(x, idx), tf.gather(y, idx), tf.gather(w, idx), tf.gather(g, idx)];
      optimizer.minimize(() => {
        const p = tf.reshape(model.apply(xb) as tf.Tensor, [-1]);
        const eps = 1e-7;
        const bce = tf.neg(tf.add(tf.mul(yb, tf.log(tf.add(p, eps))), tf.mul(tf.sub(1, yb), tf.log(tf.sub(1 + eps, p)))));
        const loss = tf.div(tf.sum(tf.mul(bce, wb)), tf.sum(wb));
        if (opts.dpPenalty === undefined) return loss as tf.Scalar;
        return tf.add(loss, tf.mul(opts.dpPenalty, demographicParityPenalty({ scores: p, groups: gb, numGroups: sexCodes.keys.length }))) as tf.Scalar;
      });
      tf.dispose([idx, xb, yb, wb, gb]);
    }
  }
  tf.dispose([x, y, w, g]);
  optimizer.dispose();
  return model;
}

async function scores(model: tfl.LayersModel, data: AdultEncoded): Promise<Float32Array> {
  const p = tf.tidy(() => tf.reshape(model.predict(tf.tensor2d(data.x, [data.n, data.numFeatures])) as tf.Tensor, [-1]));
  const out = (await p.data()) as Float32Array;
  p.dispose();
  return out;
}

const threshold = (s: ArrayLike<number>): Int32Array => Int32Array.from(s as ArrayLike<number>, (v) => (v > 0.5 ? 1 : 0));
const metrics = { count, selectionRate, accuracy, tpr: truePositiveRate, fpr: falsePositiveRate };

const rows: (string | number)[][] = [];
const results: Record<string, unknown>[] = [];
const selectionBySex: { label: string; values: number[] }[] = [];
function summarize(name: string, short: string, yPred: ArrayLike<number>): void {
  const bySex = { sensitiveFeatures: test.sex };
  const byRace = { sensitiveFeatures: test.race };
  const r = {
    method: name,
    short,
    accuracy: accuracy(test.y, yPred),
    dpSex: demographicParityDifference(test.y, yPred, bySex),
    eoSex: equalizedOddsDifference(test.y, yPred, bySex),
    dpRace: demographicParityDifference(test.y, yPred, byRace),
    eoRace: equalizedOddsDifference(test.y, yPred, byRace),
  };
  rows.push([r.method, r.accuracy, r.dpSex, r.eoSex, r.dpRace, r.eoRace]);
  results.push(r);
  const f = metricFrame({ metrics: { selectionRate }, yTrue: test.y, yPred, sensitiveFeatures: test.sex });
  selectionBySex.push({ label: short, values: f.groups.map((g) => f.byGroup[g.key]!.selectionRate!) });
}

// 1. Baseline.
const t0 = performance.now();
const baseline = await trainModel();
const baseTrain = await scores(baseline, train);
const baseTest = await scores(baseline, test);
const basePred = threshold(baseTest);
console.log(`\nbaseline trained in ${((performance.now() - t0) / 1000).toFixed(1)} s; test AUC ${rocAuc(test.y, baseTest).toFixed(4)}`);
for (const [name, column] of [['sex', test.sex], ['race', test.race]] as const) {
  const frame = metricFrame({ metrics, yTrue: test.y, yPred: basePred, sensitiveFeatures: { [name]: column } });
  console.log(`\nBaseline metrics by ${name} (test split):\n${metricFrameTable(frame)}`);
  writeOutput(`fairness-${name}.svg`, metricFrameSvg(frame, { title: `Baseline logistic regression on Adult: rates by ${name}`, metrics: ['selectionRate', 'accuracy', 'tpr', 'fpr'], yMax: 1, yLabel: 'rate', width: name === 'race' ? 900 : 640 }));
}
const scoreFrame = metricFrame({ metrics: { auc: rocAuc }, yTrue: test.y, yPred: baseTest, sensitiveFeatures: test.sex });
console.log(`\nAUC by sex: ${scoreFrame.groups.map((g) => `${g.key} ${scoreFrame.byGroup[g.key]!.auc!.toFixed(4)}`).join(', ')}`);
summarize('baseline (threshold 0.5)', 'baseline', basePred);

// 2. Reweighing (pre-processing): weights that make the label independent of sex in the training data.
const rw = reweighing({ yTrue: train.y, sensitiveFeatures: train.sex });
console.log(`\nreweighing weights: ${rw.weights.map((w) => `${w.group}/y=${w.label}: ${w.weight.toFixed(4)}`).join(', ')}`);
const reweighed = await trainModel({ sampleWeight: rw.sampleWeight });
summarize('reweighing', 'reweighing', threshold(await scores(reweighed, test)));

// 3. In-processing: soft demographic-parity gap added to the loss.
for (const lambda of [1, 4]) {
  const penalized = await trainModel({ dpPenalty: lambda });
  summarize(`DP penalty, lambda=${lambda}`, `DP penalty λ=${lambda}`, threshold(await scores(penalized, test)));
}

// 4. Post-processing: threshold optimizer fitted on the training scores, applied to test scores.
for (const constraints of ['demographic_parity', 'equalized_odds'] as const) {
  const rule = fitThresholdOptimizer({ yTrue: train.y, yScore: baseTrain, sensitiveFeatures: train.sex, constraints });
  const yFair = thresholdPredict(rule, { yScore: baseTest, sensitiveFeatures: test.sex, rng: seededRng(0) });
  summarize(`threshold optimizer (${constraints})`, constraints === 'equalized_odds' ? 'threshold opt. EO' : 'threshold opt. DP', yFair);
}

const header = ['method', 'accuracy', 'DP diff (sex)', 'EO diff (sex)', 'DP diff (race)', 'EO diff (race)'];
console.log(`\nMitigations on the test split (differences between groups; lower is fairer):\n${textTable(header, rows)}`);
const categories = metricFrame({ metrics: count, yTrue: test.y, yPred: basePred, sensitiveFeatures: test.sex }).groups.map((g) => g.key);
writeOutput('fairness-mitigations.svg', barChartSvg({ categories, series: selectionBySex }, { title: 'Selection rate by sex, before and after each mitigation', yLabel: 'selection rate', yMin: 0, width: 900 }));
writeOutput(
  'fairness-tradeoff.svg',
  barChartSvg(
    {
      categories: results.map((r) => `${String(r.short)} (acc ${(r.accuracy as number).toFixed(3)})`),
      series: [
        { label: 'DP diff (sex)', values: results.map((r) => r.dpSex as number) },
        { label: 'EO diff (sex)', values: results.map((r) => r.eoSex as number) },
      ],
    },
    { title: 'Disparities by sex per method (test accuracy in brackets)', yLabel: 'difference between groups', yMin: 0, width: 1250, height: 420 },
  ),
);
writeOutput('fairness-adult.json', JSON.stringify({ backend, epochs: EPOCHS, batch: BATCH, results }, null, 2));
console.log(`\nfigures and results written to examples/output/ (total ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

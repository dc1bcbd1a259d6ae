/**
 * Explaining two Adult income classifiers with responsible-tfjs/explain: why a logistic regression
 * and a small MLP predict >50K for one person (exact Shapley values over 7 feature groups, with the
 * training mean as the "average person" baseline), and how the attributions differ between women
 * and men over the test split, next to the fairness module's selection-rate gap.
 *
 * Run: npm run example -- explain-adult [--backend cpu|wasm]
 *
 * Features: the 10 columns of the explain references (test/fixtures/explain/adult_model.json),
 * built in ./features.ts. Every random draw is seeded, so a rerun on the same backend prints the
 * same numbers (timings aside).
 */
import { cpus } from 'node:os';
import { relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { barChartSvg, seededRng } from 'responsible-tfjs';
import { attributionBarChartSvg, shapleyValues } from 'responsible-tfjs/explain';
import { demographicParityDifference, metricFrame, selectionRate } from 'responsible-tfjs/fairness';
import { setupBackend } from '../shared/backend.js';
import { loadAdultRows, type AdultRow } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';
import {
  columnMeans, featurize, fitStandardization, shuffleRows, FEATURE_GROUPS, GROUP_NAMES, NUM_FEATURES,
} from './features.js';
import { writeFigure } from './figures.js';
import { fitBinary, logisticModel, mlpModel, probabilities } from './models.js';

const backend = await setupBackend();
const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}, tfjs ${tf.version_core}`;
const started = performance.now();
const elapsed = (): string => ((performance.now() - started) / 1000).toFixed(1);

// 1. Data: the 10-feature featurization with the train split's statistics.
const rows = loadAdultRows();
const trainRows = rows.filter((r) => r.split === 'train');
const testRows = rows.filter((r) => r.split === 'test');
const stats = fitStandardization(trainRows);
const trainFeatures = featurize(trainRows, stats);
const train = shuffleRows(trainFeatures, seededRng('explain-adult-order'));
const test = featurize(testRows, stats);
const xTest = tf.tensor2d(test.x, [test.n, NUM_FEATURES]);
const trainMean = columnMeans(trainFeatures);
console.log(`backend ${backend} (${machine}); Adult train ${train.n} rows, test ${test.n} rows, ${NUM_FEATURES} features in ${GROUP_NAMES.length} groups`);

// 2. Two models trained with tfjs model.fit (Adam, binary cross-entropy, seeded initialisers).
const models: { key: string; label: string; model: tfl.Sequential; p?: Float32Array }[] = [
  { key: 'logistic', label: 'logistic regression', model: logisticModel(1) },
  { key: 'mlp', label: 'MLP (16 ReLU units)', model: mlpModel(1) },
];
const FIT = { logistic: { epochs: 10, batchSize: 256, learningRate: 1e-2 }, mlp: { epochs: 10, batchSize: 256, learningRate: 3e-3 } } as const;
const fitRows: (string | number)[][] = [];
for (const m of models) {
  const settings = FIT[m.key as keyof typeof FIT];
  const loss = await fitBinary(m.model, train, settings);
  m.p = await probabilities(m.model, xTest);
  const accuracy = m.p.filter((v, i) => (v > 0.5 ? 1 : 0) === test.y[i]).length / test.n;
  fitRows.push([m.label, settings.epochs, loss, accuracy]);
}
console.log(`[${elapsed()} s] models trained\n\n${textTable(['model', 'epochs', 'final train loss', 'test accuracy'], fitRows)}`);

// 3. One person both models place above 50K: the first such row of the test split.
const person = test.y.findIndex((_, i) => models.every((m) => m.p![i]! > 0.5));
const who: AdultRow = testRows[person]!;
const personValues = [
  String(who.age), `${who['education-num']} (${who.education})`, String(who['capital-gain']), String(who['capital-loss']),
  String(who['hours-per-week']), who.sex, who['marital-status'],
];
console.log(`\nThe person: test row ${person} (Adult row ${who.row}): ${GROUP_NAMES.map((g, j) => `${g} ${personValues[j]}`).join(', ')}; true income ${who.income}`);

/** The value of each of the 7 groups from a row of per-column attributions (a group's columns share it). */
function groupValues(perColumn: ArrayLike<number>, offset: number): number[] {
  return GROUP_NAMES.map((_, g) => perColumn[offset + (FEATURE_GROUPS as readonly number[]).indexOf(g)]!);
}

// Exact Shapley values: the 7 groups are the players (2^7 = 128 model rows per person), absent
// groups take the training mean, and the target is class 1 (the probability of >50K).
const SHAPLEY = { featureMask: [...FEATURE_GROUPS], baseline: tf.tensor1d(trainMean) };
const xPerson = tf.slice(xTest, person, 1);
const personRows: (string | number)[][] = GROUP_NAMES.map((g, j) => [g, personValues[j]!]);
const whyTotals: string[] = [];
for (const m of models) {
  const { attributions } = await shapleyValues(m.model, xPerson, { ...SHAPLEY, target: [1] });
  const phi = groupValues(await attributions.data(), 0);
  attributions.dispose();
  const xMean = tf.tensor2d(trainMean, [1, NUM_FEATURES]);
  const pMean = (await probabilities(m.model, xMean))[0]!;
  xMean.dispose();
  const pPerson = m.p![person]!;
  phi.forEach((v, j) => personRows[j]!.push(v));
  whyTotals.push(`${m.label}: p(>50K) ${pPerson.toFixed(4)} = p(average person) ${pMean.toFixed(4)} + sum of Shapley values ${phi.reduce((a, b) => a + b, 0).toFixed(4)}`);
  const names = GROUP_NAMES.map((g, j) => `${g}: ${personValues[j]!}`);
  console.log(`wrote ${writeFigure(`explain-adult-${m.key}.svg`, attributionBarChartSvg(phi, names, { title: `Why the ${m.label} predicts >50K (p = ${pPerson.toFixed(3)})`, xLabel: 'Shapley value (probability of >50K vs the average person)', width: 720 }))}`);
}
xPerson.dispose();
console.log(`\nShapley values over the 7 feature groups, baseline the train mean, target >50K:\n\n${textTable(['group', 'this person', ...models.map((m) => m.label)], personRows)}\n`);
whyTotals.forEach((line) => console.log(line));

// 4. Women and men: Shapley values for every test row (128 coalitions each, batched), then the
// mean |value| and the mean value per group and sex.
const women = test.sex.map((s) => s === 'Female');
const nWomen = women.filter(Boolean).length;
const sexRows: (string | number)[][] = [];
const gapRows: (string | number)[][] = [];
const gapLines: string[] = [];
const series: { label: string; values: number[]; color: string }[] = [];
const gapSeries: { label: string; values: number[]; color: string }[] = [];
/** Women in blues, men in oranges; the darker shade is the logistic regression. */
const COLORS: Record<string, { women: string; men: string; gap: string }> = {
  logistic: { women: '#2166ac', men: '#e08214', gap: '#4d4d4d' },
  mlp: { women: '#92c5de', men: '#fdb863', gap: '#bababa' },
};
const results: Record<string, unknown> = { backend, machine, person, personRow: who, fit: FIT };
for (const m of models) {
  const t0 = performance.now();
  const { attributions } = await shapleyValues(m.model, xTest, { ...SHAPLEY, target: new Int32Array(test.n).fill(1) });
  const all = await attributions.data();
  attributions.dispose();
  const seconds = (performance.now() - t0) / 1000;
  const sums = { absW: new Float64Array(7), absM: new Float64Array(7), w: new Float64Array(7), m: new Float64Array(7) };
  const add = (a: Float64Array, g: number, v: number): void => { a[g] = a[g]! + v; };
  for (let i = 0; i < test.n; i++) {
    groupValues(all, i * NUM_FEATURES).forEach((v, g) => {
      if (women[i]) { add(sums.absW, g, Math.abs(v)); add(sums.w, g, v); } else { add(sums.absM, g, Math.abs(v)); add(sums.m, g, v); }
    });
  }
  const nMen = test.n - nWomen;
  const meanAbsW = Array.from(sums.absW, (v) => v / nWomen);
  const meanAbsM = Array.from(sums.absM, (v) => v / nMen);
  const meanW = Array.from(sums.w, (v) => v / nWomen);
  const meanM = Array.from(sums.m, (v) => v / nMen);
  GROUP_NAMES.forEach((g, j) => {
    sexRows.push([m.label, g, meanAbsW[j]!, meanAbsM[j]!]);
    gapRows.push([m.label, g, meanW[j]!, meanM[j]!, meanW[j]! - meanM[j]!]);
  });
  const pW = m.p!.reduce((a, v, i) => a + (women[i] ? v : 0), 0) / nWomen;
  const pM = m.p!.reduce((a, v, i) => a + (women[i] ? 0 : v), 0) / nMen;
  const sumW = meanW.reduce((a, b) => a + b, 0);
  const sumM = meanM.reduce((a, b) => a + b, 0);
  gapRows.push([m.label, 'sum', sumW, sumM, sumW - sumM]);
  gapLines.push(`${m.label}: mean p(>50K) women ${pW.toFixed(4)}, men ${pM.toFixed(4)}, gap ${(pW - pM).toFixed(4)} (the sum of the differences above: each row's values add up to p(row) - p(average person))`);
  // Charts in percentage points of p(>50K).
  const points = (v: number): number => 100 * v;
  series.push({ label: `${m.key}, women`, values: meanAbsW.map(points), color: COLORS[m.key]!.women }, { label: `${m.key}, men`, values: meanAbsM.map(points), color: COLORS[m.key]!.men });
  gapSeries.push({ label: m.key, values: meanW.map((w, j) => points(w - meanM[j]!)), color: COLORS[m.key]!.gap });
  const yPred = Int32Array.from(m.p!, (v) => (v > 0.5 ? 1 : 0));
  const frame = metricFrame({ metrics: { selectionRate }, yTrue: test.y, yPred, sensitiveFeatures: test.sex });
  const dp = demographicParityDifference(test.y, yPred, { sensitiveFeatures: test.sex });
  console.log(`\n[${elapsed()} s] ${m.label}: Shapley values of all ${test.n} test rows in ${seconds.toFixed(2)} s (${(test.n * 128 / seconds / 1e3).toFixed(0)}k model rows / s); `
    + `selection rate women ${frame.byGroup.Female!.selectionRate!.toFixed(4)}, men ${frame.byGroup.Male!.selectionRate!.toFixed(4)}, demographic parity difference ${dp.toFixed(4)}`);
  results[m.key] = { shapleySeconds: seconds, meanAbsWomen: meanAbsW, meanAbsMen: meanAbsM, meanWomen: meanW, meanMen: meanM, meanPWomen: pW, meanPMen: pM, selectionRate: frame.byGroup, demographicParityDifference: dp };
}
console.log(`\nMean |Shapley value| per group (${nWomen} women, ${test.n - nWomen} men in the test split):\n\n${textTable(['model', 'group', 'women', 'men'], sexRows)}`);
console.log(`\nMean Shapley value per group (toward >50K, against the same average person): the differences add up to the gap in mean predicted probability\n\n${textTable(['model', 'group', 'women', 'men', 'women - men'], gapRows)}\n`);
gapLines.forEach((line) => console.log(line));

console.log(`\nwrote ${writeFigure('explain-adult-sex.svg', barChartSvg({ categories: [...GROUP_NAMES], series }, { title: 'Mean |Shapley value| per feature group, women and men (test split)', yLabel: 'mean |Shapley value| (points of p(>50K))', width: 900 }))}`);
console.log(`wrote ${writeFigure('explain-adult-gap.svg', barChartSvg({ categories: [...GROUP_NAMES], series: gapSeries }, { title: 'Mean Shapley value, women minus men: where the gap in predicted p(>50K) comes from', yLabel: 'women minus men (points of p(>50K))', width: 900 }))}`);
console.log(`wrote ${relative(process.cwd(), writeOutput('explain-adult.json', JSON.stringify(results, null, 2)))}`);
tf.dispose([xTest, SHAPLEY.baseline]);
models.forEach((m) => m.model.dispose());
console.log(`total ${elapsed()} s`);

/**
 * Privacy auditing on the UCI digits.
 *
 * Part 1, membership inference: a target MLP is trained on a random half of the 1,797 digits; the
 * attacks (loss, LiRA's logit-scaled confidence, gradient norm, LiRA offline and online with 8
 * shadow models trained the same way) try to tell its members from the other half. Once for a
 * normally trained target (Adam, 60 epochs) and once for a DP-SGD target (epsilon 4).
 *
 * Part 2, the one-run audit (Steinke, Nasr and Jagielski 2023) of fitPrivately at epsilon 1, 4
 * and 8 and of the same training without privacy: 200 canaries each included with probability
 * 1/2, one training run each, epsilon reported against the audit's lower bound (95 %).
 *
 * Part 3, the white-box version on the DP-SGD aggregation itself (clipAndNoise): 1,000 Dirac
 * gradient canaries, every step observed; and an aggregation that forgets to clip.
 *
 * Run: npm run example -- audit-digits [--backend cpu|wasm]
 * The noise, the splits and the canaries come from seeded generators so that the printed figures
 * reproduce; that is for reproducibility only (a real private run leaves `rng` out).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from 'responsible-tfjs';
import {
  auditDpSgd, auditPrivatizer, auditReport, evaluateMembershipAttack, gradientNormScores, liraScores, membershipScores,
  outOfDistributionCanaries, rocSvg, trainShadowModels, type AuditReportRun, type AuditTrainer, type MembershipAttackEvaluation,
} from 'responsible-tfjs/audit';
import {
  clipAndNoise, fitPrivately, fitWithPerExampleEngine, gaussianEvent, getNoiseMultiplier, poissonSampledEvent, RdpAccountant, selfComposedEvent,
} from 'responsible-tfjs/privacy';
import { setupBackend } from '../shared/backend.js';
import { loadDigits } from '../shared/data.js';
import { textTable, writeOutput } from '../shared/output.js';

const SHADOWS = 8;
const DELTA = 1e-5;
const backend = await setupBackend();
const started = performance.now();
const { train, test } = loadDigits();
// The population: all 1,797 digits; membership of the target is a fair coin per row.
const n = train.n + test.n;
const xAll = tf.concat([tf.tensor2d(train.x, [train.n, 64]), tf.tensor2d(test.x, [test.n, 64])]);
const yAll = Int32Array.from([...train.y, ...test.y]);

let modelSeed = 0;
function mlp(units = 64): tfl.LayersModel {
  modelSeed += 2;
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [64], units, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: modelSeed }) }),
      tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: modelSeed + 1 }) }),
    ],
  });
}

/** The normal training: Adam, 60 epochs, batch 32, to a model that fits its data closely. */
async function trainNormally(x: tf.Tensor, y: Int32Array): Promise<tfl.LayersModel> {
  const model = mlp(128);
  const optimizer = tf.train.adam(3e-3);
  await fitWithPerExampleEngine(model, x, y, { epochs: 60, batchSize: 32, optimizer, rng: seededRng(`audit-normal-${modelSeed}`) });
  optimizer.dispose();
  return model;
}

/** The private training: fitPrivately at epsilon 4 (delta 1e-5), 30 epochs of batch 64. */
let dpRun = 0;
async function trainPrivately(x: tf.Tensor, y: Int32Array, targetEpsilon = 4): Promise<{ model: tfl.LayersModel; epsilon: number }> {
  const model = mlp();
  const r = await fitPrivately(model, x, y, {
    epochs: 30, batchSize: 64, maxGradNorm: 1, targetEpsilon, delta: DELTA, optimizer: tf.train.sgd(0.5), rng: seededRng(`audit-dp-${dpRun++}`),
  });
  return { model, epsilon: r.epsilon };
}

async function accuracy(model: tfl.LayersModel, rows: Int32Array): Promise<number> {
  const pred = tf.tidy(() => tf.argMax(model.predict(tf.gather(xAll, rows)) as tf.Tensor, 1));
  const p = await pred.data();
  pred.dispose();
  return Array.from(p).reduce((c, v, i) => c + (v === yAll[rows[i]!] ? 1 : 0), 0) / rows.length;
}

// ---- Part 1: membership inference -------------------------------------------------------------
const membershipRng = seededRng('audit-digits-members');
const isMember = Uint8Array.from({ length: n }, () => (membershipRng.next() < 0.5 ? 1 : 0));
const memberRows = Int32Array.from([...isMember.keys()].filter((i) => isMember[i] === 1));
const otherRows = Int32Array.from([...isMember.keys()].filter((i) => isMember[i] === 0));
const subset = (rows: Int32Array) => ({ x: tf.gather(xAll, rows), y: Int32Array.from(rows, (r) => yAll[r]!) });

const attackRows: (string | number)[][] = [];
const timings: Record<string, number> = {};
async function attackTarget(label: string, target: tfl.LayersModel, shadowTrainer: (x: tf.Tensor, y: Int32Array) => Promise<tfl.LayersModel>): Promise<MembershipAttackEvaluation[]> {
  const t0 = performance.now();
  const shadows = await trainShadowModels(async (x, y) => shadowTrainer(x, y as Int32Array), xAll, yAll, { count: SHADOWS, rng: seededRng(`shadows-${label}`) });
  timings[`${label}: ${SHADOWS} shadow trainings (ms)`] = performance.now() - t0;
  const evaluations: MembershipAttackEvaluation[] = [];
  const add = (name: string, scores: Float64Array): void => {
    evaluations.push(evaluateMembershipAttack(scores, isMember, { name }));
  };
  add('loss (Yeom et al.)', await membershipScores(target, xAll, yAll, { score: 'loss' }));
  add('logit-scaled confidence', await membershipScores(target, xAll, yAll, { score: 'logitConfidence' }));
  const g0 = performance.now();
  add('gradient norm', await gradientNormScores(target, xAll, yAll));
  timings[`${label}: gradient-norm scores (ms)`] = performance.now() - g0;
  add(`LiRA offline (${SHADOWS} shadows)`, (await liraScores(target, xAll, yAll, { shadows, mode: 'offline', fixedVariance: true })).scores);
  add(`LiRA online (${SHADOWS} shadows)`, (await liraScores(target, xAll, yAll, { shadows, mode: 'online', fixedVariance: true })).scores);
  shadows.models.forEach((m) => (m as tfl.LayersModel).dispose());
  for (const e of evaluations) attackRows.push([label, e.name, e.auc, e.tprAtFpr[0]!.tpr, e.tprAtFpr[1]!.tpr, 2 * e.balancedAccuracy - 1]);
  return evaluations;
}

const members = subset(memberRows);
let t0 = performance.now();
const normalTarget = await trainNormally(members.x, members.y);
timings['normal training (ms)'] = performance.now() - t0;
const normalAccuracy = [await accuracy(normalTarget, memberRows), await accuracy(normalTarget, otherRows)];
const normalAttacks = await attackTarget('normal', normalTarget, trainNormally);
t0 = performance.now();
const { model: dpTarget, epsilon: dpEpsilon } = await trainPrivately(members.x, members.y);
timings['DP-SGD training (ms)'] = performance.now() - t0;
const dpAccuracy = [await accuracy(dpTarget, memberRows), await accuracy(dpTarget, otherRows)];
const dpAttacks = await attackTarget(`DP-SGD eps ${dpEpsilon.toFixed(2)}`, dpTarget, async (x, y) => (await trainPrivately(x, y)).model);
tf.dispose([members.x]);
normalTarget.dispose();
dpTarget.dispose();

console.log(`Membership inference on the digits MLP (${memberRows.length} members, ${otherRows.length} non-members), backend ${backend}`);
console.log(`normal target: train accuracy ${normalAccuracy[0]!.toFixed(4)}, held-out ${normalAccuracy[1]!.toFixed(4)}`);
console.log(`DP-SGD target (epsilon ${dpEpsilon.toFixed(3)}, delta ${DELTA}): train accuracy ${dpAccuracy[0]!.toFixed(4)}, held-out ${dpAccuracy[1]!.toFixed(4)}\n`);
console.log(textTable(['target', 'attack', 'AUC', 'TPR at 0.1% FPR', 'TPR at 1% FPR', 'advantage'], attackRows));
console.log(`wrote ${writeOutput('audit-digits-roc.svg', rocSvg(normalAttacks, { title: 'Digits MLP, normal training: membership inference' }))}`);
console.log(`wrote ${writeOutput('audit-digits-roc-dp.svg', rocSvg(dpAttacks, { title: `Digits MLP, DP-SGD (epsilon ${dpEpsilon.toFixed(1)}): membership inference` }))}`);

// ---- Part 2: one-run audits -------------------------------------------------------------------
const xTrain = tf.tensor2d(train.x, [train.n, 64]);
const runs: AuditReportRun[] = [];
const auditRows: (string | number)[][] = [];
const trainers: [string, AuditTrainer][] = [
  ...[1, 4, 8].map((eps): [string, AuditTrainer] => [`DP-SGD ε=${eps}`, async (x, y) => {
    const { model, epsilon } = await trainPrivately(x, y, eps);
    return { model, epsilon, delta: DELTA };
  }]),
  ['non-private', async (x, y) => {
    const model = mlp();
    await fitWithPerExampleEngine(model, x, y, { epochs: 30, batchSize: 64, optimizer: tf.train.sgd(0.5), rng: seededRng('audit-np') });
    return { model };
  }],
];
for (const [label, trainer] of trainers) {
  // Canaries uniform in [-2, 2]^64: unlike any digit (pixels in [0, 1]), with random labels.
  const canaries = outOfDistributionCanaries({ count: 200, shape: [64], numClasses: 10, low: -2, high: 2, rng: seededRng(`canaries-${label}`) });
  const r = await auditDpSgd(trainer, { x: xTrain, y: train.y }, {
    canaries, positiveGuesses: 40, negativeGuesses: 40, delta: DELTA, rng: seededRng(`inclusion-${label}`),
  });
  (r.model as tfl.LayersModel).dispose();
  canaries.x.dispose();
  runs.push({ label, ...r });
  auditRows.push([label, r.reportedEpsilon ?? 'none', r.epsilonLowerBound, r.maxCertifiableEpsilon, `${r.correct}/${r.guesses}`, Number((r.trainingMs / 1000).toFixed(1)), Math.round(r.scoringMs)]);
}
xTrain.dispose();
console.log(`\nOne-run audits: 200 canaries in [-2, 2]^64 with random labels, k+ = k- = 40 guesses, delta ${DELTA}, 95 % confidence`);
console.log(textTable(['training', 'reported epsilon', 'lower bound', 'most certifiable', 'correct/guesses', 'training s', 'scoring ms'], auditRows));

// ---- Part 3: white-box audits of the DP-SGD aggregation ------------------------------------------
// The same sample rate and steps as the runs above (30 epochs of expected batch 64 on 1,447 rows);
// 1,000 Dirac gradient canaries of norm 10, every step's output observed.
const q = 64 / 1447;
const steps = 690;
const whiteBoxRows: (string | number)[][] = [];
const whiteBoxRuns: AuditReportRun[] = [];
const accountantEpsilon = (sigma: number): number =>
  new RdpAccountant().compose(selfComposedEvent(poissonSampledEvent(q, gaussianEvent(sigma)), steps)).getEpsilon(DELTA);
for (const [label, eps, clip] of [['clipAndNoise ε=1', 1, true], ['clipAndNoise ε=4', 4, true], ['clipAndNoise ε=8', 8, true], ['no clipping ε=1', 1, false]] as const) {
  const sigma = getNoiseMultiplier({ targetEpsilon: eps, delta: DELTA, sampleRate: q, steps });
  const rng = seededRng(`white-box-${label}`);
  const t = performance.now();
  const r = await auditPrivatizer(
    clip
      ? async (g) => (await clipAndNoise([g], { maxGradNorm: 1, noiseMultiplier: sigma, expectedBatchSize: 64, rng })).gradients
      : (g) => tf.tidy(() => tf.add(tf.sum(g, 0), tf.mul(tf.randomNormal([g.shape[1]!], 0, 1, 'float32', rng.nextUint32()), sigma))),
    { canaries: 1000, steps, sampleRate: q, canaryNorm: 10, epsilon: accountantEpsilon(sigma), delta: DELTA, positiveGuesses: 100, negativeGuesses: 100, rng: seededRng(`white-box-audit-${label}`) },
  );
  whiteBoxRuns.push({ label, ...r });
  whiteBoxRows.push([label, r.reportedEpsilon!, r.epsilonLowerBound, r.maxCertifiableEpsilon, `${r.correct}/${r.guesses}`, Number(((performance.now() - t) / 1000).toFixed(1))]);
}
console.log(`\nWhite-box audits of the aggregation (auditPrivatizer): 1,000 Dirac canaries of norm 10, ${steps} steps at sample rate ${q.toFixed(4)}, k+ = k- = 100`);
console.log(textTable(['aggregation', 'accountant epsilon', 'lower bound', 'most certifiable', 'correct/guesses', 'seconds'], whiteBoxRows));

const report = auditReport({ title: 'Digits MLP: privacy audit', attacks: normalAttacks.concat(dpAttacks.map((e) => ({ ...e, name: `DP-SGD: ${e.name}` }))), runs: [...runs, ...whiteBoxRuns] });
console.log(`\nwrote ${writeOutput('audit-digits.html', report.html)}`);
console.log(`wrote ${writeOutput('audit-digits-epsilon.svg', report.epsilonSvg!)}`);
console.log('\nCost (ms):');
for (const [k, v] of Object.entries(timings)) console.log(`  ${k}: ${v.toFixed(0)}`);
writeOutput('audit-digits.json', JSON.stringify({ backend, shadows: SHADOWS, delta: DELTA, normalAccuracy, dpAccuracy, dpEpsilon, attacks: attackRows, audits: auditRows, whiteBox: whiteBoxRows, timings }, null, 2));
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
xAll.dispose();

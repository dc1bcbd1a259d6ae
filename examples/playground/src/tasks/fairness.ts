/**
 * Panel 4: a logistic regression (minibatch SGD) on UCI Adult, its metrics by sex, and the same scores post-processed
 * by the threshold optimizer (Hardt et al. 2016) under a demographic-parity constraint.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng, shuffledIndices, tensorSeed } from 'responsible-tfjs';
import {
  accuracy, demographicParityDifference, falsePositiveRate, fitThresholdOptimizer, metricFrame, selectionRate,
  thresholdPredict, truePositiveRate, type ThresholdRule,
} from 'responsible-tfjs/fairness';
import type { AdultEncoded } from '../../../shared/datasets.js';
import { checkSetting, throwIfAborted, type TaskControl } from './common.js';

export interface FairnessSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Seed of the initial weights, the batch order and the optimizer's randomised thresholds. */
  readonly seed: number;
}

export const FAIRNESS_DEFAULTS: FairnessSettings = { epochs: 3, batchSize: 256, learningRate: 0.1, seed: 1 };

/** The rates the panel shows for one group. */
export interface GroupRates {
  readonly group: string;
  readonly count: number;
  readonly selectionRate: number;
  readonly accuracy: number;
  readonly truePositiveRate: number;
  readonly falsePositiveRate: number;
}

/** One model's predictions on the test split, summarised. */
export interface FairnessSummary {
  readonly accuracy: number;
  readonly demographicParityDifference: number;
  readonly bySex: readonly GroupRates[];
}

/** The threshold optimizer's rule for one group: P(ŷ = 1) = p0·[s > t0] + p1·[s > t1]. */
export interface GroupRule {
  readonly group: string;
  readonly p0: number;
  readonly threshold0: number;
  readonly p1: number;
  readonly threshold1: number;
}

/** What the post-processing gives, from the model's scores alone. */
export interface PostProcessingResult {
  /** Thresholded at 0.5. */
  readonly unconstrained: FairnessSummary;
  /** Threshold optimizer, demographic parity, fitted on the training scores. */
  readonly demographicParity: FairnessSummary;
  /** The fitted rule, per group. */
  readonly rule: readonly GroupRule[];
  /** The fitted rule as the library returns it (plain data). */
  readonly fitted: ThresholdRule;
}

export interface FairnessResult extends PostProcessingResult {
  /** Mean training loss of each epoch. */
  readonly losses: readonly number[];
}

/** Trains, evaluates, post-processes; progress reports each epoch's loss. */
export async function fairnessByGroup(
  data: { train: AdultEncoded; test: AdultEncoded },
  settings: FairnessSettings,
  control: TaskControl<{ epoch: number; loss: number }> = {},
): Promise<FairnessResult> {
  const { model, losses } = await trainIncomeModel(data.train, settings, control);
  try {
    const [trainScores, testScores] = await Promise.all([incomeScores(model, data.train), incomeScores(model, data.test)]);
    const result = postProcess(data, trainScores, testScores, settings.seed);
    control.onProgress?.({ fraction: 1, message: 'done' });
    return { ...result, losses };
  } finally {
    model.dispose();
  }
}

/** The logistic regression (one sigmoid unit) trained by minibatch SGD on log loss; the caller disposes it. */
export async function trainIncomeModel(
  train: AdultEncoded,
  settings: FairnessSettings,
  control: TaskControl<{ epoch: number; loss: number }> = {},
): Promise<{ model: tfl.LayersModel; losses: number[] }> {
  const task = 'fairnessByGroup';
  checkSetting(task, 'epochs', settings.epochs, 1, 100, true);
  checkSetting(task, 'batchSize', settings.batchSize, 1, train.n, true);
  checkSetting(task, 'learningRate', settings.learningRate, 1e-5, 1);
  checkSetting(task, 'seed', settings.seed, 0, 2 ** 31, true);
  const rng = seededRng(`playground-fairness-${settings.seed}`);
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: 1, inputShape: [train.numFeatures], activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: tensorSeed(rng) }) })],
  });
  const optimizer = tf.train.sgd(settings.learningRate);
  const x = tf.tensor2d(train.x, [train.n, train.numFeatures]);
  const y = tf.tensor1d(train.y, 'float32');
  const losses: number[] = [];
  try {
    for (let epoch = 0; epoch < settings.epochs; epoch++) {
      const order = shuffledIndices(train.n, rng);
      let total = 0;
      for (let start = 0; start < train.n; start += settings.batchSize) {
        throwIfAborted(control.signal, task);
        const idx = tf.tensor1d(order.subarray(start, Math.min(train.n, start + settings.batchSize)), 'int32');
        const [xb, yb] = [tf.gather(x, idx), tf.gather(y, idx)];
        const loss = optimizer.minimize(() => {
          const p = tf.reshape(model.apply(xb) as tf.Tensor, [-1]);
          return tf.losses.logLoss(yb, p, undefined, 1e-7) as tf.Scalar;
        }, true)!;
        total += (await loss.data())[0]! * idx.shape[0];
        tf.dispose([idx, xb, yb, loss]);
      }
      losses.push(total / train.n);
      control.onProgress?.({ fraction: (epoch + 1) / (settings.epochs + 1), message: `epoch ${epoch + 1} of ${settings.epochs}`, point: { epoch: epoch + 1, loss: total / train.n } });
    }
    return { model, losses };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
  }
}

/** P(income > 50K) for every row. */
export async function incomeScores(model: tfl.LayersModel, data: AdultEncoded): Promise<Float32Array> {
  const p = tf.tidy(() => tf.reshape(model.predict(tf.tensor2d(data.x, [data.n, data.numFeatures]), { batchSize: 4096 }) as tf.Tensor, [-1]));
  const out = (await p.data()) as Float32Array;
  p.dispose();
  return out;
}

/**
 * Metrics by sex of the scores thresholded at 0.5, and of the threshold optimizer's randomised
 * predictions under demographic parity (fitted on the training scores, applied to the test ones).
 */
export function postProcess(
  data: { train: AdultEncoded; test: AdultEncoded },
  trainScores: Float32Array,
  testScores: Float32Array,
  seed: number,
): PostProcessingResult {
  const { train, test } = data;
  const unconstrained = summariseByGroup(test, Int32Array.from(testScores, (s) => (s > 0.5 ? 1 : 0)));
  const rule = fitThresholdOptimizer({ yTrue: train.y, yScore: trainScores, sensitiveFeatures: train.sex, constraints: 'demographic_parity' });
  const predicted = thresholdPredict(rule, { yScore: testScores, sensitiveFeatures: test.sex, rng: seededRng(`playground-fairness-predict-${seed}`) });
  return {
    unconstrained,
    demographicParity: summariseByGroup(test, predicted),
    fitted: rule,
    rule: Object.entries(rule.groups).map(([group, g]) => ({
      group, p0: g.p0, threshold0: g.operation0.threshold, p1: g.p1, threshold1: g.operation1.threshold,
    })),
  };
}

/** Accuracy, demographic-parity difference and the rates by sex of 0/1 predictions on the test split. */
export function summariseByGroup(test: AdultEncoded, yPred: Int32Array): FairnessSummary {
  const frame = metricFrame({
    metrics: { selectionRate, accuracy, tpr: truePositiveRate, fpr: falsePositiveRate },
    yTrue: test.y, yPred, sensitiveFeatures: test.sex,
  });
  return {
    accuracy: accuracy(test.y, yPred),
    demographicParityDifference: demographicParityDifference(test.y, yPred, { sensitiveFeatures: test.sex }),
    bySex: frame.groups.map((g) => {
      const m = frame.byGroup[g.key]!;
      return {
        group: g.key, count: test.sex.filter((s) => s === g.key).length,
        selectionRate: m.selectionRate!, accuracy: m.accuracy!, truePositiveRate: m.tpr!, falsePositiveRate: m.fpr!,
      };
    }),
  };
}

/**
 * The core of the dp-text example, separate from main.ts so that a test can run it at a tiny
 * size: a next-character model trained with DP-SGD at each target epsilon and once without
 * privacy, evaluated on held-out chapters every half epoch, and a greedy sample from each.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRng } from 'responsible-tfjs';
import { fitPrivately, fitWithPerExampleEngine } from 'responsible-tfjs/privacy';
import { ALPHABET, decode, encode, makeWindows, normalizeText, type Windows } from './text.js';

/** The recurrent cell, or `'flatten'`: Embedding -> Flatten -> Dense(tanh) -> Dense, no recurrence. */
export type Cell = 'lstm' | 'gru' | 'simpleRNN' | 'flatten';

/**
 * Default delta: a fixed 1e-5 rather than 1/N. A mechanism that publishes one random record in the
 * clear is (0, 1/N)-DP, so delta should sit well below 1/N; with the default stride N is about
 * 7,350 windows and 1e-5 is below 1/(10N). Pass `delta` to override (it should stay << 1/N).
 */
export const DEFAULT_DELTA = 1e-5;

export interface DpTextConfig {
  readonly cell: Cell;
  /** Characters a window holds (the model's context). */
  readonly window: number;
  /** Characters between the starts of consecutive training windows. */
  readonly stride: number;
  readonly embedDim: number;
  readonly units: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly maxGradNorm: number;
  readonly learningRate: number;
  /** Target epsilons of the private runs. */
  readonly epsilons: readonly number[];
  /** Delta of the guarantee; DEFAULT_DELTA (1e-5) when omitted. */
  readonly delta?: number;
  /** Characters between the starts of consecutive held-out windows (default 1: every position). */
  readonly testStride?: number;
  /** Use at most this many training / held-out windows (the first ones). */
  readonly maxTrain?: number;
  readonly maxTest?: number;
  /** Characters to generate greedily from the held-out prompt. */
  readonly sampleLength: number;
}

export interface RunResult {
  /** Target epsilon, or null for the non-private run. */
  readonly targetEpsilon: number | null;
  readonly noiseMultiplier: number | null;
  readonly epsilonSpent: number | null;
  readonly steps: number;
  /** Held-out next-character accuracy and perplexity every half epoch (`at`: epochs done, 0.5, 1, ...). */
  readonly curve: { readonly at: number[]; readonly accuracy: number[]; readonly perplexity: number[] };
  readonly accuracy: number;
  readonly perplexity: number;
  readonly sample: string;
  /** Wall-clock seconds of training, the evaluations during it and the sample. */
  readonly seconds: number;
}

export interface DpTextResult {
  readonly trainWindows: number;
  readonly testWindows: number;
  readonly delta: number;
  readonly prompt: string;
  /**
   * A unigram baseline fitted on the held-out labels themselves (so it touches no training data and
   * is optimistic): the accuracy of always predicting their most frequent character and the
   * perplexity of their add-one-smoothed character frequencies.
   */
  readonly unigramAccuracy: number;
  readonly unigramPerplexity: number;
  readonly runs: RunResult[];
}

/** The next-character model; weights initialised from fixed seeds. */
export function charModel(cfg: Pick<DpTextConfig, 'cell' | 'window' | 'embedDim' | 'units'>): tfl.LayersModel {
  const vocab = ALPHABET.length;
  const glorot = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const layers: tfl.layers.Layer[] = [
    tfl.layers.embedding({
      inputDim: vocab, outputDim: cfg.embedDim, inputLength: cfg.window,
      embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }),
    }),
  ];
  // Not tfjs-layers' default orthogonal recurrent initializer: with tfjs-core alone (no chained
  // tensor methods) it throws "rMat.flatten is not a function".
  const recurrent = { units: cfg.units, kernelInitializer: glorot(2), recurrentInitializer: glorot(3) };
  if (cfg.cell === 'lstm') layers.push(tfl.layers.lstm(recurrent));
  else if (cfg.cell === 'gru') layers.push(tfl.layers.gru(recurrent));
  else if (cfg.cell === 'simpleRNN') layers.push(tfl.layers.simpleRNN(recurrent));
  else layers.push(tfl.layers.flatten(), tfl.layers.dense({ units: cfg.units, activation: 'tanh', kernelInitializer: glorot(2) }));
  layers.push(tfl.layers.dense({ units: vocab, activation: 'softmax', kernelInitializer: glorot(4) }));
  return tfl.sequential({ layers });
}

/** Held-out next-character accuracy and perplexity (exp of the mean cross-entropy in nats). */
export async function evaluate(model: tfl.LayersModel, x: tf.Tensor2D, y: Int32Array): Promise<{ accuracy: number; perplexity: number }> {
  const chunk = 2048;
  let correct = 0;
  let nll = 0;
  for (let start = 0; start < y.length; start += chunk) {
    const size = Math.min(chunk, y.length - start);
    const [pred, logp] = tf.tidy(() => {
      const p = model.predict(tf.slice(x, [start, 0], [size, -1])) as tf.Tensor2D;
      const labels = tf.tensor1d(y.subarray(start, start + size), 'int32');
      const picked = tf.sum(tf.mul(p, tf.oneHot(labels, ALPHABET.length)), 1);
      return [tf.argMax(p, 1), tf.log(tf.maximum(picked, 1e-12))];
    });
    const [pv, lv] = await Promise.all([pred.data(), logp.data()]);
    tf.dispose([pred, logp]);
    for (let i = 0; i < size; i++) {
      if (pv[i] === y[start + i]) correct++;
      nll -= lv[i]!;
    }
  }
  return { accuracy: correct / y.length, perplexity: Math.exp(nll / y.length) };
}

/** Greedy generation: `length` characters after `prompt` (the prompt's last `window` characters are the context). */
export async function generate(model: tfl.LayersModel, prompt: string, window: number, length: number): Promise<string> {
  const ids = Array.from(encode(prompt));
  for (let k = 0; k < length; k++) {
    const next = tf.tidy(() => tf.argMax(model.predict(tf.tensor2d([ids.slice(-window)], [1, window])) as tf.Tensor, 1));
    ids.push((await next.data())[0]!);
    next.dispose();
  }
  return decode(ids.slice(-length));
}

/** Unigram baseline: character frequencies of `labels` (add-one smoothed), scored on the same labels. */
function unigram(labels: Int32Array): { accuracy: number; perplexity: number } {
  const counts = new Float64Array(ALPHABET.length).fill(1);
  for (const c of labels) counts[c]!++;
  const total = counts.reduce((a, b) => a + b, 0);
  const top = counts.indexOf(Math.max(...counts));
  let nll = 0;
  let correct = 0;
  for (const c of labels) {
    nll -= Math.log(counts[c]! / total);
    if (c === top) correct++;
  }
  return { accuracy: correct / labels.length, perplexity: Math.exp(nll / labels.length) };
}

const take = (w: Windows, max: number | undefined): Windows => {
  const n = Math.min(w.n, max ?? w.n);
  return { x: w.x.subarray(0, n * w.length), y: w.y.subarray(0, n), n, length: w.length };
};

/**
 * Trains and evaluates: the training windows come from `trainText` (every `stride` characters),
 * the held-out windows from `testText` (every `testStride` characters). `log` receives progress
 * lines.
 */
export async function runDpText(trainText: string, testText: string, cfg: DpTextConfig, log: (line: string) => void = () => {}): Promise<DpTextResult> {
  const trainIds = encode(normalizeText(trainText));
  const testNorm = normalizeText(testText);
  const train = take(makeWindows(trainIds, cfg.window, cfg.stride), cfg.maxTrain);
  const test = take(makeWindows(encode(testNorm), cfg.window, cfg.testStride ?? 1), cfg.maxTest);
  const delta = cfg.delta ?? DEFAULT_DELTA;
  const x = tf.tensor2d(train.x, [train.n, cfg.window], 'int32');
  const xTest = tf.tensor2d(test.x, [test.n, cfg.window], 'int32');
  const prompt = testNorm.slice(0, cfg.window);
  const base = unigram(test.y);
  const runs: RunResult[] = [];

  const one = async (targetEpsilon: number | null): Promise<void> => {
    const model = charModel(cfg);
    const optimizer = tf.train.adam(cfg.learningRate);
    const curve = { at: [] as number[], accuracy: [] as number[], perplexity: [] as number[] };
    const label = targetEpsilon === null ? 'non-private' : `epsilon ${targetEpsilon}`;
    // fitPrivately takes round(N / B) Poisson steps an epoch, the non-private loop ceil(N / B) batches.
    const perEpoch = targetEpsilon === null ? Math.ceil(train.n / cfg.batchSize) : Math.round(train.n / cfg.batchSize);
    const half = Math.floor(perEpoch / 2);
    // The held-out chapters are public text: measuring on them during training spends no privacy.
    const measure = async (at: number): Promise<void> => {
      const m = await evaluate(model, xTest, test.y);
      curve.at.push(at);
      curve.accuracy.push(m.accuracy);
      curve.perplexity.push(m.perplexity);
      log(`  ${label}, epoch ${at}: held-out accuracy ${m.accuracy.toFixed(4)}, perplexity ${m.perplexity.toFixed(3)}`);
    };
    let batches = 0;
    let epochNow = 0;
    const callbacks = {
      onEpochBegin: (epoch: number) => void (epochNow = epoch),
      onBatchEnd: async (batch: number) => {
        batches++;
        if (half > 0 && batch + 1 === half) await measure(epochNow + 0.5);
      },
      onEpochEnd: async (epoch: number) => measure(epoch + 1),
    };
    const t0 = performance.now();
    let noiseMultiplier: number | null = null;
    let epsilonSpent: number | null = null;
    if (targetEpsilon === null) {
      // Same model, optimizer and batch size; shuffled fixed-size batches, no clipping, no noise.
      await fitWithPerExampleEngine(model, x, train.y, {
        epochs: cfg.epochs, batchSize: cfg.batchSize, optimizer, callbacks, rng: seededRng('dp-text-baseline'),
      });
    } else {
      const r = await fitPrivately(model, x, train.y, {
        epochs: cfg.epochs, batchSize: cfg.batchSize, maxGradNorm: cfg.maxGradNorm, targetEpsilon, delta, optimizer, callbacks,
        rng: seededRng(`dp-text-${targetEpsilon}`), // seeded: reproducible figures, not a secure run
      });
      noiseMultiplier = r.noiseMultiplier;
      epsilonSpent = r.epsilon;
    }
    const sample = await generate(model, prompt, cfg.window, cfg.sampleLength);
    runs.push({
      targetEpsilon, noiseMultiplier, epsilonSpent, steps: batches, curve,
      accuracy: curve.accuracy.at(-1) ?? NaN, perplexity: curve.perplexity.at(-1) ?? NaN, sample,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    });
    model.dispose();
    optimizer.dispose();
  };

  try {
    for (const e of cfg.epsilons) await one(e);
    await one(null);
  } finally {
    tf.dispose([x, xTest]);
  }
  return { trainWindows: train.n, testWindows: test.n, delta, prompt, unigramAccuracy: base.accuracy, unigramPerplexity: base.perplexity, runs };
}

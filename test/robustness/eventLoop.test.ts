/**
 * Long runs do not freeze the event loop: a 50 ms timer fires within 200 ms during multi-second
 * attacks, training and evaluation, and an AbortSignal stops each of them with an AbortedError
 * and no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import digits from '../fixtures/robustness/digits_test.json';
import { AbortedError, InvalidArgumentError, seededRng } from '../../src/core/index.js';
import {
  adversarialTrainingStep, fgsm, fitAdversarially, pgd, robustAccuracy, robustAccuracyCurve, tradesAttack, tradesTrainingStep,
  type Attack,
} from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { referenceModel } from './referenceModels.js';

/** Length of each "long run" (ms): long enough for many timers, short enough for the suite. */
const RUN_MS = 2000;
/**
 * Retries of a timing test. On a loaded shared machine a major GC (up to ~160 ms measured here)
 * or the OS scheduler can delay one timer on its own; a run that does not yield fails every try
 * (its timers wait for the whole run).
 */
const TIMING_RETRY = { retry: 2 };
/** The timer each run must let through, and the latest it may fire. */
const TIMER_MS = 50;
const TIMER_LIMIT_MS = 200;

function mlp(seed: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 32, activation: 'relu', inputShape: [64], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  model.add(tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

const data = (n: number): { x: tf.Tensor2D; y: number[] } => ({
  x: tf.tensor2d(digits.x.slice(0, n * 64), [n, 64]),
  y: digits.labels.slice(0, n),
});

/**
 * Runs `run` while a chain of 50 ms timers measures how late each fires; resolves once the last
 * timer has fired. @returns The result, each timer's delay and the run's duration.
 */
async function withTimers<T>(run: () => Promise<T>): Promise<{ result: T; delays: number[]; elapsed: number }> {
  const delays: number[] = [];
  let running = true;
  let lastFired: Promise<void> = Promise.resolve();
  const tick = (): void => {
    const t0 = performance.now();
    lastFired = new Promise((resolve) => {
      setTimeout(() => {
        delays.push(performance.now() - t0);
        if (running) tick();
        resolve();
      }, TIMER_MS);
    });
  };
  tick();
  const start = performance.now();
  try {
    const result = await run();
    return { result, delays, elapsed: performance.now() - start };
  } finally {
    running = false;
    await lastFired;
  }
}

/**
 * Runs `run` for RUN_MS (until `AbortSignal.timeout(RUN_MS)` stops it; it must not end sooner)
 * while 50 ms timers measure the event loop, then checks that every timer fired within 200 ms,
 * that the run ended with an AbortedError naming `fn`, and that it left no tensor behind.
 */
async function expectResponsiveFor(fn: string, run: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  await run(AbortSignal.timeout(100)).catch(() => undefined); // warm lazily created state
  const before = tf.memory().numTensors;
  const { result: error, delays, elapsed } = await withTimers(() => run(AbortSignal.timeout(RUN_MS)).then(() => undefined, (e: unknown) => e));
  expect(error).toBeInstanceOf(AbortedError);
  expect((error as AbortedError).fn).toBe(fn);
  expect(elapsed, 'a multi-second run').toBeGreaterThanOrEqual(RUN_MS - 5);
  expect(delays.length, `timers fired during a ${Math.round(elapsed)} ms run`).toBeGreaterThanOrEqual(Math.floor(elapsed / TIMER_LIMIT_MS));
  expect(Math.max(...delays), `latest of ${delays.length} timers (ms)`).toBeLessThanOrEqual(TIMER_LIMIT_MS);
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
}

/** Steps no test waits for: only the signal ends these runs. */
const FOREVER = 1_000_000;

/**
 * Starts `run`, aborts it `afterMs` later with reason 'stop', and checks the rejection (an
 * AbortedError naming `fn`) and that no tensor was left behind.
 */
async function expectAbortedCleanly(fn: string, run: (signal: AbortSignal) => Promise<unknown>, afterMs = 150): Promise<void> {
  await run(AbortSignal.timeout(afterMs)).catch(() => undefined); // warm lazily created state
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort('stop'), afterMs);
  const t0 = performance.now();
  const error = await run(controller.signal).then(() => undefined, (e: unknown) => e);
  clearTimeout(timer);
  expect(error).toBeInstanceOf(AbortedError);
  expect((error as AbortedError).code).toBe('ABORTED');
  expect((error as AbortedError).fn).toBe(fn);
  expect((error as AbortedError).reason).toBe('stop');
  expect(performance.now() - t0, 'stopped soon after the abort').toBeLessThan(afterMs + 1000);
  expect(tf.memory().numTensors, 'tensors leaked by the aborted run').toBe(before);
}

describeBackends('long runs yield to the event loop', () => {
  it('pgd and tradesAttack: a 50 ms timer fires within 200 ms during a multi-second attack', TIMING_RETRY, async () => {
    const model = referenceModel('mlp');
    const { x, y } = data(200);
    await expectResponsiveFor('pgd', (signal) => pgd(model, x, y, { epsilon: 0.1, stepSize: 0.005, steps: FOREVER, signal }));
    await expectResponsiveFor('tradesAttack', (signal) => tradesAttack(model, x, { epsilon: 0.1, stepSize: 0.005, steps: FOREVER, signal }));
    // A run that completes yields too (and returns its result as usual).
    const { result, delays } = await withTimers(() => pgd(model, x, y, { epsilon: 0.1, stepSize: 0.005, steps: 50 }));
    expect(result.shape).toEqual([200, 64]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(TIMER_LIMIT_MS);
    tf.dispose([result, x]);
    model.dispose();
  });

  it('robustAccuracy and robustAccuracyCurve keep timers on time, with attacks that ignore the signal', TIMING_RETRY, async () => {
    const model = referenceModel('mlp');
    const { x, y } = data(200);
    // One-step FGSM ignores the signal; the yields between batches suffice.
    const fgsmAttack: Attack = (m, xb, yb) => fgsm(m, xb, yb, { epsilon: 0.05 });
    await expectResponsiveFor('robustAccuracyCurve', (signal) =>
      robustAccuracyCurve(model, x, y, { epsilons: new Array(10_000).fill(0.05), attack: () => fgsmAttack, batchSize: 20, signal }));
    const big = tf.tidy(() => tf.tile(x, [50, 1])); // 10,000 rows
    const labels = new Array(50).fill(y).flat() as number[];
    await expectResponsiveFor('robustAccuracy', async (signal) => {
      for (;;) await robustAccuracy(model, big, labels, fgsmAttack, { batchSize: 50, signal });
    });
    tf.dispose([x, big]);
    model.dispose();
  });

  it('fitAdversarially (PGD and TRADES) keeps timers on time over a multi-second run', TIMING_RETRY, async () => {
    const { x, y } = data(128);
    for (const method of ['pgd', 'trades'] as const) {
      const model = mlp(1);
      await expectResponsiveFor('fitAdversarially', (signal) =>
        fitAdversarially(model, x, y, { epochs: FOREVER, batchSize: 32, method, attack: { epsilon: 0.1, stepSize: 0.03, steps: 3 }, rng: seededRng(0), signal }));
      model.dispose();
    }
    x.dispose();
  });
});

describeBackends('an AbortSignal stops long runs cleanly', () => {
  it('pgd (with restarts, L-inf and L2) and tradesAttack reject with AbortedError and leak nothing', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data(64);
    for (const norm of ['linf', 'l2'] as const) {
      await expectAbortedCleanly('pgd', (signal) => pgd(model, x, y, { norm, epsilon: 0.1, stepSize: 0.01, steps: FOREVER, signal }));
    }
    await expectAbortedCleanly('pgd', (signal) => pgd(model, x, y, { epsilon: 0.1, stepSize: 0.01, steps: 20, restarts: FOREVER, signal }));
    await expectAbortedCleanly('tradesAttack', (signal) => tradesAttack(model, x, { epsilon: 0.1, stepSize: 0.01, steps: FOREVER, signal }));
    x.dispose();
    model.dispose();
  });

  it('training steps and fitAdversarially stop without an update and leak nothing', async () => {
    const { x, y } = data(64);
    const model = mlp(2);
    const optimizer = tf.train.adam(0.01);
    await adversarialTrainingStep(model, optimizer, x, y, { epsilon: 0.1, stepSize: 0.03, steps: 2 }); // creates Adam's slots
    await tradesTrainingStep(model, optimizer, x, y, { epsilon: 0.1, stepSize: 0.03, steps: 2 });
    const weights = await Promise.all(model.getWeights().map((w) => w.data()));
    await expectAbortedCleanly('adversarialTrainingStep', (signal) =>
      adversarialTrainingStep(model, optimizer, x, y, { epsilon: 0.1, stepSize: 0.03, steps: FOREVER, signal }));
    await expectAbortedCleanly('tradesTrainingStep', (signal) =>
      tradesTrainingStep(model, optimizer, x, y, { epsilon: 0.1, stepSize: 0.03, steps: FOREVER, signal }));
    const after = await Promise.all(model.getWeights().map((w) => w.data()));
    after.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(weights[i]!)));
    for (const method of ['pgd', 'trades'] as const) {
      // Own optimizer (disposed on abort) and the model's compiled one.
      await expectAbortedCleanly('fitAdversarially', (signal) =>
        fitAdversarially(model, x, y, { epochs: FOREVER, batchSize: 16, method, attack: { epsilon: 0.1, stepSize: 0.03, steps: 3 }, signal }));
      await expectAbortedCleanly('fitAdversarially', (signal) =>
        fitAdversarially(model, x, y, { epochs: 1, method, attack: { epsilon: 0.1, stepSize: 0.03, steps: FOREVER }, optimizer, signal }));
    }
    optimizer.dispose();
    model.dispose();
    x.dispose();
  });

  it('robustAccuracy and robustAccuracyCurve stop between batches and inside attacks that forward the signal', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data(200);
    const forwarding: Attack = (m, xb, yb, call) => pgd(m, xb, yb, { epsilon: 0.1, stepSize: 0.01, steps: FOREVER, signal: call?.signal });
    const ignoring: Attack = (m, xb, yb) => pgd(m, xb, yb, { epsilon: 0.1, stepSize: 0.01, steps: 40 });
    await expectAbortedCleanly('robustAccuracy', (signal) => robustAccuracy(model, x, y, forwarding, { batchSize: 50, signal }));
    await expectAbortedCleanly('robustAccuracy', (signal) => robustAccuracy(model, x, y, ignoring, { batchSize: 10, signal }));
    await expectAbortedCleanly('robustAccuracyCurve', (signal) =>
      robustAccuracyCurve(model, x, y, { epsilons: new Array(1000).fill(0.1), attack: () => ignoring, batchSize: 50, signal }));
    await expectAbortedCleanly('robustAccuracyCurve', (signal) =>
      robustAccuracyCurve(model, x, y, { epsilons: [0.1], attack: () => forwarding, signal }));
    x.dispose();
    model.dispose();
  });

  it('an already aborted signal rejects at once, creating nothing; a bad signal is an InvalidArgumentError', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data(8);
    const aborted = AbortSignal.abort('early');
    const attack = { epsilon: 0.1, stepSize: 0.01, steps: 3 };
    const optimizer = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    const calls: [string, () => Promise<unknown>][] = [
      ['fgsm', () => fgsm(model, x, y, { epsilon: 0.1, signal: aborted })],
      ['pgd', () => pgd(model, x, y, { ...attack, signal: aborted })],
      ['tradesAttack', () => tradesAttack(model, x, { ...attack, signal: aborted })],
      ['adversarialTrainingStep', () => adversarialTrainingStep(model, optimizer, x, y, { ...attack, signal: aborted })],
      ['tradesTrainingStep', () => tradesTrainingStep(model, optimizer, x, y, { ...attack, signal: aborted })],
      ['fitAdversarially', () => fitAdversarially(model, x, y, { epochs: 1, attack, signal: aborted })],
      ['robustAccuracy', () => robustAccuracy(model, x, y, (m, xb, yb) => fgsm(m, xb, yb, { epsilon: 0.1 }), { signal: aborted })],
      ['robustAccuracyCurve', () => robustAccuracyCurve(model, x, y, { epsilons: [0], attack: () => () => Promise.reject(new Error('unused')), signal: aborted })],
    ];
    for (const [fn, call] of calls) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error, fn).toBeInstanceOf(AbortedError);
      expect((error as AbortedError).fn).toBe(fn);
      expect((error as AbortedError).reason).toBe('early');
      expect((error as AbortedError).message).toBe(`${fn}: stopped by its AbortSignal ("early")`);
    }
    expect(tf.memory().numTensors).toBe(before);
    const bad = { aborted: 'no' } as unknown as AbortSignal;
    await expect(pgd(model, x, y, { ...attack, signal: bad })).rejects.toThrow(/'options.signal' must be an AbortSignal/);
    await expect(fgsm(model, x, y, { epsilon: 0.1, signal: bad })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(tradesAttack(model, x, { ...attack, signal: bad })).rejects.toThrow(/options.signal/);
    await expect(fitAdversarially(model, x, y, { epochs: 1, attack, signal: bad })).rejects.toThrow(/options.signal/);
    await expect(robustAccuracy(model, x, y, (m, xb, yb) => fgsm(m, xb, yb, { epsilon: 0.1 }), { signal: bad })).rejects.toThrow(/options.signal/);
    await expect(robustAccuracyCurve(model, x, y, { epsilons: [0], attack: () => () => Promise.reject(new Error('unused')), signal: bad }))
      .rejects.toThrow(/options.signal/);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    x.dispose();
    model.dispose();
  });
});

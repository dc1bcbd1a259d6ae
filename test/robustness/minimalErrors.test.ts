/**
 * C&W and DeepFool: typed errors for bad options, no leaks (also when aborted), yielding to the event
 * loop, determinism, labels as indices or one-hot rows, a LayersModel returning probabilities, and
 * an input range other than [0, 1].
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { carliniWagnerL2, deepFool, minimalPerturbation } from '../../src/robustness/minimal/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** A small 3-class MLP with fixed weights (deterministic, no training). */
function mlp(activation?: 'softmax'): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, inputShape: [4], activation: 'tanh' }),
      tfl.layers.dense({ units: 3, ...(activation !== undefined ? { activation } : {}) }),
    ],
  });
  m.setWeights([
    tf.tensor2d(Array.from({ length: 32 }, (_, i) => Math.sin(i + 1) * 1.5), [4, 8]),
    tf.tensor1d(Array.from({ length: 8 }, (_, i) => Math.cos(i) * 0.1)),
    tf.tensor2d(Array.from({ length: 24 }, (_, i) => Math.cos(2 * i + 1) * 1.5), [8, 3]),
    tf.tensor1d([0.1, -0.1, 0]),
  ]);
  return m;
}

const XS = [[0.1, 0.9, 0.4, 0.6], [0.8, 0.2, 0.5, 0.3], [0.35, 0.55, 0.95, 0.05], [0.6, 0.6, 0.1, 0.7], [0.2, 0.3, 0.7, 0.9]];

describeBackends('minimal-perturbation attacks: errors, leaks, abort, model forms', () => {
  it('refuses bad options with typed errors naming the option', async () => {
    const model = mlp();
    const x = tf.tensor2d(XS);
    const y = [0, 1, 2, 0, 1];
    const cw: [object, string][] = [
      [{ c: 0 }, 'options.c'], [{ c: Number.NaN }, 'options.c'], [{ kappa: -1 }, 'options.kappa'], [{ steps: 1.5 }, 'options.steps'],
      [{ steps: 0 }, 'options.steps'], [{ learningRate: 0 }, 'options.learningRate'], [{ binarySearchSteps: 0 }, 'options.binarySearchSteps'],
      [{ margin: 'carlini' }, 'options.margin'], [{ loss: () => tf.zeros([5]) }, 'options.loss'], [{ clipMin: 1, clipMax: 0 }, 'options.clipMax'],
      [{ targeted: 'yes' }, 'options.targeted'], [{ signal: 3 }, 'options.signal'],
    ];
    for (const [options, argument] of cw) {
      await expect(carliniWagnerL2(model, x, y, options), argument).rejects.toMatchObject({ name: 'InvalidArgumentError', argument });
    }
    const df: [object, string][] = [
      [{ steps: 0 }, 'options.steps'], [{ overshoot: -0.1 }, 'options.overshoot'], [{ norm: 'l1' }, 'options.norm'],
      [{ targeted: true }, 'options.targeted'], [{ loss: () => tf.zeros([5]) }, 'options.loss'],
    ];
    for (const [options, argument] of df) {
      await expect(deepFool(model, x, y, options), argument).rejects.toMatchObject({ name: 'InvalidArgumentError', argument });
    }
    // Inputs outside the range, labels of the wrong length, targeted without targets.
    await expect(deepFool(model, tf.mul(x, 2), y)).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'x' });
    await expect(carliniWagnerL2(model, x, [0, 1])).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'y' });
    await expect(carliniWagnerL2(model, x, undefined, { targeted: true })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'y' });
    model.dispose();
    x.dispose();
  });

  it('leaks nothing, with and without the search over c, and for both DeepFool norms', async () => {
    const model = mlp();
    const x = tf.tensor2d(XS);
    const y = [0, 1, 2, 0, 1];
    await expectNoLeaks(() => carliniWagnerL2(model, x, y, { steps: 12 }));
    await expectNoLeaks(() => carliniWagnerL2(model, x, y, { steps: 6, binarySearchSteps: 3, margin: 'paper', kappa: 0.5 }));
    await expectNoLeaks(() => deepFool(model, x, y, { steps: 5 }));
    await expectNoLeaks(() => deepFool(model, x, y, { steps: 5, norm: 'linf' }));
    model.dispose();
    x.dispose();
  });

  it('stops on abort with AbortedError, leaking nothing, and yields to the event loop between steps', async () => {
    const model = mlp();
    const x = tf.tensor2d(XS);
    const y = [0, 1, 2, 0, 1];
    const flat = (t: tf.Tensor): tf.Tensor => tf.tidy(() => tf.add(tf.mul(tf.sum(t, 1, true), 0), tf.tensor2d([[1, 0, 0]])));
    await carliniWagnerL2(model, x, y, { steps: 2 }).then((t) => t.dispose()); // warm-up
    await deepFool(model, x, y, { steps: 2 }).then((t) => t.dispose());
    for (const attack of [
      (signal: AbortSignal) => carliniWagnerL2(model, x, y, { steps: 10_000, signal }),
      (signal: AbortSignal) => carliniWagnerL2(model, x, y, { steps: 100, binarySearchSteps: 100, signal }),
      // A model whose scores do not depend on x: DeepFool's rows never finish (and never move).
      (signal: AbortSignal) => deepFool(flat, x, y, { steps: 10_000, signal }),
    ]) {
      const before = tf.memory().numTensors;
      const controller = new AbortController();
      let ticks = 0;
      const timer = setInterval(() => {
        ticks++;
        if (ticks === 3) controller.abort();
      }, 1);
      await expect(attack(controller.signal)).rejects.toMatchObject({ name: 'AbortedError' });
      clearInterval(timer);
      expect(ticks).toBeGreaterThanOrEqual(3);
      expect(tf.memory().numTensors).toBe(before);
    }
    // Flat score differences give no direction: the rows stay where they are (no NaN).
    const still = await deepFool(flat, x, y, { steps: 3 });
    expect(Array.from(await still.data())).toEqual(Array.from(await x.data()));
    still.dispose();
    const aborted = AbortSignal.abort();
    await expect(deepFool(model, x, y, { signal: aborted })).rejects.toMatchObject({ name: 'AbortedError' });
    model.dispose();
    x.dispose();
  });

  it('is deterministic; labels as indices, a tensor or one-hot rows give the same result', async () => {
    const model = mlp();
    const x = tf.tensor2d(XS);
    const y = [0, 1, 2, 0, 1];
    const oneHot = tf.oneHot(tf.tensor1d(y, 'int32'), 3);
    const yT = tf.tensor1d(y, 'int32');
    for (const attack of [
      (labels: number[] | tf.Tensor) => carliniWagnerL2(model, x, labels, { steps: 30 }),
      (labels: number[] | tf.Tensor) => deepFool(model, x, labels),
    ]) {
      const a = await attack(y);
      const b = await attack(oneHot);
      const c = await attack(yT);
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      expect(Array.from(await c.data())).toEqual(Array.from(await a.data()));
      tf.dispose([a, b, c]);
    }
    tf.dispose([x, oneHot, yT]);
    model.dispose();
  });

  it('attacks a LayersModel ending in softmax, and inputs in another range', async () => {
    const logits = mlp();
    const probs = mlp('softmax');
    const x = tf.tensor2d(XS);
    const y = Array.from(await tf.argMax(logits.predict(x) as tf.Tensor, 1).data());
    // DeepFool linearises log-probabilities, whose differences are the logits': the same points.
    const a = await deepFool(logits, x, y);
    const b = await deepFool(probs, x, y);
    const da = await a.data();
    const db = await b.data();
    da.forEach((v, i) => expect(Math.abs(v - db[i]!)).toBeLessThan(1e-4));
    // C&W's paper margin works on the same differences; every row is fooled within 200 steps.
    const cw = await carliniWagnerL2(probs, x, y, { margin: 'paper', c: 10, steps: 200 });
    const s = await minimalPerturbation(x, cw, { model: probs, y });
    expect(s.successCount).toBe(XS.length);
    // torchattacks' margin on a probability model works on the probabilities, as torchattacks would.
    const cwT = await carliniWagnerL2(probs, x, y, { c: 10, steps: 200 });
    expect((await minimalPerturbation(x, cwT, { model: probs, y })).successCount).toBeGreaterThan(0);
    // Inputs in [-1, 1] (x * 2 - 1) against the model of x: the tanh space spans the given range.
    const shifted = (t: tf.Tensor): tf.Tensor => tf.tidy(() => logits.apply(tf.div(tf.add(t, 1), 2)) as tf.Tensor);
    const x2 = tf.sub(tf.mul(x, 2), 1);
    const cw2 = await carliniWagnerL2(shifted, x2, y, { c: 10, steps: 100, clipMin: -1, clipMax: 1 });
    const cw1 = await carliniWagnerL2(logits, x, y, { c: 10, steps: 100 });
    const s2 = await minimalPerturbation(x2, cw2, { model: shifted, y });
    const s1 = await minimalPerturbation(x, cw1, { model: logits, y });
    expect(s2.successCount).toBe(s1.successCount);
    const range = await tf.stack([tf.min(cw2), tf.max(cw2)]).data();
    expect(range[0]).toBeGreaterThanOrEqual(-1);
    expect(range[1]).toBeLessThanOrEqual(1);
    tf.dispose([x, a, b, cw, cwT, x2, cw2, cw1]);
    logits.dispose();
    probs.dispose();
  });
});

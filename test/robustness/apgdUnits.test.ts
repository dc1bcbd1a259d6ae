/**
 * APGD and APGD-T in isolation: the checkpoint schedule, the DLR losses and their gradients, the
 * model forms (single-logit binary, probabilities), EOT, targeted APGD-CE, seeded
 * reproducibility, leaks, aborts and every error path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { AbortedError, InvalidArgumentError, seededRng } from '../../src/core/index.js';
import { apgd, apgdTargeted, dlrLoss, targetedDlrLoss } from '../../src/robustness/apgd/index.js';
import { checkpointSchedule } from '../../src/robustness/apgd/schedule.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { inputs, labels100, predictionsAndMargins } from './apgdFixture.js';
import { referenceModel } from './referenceModels.js';

const valuesOf = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data());

/** The same loss through plain differentiable ops, the sort done in JS (the masks are constants). */
function dlrThroughMasks(scores: number[][], labels: number[], targets?: number[]): { value: tf.Tensor; grad: tf.Tensor } {
  const classes = scores[0]!.length;
  const ranks = scores.map((row) => row.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0]).map(([, j]) => j));
  const mask = (k: number): tf.Tensor => tf.cast(tf.oneHot(tf.tensor1d(ranks.map((r) => r[k]!), 'int32'), classes), 'float32');
  const yMask = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32');
  const pick = (s: tf.Tensor, m: tf.Tensor): tf.Tensor => tf.sum(tf.mul(s, m), 1);
  const f = (s: tf.Tensor): tf.Tensor => {
    const [z1, z2, z3] = [pick(s, mask(0)), pick(s, mask(1)), pick(s, mask(2))];
    if (targets !== undefined) {
      const tMask = tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), classes), 'float32');
      const den = tf.sub(z1, tf.mul(0.5, tf.add(z3, pick(s, mask(3)))));
      return tf.neg(tf.div(tf.sub(pick(s, yMask), pick(s, tMask)), den));
    }
    const top = tf.tensor1d(ranks.map((r, i) => (r[0] === labels[i] ? 1 : 0)));
    const other = tf.add(tf.mul(top, z2), tf.mul(tf.sub(1, top), z1));
    return tf.neg(tf.div(tf.sub(pick(s, yMask), other), tf.sub(z1, z3)));
  };
  const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d(scores));
  return { value, grad };
}

describe('APGD checkpoint schedule', () => {
  it('checkpoint schedule: 22, 19, 16, 13, 10, 7, 6, 6 iterations for 100 steps; 2, 1, 1, ... for 10', () => {
    const s100 = checkpointSchedule(100);
    expect(s100.map((c) => c.window)).toEqual([22, 19, 16, 13, 10, 7, 6, 6]);
    expect(s100.map((c) => c.iteration)).toEqual([21, 40, 56, 69, 79, 86, 92, 98]);
    const s10 = checkpointSchedule(10);
    expect(s10.map((c) => c.window)).toEqual([2, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(s10.map((c) => c.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Windows never exceed the steps left, and small runs still check.
    expect(checkpointSchedule(1)).toEqual([{ iteration: 0, window: 1 }]);
    expect(checkpointSchedule(1000).slice(0, 3).map((c) => c.window)).toEqual([220, 190, 160]);
  });
});

describeBackends('APGD units', () => {
  it('dlrLoss and targetedDlrLoss: values and gradients of the formulas, every model form', async () => {
    const scores = [[3, 1, 0.5, 0, -1], [0, 2, 1, 0.25, -2], [1, 4, 2, -1, 0.5], [0.1, 0.3, 0.2, 0.7, -0.4]];
    const labels = [0, 0, 1, 3];
    const targets = [1, 2, 2, 1];
    const logits = tf.tensor2d(scores);
    const y = tf.cast(tf.oneHot(labels, 5), 'float32') as tf.Tensor2D;
    const t = tf.cast(tf.oneHot(targets, 5), 'float32') as tf.Tensor2D;
    // Hand values: row 0 correct, -(3 - 1)/(3 - 0.5); row 1 wrong, -(0 - 2)/(2 - 0.25).
    const value = await valuesOf(dlrLoss(y, logits));
    expect(value[0]).toBeCloseTo(-2 / 2.5, 6);
    expect(value[1]).toBeCloseTo(2 / 1.75, 6);
    const targeted = await valuesOf(targetedDlrLoss(y, t, logits));
    expect(targeted[0]).toBeCloseTo(-(3 - 1) / (3 - (0.5 + 0) / 2), 6);
    for (const [ours, reference] of [
      [tf.valueAndGrad((s: tf.Tensor) => dlrLoss(y, s as tf.Tensor2D))(logits), dlrThroughMasks(scores, labels)],
      [tf.valueAndGrad((s: tf.Tensor) => targetedDlrLoss(y, t, s as tf.Tensor2D))(logits), dlrThroughMasks(scores, labels, targets)],
    ] as const) {
      const [a, b, ga, gb] = await Promise.all([valuesOf(ours.value), valuesOf(reference.value), valuesOf(ours.grad), valuesOf(reference.grad)]);
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
      ga.forEach((v, i) => expect(v).toBeCloseTo(gb[i]!, 5));
    }
    // Probabilities: the same loss (log-probabilities differ from the logits by a per-row constant).
    const probabilities = tf.softmax(logits) as tf.Tensor2D;
    const fromProbabilities = await valuesOf(dlrLoss(y, probabilities, 'probabilities'));
    fromProbabilities.forEach((v, i) => expect(v).toBeCloseTo(value[i]!, 4));
    const targetedFromProbabilities = await valuesOf(targetedDlrLoss(y, t, probabilities, 'probabilities'));
    targetedFromProbabilities.forEach((v, i) => expect(v).toBeCloseTo(targeted[i]!, 4));
    // Invariance to shifting and scaling the logits.
    const scaled = await valuesOf(dlrLoss(y, tf.add(tf.mul(logits, 7), 3) as tf.Tensor2D));
    scaled.forEach((v, i) => expect(v).toBeCloseTo(value[i]!, 5));
    await expectNoLeaks(() => tf.valueAndGrad((s: tf.Tensor) => targetedDlrLoss(y, t, s as tf.Tensor2D))(logits));
    tf.dispose([logits, y, t, probabilities]);
  });

  it('dlrLoss errors: too few classes (binary models use CE), mismatched labels, bad modelOutput', () => {
    const two = tf.tensor2d([[0, 1]]);
    const yTwo = tf.tensor2d([[1, 0]]);
    expectInvalidArgument(() => dlrLoss(yTwo as tf.Tensor2D, two as tf.Tensor2D), 'dlrLoss', 'outputs', /at least 3 classes/);
    const three = tf.tensor2d([[0, 1, 2]]);
    const yThree = tf.tensor2d([[1, 0, 0]]);
    expectInvalidArgument(() => targetedDlrLoss(yThree as tf.Tensor2D, yThree as tf.Tensor2D, three as tf.Tensor2D), 'targetedDlrLoss', 'outputs', /at least 4 classes/);
    expectInvalidArgument(() => dlrLoss(yTwo as tf.Tensor2D, three as tf.Tensor2D), 'dlrLoss', 'labels', /one-hot rows/);
    expectInvalidArgument(() => dlrLoss(yThree as tf.Tensor2D, three as tf.Tensor2D, 'scores' as never), 'dlrLoss', 'modelOutput', /one of/);
    tf.dispose([two, yTwo, three, yThree]);
  });

  it('a single-logit binary model is attacked as the two-logit model [0, z]; DLR and APGD-T refuse it', async () => {
    const w = tf.randomNormal([64, 1], 0, 0.5, 'float32', 7);
    const logit = (t: tf.Tensor): tf.Tensor => tf.sub(tf.matMul(t as tf.Tensor2D, w), 1);
    const twoLogits = (t: tf.Tensor): tf.Tensor => {
      const z = logit(t);
      return tf.concat([tf.zerosLike(z), z], 1);
    };
    const x = inputs('mlp');
    const y = labels100.map((v) => (v < 5 ? 0 : 1));
    const opts = { epsilon: 0.1, steps: 20, rng: seededRng(5) };
    const [single, two] = [await apgd(logit, x, y, opts), await apgd(twoLogits, x, y, { ...opts, rng: seededRng(5) })];
    const [a, b, xs] = await Promise.all([valuesOf(single), valuesOf(two), valuesOf(x)]);
    expect(a).toEqual(b);
    expect(a.some((v, i) => v !== xs[i])).toBe(true);
    await expect(apgd(logit, x, y, { ...opts, loss: 'dlr' })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'options.loss' });
    await expect(apgdTargeted(logit, x, y, opts)).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'model' });
    tf.dispose([w, x, single, two]);
  });

  it('a model returning probabilities: APGD-DLR and APGD-T break the same rows as on its logits', async () => {
    const model = referenceModel('mlp');
    const probabilities = (t: tf.Tensor): tf.Tensor => tf.softmax(model.apply(t) as tf.Tensor);
    const x = inputs('mlp');
    const outcomes: number[][] = [];
    for (const [m, modelOutput] of [[model, 'logits'], [probabilities, 'probabilities']] as const) {
      for (const run of [
        () => apgd(m, x, labels100, { epsilon: 0.1, steps: 10, loss: 'dlr', modelOutput, rng: seededRng(2) }),
        () => apgdTargeted(m, x, labels100, { epsilon: 0.1, steps: 10, targetClasses: 2, modelOutput, rng: seededRng(2) }),
        () => apgd(m, x, labels100, { epsilon: 0.1, steps: 10, modelOutput, rng: seededRng(2) }),
      ]) {
        const adv = await run();
        outcomes.push((await predictionsAndMargins(model, adv, labels100)).pred);
        adv.dispose();
      }
    }
    for (let k = 0; k < 3; k++) {
      const differing = outcomes[k]!.filter((p, i) => p !== outcomes[k + 3]![i]).length;
      expect(differing, `attack ${k}`).toBeLessThanOrEqual(2);
    }
    tf.dispose(x);
    model.dispose();
  });

  it('seeded runs are reproducible, seeds differ; eotIterations averages (2 passes of a deterministic model change nothing)', async () => {
    const model = referenceModel('mlp');
    const x = inputs('mlp');
    const run = (seed: number, extra: object = {}): Promise<tf.Tensor> =>
      apgd(model, x, labels100, { epsilon: 0.1, steps: 10, loss: 'dlr', rng: seededRng(seed), ...extra });
    const [a, b, c, d] = [await run(1), await run(1), await run(2), await run(1, { eotIterations: 2 })];
    const [va, vb, vc, vd] = await Promise.all([a, b, c, d].map(valuesOf));
    expect(vb).toEqual(va);
    expect(vc).not.toEqual(va);
    expect(vd).toEqual(va); // (g + g) / 2 = g exactly
    const t1 = await apgdTargeted(model, x, labels100, { epsilon: 0.1, steps: 5, targetClasses: 3, rng: seededRng(4) });
    const t2 = await apgdTargeted(model, x, labels100, { epsilon: 0.1, steps: 5, targetClasses: 3, rng: seededRng(4) });
    expect(await valuesOf(t2)).toEqual(await valuesOf(t1));
    // EOT: the model is called eot times per iteration (plus once at the start), on the attacked rows.
    let calls = 0;
    const counting = (t: tf.Tensor): tf.Tensor => {
      calls++;
      return model.apply(t) as tf.Tensor;
    };
    const xs = tf.slice(x, 0, 4);
    const before = calls;
    const e = await apgd(counting, xs, labels100.slice(0, 4), { epsilon: 0.1, steps: 6, eotIterations: 3, rng: seededRng(1) });
    // prepareAttack reads the output width once; rowsToAttack runs one forward pass.
    expect(calls - before).toBe(3 * (6 + 1) + 2);
    tf.dispose([a, b, c, d, t1, t2, x, xs, e]);
    model.dispose();
  });

  it('targeted APGD-CE descends towards y: rows reach their target or come back unchanged', async () => {
    const model = referenceModel('mlp');
    const x = inputs('mlp');
    const targets = labels100.map((v) => (v + 1) % 10);
    const adv = await apgd(model, x, targets, { epsilon: 0.2, steps: 20, targeted: true, rng: seededRng(3) });
    const { pred } = await predictionsAndMargins(model, adv, targets);
    const [va, xs] = await Promise.all([valuesOf(adv), valuesOf(x)]);
    let reached = 0;
    for (let i = 0; i < 100; i++) {
      const changed = va.slice(i * 64, (i + 1) * 64).some((v, k) => v !== xs[i * 64 + k]);
      if (pred[i] === targets[i]) reached++;
      else expect(changed, `row ${i} not at its target is unchanged`).toBe(false);
    }
    expect(reached).toBeGreaterThan(50);
    tf.dispose([adv, x]);
    model.dispose();
  });

  it('an explicit start is used for the first restart; x itself as start is allowed', async () => {
    const model = referenceModel('mlp');
    const x = inputs('mlp');
    const fromX = await apgd(model, x, labels100, { epsilon: 0.1, steps: 10, start: x });
    const again = await apgd(model, x, labels100, { epsilon: 0.1, steps: 10, start: x, rng: seededRng(9) });
    // No randomness is used with a start and one restart: the rng does not matter.
    expect(await valuesOf(again)).toEqual(await valuesOf(fromX));
    tf.dispose([fromX, again, x]);
    model.dispose();
  });

  it('no leaks: APGD (restarts, EOT, L2, a start) and APGD-T', async () => {
    const model = referenceModel('cnn');
    const x = inputs('cnn', 20);
    const y = labels100.slice(0, 20);
    await expectNoLeaks(() => apgd(model, x, y, { epsilon: 0.1, steps: 5, restarts: 2, eotIterations: 2, rng: seededRng(1) }));
    await expectNoLeaks(() => apgd(model, x, y, { norm: 'l2', epsilon: 1, steps: 5, loss: 'dlr', restarts: 2, start: x }));
    await expectNoLeaks(() => apgdTargeted(model, x, y, { epsilon: 0.1, steps: 5, targetClasses: 3, rng: seededRng(1) }));
    tf.dispose(x);
    model.dispose();
  });

  it('aborts: a running attack stops with AbortedError and frees everything; an aborted signal rejects at once', async () => {
    const model = referenceModel('mlp');
    const x = inputs('mlp');
    for (const [fn, run] of [
      ['apgd', (signal: AbortSignal) => apgd(model, x, labels100, { epsilon: 0.1, steps: 1_000_000, signal })],
      ['apgdTargeted', (signal: AbortSignal) => apgdTargeted(model, x, labels100, { epsilon: 0.1, steps: 1_000_000, signal })],
    ] as const) {
      const before = tf.memory().numTensors;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort('stop'), 100);
      const error = await run(controller.signal).then(() => undefined, (e: unknown) => e);
      clearTimeout(timer);
      expect(error).toBeInstanceOf(AbortedError);
      expect([(error as AbortedError).fn, (error as AbortedError).reason]).toEqual([fn, 'stop']);
      expect(tf.memory().numTensors, `${fn} leaked`).toBe(before);
      await expect(run(AbortSignal.abort('early'))).rejects.toBeInstanceOf(AbortedError);
    }
    tf.dispose(x);
    model.dispose();
  });

  it('error paths: every option, the start, the class counts', async () => {
    const model = referenceModel('mlp');
    const x = inputs('mlp', 4);
    const y = labels100.slice(0, 4);
    const bad = async (call: () => Promise<unknown>, fn: string, argument: string): Promise<void> => {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error, `${fn} ${argument}`).toBeInstanceOf(InvalidArgumentError);
      expect([(error as InvalidArgumentError).fn, (error as InvalidArgumentError).argument]).toEqual([fn, argument]);
    };
    const base = { epsilon: 0.1, steps: 2 };
    await bad(() => apgd(model, x, y, { ...base, epsilon: -1 }), 'apgd', 'options.epsilon');
    await bad(() => apgd(model, x, y, {} as never), 'apgd', 'options.epsilon');
    await bad(() => apgd(model, x, y, { ...base, steps: 0 }), 'apgd', 'options.steps');
    await bad(() => apgd(model, x, y, { ...base, restarts: 1.5 }), 'apgd', 'options.restarts');
    await bad(() => apgd(model, x, y, { ...base, rho: 1.5 }), 'apgd', 'options.rho');
    await bad(() => apgd(model, x, y, { ...base, eotIterations: 0 }), 'apgd', 'options.eotIterations');
    await bad(() => apgd(model, x, y, { ...base, norm: 'l1' as never }), 'apgd', 'options.norm');
    await bad(() => apgd(model, x, y, { ...base, loss: 'hinge' as never }), 'apgd', 'options.loss');
    await bad(() => apgd(model, x, y, { ...base, loss: 'dlr', targeted: true }), 'apgd', 'options.loss');
    await bad(() => apgd(model, x, y, { ...base, rng: {} as never }), 'apgd', 'options.rng');
    await bad(() => apgd(model, x, y, { ...base, start: tf.zeros([4, 63]) }), 'apgd', 'options.start');
    await bad(() => apgd(model, x, y, { ...base, start: tf.add(x, 0.2) }), 'apgd', 'options.start');
    await bad(() => apgd(model, x, y, { ...base, start: tf.fill([4, 64], 2) }), 'apgd', 'options.start');
    await bad(() => apgd(model, x, y, { ...base, norm: 'l2', epsilon: 0.5, start: tf.clipByValue(tf.add(x, 0.1), 0, 1) }), 'apgd', 'options.start');
    await bad(() => apgd(model, x, y, { ...base, start: 'x' as never }), 'apgd', 'options.start');
    await bad(() => apgdTargeted(model, x, y, { ...base, targetClasses: 10 }), 'apgdTargeted', 'options.targetClasses');
    await bad(() => apgdTargeted(model, x, y, { ...base, targetClasses: 0 }), 'apgdTargeted', 'options.targetClasses');
    await bad(() => apgdTargeted(model, x, y, { ...base, loss: 'ce' } as never), 'apgdTargeted', 'options.loss');
    await bad(() => apgdTargeted(model, x, y, { ...base, targeted: true } as never), 'apgdTargeted', 'options.targeted');
    const threeClasses = (t: tf.Tensor): tf.Tensor => tf.slice(model.apply(t) as tf.Tensor, [0, 0], [-1, 3]);
    await bad(() => apgdTargeted(threeClasses, x, [0, 1, 2, 0], base), 'apgdTargeted', 'model');
    // Three classes are enough for untargeted DLR; an explicit targetClasses equal to classes - 1 is fine.
    const r = await apgd(threeClasses, x, [0, 1, 2, 0], { ...base, loss: 'dlr' });
    const t = await apgdTargeted(model, x, y, { ...base, targetClasses: 9 });
    tf.dispose([r, t, x]);
    model.dispose();
  });
});

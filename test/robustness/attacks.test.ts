import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import ref from '../fixtures/robustness/attacks.json';
import { InvalidArgumentError, seededRng } from '../../src/core/index.js';
import { fgsm, pgd, softmaxCrossEntropy, probabilityCrossEntropy } from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceModel } from './referenceModels.js';

const labels = ref.inputs.labels.slice(0, 20);

describeBackends('fgsm and pgd', () => {
  const rows = (n: number): tf.Tensor2D => tf.tensor2d(ref.inputs.x.slice(0, n * 64), [n, 64]);

  it('rejects bad hyper-parameters, inputs and labels with typed errors', async () => {
    const model = referenceModel('mlp');
    const x = rows(20);
    const base = { epsilon: 0.1, stepSize: 0.01, steps: 3 };
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => fgsm(model, x, labels, { epsilon: -0.1 }), /fgsm: argument 'options.epsilon' must be a finite number >= 0, got -0.1/],
      [() => pgd(model, x, labels, { ...base, steps: 2.5 }), /'options.steps' must be an integer >= 1, got 2.5/],
      [() => pgd(model, x, labels, { ...base, steps: 0 }), /'options.steps'/],
      [() => pgd(model, x, labels, { ...base, stepSize: 0 }), /'options.stepSize' must be a finite number > 0/],
      [() => pgd(model, x, labels, { ...base, restarts: 0 }), /'options.restarts'/],
      [() => pgd(model, x, labels, { ...base, norm: 'l1' as 'l2' }), /'options.norm' must be one of "linf", "l2"/],
      [() => fgsm(model, tf.add(x, 0.5), labels, { epsilon: 0.1 }), /argument 'x' must be inputs inside \[clipMin, clipMax\] = \[0, 1\]/],
      [() => fgsm(model, x, labels, { epsilon: 0.1, clipMin: 0.2 }), /inside \[clipMin, clipMax\] = \[0.2, 1\]/],
      [() => fgsm(model, x, labels, { epsilon: 0.1, clipMin: 1, clipMax: 0 }), /'options.clipMax' must be a number > clipMin/],
      [() => fgsm(model, x, labels.slice(1), { epsilon: 0.1 }), /20 labels \(the batch size of x\)/],
      [() => fgsm(model, x, tf.zeros([19, 10]), { epsilon: 0.1 }), /20 rows/],
      [() => fgsm(model, x, [...labels.slice(1), 10], { epsilon: 0.1 }), /'y\[19\]' must be an integer class index in \[0, 10\), got 10/],
      [() => fgsm(model, x, undefined, { epsilon: 0.1, targeted: true }), /'y' must be the target classes/],
      [() => fgsm(model, tf.zeros([2, 64], 'int32'), [0, 1], { epsilon: 0.1 }), /'x' must be a float32 tensor/],
      [() => fgsm(model, [1, 2] as unknown as tf.Tensor, [0], { epsilon: 0.1 }), /'x' must be a tf.Tensor/],
      [() => fgsm(3 as unknown as LayersModel, x, labels, { epsilon: 0.1 }), /'model' must be a tf.LayersModel or a function/],
      [() => fgsm(model, x, labels, { epsilon: 0.1, loss: (l) => tf.sum(l) }), /'options.loss' must be a function returning one loss per example \(\[20\]\)/],
    ];
    for (const [run, message] of cases) {
      const error = await run().then(() => undefined, (e: unknown) => e);
      expect(error, String(message)).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    }
    x.dispose();
    model.dispose();
  });

  it('uses the model predictions when labels are omitted, and accepts plain functions and one-hot labels', async () => {
    const model = referenceModel('mlp');
    const x = rows(20);
    const predicted = Array.from(await tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).data());
    const a = await fgsm(model, x, undefined, { epsilon: 0.1 });
    const b = await fgsm((t) => model.apply(t) as tf.Tensor, x, tf.oneHot(tf.tensor1d(predicted, 'int32'), 10), { epsilon: 0.1 });
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([a, b, x]);
    model.dispose();
  });

  it('gives the same attack for a probability model with modelOutput "probabilities"', async () => {
    const model = referenceModel('mlp');
    const x = rows(20);
    const viaLogits = await pgd(model, x, labels, { epsilon: 0.1, stepSize: 0.02, steps: 5, randomStart: false });
    const probs = (t: tf.Tensor): tf.Tensor => tf.softmax(model.apply(t) as tf.Tensor);
    const viaProbs = await pgd(probs, x, labels, { epsilon: 0.1, stepSize: 0.02, steps: 5, randomStart: false, modelOutput: 'probabilities' });
    const d = Array.from(await tf.tidy(() => tf.abs(tf.sub(viaLogits, viaProbs))).data());
    // Same gradient up to rounding: at most a handful of tiny-gradient coordinates may differ.
    expect(d.filter((v) => v > 1e-5).length).toBeLessThanOrEqual(20);
    tf.dispose([viaLogits, viaProbs, x]);
    model.dispose();
  });

  it('uses a custom per-example loss', async () => {
    const model = referenceModel('mlp');
    const x = rows(20);
    const a = await fgsm(model, x, labels, { epsilon: 0.1 });
    const b = await fgsm(model, x, labels, { epsilon: 0.1, loss: softmaxCrossEntropy });
    // Minimising the negated loss is the targeted attack on the same labels.
    const c = await fgsm(model, x, labels, { epsilon: 0.1, loss: (l, o) => tf.neg(softmaxCrossEntropy(l, o)) });
    const d = await fgsm(model, x, labels, { epsilon: 0.1, targeted: true });
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    expect(Array.from(await c.data())).toEqual(Array.from(await d.data()));
    tf.dispose([a, b, c, d, x]);
    model.dispose();
  });

  it('seeded random starts are reproducible; restarts keep the highest-loss run per example', async () => {
    const model = referenceModel('mlp');
    const x = rows(20);
    const opts = { epsilon: 0.2, stepSize: 0.01, steps: 3 };
    const a = await pgd(model, x, labels, { ...opts, rng: seededRng(7) });
    const b = await pgd(model, x, labels, { ...opts, rng: seededRng(7) });
    const c = await pgd(model, x, labels, { ...opts, rng: seededRng(8) });
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    expect(Array.from(await a.data())).not.toEqual(Array.from(await c.data()));
    // Three restarts draw the same seeds as three consecutive single runs on one generator.
    const rng = seededRng(11);
    const runs = [];
    for (let r = 0; r < 3; r++) runs.push(await pgd(model, x, labels, { ...opts, rng }));
    const best = await pgd(model, x, labels, { ...opts, restarts: 3, rng: seededRng(11) });
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const lossOf = async (t: tf.Tensor): Promise<Float32Array> => (await tf.tidy(() => softmaxCrossEntropy(y, model.predict(t) as tf.Tensor)).data()) as Float32Array;
    const runLosses = await Promise.all(runs.map(lossOf));
    const bestLoss = await lossOf(best);
    for (let i = 0; i < 20; i++) expect(bestLoss[i]).toBe(Math.max(...runLosses.map((l) => l[i]!)));
    tf.dispose([a, b, c, x, y, best, ...runs]);
    model.dispose();
  });

  it('leaks no tensors (fgsm, pgd with restarts, L2 random start)', async () => {
    const model = referenceModel('mlp');
    const x = rows(8);
    const y = labels.slice(0, 8);
    await expectNoLeaks(() => fgsm(model, x, y, { epsilon: 0.1 }));
    await expectNoLeaks(() => fgsm(model, x, undefined, { epsilon: 0.1 }));
    await expectNoLeaks(() => pgd(model, x, y, { epsilon: 0.1, stepSize: 0.02, steps: 3, restarts: 2, rng: seededRng(1) }));
    await expectNoLeaks(() => pgd(model, x, y, { norm: 'l2', epsilon: 1, stepSize: 0.2, steps: 3, rng: seededRng(1) }));
    await expect(fgsm(model, tf.add(x, 2), y, { epsilon: 0.1 })).rejects.toThrow();
    x.dispose();
    model.dispose();
  });

  it('probabilityCrossEntropy floors zero probabilities', async () => {
    const l = probabilityCrossEntropy(tf.tensor2d([[0, 1]]), tf.tensor2d([[1, 0]]));
    expect((await l.data())[0]).toBeCloseTo(-Math.log(1e-7), 3);
    l.dispose();
  });

  it('property: adversarial inputs stay in the epsilon ball and the input range', async () => {
    const w = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.7) * 3), [4, 3]);
    const model = (t: tf.Tensor): tf.Tensor => tf.matMul(t as tf.Tensor2D, w);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          norm: fc.constantFrom('linf' as const, 'l2' as const),
          epsilon: fc.double({ min: 0, max: 2, noNaN: true }),
          stepSize: fc.double({ min: 1e-3, max: 1, noNaN: true }),
          steps: fc.integer({ min: 1, max: 4 }),
          clipMin: fc.constantFrom(-1, 0),
          randomStart: fc.boolean(),
          targeted: fc.boolean(),
          seed: fc.integer(),
          xs: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
        }),
        async (p) => {
          const x = tf.tensor2d(p.xs, [2, 4]);
          const adv = await pgd(model, x, [0, 2], { ...p, clipMax: 1, rng: seededRng(p.seed) });
          const a = await adv.data();
          for (let i = 0; i < 2; i++) {
            let sq = 0;
            let mx = 0;
            for (let j = 0; j < 4; j++) {
              const v = a[i * 4 + j]!;
              expect(v).toBeGreaterThanOrEqual(p.clipMin);
              expect(v).toBeLessThanOrEqual(1);
              const d = v - p.xs[i * 4 + j]!;
              sq += d * d;
              mx = Math.max(mx, Math.abs(d));
            }
            if (p.norm === 'linf') expect(mx).toBeLessThanOrEqual(p.epsilon * (1 + 1e-6) + 1e-6);
            else expect(Math.sqrt(sq)).toBeLessThanOrEqual(p.epsilon * (1 + 1e-5) + 1e-6);
          }
          tf.dispose([x, adv]);
        },
      ),
      { numRuns: 40, seed: 20260 },
    );
    w.dispose();
  });
});

describeBackends('exact sign', () => {
  it('keeps the sign of gradient entries far below float32 epsilon', async () => {
    const { exactSign } = await import('../../src/robustness/steps.js');
    const t = tf.tensor1d([1e-9, -3e-20, 0, 2.5, -1e30, 1e-37]);
    const s = exactSign(t);
    expect(Array.from(await s.data())).toEqual([1, -1, 0, 1, -1, 1]);
    tf.dispose([t, s]);
  });
});

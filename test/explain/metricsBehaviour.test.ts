/**
 * infidelity and sensitivityMax beyond the stored cases: normalize (recomputed in float64, scale
 * invariance, Captum's safe_div), the default perturbations, baselines handed to the
 * perturbation, norms, the zero-norm rule, both forms of the explanation argument, typed errors,
 * aborts and leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { AbortedError, InvalidArgumentError } from '../../src/core/errors.js';
import { seededRng } from '../../src/core/rng.js';
import { infidelity, integratedGradients, saliency, sensitivityMax, type InfidelityPerturbation } from '../../src/explain/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { explainModel, flat, referenceCase, referenceInputs, referenceTargets } from './fixtures.js';
import { storedInfidelityPerturbation, storedNoise, storedSensitivityPerturbation } from './metricsHelpers.js';

/** Awaits `call` and checks it rejects with an InvalidArgumentError naming `fn` and `argument`. */
async function expectRejectsInvalid(call: () => Promise<unknown>, fn: string, argument: string, message?: RegExp): Promise<void> {
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  expect(error, argument).toBeInstanceOf(InvalidArgumentError);
  expect([(error as InvalidArgumentError).fn, (error as InvalidArgumentError).argument]).toEqual([fn, argument]);
  if (message !== undefined) expect((error as Error).message).toMatch(message);
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i] as number, expected[i] as number];
    expect(Math.abs(a - e), `row ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
  }
}

/** A linear logits model f(x) = x·W (3 classes), whose input gradient for class t is column t. */
function linearModel(features: number): { model: (x: tf.Tensor) => tf.Tensor; w: tf.Tensor2D } {
  const w = tf.tensor2d(Array.from({ length: features * 3 }, (_, i) => Math.sin(i + 1)), [features, 3]);
  return { model: (x) => tf.matMul(x as tf.Tensor2D, w), w };
}

describeBackends('infidelity', () => {
  it('normalize: equals the float64 recomputation (Σd² − (Σa·d)²/Σa²)/K and ignores the attributions\' scale', async () => {
    const model = explainModel('mlp');
    const x = referenceInputs('mlp');
    const targets = referenceTargets('mlp', 'pred');
    const attrValues = flat(referenceCase('mlp', 'mlp/pred/saliency/abs_false').attr);
    const attr = tf.tensor(attrValues, x.shape);
    const perturbation = storedInfidelityPerturbation('mlp');
    const normalized = await infidelity(model, x, attr, { target: targets, perturbation, samples: 20, normalize: true });
    // Float64 recomputation from the model's float32 outputs.
    const noise = storedNoise('mlp').infidelity_perturbations;
    const xv = await x.data();
    const perturbed = tf.tensor2d(Array.from({ length: 50 * 20 }, (_, r) => {
      const i = Math.floor(r / 20), k = r % 20;
      return noise[k]!.map((v, j) => (xv[i * 64 + j] as number) - v);
    }));
    const [fx, fp] = [(model.predict(x) as tf.Tensor), (model.predict(perturbed) as tf.Tensor)];
    const [fxv, fpv] = [await fx.data(), await fp.data()];
    const expected = targets.map((t, i) => {
      let [aa, ad, dd] = [0, 0, 0];
      for (let k = 0; k < 20; k++) {
        let a = 0;
        for (let j = 0; j < 64; j++) a += (attrValues[i * 64 + j] as number) * (noise[k]![j] as number);
        const d = (fxv[i * 10 + t] as number) - (fpv[(i * 20 + k) * 10 + t] as number);
        aa += a * a; ad += a * d; dd += d * d;
      }
      return (dd - (ad * ad) / aa) / 20;
    });
    // Both comparisons allow the float32 round-off of β²·Σa² − 2β·Σa·d + Σd², a cancellation of
    // terms of the size of Σd²/K (up to ~1 here): about 1e-7 absolute, as in Captum's float32 result.
    expectAllClose(await normalized.data(), expected, 1e-6, 1e-3);
    const scaled = tf.mul(attr, -3.5);
    const normalizedScaled = await infidelity(model, x, scaled, { target: targets, perturbation, samples: 20, normalize: true });
    expectAllClose(await normalizedScaled.data(), await normalized.data(), 1e-6, 1e-4);
    // Normalizing never scores worse than the raw attributions (β is the best scale).
    const raw = await infidelity(model, x, attr, { target: targets, perturbation, samples: 20 });
    const [r, n] = [await raw.data(), await normalized.data()];
    for (let i = 0; i < 50; i++) expect(n[i]).toBeLessThanOrEqual((r[i] as number) * (1 + 1e-5) + 1e-7);
    tf.dispose([x, attr, perturbed, fx, fp, normalized, scaled, normalizedScaled, raw]);
    model.dispose();
  });

  it('zero attributions: the mean squared output change, with or without normalize (safe_div: β = 0)', async () => {
    const { model, w } = linearModel(4);
    const x = tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [1, -1, 0.5, 0]]);
    const I = tf.tensor2d([[0.5, 0, 0, 0], [0, 0.25, 0, -1]]);
    const perturbation: InfidelityPerturbation = (xs) => ({ perturbation: tf.tile(I, [xs.shape[0] as number / 2, 1]), perturbed: tf.sub(xs, tf.tile(I, [xs.shape[0] as number / 2, 1])) });
    const zeros = tf.zerosLike(x);
    const target = [0, 2];
    const plain = await infidelity(model, x, zeros, { target, perturbation, samples: 2 });
    const norm = await infidelity(model, x, zeros, { target, perturbation, samples: 2, normalize: true });
    // d_k = I_k · W[:, t] for a linear model; the mean over k of d_k².
    const wv = await w.array();
    const Iv = await I.array();
    const expected = target.map((t) => (Iv.map((row) => row.reduce((s, v, j) => s + v * wv[j]![t]!, 0) ** 2).reduce((a, b) => a + b, 0)) / 2);
    expectAllClose(await plain.data(), expected, 1e-6, 1e-5);
    expectAllClose(await norm.data(), expected, 1e-6, 1e-5);
    tf.dispose([w, x, I, zeros, plain, norm]);
  });

  it('default Gaussian perturbation: exact attributions of a linear model score 0, doubled ones σ²‖w‖² on average; seeded', async () => {
    const { model, w } = linearModel(6);
    const x = tf.randomUniform([3, 6], 0, 1, 'float32', 3);
    const target = [0, 1, 2];
    const exact = tf.transpose(tf.gather(w, target, 1)); // row i = W[:, t_i], the input gradient
    const zero = await infidelity(model, x, exact, { target, rng: seededRng(1) });
    for (const v of await zero.data()) expect(Math.abs(v)).toBeLessThan(1e-10);
    const doubled = tf.mul(exact, 2);
    const a = await infidelity(model, x, doubled, { target, samples: 4000, stdev: 0.3, rng: seededRng(2) });
    const b = await infidelity(model, x, doubled, { target, samples: 4000, stdev: 0.3, rng: seededRng(2) });
    const c = await infidelity(model, x, doubled, { target, samples: 4000, stdev: 0.3, rng: seededRng(3) });
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    expect(Array.from(await a.data())).not.toEqual(Array.from(await c.data()));
    // (w·I)² with I ~ N(0, σ²) has mean σ²‖w‖² and sd √2·σ²‖w‖²: 4000 samples give a 2.2 % standard error.
    const norms = (await tf.sum(tf.square(exact), 1).data()) as Float32Array;
    const av = await a.data();
    for (let i = 0; i < 3; i++) expect(Math.abs((av[i] as number) / (0.09 * (norms[i] as number)) - 1)).toBeLessThan(0.1);
    tf.dispose([w, x, exact, zero, doubled, a, b, c]);
  });

  it('hands the repeated baselines to the perturbation and splits the samples over passes with the same result', async () => {
    const model = explainModel('adult');
    const x = referenceInputs('adult');
    const attr = tf.tensor(flat(referenceCase('adult', 'adult/pred/ig/gausslegendre/n50').attr), x.shape);
    const baselines = tf.mul(tf.onesLike(x), tf.reshape(tf.linspace(0, 1, 50), [50, 1]));
    const seen: number[][] = [];
    // Captum's infidelity_perturb_func_decorator form for baselines: I = (x − b)·mask, perturbed = x − I.
    const perturbation: InfidelityPerturbation = (xs, batch) => {
      expect(batch.baselines?.shape).toEqual(xs.shape);
      seen.push([batch.firstSample, batch.copies]);
      const rowBaselines = tf.slice(batch.baselines!, [0, 0], [xs.shape[0] as number, 1]).dataSync();
      for (let r = 0; r < xs.shape[0]!; r++) expect(rowBaselines[r]).toBeCloseTo(Math.floor(r / batch.copies) / 49, 6);
      const mask = tf.tile(tf.tensor2d([[1, 0, 1, 0, 1, 0, 1, 0, 1, 0]]), [xs.shape[0] as number, 1]);
      const I = tf.mul(tf.sub(xs, batch.baselines!), mask);
      return { perturbation: I, perturbed: tf.sub(xs, I) };
    };
    const one = await infidelity(model, x, attr, { perturbation, baselines, samples: 5 });
    expect(seen).toEqual([[0, 5]]);
    seen.length = 0;
    const split = await infidelity(model, x, attr, { perturbation, baselines, samples: 5, internalBatchSize: 100 });
    expect(seen).toEqual([[0, 2], [2, 2], [4, 1]]);
    expectAllClose(await split.data(), await one.data(), 0, 1e-6);
    tf.dispose([x, attr, baselines, one, split]);
    model.dispose();
  });

  it('splits the stored perturbations over passes and still matches Captum', async () => {
    const model = explainModel('cnn');
    const x = referenceInputs('cnn');
    const attr = tf.tensor(flat(referenceCase('cnn', 'cnn/pred/input_x_gradient').attr), x.shape);
    const scores = await infidelity(model, x, attr, { perturbation: storedInfidelityPerturbation('cnn'), samples: 20, internalBatchSize: 333 });
    const expected = (await import('../fixtures/explain/metrics.json')).default.cases['cnn/pred/infidelity/input_x_gradient/normalize_false'].value_f32;
    expectAllClose(await scores.data(), expected, 2e-5, 1e-4);
    tf.dispose([x, attr, scores]);
    model.dispose();
  });

  it('rejects bad arguments with typed errors naming them, leaking nothing', async () => {
    const { model, w } = linearModel(4);
    const x = tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [1, -1, 0.5, 0]]);
    const attr = tf.onesLike(x);
    const [wrongShape, withNaN, oneD, badBaselines] = [tf.ones([2, 3]), tf.tensor2d([[1, NaN, 0, 0], [0, 0, 0, 0]]), tf.tensor1d([1, 2]), tf.ones([3])];
    await expectNoLeaks(async () => {
      await expectRejectsInvalid(() => infidelity(model, x, wrongShape, { samples: 2 }), 'infidelity', 'attributions', /x's shape \[2, 4\]/);
      await expectRejectsInvalid(() => infidelity(model, x, withNaN, { samples: 2 }), 'infidelity', 'attributions', /finite/);
      await expectRejectsInvalid(() => infidelity(model, x, [1, 2] as unknown as tf.Tensor), 'infidelity', 'attributions');
      await expectRejectsInvalid(() => infidelity(model, x, attr, { samples: 0 }), 'infidelity', 'options.samples', /integer >= 1/);
      await expectRejectsInvalid(() => infidelity(model, x, attr, { stdev: -1 }), 'infidelity', 'options.stdev');
      await expectRejectsInvalid(() => infidelity(model, x, attr, { stdev: 0.1, perturbation: (xs) => ({ perturbation: xs, perturbed: xs }) }), 'infidelity', 'options.stdev');
      await expectRejectsInvalid(() => infidelity(model, x, attr, { perturbation: 3 as unknown as InfidelityPerturbation }), 'infidelity', 'options.perturbation');
      await expectRejectsInvalid(() => infidelity(model, x, attr, { normalize: 'yes' as unknown as boolean }), 'infidelity', 'options.normalize');
      await expectRejectsInvalid(() => infidelity(model, x, attr, { internalBatchSize: 0 }), 'infidelity', 'options.internalBatchSize');
      await expectRejectsInvalid(() => infidelity(model, x, attr, { rng: Math.random as never }), 'infidelity', 'options.rng');
      await expectRejectsInvalid(() => infidelity(model, x, attr, { target: [0, 3] }), 'infidelity', 'options.target[1]');
      await expectRejectsInvalid(() => infidelity(model, oneD, attr), 'infidelity', 'x');
      await expectRejectsInvalid(() => infidelity(model, x, attr, { baselines: badBaselines }), 'infidelity', 'options.baselines');
      // A perturbation returning tensors of the wrong shape, or a promise: refused, its tensors released.
      await expectRejectsInvalid(() => infidelity(model, x, attr, { perturbation: (xs) => ({ perturbation: tf.ones([1, 4]), perturbed: xs }) }),
        'infidelity', 'options.perturbation', /perturbation of the repeated inputs' shape \[20, 4\]/);
      await expectRejectsInvalid(() => infidelity(model, x, attr, { perturbation: (async (xs: tf.Tensor) => ({ perturbation: xs, perturbed: xs })) as unknown as InfidelityPerturbation }),
        'infidelity', 'options.perturbation', /synchronous/);
      await expectRejectsInvalid(() => infidelity(model, x, attr, { perturbation: (xs) => ({ perturbation: tf.zerosLike(xs), perturbed: 'x' as unknown as tf.Tensor }) }),
        'infidelity', 'options.perturbation');
    });
    tf.dispose([w, x, attr, wrongShape, withNaN, oneD, badBaselines]);
  });

  it('stops on an aborted signal between passes, and leaks nothing on success', async () => {
    const { model, w } = linearModel(4);
    const x = tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [1, -1, 0.5, 0]]);
    const attr = tf.onesLike(x);
    const controller = new AbortController();
    let calls = 0;
    const perturbation: InfidelityPerturbation = (xs) => {
      calls++;
      controller.abort('enough');
      const I = tf.mul(0.1, tf.onesLike(xs));
      return { perturbation: I, perturbed: tf.sub(xs, I) };
    };
    await expectNoLeaks(async () => {
      await expect(infidelity(model, x, attr, { perturbation, samples: 4, internalBatchSize: 2, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    });
    // The first run perturbs once, then stops before its second pass; the second run (signal
    // already aborted) stops before any pass.
    expect(calls).toBe(1);
    await expectNoLeaks(() => infidelity(model, x, attr, { samples: 3, normalize: true, rng: seededRng(0) }));
    // A perturbation returning a tensor it keeps (fixed noise) or x itself: neither is disposed.
    const fixedNoise = tf.fill([4, 4], 0.1);
    const keep: InfidelityPerturbation = (xs) => ({ perturbation: fixedNoise, perturbed: xs });
    await expectNoLeaks(() => infidelity(model, x, attr, { perturbation: keep, samples: 2 }));
    expect(fixedNoise.isDisposed).toBe(false);
    fixedNoise.dispose();
    await expectNoLeaks(() => infidelity(model, x, attr, { samples: 3, internalBatchSize: 2, baselines: 0.5, rng: seededRng(0) }));
    tf.dispose([w, x, attr]);
  });
});

describeBackends('sensitivityMax', () => {
  it('identity explanation: max_k ‖u_k·r‖_p / ‖x‖_p for the Frobenius, 1, 3 and infinity norms', async () => {
    const all = referenceInputs('mlp');
    const x = tf.slice(all, [0, 0], [5, 64]);
    all.dispose();
    const noise = storedNoise('mlp').sensitivity_unit_noise;
    const xv = await x.array() as number[][];
    const pnorm = (v: number[], p: number): number => (p === Infinity ? Math.max(...v.map(Math.abs)) : v.reduce((s, a) => s + Math.abs(a) ** p, 0) ** (1 / p));
    for (const [norm, p] of [['fro', 2], [1, 1], [3, 3], [Infinity, Infinity]] as const) {
      const scores = await sensitivityMax((xs) => xs, x, { perturbation: storedSensitivityPerturbation('mlp'), norm, samples: 10 });
      const expected = xv.map((row) => Math.max(...noise.map((u) => pnorm(u.map((v) => 0.02 * v), p))) / pnorm(row, p));
      expectAllClose(await scores.data(), expected, 1e-6, 1e-4);
      scores.dispose();
    }
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('replaces a zero explanation norm by 1 (Captum), and takes explanations of any per-row shape', async () => {
    const x = tf.randomUniform([3, 2, 2], 0, 1, 'float32', 5);
    const scores = await sensitivityMax((xs, { copies }) => (copies === 1 ? tf.zeros([3, 5]) : tf.ones([xs.shape[0] as number, 5])), x, { samples: 4, rng: seededRng(1) });
    expectAllClose(await scores.data(), [Math.sqrt(5), Math.sqrt(5), Math.sqrt(5)], 1e-6, 1e-6);
    tf.dispose([x, scores]);
  });

  it('the default perturbation stays within the radius and is reproducible with a seed', async () => {
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 7);
    const options = { perturbationRadius: 0.05, samples: 25, norm: Infinity, rng: seededRng(9) };
    const a = await sensitivityMax((xs) => xs, x, options);
    const b = await sensitivityMax((xs) => xs, x, { ...options, rng: seededRng(9) });
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    const maxAbs = (await tf.max(tf.abs(x), 1).data()) as Float32Array;
    const av = await a.data();
    for (let i = 0; i < 4; i++) {
      // max over 25 × 6 uniform draws of |noise|: above 0.9·r with probability 1 − 0.9^150.
      expect((av[i] as number) * (maxAbs[i] as number)).toBeLessThanOrEqual(0.05 * (1 + 1e-5));
      expect((av[i] as number) * (maxAbs[i] as number)).toBeGreaterThan(0.045);
    }
    tf.dispose([x, a, b]);
  });

  it('a method spec expands per-example baselines to the copies as Captum expands its kwargs', async () => {
    const model = explainModel('mlp');
    const all = referenceInputs('mlp');
    const x = tf.slice(all, [0, 0], [6, 64]);
    all.dispose();
    const baselines = tf.mul(tf.onesLike(x), tf.reshape(tf.linspace(0, 0.5, 6), [6, 1]));
    const targets = [1, 2, 3, 4, 5, 6];
    const perturbation = storedSensitivityPerturbation('mlp');
    const spec = await sensitivityMax({ method: integratedGradients, model, options: { target: targets, baselines, steps: 8 } }, x, { perturbation, samples: 10 });
    const byHand = await sensitivityMax(async (xs, { copies }) => {
      const b = tf.reshape(tf.tile(tf.reshape(baselines, [6, 1, 64]), [1, copies, 1]), [6 * copies, 64]);
      const t = targets.flatMap((v) => new Array<number>(copies).fill(v));
      const r = await integratedGradients(model, xs, { target: t, baselines: b, steps: 8 });
      b.dispose();
      return r;
    }, x, { perturbation, samples: 10 });
    expectAllClose(await spec.data(), await byHand.data(), 1e-7, 1e-6);
    tf.dispose([x, baselines, spec, byHand]);
    model.dispose();
  });

  it('rejects bad arguments and bad explanations with typed errors, leaking nothing', async () => {
    const x = tf.randomUniform([3, 4], 0, 1, 'float32', 1);
    const model = explainModel('adult');
    const [withNaN, zeros] = [tf.tensor2d([[NaN, 0, 0, 0]]), tf.zeros([3, 10])];
    await expectNoLeaks(async () => {
      await expectRejectsInvalid(() => sensitivityMax(42 as unknown as (x: tf.Tensor) => tf.Tensor, x), 'sensitivityMax', 'explanation');
      await expectRejectsInvalid(() => sensitivityMax({ method: 'saliency' } as never, x), 'sensitivityMax', 'explanation');
      await expectRejectsInvalid(() => sensitivityMax(() => Promise.resolve('map' as unknown as tf.Tensor), x), 'sensitivityMax', 'explanation', /tensor or to \{ attributions \}/);
      await expectRejectsInvalid(() => sensitivityMax(() => tf.ones([2, 4]), x), 'sensitivityMax', 'explanation', /one explanation per input row \(\[3, \.\.\.\]\)/);
      await expectRejectsInvalid(() => sensitivityMax((xs, { copies }) => tf.ones([xs.shape[0] as number, copies === 1 ? 4 : 5]), x), 'sensitivityMax', 'explanation', /\[30, 4\]/);
      await expectRejectsInvalid(() => sensitivityMax((xs) => xs, x, { perturbationRadius: -0.1 }), 'sensitivityMax', 'options.perturbationRadius');
      await expectRejectsInvalid(() => sensitivityMax((xs) => xs, x, { samples: 1.5 }), 'sensitivityMax', 'options.samples');
      await expectRejectsInvalid(() => sensitivityMax((xs) => xs, x, { norm: 0.5 }), 'sensitivityMax', 'options.norm');
      await expectRejectsInvalid(() => sensitivityMax((xs) => xs, x, { norm: 'nuc' as never }), 'sensitivityMax', 'options.norm');
      await expectRejectsInvalid(() => sensitivityMax((xs) => xs, x, { internalBatchSize: -1 }), 'sensitivityMax', 'options.internalBatchSize');
      await expectRejectsInvalid(() => sensitivityMax((xs) => xs, x, { rng: 7 as never }), 'sensitivityMax', 'options.rng');
      await expectRejectsInvalid(() => sensitivityMax((xs) => xs, x, { perturbation: 'uniform' as never }), 'sensitivityMax', 'options.perturbation');
      await expectRejectsInvalid(() => sensitivityMax((xs) => xs, x, { perturbation: () => tf.ones([3, 4]) }), 'sensitivityMax', 'options.perturbation', /\[30, 4\]/);
      await expectRejectsInvalid(() => sensitivityMax((xs) => xs, withNaN), 'sensitivityMax', 'x', /finite/);
      await expectRejectsInvalid(() => sensitivityMax({ method: saliency, model, options: { target: [0, 1, 2] } }, zeros), 'sensitivityMax', 'options.target[2]');
    });
    tf.dispose([x, withNaN, zeros]);
    model.dispose();
  });

  it('disposes what explanations return (convergence deltas included), never the caller\'s x; stops when aborted', async () => {
    const model = explainModel('adult');
    const all = referenceInputs('adult');
    const x = tf.slice(all, [0, 0], [4, 10]);
    all.dispose();
    await expectNoLeaks(() => sensitivityMax((xs) => integratedGradients(model, xs, { steps: 4 }), x, { samples: 3, rng: seededRng(0) }));
    await expectNoLeaks(() => sensitivityMax({ method: saliency, model }, x, { samples: 5, internalBatchSize: 8, rng: seededRng(0) }));
    await expectNoLeaks(() => sensitivityMax((xs) => ({ attributions: xs }), x, { samples: 2, rng: seededRng(0) }));
    const fixedInputs = tf.fill([8, 10], 0.5);
    await expectNoLeaks(() => sensitivityMax((xs) => tf.mul(xs, 2), x, { samples: 2, perturbation: () => fixedInputs }));
    expect(fixedInputs.isDisposed).toBe(false);
    fixedInputs.dispose();
    expect(x.isDisposed).toBe(false);
    const controller = new AbortController();
    await expectNoLeaks(async () => {
      await expect(sensitivityMax((xs, { copies }) => {
        if (copies > 1) controller.abort();
        return tf.mul(xs, 2);
      }, x, { samples: 4, internalBatchSize: 8, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    });
    x.dispose();
    model.dispose();
  });
});

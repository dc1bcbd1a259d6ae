import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  crossEntropyTerm, ethicalLoss, fixedWeights, gradNorm, inputGradientTerm, l1Term, lagrangian, mgda, normalizedWeights, type LossTerm,
} from '../../src/objectives/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** A problem on a parameter vector theta: the model ignores x; terms read theta directly. */
function quadraticProblem(theta0: number[]) {
  const theta = tf.variable(tf.tensor1d(theta0));
  const forward = (x: tf.Tensor): tf.Tensor => tf.matMul(x, tf.reshape(theta, [-1, 1]));
  const distTo = (name: string, target: number[]): LossTerm => ({
    name,
    dataDependence: 'none',
    fn: () => tf.sum(tf.square(tf.sub(theta, tf.tensor1d(target)))) as tf.Scalar,
  });
  const batch = { x: tf.zeros([1, theta0.length]), y: [0] };
  return { theta, forward, distTo, batch };
}

describeBackends('weighting strategies', () => {
  it('MGDA on two quadratics takes the analytic min-norm step', async () => {
    const a = [1, 0], b = [0, 2], t0 = [2, 1];
    const p = quadraticProblem(t0);
    const loss = ethicalLoss({ model: p.forward, variables: [p.theta], task: p.distTo('f1', a), terms: [p.distTo('f2', b)], weights: mgda() });
    await loss.setBatch(p.batch);
    const opt = tf.train.sgd(0.1);
    const r = await loss.step(opt);
    // g1 = 2 (t0 - a) = (2, 2), g2 = 2 (t0 - b) = (4, -2); gamma = (g2.g2 - g1.g2) / |g1 - g2|^2 = (20 - 4) / 20 = 0.8.
    const g1 = t0.map((t, i) => 2 * (t - a[i]!)), g2 = t0.map((t, i) => 2 * (t - b[i]!));
    const dot = (u: number[], v: number[]): number => u.reduce((s, ui, i) => s + ui * v[i]!, 0);
    const d = g1.map((x, i) => x - g2[i]!);
    const gamma = Math.min(1, Math.max(0, (dot(g2, g2) - dot(g1, g2)) / dot(d, d)));
    expect(gamma).toBeCloseTo(0.8, 12);
    expect(r.weights.f1).toBeCloseTo(gamma, 5);
    expect(r.weights.f2).toBeCloseTo(1 - gamma, 5);
    expect(r.values.f1).toBeCloseTo(dot(t0.map((t, i) => t - a[i]!), t0.map((t, i) => t - a[i]!)), 4);
    const expected = t0.map((t, i) => t - 0.1 * (gamma * g1[i]! + (1 - gamma) * g2[i]!));
    const got = Array.from(await p.theta.data());
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
    // Iterated, MGDA stops on the Pareto set: the segment [a, b].
    for (let i = 0; i < 150; i++) await loss.step(opt);
    const [x, y] = Array.from(await p.theta.data()) as [number, number];
    // On the segment: y = 2 (1 - x), 0 <= x <= 1.
    expect(Math.abs(y - 2 * (1 - x))).toBeLessThan(1e-2);
    expect(x).toBeGreaterThanOrEqual(-1e-3);
    expect(x).toBeLessThanOrEqual(1 + 1e-3);
    loss.dispose();
    opt.dispose();
    tf.dispose([p.theta, p.batch.x]);
  });

  it('MGDA with a generic min-norm point (interior gamma) and three objectives', async () => {
    const p = quadraticProblem([0, 0]);
    const loss = ethicalLoss({
      model: p.forward, variables: [p.theta], task: p.distTo('f1', [1, 0]),
      terms: [p.distTo('f2', [0, 1]), p.distTo('f3', [-1, -1])], weights: mgda(),
    });
    await loss.setBatch(p.batch);
    // At the origin g1 = (-2, 0), g2 = (0, -2), g3 = (2, 2): the hull contains 0, alphas (1/3, 1/3, 1/3) ... up to FW accuracy.
    const r = await loss.step(tf.train.sgd(0.1));
    const w = [r.weights.f1!, r.weights.f2!, r.weights.f3!];
    const dir = [-2 * w[0]! + 2 * w[2]!, -2 * w[1]! + 2 * w[2]!];
    expect(Math.hypot(dir[0]!, dir[1]!)).toBeLessThan(0.05);
    expect(w.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    loss.dispose();
    tf.dispose([p.theta, p.batch.x]);
  });

  it('GradNorm drives the weighted gradient norms to equality (alpha 0): w_i proportional to 1 / |g_i|', async () => {
    const p = quadraticProblem([2, 1]);
    const far: LossTerm = { name: 'f2', dataDependence: 'none', fn: () => tf.mul(10, tf.sum(tf.square(tf.sub(p.theta, tf.tensor1d([0, 2]))))) as tf.Scalar };
    const loss = ethicalLoss({ model: p.forward, variables: [p.theta], task: p.distTo('f1', [1, 0]), terms: [far], weights: gradNorm({ alpha: 0, weightLearningRate: 5e-4 }) });
    await loss.setBatch(p.batch);
    const frozen = tf.train.sgd(0); // parameters fixed: gradients and loss ratios stay constant
    const first = await loss.step(frozen);
    expect(first.weights).toEqual({ f1: 1, f2: 1 });
    for (let i = 0; i < 300; i++) await loss.step(frozen);
    // |g1| = 2 sqrt(2), |g2| = 20 sqrt(5); fixed point w_i = 2 (1/|g_i|) / sum_j (1/|g_j|).
    const n1 = 2 * Math.SQRT2, n2 = 20 * Math.sqrt(5);
    const w = loss.currentWeights();
    expect(w.f1! + w.f2!).toBeCloseTo(2, 6);
    expect(w.f1).toBeCloseTo((2 / n1) / (1 / n1 + 1 / n2), 1);
    expect(w.f2).toBeCloseTo((2 / n2) / (1 / n1 + 1 / n2), 1);
    expect(Math.abs(w.f1! * n1 - w.f2! * n2)).toBeLessThan(0.25 * w.f1! * n1);
    expect(() => gradNorm({ alpha: -1 })).toThrow(/options.alpha/);
    loss.dispose();
    tf.dispose([p.theta, p.batch.x]);
  });

  it('the Lagrangian meets a bound that the unconstrained optimum violates', async () => {
    // min (t - 3)^2 s.t. t^2 <= 1: unconstrained t = 3 (t^2 = 9); constrained t* = 1, lambda* = 2.
    const p = quadraticProblem([0]);
    const task = p.distTo('task', [3]);
    const square: LossTerm = { name: 'sq', dataDependence: 'none', fn: () => tf.sum(tf.square(p.theta)) as tf.Scalar };
    const loss = ethicalLoss({
      model: p.forward, variables: [p.theta], task, terms: [square],
      weights: lagrangian({ bounds: { sq: 1 }, multiplierLearningRate: 0.5 }),
    });
    await loss.setBatch(p.batch);
    const opt = tf.train.sgd(0.05);
    let last = await loss.step(opt);
    expect(last.weights.sq).toBe(0);
    for (let i = 0; i < 600; i++) last = await loss.step(opt);
    const t = (await p.theta.data())[0]!;
    expect(t).toBeCloseTo(1, 2);
    expect(loss.currentWeights().sq).toBeCloseTo(2, 1);
    expect(last.values.sq).toBeLessThanOrEqual(1 + 2e-2);
    // Multipliers never go negative: a slack constraint decays to 0.
    const slack = ethicalLoss({
      model: p.forward, variables: [p.theta], task: p.distTo('task', [0]), terms: [{ ...square }],
      weights: lagrangian({ bounds: { sq: 5 }, initialMultipliers: { sq: 1 }, multiplierLearningRate: 1 }),
    });
    await slack.setBatch(p.batch);
    await slack.step(opt);
    expect(slack.currentWeights().sq).toBe(0);
    loss.dispose();
    slack.dispose();
    tf.dispose([p.theta, p.batch.x]);
  });

  it('normalisation makes the initial weighted terms equal', async () => {
    const model = (await import('@tensorflow/tfjs-layers')).sequential({
      layers: [(await import('@tensorflow/tfjs-layers')).layers.dense({ units: 3, inputShape: [4], activation: 'tanh', kernelInitializer: 'glorotNormal' })],
    });
    const x = tf.randomUniform([6, 4], 0, 1, 'float32', 3);
    const loss = ethicalLoss({
      model, task: crossEntropyTerm(), terms: [l1Term(), inputGradientTerm()],
      weights: normalizedWeights({ weights: { l1: 1, inputGradient: 0.5 } }),
    });
    await loss.setBatch({ x, y: [0, 1, 2, 0, 1, 2] });
    const total = loss();
    const v = await loss.lastValues();
    const w = loss.currentWeights();
    expect(w.task).toBe(1);
    expect(w.l1! * v.l1!).toBeCloseTo(v.task!, 4);
    expect(w.inputGradient! * v.inputGradient!).toBeCloseTo(0.5 * v.task!, 4);
    expect((await total.data())[0]).toBeCloseTo(2.5 * v.task!, 4);
    // The weights stay fixed after the first batch.
    await loss.setBatch({ x: tf.mul(x, 0.5), y: [1, 1, 1, 0, 0, 0] });
    expect(loss.currentWeights()).toEqual(w);
    total.dispose();
    loss.dispose();
    // A term that is 0 on the first batch cannot be normalised.
    const zero: LossTerm = { name: 'zero', dataDependence: 'none', fn: () => tf.scalar(0) };
    const bad = ethicalLoss({ model, task: crossEntropyTerm(), terms: [zero], weights: normalizedWeights() });
    await expect(bad.setBatch({ x, y: [0, 1, 2, 0, 1, 2] })).rejects.toThrow(/cannot be normalised/);
    bad.dispose();
    model.dispose();
    x.dispose();
  });

  it('fixed weights equal the manual weighted sum, in value and gradient', async () => {
    const p = quadraticProblem([0.3, -0.2]);
    const f1 = p.distTo('f1', [1, 0]), f2 = p.distTo('f2', [0, 2]), f3 = p.distTo('f3', [-1, 1]);
    const loss = ethicalLoss({ model: p.forward, variables: [p.theta], task: f1, terms: [f2, f3], weights: { f2: 0.7, f3: 2.5 } });
    await loss.setBatch(p.batch);
    const ctx = {} as never;
    const manual = (): tf.Scalar => tf.tidy(() => tf.addN([f1.fn(ctx), tf.mul(0.7, f2.fn(ctx)), tf.mul(2.5, f3.fn(ctx))]) as tf.Scalar);
    const a = tf.variableGrads(loss, [p.theta]);
    const b = tf.variableGrads(manual, [p.theta]);
    expect((await a.value.data())[0]).toBeCloseTo((await b.value.data())[0]!, 5);
    const ga = Array.from(await a.grads[p.theta.name]!.data()), gb = Array.from(await b.grads[p.theta.name]!.data());
    ga.forEach((v, i) => expect(v).toBeCloseTo(gb[i]!, 5));
    const values = await loss.lastValues();
    expect(values.f2).toBeCloseTo(0.3 ** 2 + 2.2 ** 2, 4);
    expect(loss.currentWeights()).toEqual({ f1: 1, f2: 0.7, f3: 2.5 });
    tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads), p.theta, p.batch.x]);
    loss.dispose();
    // Every term needs a bound or a weight under a Lagrangian; names must exist.
    expect(() => ethicalLoss({ model: p.forward, variables: [p.theta], task: f1, terms: [f2, f3], weights: lagrangian({ bounds: { f2: 1 } }) }))
      .toThrow(/a bound or a weight for every term/);
    expect(() => ethicalLoss({ model: p.forward, variables: [p.theta], task: f1, terms: [f2], weights: lagrangian({ bounds: { f9: 1 } }) }))
      .toThrow(/the name of a term \(f2\)/);
  });

  it('steps leak no tensors under every strategy', async () => {
    for (const weights of [mgda({ normalization: 'l2' }), gradNorm(), lagrangian({ bounds: { f2: 0.1 } }), normalizedWeights()]) {
      const p = quadraticProblem([0.5, 0.5]);
      const loss = ethicalLoss({ model: p.forward, variables: [p.theta], task: p.distTo('f1', [1, 0]), terms: [p.distTo('f2', [0, 1])], weights });
      const opt = tf.train.adam(0.01);
      await expectNoLeaks(async () => {
        await loss.setBatch(p.batch);
        await loss.step(opt);
      });
      loss.dispose();
      opt.dispose();
      tf.dispose([p.theta, p.batch.x]);
    }
  });
});

describe('built-in strategies as values', () => {
  it('have a name, say whether DP-SGD may use them, and validate against the terms in init', () => {
    const all = [fixedWeights({ b: 1 }), normalizedWeights(), lagrangian({ bounds: { b: 1 } }), mgda(), gradNorm()];
    expect(all.map((s) => [s.name, s.privateSafe])).toEqual([
      ['fixed', true], ['normalized', false], ['lagrangian', false], ['mgda', false], ['gradNorm', false],
    ]);
    expect(all.map((s) => s.init(['a', 'b']).initialWeights)).toEqual([[1, 1], [1, 1], [1, 0], [0.5, 0.5], [1, 1]]);
    expect(lagrangian({ bounds: { b: 0.3 } }).init(['a', 'b']).offsets).toEqual([0, 0.3]);
    expect(() => fixedWeights({ c: 1 }).init(['a', 'b'])).toThrow("ethicalLoss: argument 'options.weights.c' must be the name of a term (b), got \"c\"");
    expect(Object.isFrozen(mgda())).toBe(true);
  });
});

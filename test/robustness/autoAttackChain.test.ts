/**
 * The AutoAttack chain itself, with custom attacks whose effect is known: which rows each attack
 * receives, how broken rows are recorded, that outputs outside the budget are refused, chunking,
 * abort, leaks and errors. The named attacks' strength is tested against torchattacks in
 * autoAttackReference.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import digits from '../fixtures/robustness/digits_test.json';
import { seededRng } from '../../src/core/rng.js';
import { autoAttack, pgd, robustAccuracy, robustnessReport, type Attack } from '../../src/robustness/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { referenceModel } from './referenceModels.js';

const N = 60;
const EPS = 0.1;

function data(): { x: tf.Tensor2D; y: number[] } {
  return { x: tf.tensor2d(digits.x.slice(0, N * 64), [N, 64]), y: digits.labels.slice(0, N) };
}

const pgd20: Attack = (m, xb, yb, call) => pgd(m, xb, yb, { epsilon: EPS, stepSize: EPS / 8, steps: 20, randomStart: false, signal: call?.signal });
const identity: Attack = (_m, xb) => Promise.resolve(tf.clone(xb));

describeBackends('autoAttack chain', () => {
  it('a one-attack chain equals robustAccuracy with that attack, and records who broke what', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data();
    const result = await autoAttack(model, x, y, { epsilon: EPS, version: [{ name: 'pgd-20', attack: pgd20 }] });
    const expected = await robustAccuracy(model, x, y, pgd20, { batchSize: N });
    expect(result.robustAccuracy).toBeCloseTo(expected, 10);
    expect(result.log).toHaveLength(1);
    expect(result.log[0]).toMatchObject({ attack: 'pgd-20', attacked: result.cleanCorrect.reduce((a, b) => a + b, 0), rejected: 0 });
    // Rows: robust iff clean-correct and not broken; brokenBy names the attack exactly for broken rows.
    const pred = Array.from(await tf.tidy(() => tf.argMax(model.predict(result.adversarial) as tf.Tensor, 1)).data());
    const advRows = await result.adversarial.array() as number[][];
    const xRows = await x.array();
    for (let i = 0; i < N; i++) {
      if (result.brokenBy[i] === 'pgd-20') {
        expect(result.robust[i]).toBe(0);
        expect(result.cleanCorrect[i]).toBe(1);
        expect(pred[i]).not.toBe(y[i]);
        expect(Math.max(...advRows[i]!.map((v, j) => Math.abs(v - xRows[i]![j]!)))).toBeLessThanOrEqual(EPS + 1e-6);
      } else {
        expect(result.brokenBy[i]).toBeNull();
        expect(advRows[i]).toEqual(xRows[i]); // unbroken rows come back clean
        expect(result.robust[i]).toBe(result.cleanCorrect[i]);
      }
    }
    expect(result.log[0]!.broken).toBe(result.brokenBy.filter((b) => b !== null).length);
    tf.dispose([x, result.adversarial]);
    model.dispose();
  });

  it('each attack receives only the rows still robust; an attack that breaks nothing changes nothing', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data();
    const seen: number[] = [];
    const spy: Attack = (m, xb, yb) => {
      seen.push(xb.shape[0] as number);
      return identity(m, xb, yb);
    };
    const result = await autoAttack(model, x, y, {
      epsilon: EPS, batchSize: 7,
      version: [{ name: 'nothing', attack: spy }, { name: 'pgd-20', attack: pgd20 }, { name: 'after', attack: spy }],
    });
    const clean = result.cleanCorrect.reduce((a, b) => a + b, 0);
    const robust = result.robust.reduce((a, b) => a + b, 0);
    // Chunks of at most 7 rows: first all clean-correct rows, last only the robust ones.
    expect(seen.every((s) => s <= 7)).toBe(true);
    const firstPass = seen.slice(0, Math.ceil(clean / 7)).reduce((a, b) => a + b, 0);
    expect(firstPass).toBe(clean);
    expect(seen.slice(Math.ceil(clean / 7)).reduce((a, b) => a + b, 0)).toBe(robust);
    expect(result.log.map((e) => [e.attack, e.attacked, e.broken])).toEqual([
      ['nothing', clean, 0], ['pgd-20', clean, clean - robust], ['after', robust, 0],
    ]);
    expect(result.robustAccuracy).toBeCloseTo(robust / N, 12);
    tf.dispose([x, result.adversarial]);
    model.dispose();
  });

  it('refuses rows an attack returns outside the ball, outside the range or not finite', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data();
    // Large perturbations misclassify most rows but overstep epsilon: none may count.
    const cheat: Attack = (m, xb) => Promise.resolve(tf.tidy(() => tf.clipByValue(tf.add(xb, tf.mul(tf.randomUniform(xb.shape, -1, 1, 'float32', 3), 0.6)), 0, 1)));
    const outOfRange: Attack = (m, xb) => Promise.resolve(tf.tidy(() => tf.add(xb, 3)));
    const nan: Attack = (m, xb) => Promise.resolve(tf.tidy(() => tf.mul(xb, NaN)));
    const result = await autoAttack(model, x, y, {
      epsilon: EPS,
      version: [{ name: 'cheat', attack: cheat }, { name: 'range', attack: outOfRange }, { name: 'nan', attack: nan }],
    });
    expect(result.log.map((e) => e.broken)).toEqual([0, 0, 0]);
    expect(result.log[0]!.rejected).toBeGreaterThan(0);
    expect(result.robust).toEqual(result.cleanCorrect);
    expect(result.brokenBy.every((b) => b === null)).toBe(true);
    tf.dispose([x, result.adversarial]);
    model.dispose();
  });

  it('rows misclassified to begin with are neither robust nor broken', async () => {
    // A function model that always says class 0 (its gradient is 0): only class-0 rows are clean-correct.
    const { x, y } = data();
    const constant = (xi: tf.Tensor): tf.Tensor => tf.tidy(() =>
      tf.add(tf.mul(tf.sum(xi, 1, true), 0), tf.concat([tf.ones([xi.shape[0]!, 1]), tf.zeros([xi.shape[0]!, 9])], 1)));
    const result = await autoAttack(constant, x, y, { epsilon: EPS, version: [{ name: 'pgd-20', attack: pgd20 }] });
    const zeros: number[] = y.map((c) => (c === 0 ? 1 : 0));
    expect(result.cleanCorrect).toEqual(zeros);
    expect(result.robust).toEqual(zeros); // a constant model cannot be moved
    expect(result.cleanAccuracy).toBeCloseTo(zeros.reduce((a, b) => a + b, 0) / N, 12);
    expect(result.brokenBy.every((b) => b === null)).toBe(true);
    tf.dispose([x, result.adversarial]);
  });

  it('once no row is left, the remaining attacks are skipped and say so', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data();
    const big: Attack = (m, xb, yb, call) => pgd(m, xb, yb, { epsilon: 1, stepSize: 0.2, steps: 10, randomStart: false, signal: call?.signal });
    let called = false;
    const never: Attack = (m, xb) => {
      called = true;
      return Promise.resolve(tf.clone(xb));
    };
    const result = await autoAttack(model, x, y, { epsilon: 1, version: [{ name: 'big', attack: big }, { name: 'never', attack: never }] });
    expect(result.robustAccuracy).toBe(0);
    expect(called).toBe(false);
    expect(result.log[1]).toMatchObject({ attack: 'never', attacked: 0, skipped: 'no robust row left' });
    tf.dispose([x, result.adversarial]);
    model.dispose();
  });

  it('the standard chain on a single-logit binary model: APGD-T skipped and said so, the others run', async () => {
    const { x, y } = data();
    const w = tf.tidy(() => tf.sub(tf.mul(tf.randomUniform([64, 1], 0, 1, 'float32', 7), 2), 1));
    const binary = (xi: tf.Tensor): tf.Tensor => tf.tidy(() => tf.sub(tf.matMul(xi as tf.Tensor2D, w), 0.5));
    const yBinary = y.map((c) => c % 2);
    const result = await autoAttack(binary, x, yBinary, { epsilon: 0.05, steps: 5, queries: 50, rng: seededRng(3) });
    expect(result.log.map((e) => e.attack)).toEqual(['apgd-ce', 'apgd-t', 'fab-t', 'square']);
    expect(result.log[1]!.skipped).toMatch(/needs at least 4 classes; the model has 2/);
    expect(result.log[0]!.attacked).toBe(result.cleanCorrect.reduce((a, b) => a + b, 0));
    expect(result.robustAccuracy).toBeLessThanOrEqual(result.cleanAccuracy);
    // A linear model is broken exactly where the best move inside the ball and the box, each pixel
    // by 0.05 against the class's side (less where the box ends first), crosses the boundary.
    const margins = await tf.tidy(() => tf.mul(binary(x), tf.sub(tf.mul(tf.tensor2d(yBinary, [N, 1]), 2), 1))).data();
    const weights = await w.data();
    const pixels = await x.array();
    const checked = { robust: 0, broken: 0 };
    margins.forEach((m, i) => {
      const side = yBinary[i] === 1 ? 1 : -1;
      const reach = pixels[i]!.reduce((acc, v, j) => {
        const wj = weights[j]! * side;
        return acc + Math.abs(wj) * Math.min(0.05, wj > 0 ? v : 1 - v);
      }, 0);
      if (m > reach + 1e-4) {
        expect(result.robust[i], `row ${i}`).toBe(1);
        checked.robust++;
      }
      if (m > 0 && m < reach - 1e-4) {
        expect(result.robust[i], `row ${i}`).toBe(0);
        checked.broken++;
      }
    });
    expect(checked.robust).toBeGreaterThan(0);
    expect(checked.broken).toBeGreaterThan(0);
    tf.dispose([x, w, result.adversarial]);
  });

  it("the 'plus' and 'rand' presets run the original's chains, and no weaker than 'standard' on the same budget", async () => {
    const model = referenceModel('mlp');
    const { x, y } = data();
    const budget = { epsilon: 0.08, steps: 10, queries: 100 };
    const standard = await autoAttack(model, x, y, { ...budget, rng: seededRng(5) });
    const plus = await autoAttack(model, x, y, { ...budget, version: 'plus', rng: seededRng(5) });
    const rand = await autoAttack(model, x, y, { ...budget, version: 'rand', rng: seededRng(5) });
    expect(plus.log.map((e) => e.attack)).toEqual(['apgd-ce', 'apgd-dlr', 'fab', 'square', 'apgd-t', 'fab-t']);
    expect(rand.log.map((e) => e.attack)).toEqual(['apgd-ce', 'apgd-dlr']);
    expect([standard.settings.version, plus.settings.version, rand.settings.version]).toEqual(['standard', 'plus', 'rand']);
    // 'plus' contains the standard chain and more restarts: at most a row above it.
    expect(plus.robustAccuracy).toBeLessThanOrEqual(standard.robustAccuracy + 1 / N + 1e-12);
    expect(rand.robustAccuracy).toBeLessThan(rand.cleanAccuracy);
    tf.dispose([x, standard.adversarial, plus.adversarial, rand.adversarial]);
    model.dispose();
  });

  it('concurrent calls on one model do not share state: each equals its own sequential run', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data();
    const chain = (eps: number): Attack => (m, xb, yb, call) =>
      pgd(m, xb, yb, { epsilon: eps, stepSize: eps / 8, steps: 10, randomStart: false, signal: call?.signal });
    const run = (eps: number): Promise<{ robust: number[]; brokenBy: (string | null)[]; adversarial: tf.Tensor }> =>
      autoAttack(model, x, y, { epsilon: eps, batchSize: 13, version: [{ name: `pgd-${eps}`, attack: chain(eps) }] });
    const [a, b] = await Promise.all([run(0.05), run(0.2)]);
    const [a1, b1] = [await run(0.05), await run(0.2)];
    expect(a.robust).toEqual(a1.robust);
    expect(b.robust).toEqual(b1.robust);
    expect(a.brokenBy).toEqual(a1.brokenBy);
    expect(await a.adversarial.data()).toEqual(await a1.adversarial.data());
    expect(await b.adversarial.data()).toEqual(await b1.adversarial.data());
    expect(b.robust.reduce((s, v) => s + v, 0)).toBeLessThan(a.robust.reduce((s, v) => s + v, 0));
    tf.dispose([x, a.adversarial, b.adversarial, a1.adversarial, b1.adversarial]);
    model.dispose();
  });

  it('does not leak, and chunking does not change a deterministic chain', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data();
    const run = (batchSize: number): Promise<unknown> => autoAttack(model, x, y, { epsilon: EPS, batchSize, version: [{ name: 'pgd-20', attack: pgd20 }] });
    const a = await expectNoLeaks(() => run(N)) as { robust: number[] };
    const b = await expectNoLeaks(() => run(11)) as { robust: number[] };
    expect(b.robust).toEqual(a.robust);
    x.dispose();
    model.dispose();
  });

  it('stops on abort without leaking, naming autoAttack', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const pending = autoAttack(model, x, y, {
      epsilon: EPS, signal: controller.signal,
      version: [{ name: 'pgd-1000', attack: (m, xb, yb, call) => pgd(m, xb, yb, { epsilon: EPS, stepSize: 0.001, steps: 1000, signal: call?.signal }) }],
    });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortedError', fn: 'autoAttack' });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('errors name the argument', async () => {
    const model = referenceModel('mlp');
    const { x, y } = data();
    const bad = async (options: object, argument: string): Promise<void> => {
      await expect(autoAttack(model, x, y, options as never)).rejects.toMatchObject({ name: 'InvalidArgumentError', fn: 'autoAttack', argument });
    };
    await bad({ epsilon: -0.1 }, 'options.epsilon');
    await bad({ epsilon: NaN }, 'options.epsilon');
    await bad({ epsilon: 0.1, norm: 'l1' }, 'options.norm');
    await bad({ epsilon: 0.1, version: 'strong' }, 'options.version');
    await bad({ epsilon: 0.1, version: [] }, 'options.version');
    await bad({ epsilon: 0.1, version: ['apgd-ce', 'pgd'] }, 'options.version[1]');
    await bad({ epsilon: 0.1, version: [{ name: 'x' }] }, 'options.version[0]');
    await bad({ epsilon: 0.1, steps: 0 }, 'options.steps');
    await bad({ epsilon: 0.1, queries: 1.5 }, 'options.queries');
    await bad({ epsilon: 0.1, batchSize: 0 }, 'options.batchSize');
    await bad({ epsilon: 0.1, targetClasses: 0 }, 'options.targetClasses');
    await bad({ epsilon: 0.1, clipMin: 1, clipMax: 0 }, 'options.clipMax');
    await bad({ epsilon: 0.1, onAttackEnd: 3 }, 'options.onAttackEnd');
    await bad({ epsilon: 0.1, version: [{ name: 'wrong shape', attack: () => Promise.resolve(tf.zeros([1, 64])) }] }, "attack 'wrong shape'");
    const outside = tf.add(x, 2);
    await expect(autoAttack(model, outside, y, { epsilon: 0.1 })).rejects.toMatchObject({ argument: 'x' });
    await expect(autoAttack(model, x, y.slice(1), { epsilon: 0.1 })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'y' });
    tf.dispose([x, outside]);
    model.dispose();
  });
});

it('robustnessReport draws one bar group per attack and refuses mixed chains', async () => {
  const log = (names: string[]): object[] => names.map((attack, i) => ({ attack, attacked: 10, broken: 1, rejected: 0, robustAccuracy: 0.8 - i / 10, milliseconds: 1 }));
  const result = (names: string[]): never => ({
    adversarial: undefined, robust: [], cleanCorrect: [], brokenBy: [], cleanAccuracy: 0.9, robustAccuracy: 0.6,
    log: log(names), settings: { norm: 'linf', epsilon: 0.1, version: 'standard' },
  }) as never;
  const svg = robustnessReport([{ label: 'normal', result: result(['apgd-ce', 'apgd-t']) }, { label: 'PGD <trained>', result: result(['apgd-ce', 'apgd-t']) }]);
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('+ apgd-ce');
  expect(svg).toContain('+ apgd-t');
  expect(svg).toContain('PGD &lt;trained&gt;');
  expect(svg).toContain('AutoAttack (standard), L-inf epsilon 0.1');
  // 3 categories x 2 series = 6 bars, each with a title giving its value.
  expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(6);
  expect(svg).toContain('normal · clean: 90');
  expect(() => robustnessReport([{ label: 'a', result: result(['apgd-ce']) }, { label: 'b', result: result(['square']) }]))
    .toThrow(/same chain/);
  expect(() => robustnessReport([])).toThrow(/non-empty/);
});

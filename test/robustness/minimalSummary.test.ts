/**
 * minimalPerturbation against a direct computation in double precision, and
 * minimalPerturbationSvg as well-formed, accessible SVG whose bars count the summarised rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  minimalPerturbation, minimalPerturbationSvg, type MinimalPerturbationSummary,
} from '../../src/robustness/minimal/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** A deterministic pseudo-random stream (no test depends on Math.random). */
function stream(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const ROWS = 13;
const FEATURES = 6;
const next = stream(7);
const XS = Array.from({ length: ROWS }, () => Array.from({ length: FEATURES }, () => next()));
// Row 3 is left unchanged (norm 0); the others move by up to 0.3 per coordinate.
const ADV = XS.map((r, i) => r.map((v) => (i === 3 ? v : v + (next() - 0.5) * 0.6 * (i + 1) / ROWS)));
/** z = [sum(x), 3]: class 0 when sum(x) > 3. */
const model = (x: tf.Tensor): tf.Tensor => tf.tidy(() => {
  const s = tf.sum(x, 1, true);
  return tf.concat([s, tf.fill(s.shape, 3)], 1);
});
const predicted = (r: number[]): number => (r.reduce((a, b) => a + b, 0) > 3 ? 0 : 1);
/** Labels alternate, so that some rows count as fooled and some not. */
const Y = XS.map((_, i) => i % 2);

/** numpy's default quantile (linear interpolation between order statistics). */
function quantile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!);
}

/** Element names and counts of well-formed markup (fails on a malformed tag or an unclosed element). */
function parseMarkup(markup: string): Map<string, number> {
  const counts = new Map<string, number>();
  const stack: string[] = [];
  const entity = /&(amp|lt|gt|quot|apos|#\d+);/g;
  for (const token of markup.match(/<[^>]*>|[^<]+/g) ?? []) {
    if (!token.startsWith('<')) {
      expect(token.replace(entity, '').includes('&'), 'raw & in text').toBe(false);
      continue;
    }
    const close = /^<\/([\w:-]+)\s*>$/.exec(token);
    if (close !== null) {
      expect(stack.pop(), `closing ${token}`).toBe(close[1]);
      continue;
    }
    const open = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(token);
    expect(open, `malformed tag ${token.slice(0, 80)}`).not.toBeNull();
    counts.set(open![1]!, (counts.get(open![1]!) ?? 0) + 1);
    if (open![3] !== '/') stack.push(open![1]!);
  }
  expect(stack, 'unclosed elements').toEqual([]);
  return counts;
}

describeBackends('minimalPerturbation', () => {
  it('per-row norms, success and statistics match a direct computation', async () => {
    const x = tf.tensor2d(XS);
    const adv = tf.tensor2d(ADV);
    const y = Y;
    const summary = await expectNoLeaks(() => minimalPerturbation(x, adv, { model, y, quantiles: [0, 0.1, 0.5, 0.9, 1] }));
    const l2 = ADV.map((r, i) => Math.sqrt(r.reduce((s, v, j) => s + (v - XS[i]![j]!) ** 2, 0)));
    const linf = ADV.map((r, i) => Math.max(...r.map((v, j) => Math.abs(v - XS[i]![j]!))));
    const success = ADV.map((r, i) => predicted(r) !== y[i]);
    expect(summary.count).toBe(ROWS);
    summary.l2.forEach((v, i) => expect(Math.abs(v - l2[i]!)).toBeLessThanOrEqual(1e-6));
    summary.linf.forEach((v, i) => expect(Math.abs(v - linf[i]!)).toBeLessThanOrEqual(1e-6));
    expect(summary.l2[3]).toBe(0);
    expect(summary.success).toEqual(success);
    const fooled = success.filter(Boolean).length;
    expect(fooled).toBeGreaterThan(1);
    expect(fooled).toBeLessThan(ROWS);
    expect(summary.successCount).toBe(fooled);
    expect(summary.summarized).toBe('successful');
    expect(summary.summarizedCount).toBe(fooled);
    const l2In = l2.filter((_, i) => success[i]);
    const st = summary.statistics.l2!;
    expect(st.median).toBeCloseTo(quantile(l2In, 0.5), 6);
    expect(st.mean).toBeCloseTo(l2In.reduce((a, b) => a + b, 0) / l2In.length, 6);
    expect(st.min).toBeCloseTo(Math.min(...l2In), 6);
    expect(st.max).toBeCloseTo(Math.max(...l2In), 6);
    expect(st.quantiles.map((q) => q.probability)).toEqual([0, 0.1, 0.5, 0.9, 1]);
    st.quantiles.forEach((q) => expect(q.value).toBeCloseTo(quantile(l2In, q.probability), 6));
    expect(summary.statistics.linf!.median).toBeCloseTo(quantile(linf.filter((_, i) => success[i]), 0.5), 6);
    // Targeted: success means reaching y.
    const targeted = await minimalPerturbation(x, adv, { model, y, targeted: true });
    expect(targeted.success).toEqual(success.map((s) => !s));
    // Without a model, every row is summarised (including the unchanged one).
    const plain = await minimalPerturbation(x, adv);
    expect([plain.success, plain.successCount, plain.summarized, plain.summarizedCount]).toEqual([null, null, 'all', ROWS]);
    expect(plain.statistics.l2!.min).toBe(0);
    expect(plain.statistics.l2!.median).toBeCloseTo(quantile(l2, 0.5), 6);
    tf.dispose([x, adv]);
  });

  it('no successful row gives null statistics', async () => {
    const x = tf.tensor2d(XS);
    const y = XS.map(predicted);
    const summary = await minimalPerturbation(x, x, { model, y });
    expect([summary.successCount, summary.statistics.l2, summary.statistics.linf]).toEqual([0, null, null]);
    x.dispose();
  });

  it('refuses mismatched shapes, a model without labels and bad quantiles', async () => {
    const x = tf.tensor2d(XS);
    const other = tf.zeros([ROWS, FEATURES + 1]);
    const ints = tf.zeros([ROWS, FEATURES], 'int32');
    const nan = tf.fill([ROWS, FEATURES], Number.NaN);
    const cases: [Promise<unknown>, string][] = [
      [minimalPerturbation(x, other), 'adversarial'],
      [minimalPerturbation(x, ints), 'adversarial'],
      [minimalPerturbation([1, 2] as unknown as tf.Tensor, x), 'x'],
      [minimalPerturbation(x, x, { model }), 'options.y'],
      [minimalPerturbation(x, x, { y: [0] }), 'options.model'],
      [minimalPerturbation(x, x, { model, y: [0, 1] }), 'y'],
      [minimalPerturbation(x, x, { quantiles: [0.5, 1.5] }), 'options.quantiles[1]'],
      [minimalPerturbation(x, nan), 'adversarial'],
    ];
    for (const [call, argument] of cases) await expect(call, argument).rejects.toMatchObject({ name: 'InvalidArgumentError', argument });
    tf.dispose([x, other, ints, nan]);
  });
});

describe('minimalPerturbationSvg', () => {
  const summary: MinimalPerturbationSummary = {
    count: 6,
    l2: [0.1, 0.25, 0.3, 0.05, 0.9, 0],
    linf: [0.05, 0.1, 0.2, 0.01, 0.4, 0],
    success: [true, true, true, true, true, false],
    successCount: 5,
    summarized: 'successful',
    summarizedCount: 5,
    statistics: {
      l2: { median: 0.25, mean: 0.32, min: 0.05, max: 0.9, quantiles: [{ probability: 0.25, value: 0.1 }, { probability: 0.75, value: 0.3 }] },
      linf: { median: 0.1, mean: 0.152, min: 0.01, max: 0.4, quantiles: [] },
    },
  };

  it('draws one bar per bin counting the successful rows, the median, and an accessible description', () => {
    const svg = minimalPerturbationSvg(summary, { bins: 10, title: 'C&W <L2> & more' });
    const counts = parseMarkup(svg);
    expect(counts.get('svg')).toBe(1);
    expect(svg).toMatch(/^<svg role="img" aria-labelledby="minimal-perturbation-title minimal-perturbation-desc" xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<title id="minimal-perturbation-title">C&amp;W &lt;L2&gt; &amp; more</title>');
    const desc = /<desc id="minimal-perturbation-desc">([^<]*)<\/desc>/.exec(svg)![1]!;
    expect(desc).toContain('5 successful rows out of 6');
    expect(desc).toContain('median 0.25');
    expect(desc).toContain('quartiles 0.1 and 0.3');
    const bars = /<g class="bars">(.*?)<\/g>/s.exec(svg)![1]!;
    const heights = [...bars.matchAll(/<rect [^>]*height="([^"]+)"[^>]*fill="#0072B2"><title>([^<]*)<\/title>/g)];
    expect(heights).toHaveLength(10);
    const binCounts = heights.map((m) => Number(/: (\d+) successful rows/.exec(m[2]!)![1]));
    // Axis 0..1 in 10 bins: 0.05 and 0.1 -> bins 0 and 1, 0.25 -> 2, 0.3 -> 3, 0.9 -> 9; the failed row is not drawn.
    expect(binCounts).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 1]);
    expect(svg).toContain('class="median"');
    expect(svg).toContain('stroke="#D55E00"');
    // L-inf, default options, and an id for a page holding several charts.
    const linf = minimalPerturbationSvg(summary, { norm: 'linf', id: 'cw-linf' });
    parseMarkup(linf);
    expect(linf).toContain('<title id="cw-linf-title">Minimal adversarial perturbations (L-inf)</title>');
    expect([...linf.matchAll(/fill="#0072B2"><title>/g)]).toHaveLength(20);
  });

  it('draws an empty chart when no row is summarised', () => {
    const none: MinimalPerturbationSummary = {
      ...summary, success: summary.success!.map(() => false), successCount: 0, summarizedCount: 0, statistics: { l2: null, linf: null },
    };
    const svg = minimalPerturbationSvg(none);
    parseMarkup(svg);
    expect(svg).toContain('no successful rows');
    expect(svg).not.toContain('class="median"');
  });

  it('refuses bad options and something that is not a summary', () => {
    const fn = 'minimalPerturbationSvg';
    expectInvalidArgument(() => minimalPerturbationSvg({} as MinimalPerturbationSummary), fn, 'summary', /minimalPerturbation/);
    expectInvalidArgument(() => minimalPerturbationSvg(summary, { norm: 'l1' as 'l2' }), fn, 'options.norm', /"l2"/);
    expectInvalidArgument(() => minimalPerturbationSvg(summary, { bins: 0 }), fn, 'options.bins', /integer/);
    expectInvalidArgument(() => minimalPerturbationSvg(summary, { bins: 201 }), fn, 'options.bins', /200/);
    expectInvalidArgument(() => minimalPerturbationSvg(summary, { width: -1 }), fn, 'options.width', /> 0/);
    expectInvalidArgument(() => minimalPerturbationSvg(summary, { id: '1 bad' }), fn, 'options.id', /letter/);
  });
});

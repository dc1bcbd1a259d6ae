/**
 * The explanation pictures: SVG heatmaps with the diverging colour map and its legend, bar charts
 * of tabular attributions, the HTML page of several panels, and gridFromTensor. The output is
 * checked for well-formed markup with a small tag-balance parser (no DOM in Node).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  attributionBarChartSvg, attributionHeatmapSvg, explanationsHtml, gridFromTensor, type HeatmapGrid,
} from '../../src/explain/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/**
 * Checks that `markup` is well formed (every tag closed in order, attributes quoted, text and
 * attribute values free of raw `<` and of `&` outside an entity) and counts the elements by name.
 * `voids` are HTML elements without a closing tag.
 */
function parseMarkup(markup: string, voids: readonly string[] = []): Map<string, number> {
  const counts = new Map<string, number>();
  const stack: string[] = [];
  const entity = /&(amp|lt|gt|quot|apos|#\d+);/g;
  for (const token of markup.match(/<[^>]*>|[^<]+/g) ?? []) {
    if (token.startsWith('<!') || token.startsWith('<?')) continue;
    if (!token.startsWith('<')) {
      expect(token.replace(entity, '').includes('&'), `raw & in text ${JSON.stringify(token.slice(0, 60))}`).toBe(false);
      continue;
    }
    const close = /^<\/([\w:-]+)\s*>$/.exec(token);
    if (close !== null) {
      expect(stack.pop(), `closing ${token}`).toBe(close[1]);
      continue;
    }
    const open = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(token);
    expect(open, `malformed tag ${token.slice(0, 80)}`).not.toBeNull();
    const [, name, attrs, selfClosing] = open!;
    expect(attrs!.replace(entity, '').includes('&'), `raw & in ${token.slice(0, 80)}`).toBe(false);
    counts.set(name!, (counts.get(name!) ?? 0) + 1);
    if (selfClosing !== '/' && !voids.includes(name!)) stack.push(name!);
  }
  expect(stack, 'unclosed elements').toEqual([]);
  return counts;
}

/** The fill colours of the `<rect>`s inside the `<g class="...">` group, in order. */
function groupFills(svg: string, group: string): string[] {
  const m = new RegExp(`<g class="${group}"[^>]*>(.*?)</g>`, 's').exec(svg);
  if (m === null) return [];
  return [...m[1]!.matchAll(/<rect [^>]*fill="([^"]+)"/g)].map((r) => r[1]!);
}

const grid8: HeatmapGrid = { values: Float32Array.from({ length: 64 }, (_, i) => (i - 20) / 10), width: 8, height: 8 };

describe('attributionHeatmapSvg', () => {
  it('draws one cell per value and a legend with the numeric scale, as well-formed SVG', () => {
    const svg = attributionHeatmapSvg(grid8, { title: 'Saliency', cellSize: 10 });
    const counts = parseMarkup(svg);
    expect(counts.get('svg')).toBe(1);
    expect(groupFills(svg, 'cells')).toHaveLength(64);
    expect(svg).toContain('<g class="legend">');
    // 64 colour bands and an outline, five labelled ticks: ±4.3, ±2.15, 0 (symmetric: max |value| = 4.3).
    expect(groupFills(svg, 'legend')).toHaveLength(65);
    for (const label of ['4.3', '2.15', '0', '-2.15', '-4.3']) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
    const noLegend = attributionHeatmapSvg(grid8, { legend: false });
    expect(noLegend).not.toContain('class="legend"');
    expect(parseMarkup(noLegend).get('rect')).toBe(64 + 1); // cells and the white background
  });

  it('colours 0 with the neutral midpoint and the largest magnitude with the dark end, symmetrically', () => {
    const svg = attributionHeatmapSvg([[0, 2, -2], [0.5, -0.5, 1]]);
    const fills = groupFills(svg, 'cells');
    expect(fills[0]).toBe('#F7F7F7');
    expect(fills[1]).toBe('#B2182B');
    expect(fills[2]).toBe('#2166AC');
    // Symmetric: +0.5 and −0.5 sit at the same distance from the centre, on either side.
    expect(fills[3]).not.toBe(fills[4]);
    const dist = (hex: string): number => [1, 3, 5].reduce((s, i) => s + Math.abs(parseInt(hex.slice(i, i + 2), 16) - 0xf7), 0);
    expect(dist(fills[3]!)).toBeGreaterThan(0);
    // Only positive values: the scale is still ±max, so the smallest value is not blue.
    const positive = groupFills(attributionHeatmapSvg([[0.1, 1]]), 'cells');
    expect(positive[0]).not.toBe('#2166AC');
    expect(positive[1]).toBe('#B2182B');
    // The colour at 0 does not depend on the data.
    expect(groupFills(attributionHeatmapSvg([[0, 1e-6]]), 'cells')[0]).toBe('#F7F7F7');
    expect(groupFills(attributionHeatmapSvg([[0, -300]]), 'cells')[0]).toBe('#F7F7F7');
    // An all-zero map is neutral everywhere, on a ±1 scale.
    const zero = attributionHeatmapSvg([[0, 0]]);
    expect(groupFills(zero, 'cells')).toEqual(['#F7F7F7', '#F7F7F7']);
    expect(zero).toContain('>1</text>');
  });

  it('a fixed scale clamps values beyond it and labels the legend with it', () => {
    const svg = attributionHeatmapSvg([[3, -0.5, 0]], { scale: 1 });
    const fills = groupFills(svg, 'cells');
    expect(fills[0]).toBe('#B2182B');
    expect(fills[2]).toBe('#F7F7F7');
    expect(svg).toContain('>-1</text>');
    expect(svg).toContain('>0.5</text>');
    expect(svg).not.toContain('>3</text>');
  });

  it('draws the image in grey under a half-transparent map', () => {
    const image = { values: Float32Array.from({ length: 64 }, (_, i) => i / 63), width: 8, height: 8 };
    const svg = attributionHeatmapSvg(grid8, { image });
    parseMarkup(svg);
    const greys = groupFills(svg, 'image');
    expect(greys).toHaveLength(64);
    expect(greys[0]).toBe('rgb(0,0,0)');
    expect(greys[63]).toBe('rgb(255,255,255)');
    expect(svg).toMatch(/<g class="cells"[^>]* opacity="0.5"/);
    expect(svg.indexOf('class="image"')).toBeLessThan(svg.indexOf('class="cells"'));
    const ranged = attributionHeatmapSvg(grid8, { image, imageRange: [0, 2], overlayOpacity: 0.8 });
    expect(groupFills(ranged, 'image')[63]).toBe('rgb(128,128,128)');
    expect(ranged).toMatch(/<g class="cells"[^>]* opacity="0.8"/);
    const inverted = groupFills(attributionHeatmapSvg(grid8, { image, imageRange: [1, 0] }), 'image');
    expect([inverted[0], inverted[63]]).toEqual(['rgb(255,255,255)', 'rgb(0,0,0)']);
    expect(groupFills(attributionHeatmapSvg([[1, 2]], { image: [[3, 3]] }), 'image')).toEqual(['rgb(128,128,128)', 'rgb(128,128,128)']);
  });

  it('escapes the title', () => {
    const svg = attributionHeatmapSvg([[1]], { title: 'x < y & "z"' });
    parseMarkup(svg);
    expect(svg).toContain('x &lt; y &amp; &quot;z&quot;');
    expect(svg).not.toContain('x < y');
  });

  it('refuses empty, ragged, non-finite and mismatched input with typed errors', () => {
    const fn = 'attributionHeatmapSvg';
    expectInvalidArgument(() => attributionHeatmapSvg([]), fn, 'attributions', /array of equally long rows/);
    expectInvalidArgument(() => attributionHeatmapSvg([[]]), fn, 'attributions', /at least one column/);
    expectInvalidArgument(() => attributionHeatmapSvg([[1, 2], [3]]), fn, 'attributions[1]', /a row of 2 values/);
    expectInvalidArgument(() => attributionHeatmapSvg([[1, NaN]]), fn, 'attributions[1]', /finite number, got NaN/);
    expectInvalidArgument(() => attributionHeatmapSvg({ values: [1, Infinity], width: 2, height: 1 }), fn, 'attributions[1]', /finite/);
    expectInvalidArgument(() => attributionHeatmapSvg({ values: [1, 2, 3], width: 2, height: 2 }), fn, 'attributions.values', /width × height = 4 values/);
    expectInvalidArgument(() => attributionHeatmapSvg({ values: [1, 2], width: 0, height: 2 }), fn, 'attributions.width', /integer >= 1/);
    expectInvalidArgument(() => attributionHeatmapSvg([[1, '2' as unknown as number]]), fn, 'attributions[1]', /a number/);
    expectInvalidArgument(() => attributionHeatmapSvg(grid8, { image: [[1, 2]] }), fn, 'options.image', /attributions' size \(8 × 8\)/);
    expectInvalidArgument(() => attributionHeatmapSvg(grid8, { image: grid8, imageRange: [0, NaN] }), fn, 'options.imageRange[1]', /finite/);
    expectInvalidArgument(() => attributionHeatmapSvg(grid8, { scale: 0 }), fn, 'options.scale', />\s*0/);
    expectInvalidArgument(() => attributionHeatmapSvg(grid8, { scale: 'minmax' as never }), fn, 'options.scale', /finite number > 0/);
    expectInvalidArgument(() => attributionHeatmapSvg(grid8, { cellSize: -1 }), fn, 'options.cellSize', /> 0/);
    expectInvalidArgument(() => attributionHeatmapSvg(grid8, { overlayOpacity: 2 }), fn, 'options.overlayOpacity', /\[0, 1\]/);
    expectInvalidArgument(() => attributionHeatmapSvg(grid8, { legend: 'yes' as never }), fn, 'options.legend', /true or false/);
    expectInvalidArgument(() => attributionHeatmapSvg(grid8, { title: 5 as never }), fn, 'options.title', /a string/);
  });
});

describe('attributionBarChartSvg', () => {
  const names = ['age', 'hours-per-week', 'capital-gain', 'education-num'];
  const values = [0.1, -0.5, 0.3, 0];

  it('sorts the bars by absolute value, colours them by sign, and is well-formed SVG', () => {
    const svg = attributionBarChartSvg(values, names, { title: 'Why >50K' });
    const counts = parseMarkup(svg);
    const bars = [...svg.matchAll(/<rect class="bar" [^>]*fill="([^"]+)"><title>([^<]+)<\/title>/g)].map((m) => [m[2], m[1]]);
    expect(bars).toEqual([
      ['hours-per-week: -0.5', '#2166AC'], ['capital-gain: 0.3', '#B2182B'], ['age: 0.1', '#B2182B'], ['education-num: 0', '#B2182B'],
    ]);
    expect(counts.get('svg')).toBe(1);
    expect(svg).toContain('class="legend"');
    // Negative bars extend to the left of the zero line, positive to the right.
    const geometry = [...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const zeroLine = Number(/<line x1="([\d.]+)" y1="58" x2="\1" y2="\d+" stroke="black"\/>/.exec(svg)![1]);
    expect(geometry[0]![0]! + geometry[0]![1]!).toBeCloseTo(zeroLine, 0);
    expect(geometry[1]![0]).toBeCloseTo(zeroLine, 0);
    expect(geometry[1]![1]! / geometry[2]![1]!).toBeCloseTo(3, 1);
  });

  it('keeps the given order when not sorted, and shows only the top features with a note', () => {
    const unsorted = attributionBarChartSvg(Float32Array.from(values), names, { sorted: false });
    const order = [...unsorted.matchAll(/<title>([^:]+):/g)].map((m) => m[1]);
    expect(order).toEqual(names);
    const top = attributionBarChartSvg(values, names, { top: 2 });
    expect([...top.matchAll(/<title>([^:]+):/g)].map((m) => m[1])).toEqual(['hours-per-week', 'capital-gain']);
    expect(top).toContain('2 more features with smaller absolute attributions not shown');
    expect(attributionBarChartSvg(values, names, { top: 10 })).not.toContain('class="note"');
    const topUnsorted = attributionBarChartSvg(values, names, { top: 2, sorted: false });
    expect([...topUnsorted.matchAll(/<title>([^:]+):/g)].map((m) => m[1])).toEqual(['hours-per-week', 'capital-gain']);
    parseMarkup(attributionBarChartSvg([0, 0], ['a', 'b']));
  });

  it('escapes feature names and titles with <, & and quotes', () => {
    const svg = attributionBarChartSvg([1, -1], ['income < 50K & "married"', "it's"], { title: 'A & B <C>', xLabel: '"p"' });
    parseMarkup(svg);
    expect(svg).toContain('income &lt; 50K &amp; &quot;married&quot;');
    expect(svg).toContain('A &amp; B &lt;C&gt;');
    expect(svg).toContain('&quot;p&quot;');
    expect(svg).not.toContain('income < 50K');
  });

  it('refuses mismatched, empty and non-finite input with typed errors', () => {
    const fn = 'attributionBarChartSvg';
    expectInvalidArgument(() => attributionBarChartSvg([1, 2], ['a']), fn, 'featureNames', /same length as 'values' \(2\)/);
    expectInvalidArgument(() => attributionBarChartSvg([], []), fn, 'values', /at least one value/);
    expectInvalidArgument(() => attributionBarChartSvg([1, NaN], ['a', 'b']), fn, 'values[1]', /finite number, got NaN/);
    expectInvalidArgument(() => attributionBarChartSvg([1, -Infinity], ['a', 'b']), fn, 'values[1]', /finite/);
    expectInvalidArgument(() => attributionBarChartSvg([1], [3 as unknown as string]), fn, 'featureNames[0]', /a string/);
    expectInvalidArgument(() => attributionBarChartSvg('1,2' as never, ['a', 'b']), fn, 'values', /array/);
    expectInvalidArgument(() => attributionBarChartSvg([1], ['a'], { top: 0 }), fn, 'options.top', /integer >= 1/);
    expectInvalidArgument(() => attributionBarChartSvg([1], ['a'], { sorted: 1 as never }), fn, 'options.sorted', /true or false/);
    expectInvalidArgument(() => attributionBarChartSvg([1], ['a'], { width: -5 }), fn, 'options.width', /> 0/);
  });
});

describe('explanationsHtml', () => {
  it('writes a self-contained page with one escaped panel per explanation in a CSS grid', () => {
    const heat = attributionHeatmapSvg([[1, -1]]);
    const bars = attributionBarChartSvg([1, -1], ['a', 'b']);
    const html = explanationsHtml([
      { title: 'Saliency <abs>', svg: heat, caption: 'infidelity 0.02 & sensitivity 0.1' },
      { title: 'Shapley "values"', svg: `<?xml version="1.0"?>\n${bars}` },
    ], { title: 'Digit 3 & friends' });
    const counts = parseMarkup(html, ['meta']);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(counts.get('figure')).toBe(2);
    expect(counts.get('svg')).toBe(2);
    expect(counts.get('figcaption')).toBe(1);
    expect(counts.get('script')).toBeUndefined();
    expect(html).toContain('<title>Digit 3 &amp; friends</title>');
    expect(html).toContain('<h2>Saliency &lt;abs&gt;</h2>');
    expect(html).toContain('<h2>Shapley &quot;values&quot;</h2>');
    expect(html).toContain('infidelity 0.02 &amp; sensitivity 0.1');
    expect(html).toContain(heat);
    expect(html).not.toContain('<?xml');
    expect(html).toContain('grid-template-columns: repeat(auto-fill, minmax(280px, 1fr))');
    expect(explanationsHtml([{ title: 'a', svg: heat }], { columns: 3 })).toContain('grid-template-columns: repeat(3, minmax(0, 1fr))');
  });

  it('refuses no panels and panels that are not SVG pictures with typed errors', () => {
    const fn = 'explanationsHtml';
    const heat = attributionHeatmapSvg([[1]]);
    expectInvalidArgument(() => explanationsHtml([]), fn, 'panels', /non-empty array/);
    expectInvalidArgument(() => explanationsHtml([{ title: 'a', svg: '<div>not svg</div>' }]), fn, 'panels[0].svg', /SVG document/);
    expectInvalidArgument(() => explanationsHtml([{ title: 'a', svg: heat }, { title: 2 as never, svg: heat }]), fn, 'panels[1].title', /a string/);
    expectInvalidArgument(() => explanationsHtml([{ title: 'a', svg: heat, caption: 3 as never }]), fn, 'panels[0].caption', /a string/);
    expectInvalidArgument(() => explanationsHtml([{ title: 'a', svg: heat }], { columns: 0 }), fn, 'options.columns', /integer >= 1/);
  });
});

describeBackends('gridFromTensor', () => {
  it('reads [H, W], [H, W, C] and one example of [N, H, W, C], summing channels', async () => {
    const hw = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const a = await gridFromTensor(hw);
    expect([a.width, a.height, Array.from(a.values)]).toEqual([3, 2, [1, 2, 3, 4, 5, 6]]);
    const hwc = tf.tensor3d([[[1, 10], [2, 20]]]);
    const b = await gridFromTensor(hwc);
    expect([b.width, b.height, Array.from(b.values)]).toEqual([2, 1, [11, 22]]);
    const nhwc = tf.tensor4d(Array.from({ length: 2 * 2 * 2 }, (_, i) => i), [2, 2, 2, 1]);
    const c = await gridFromTensor(nhwc, { example: 1 });
    expect([c.width, c.height, Array.from(c.values)]).toEqual([2, 2, [4, 5, 6, 7]]);
    expect(Array.from((await gridFromTensor(nhwc)).values)).toEqual([0, 1, 2, 3]);
    await expectNoLeaks(() => gridFromTensor(nhwc, { example: 1 }));
    await expectNoLeaks(() => gridFromTensor(hw));
    const svg = attributionHeatmapSvg(c);
    expect(groupFills(svg, 'cells')[3]).toBe('#B2182B');
    tf.dispose([hw, hwc, nhwc]);
  });

  it('refuses tensors it cannot read as one map, and tensors given to the synchronous picture', async () => {
    const fn = 'gridFromTensor';
    const v = tf.tensor1d([1, 2]);
    const batch = tf.zeros([2, 3, 3, 1]);
    const gone = tf.zeros([2, 2]);
    gone.dispose();
    const rejects = async (call: () => Promise<unknown>, argument: string, message: RegExp): Promise<void> => {
      let error: unknown;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      expectInvalidArgument(() => { throw error; }, fn, argument, message);
    };
    await rejects(() => gridFromTensor(v), 't', /\[height, width\]/);
    await rejects(() => gridFromTensor(batch, { example: 2 }), 'options.example', /\[0, 2\)/);
    await rejects(() => gridFromTensor(gone), 't', /not been disposed/);
    expectInvalidArgument(() => attributionHeatmapSvg(batch as never), 'attributionHeatmapSvg', 'attributions', /gridFromTensor/);
    tf.dispose([v, batch]);
  });
});

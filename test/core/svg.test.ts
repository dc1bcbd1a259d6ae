import { describe, expect, it } from 'vitest';
import { barChartSvg, lineChartSvg } from '../../src/core/index.js';
import { niceTicks } from '../../src/core/svg.js';

describe('SVG charts', () => {
  it('draws each series as a path through its points, escaping text', () => {
    const svg = lineChartSvg(
      [
        { label: 'RDP <loose>', x: [1, 2, 3], y: [1, 2, 4] },
        { label: 'PLD', x: [1, 2, 3], y: [0.5, 1, 2], dashed: true },
      ],
      { title: 'ε & epochs', xLabel: 'epoch', yLabel: 'epsilon', width: 500, height: 300 },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="500" height="300"')).toBe(true);
    expect(svg).toContain('RDP &lt;loose&gt;');
    expect(svg).toContain('ε &amp; epochs');
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(6);
    expect(svg).toContain('stroke-dasharray="6 4"');
    // The y axis is widened to round ticks, [0, 4]: the highest point (y = 4) sits at the top of
    // the plot area (pixel 40) and y = 0.5 at 1/8 of the 208-pixel height above the bottom (248 - 26).
    expect(svg).toContain('cy="40.0"');
    expect(svg).toContain('cy="222.0"');
    expect(svg).toContain('>0</text>');
  });

  it('skips non-finite points and supports a log x axis', () => {
    const svg = lineChartSvg([{ label: 'a', x: [0.01, 0.1, 1], y: [1, Number.NaN, 3] }], { title: 't', xLog: true });
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('>0.1<');
  });

  it('draws one bar per finite value with a tooltip', () => {
    const svg = barChartSvg(
      { categories: ['Female', 'Male'], series: [{ label: 'before', values: [0.1, 0.3] }, { label: 'after', values: [0.2, Number.NaN] }] },
      { title: 'rates' },
    );
    expect(svg.match(/<rect x=/g)).toHaveLength(3);
    expect(svg).toContain('<title>before · Male: 0.3</title>');
    // A long legend label widens the chart instead of being cut off.
    const long = barChartSvg({ categories: ['a'], series: [{ label: 'x'.repeat(40), values: [1] }] }, { title: 't' });
    expect(Number(/width="(\d+)"/.exec(long)![1])).toBeGreaterThan(640);
  });
});

describe('niceTicks', () => {
  it('puts ticks on exact multiples of the step (0 is 0, not a float residue)', () => {
    for (const [lo, hi] of [[-0.3, 0.3], [-0.7, 0.2], [-1.3, 2.9], [-0.03, 0.01]] as const) {
      const ticks = niceTicks(lo, hi);
      expect(ticks).toContain(0);
      expect(ticks.every((t) => Math.abs(t) === 0 || Math.abs(t) > 1e-12)).toBe(true);
    }
  });
});

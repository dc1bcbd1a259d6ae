import { describe, expect, it } from 'vitest';
import { count, metricFrame, metricFrameSvg, metricFrameTable, selectionRate, truePositiveRate } from '../../src/fairness/index.js';
import { test } from './data.js';

describe('reports', () => {
  const frame = metricFrame({ metrics: { count, selectionRate, tpr: truePositiveRate }, yTrue: test.yTrue, yPred: test.yPred, sensitiveFeatures: { sex: test.sex } });

  it('renders a text table with groups and aggregates', () => {
    const table = metricFrameTable(frame, { digits: 4 });
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^sex\s+count\s+selectionRate\s+tpr$/);
    expect(table).toContain('Female');
    expect(table).toMatch(/Female\s+4913\s+0\.0784\s+0\.5153/);
    expect(table).toMatch(/difference\s+5234\s+0\.1839\s+0\.1004/);
    expect(metricFrameTable(frame, { aggregates: false }).split('\n')).toHaveLength(4);
  });

  it('renders an SVG bar chart, one bar per group and metric', () => {
    const svg = metricFrameSvg(frame, { title: 'Rates by sex', metrics: ['selectionRate', 'tpr'], yMax: 1 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<rect x=/g) ?? []).length).toBe(4);
    expect(svg).toContain('tpr · Male: 0.616');
    expect(() => metricFrameSvg(frame, { title: 't', metrics: ['auc'] })).toThrow(/one of the frame's metrics/);
  });
});

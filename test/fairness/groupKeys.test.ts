import { describe, expect, it } from 'vitest';
import { demographicParityDifference, encodeGroups, metricFrame, metricFrameAccumulator, selectionRate } from '../../src/fairness/index.js';

// Two sensitive features whose values contain the separator: ('x, y', 'z') and ('x', 'y, z') are
// different groups and must never merge (they did when keys were plain `', '` joins).
const sensitiveFeatures = { a: ['x, y', 'x, y', 'x', 'x'], b: ['z', 'z', 'y, z', 'y, z'] };
const yTrue = [1, 0, 1, 0];
const yPred = [1, 1, 0, 0];

describe('group keys of several features', () => {
  it('keep groups whose joined values would coincide apart, in every consumer', () => {
    expect(demographicParityDifference(yTrue, yPred, { sensitiveFeatures })).toBe(1);
    const frame = metricFrame({ metrics: { selectionRate }, yTrue, yPred, sensitiveFeatures });
    // Every intersection is listed (as Fairlearn does); the two observed ones keep their own rates.
    expect(Object.keys(frame.byGroup)).toHaveLength(4);
    expect(frame.byGroup['x\\, y, z']!.selectionRate).toBe(1);
    expect(frame.byGroup['x, y\\, z']!.selectionRate).toBe(0);
    const { codes, keys: encoded } = encodeGroups(sensitiveFeatures);
    expect(encoded).toHaveLength(2);
    expect(codes[0]).toBe(codes[1]);
    expect(codes[2]).toBe(codes[3]);
    expect(codes[0]).not.toBe(codes[2]);
    const acc = metricFrameAccumulator();
    acc.add({ yTrue, yPred, sensitiveFeatures });
    const streamed = acc.frame({ metrics: { selectionRate } }).byGroup;
    expect(streamed['x\\, y, z']!.selectionRate).toBe(1);
    expect(streamed['x, y\\, z']!.selectionRate).toBe(0);
  });

  it('leaves the keys of values without separators as Fairlearn writes them', () => {
    const frame = metricFrame({ metrics: { selectionRate }, yTrue, yPred, sensitiveFeatures: { sex: ['F', 'F', 'M', 'M'], race: ['A', 'A', 'B', 'B'] } });
    expect(Object.keys(frame.byGroup)).toEqual(['F, A', 'F, B', 'M, A', 'M, B']);
  });
});

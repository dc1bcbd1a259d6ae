import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { falsePositiveRate, metricFrame, metricFrameAccumulator, selectionRate, truePositiveRate, balancedAccuracy } from '../../src/fairness/index.js';
import { test } from './data.js';

const metrics = { selectionRate, tpr: truePositiveRate, fpr: falsePositiveRate, bal: balancedAccuracy };

describe('metricFrameAccumulator', () => {
  it('streamed batches give the frame of all rows (Adult, sex × race, weighted)', () => {
    const acc = metricFrameAccumulator();
    const n = test.yTrue.length;
    for (let start = 0; start < n; start += 1000) {
      const end = Math.min(n, start + 1000);
      acc.add({
        yTrue: test.yTrue.slice(start, end),
        yPred: test.yPred.slice(start, end),
        sensitiveFeatures: { sex: test.sex.slice(start, end), race: test.race.slice(start, end) },
        sampleWeight: test.sampleWeight.slice(start, end),
      });
    }
    expect(acc.rows).toBe(n);
    const streamed = acc.frame({ metrics });
    const whole = metricFrame({ metrics, yTrue: test.yTrue, yPred: test.yPred, sensitiveFeatures: { sex: test.sex, race: test.race }, sampleWeight: test.sampleWeight });
    expect(streamed.groups).toEqual(whole.groups);
    for (const g of whole.groups) for (const m of whole.metricNames) expect(streamed.byGroup[g.key]![m]).toBeCloseTo(whole.byGroup[g.key]![m]!, 12);
    expect(streamed.difference()).toEqual(Object.fromEntries(Object.entries(whole.difference()).map(([k, v]) => [k, expect.closeTo(v, 12)])));
    const counts = acc.counts();
    expect(counts.overall.count).toBe(n);
    expect(counts.groups.length).toBe(10);
  });

  it('property: any split into batches (groups appearing late included) equals the one-shot frame', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.constantFrom('x', 'y', 'z'), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 10 }),
        (rows, cuts) => {
          const col = <T>(k: number): T[] => rows.map((r) => r[k] as T);
          const whole = metricFrame({ metrics, yTrue: col(0), yPred: col(1), sensitiveFeatures: col<string>(2), sampleWeight: col(3) });
          const acc = metricFrameAccumulator();
          let start = 0;
          let c = 0;
          while (start < rows.length) {
            const end = Math.min(rows.length, start + cuts[c++ % cuts.length]!);
            const part = rows.slice(start, end);
            acc.add({ yTrue: part.map((r) => r[0]), yPred: part.map((r) => r[1]), sensitiveFeatures: part.map((r) => r[2] as string), sampleWeight: part.map((r) => r[3]) });
            start = end;
          }
          const f = acc.frame({ metrics });
          expect(f.groups.map((g) => g.key)).toEqual(whole.groups.map((g) => g.key));
          for (const g of whole.groups) {
            for (const m of whole.metricNames) {
              const a = f.byGroup[g.key]![m]!;
              const b = whole.byGroup[g.key]![m]!;
              expect(Number.isNaN(a) ? Number.isNaN(b) : Math.abs(a - b) < 1e-12).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('rejects user metrics that need rows, and feature names that change between batches', () => {
    const acc = metricFrameAccumulator();
    acc.add({ yTrue: [1, 0], yPred: [1, 1], sensitiveFeatures: { sex: ['a', 'b'] } });
    expect(() => acc.frame({ metrics: { custom: () => 1 } })).toThrow(/counts-based metric/);
    expect(() => acc.add({ yTrue: [1], yPred: [1], sensitiveFeatures: { race: ['x'] } })).toThrow(/the same features as earlier batches \(sex\)/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/index.js';
import { encodeGroups, metricFrame, metricFrameAccumulator, selectionRate, truePositiveRate } from '../../src/fairness/index.js';

/** The obvious encoding: sorted distinct values (pandas order), each row's index among them. */
function reference(values: readonly (string | number)[]): { codes: number[]; keys: string[] } {
  const distinct = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(distinct.map((v, i) => [v, i]));
  return { codes: values.map((v) => index.get(v)!), keys: distinct.map(String) };
}

describe('the group encoder', () => {
  it('encodeGroups returns codes, keys, value tuples and feature names in Fairlearn order', () => {
    const g = encodeGroups({ sex: ['M', 'F', 'M', 'F'], age: [40, 9, 10, 9] });
    expect(g.names).toEqual(['sex', 'age']);
    expect(g.keys).toEqual(['F, 9', 'M, 10', 'M, 40']);
    expect(g.values).toEqual([['F', 9], ['M', 10], ['M', 40]]);
    expect(Array.from(g.codes)).toEqual([2, 0, 1, 0]);
    const one = encodeGroups([10, 9, 2, 9]);
    expect(one.names).toEqual(['sensitive_feature_0']);
    expect(one.keys).toEqual(['2', '9', '10']); // numbers sort by value, not as text
    expect(one.values).toEqual([[2], [9], [10]]);
    expect(Array.from(encodeGroups(new Float64Array([0.5, -3, 0.5, 70000])).codes)).toEqual([1, 0, 1, 2]);
  });

  it('property: codes match the obvious encoding (colliding signatures, fresh string objects, empty strings)', () => {
    // Same length and same first and last character: the encoder's signature table collides.
    const alphabet = ['axz', 'ayz', 'abz', '', ',', '\\', 'a, z', 'Female', 'Male', 'e\u00e9e', '\u{1F600}'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 80 }), fc.boolean(), (values, fresh) => {
        // Strings built at run time are distinct objects with equal contents (as parsed CSV gives).
        const column = fresh ? values.map((v) => [...v].join('')) : values;
        const g = encodeGroups(column);
        const r = reference(values);
        expect(Array.from(g.codes)).toEqual(r.codes);
        expect(g.keys).toEqual(r.keys);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -3, max: 70000 }), fc.double({ noNaN: true, noDefaultInfinity: true })), { minLength: 1, maxLength: 60 }), (values) => {
        const normal = values.map((v) => (Object.is(v, -0) ? 0 : v));
        const g = encodeGroups(normal);
        expect(Array.from(g.codes)).toEqual(reference(normal).codes);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 70000 }), { minLength: 1, maxLength: 60 }), (values) => {
        const g = encodeGroups({ a: Int32Array.from(values), b: values.map((v) => v % 3) });
        const r = reference(values.map((v) => `${String(v).padStart(6, '0')}|${v % 3}`));
        // Sorted by the first feature, then the second: the same order as the padded composite keys (non-negative values).
        if (values.every((v) => v >= 0)) expect(Array.from(g.codes)).toEqual(r.codes);
        expect(g.keys).toHaveLength(r.keys.length);
      }),
    );
  });

  it('refuses values that are not strings or finite numbers, and a feature mixing both', () => {
    const cases: [unknown, string][] = [
      [['a', 'b', 3], 'sensitiveFeatures[2]'],
      [[1, 2, '3'], 'sensitiveFeatures[2]'],
      [[1, Number.NaN], 'sensitiveFeatures[1]'],
      [['a', null], 'sensitiveFeatures[1]'],
      [{ sex: ['F', 'M'], age: [3, undefined] }, 'sensitiveFeatures.age[1]'],
      [{ sex: ['F', 'M'], age: [3] }, 'sensitiveFeatures.age'],
    ];
    for (const [value, argument] of cases) {
      expect(() => encodeGroups(value as never)).toThrow(InvalidArgumentError);
      expect(() => encodeGroups(value as never)).toThrow(`argument '${argument}'`);
    }
  });

  it('refuses more than 2^20 intersectional groups before allocating them', () => {
    const n = 128;
    const col = (tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag}${i}`);
    expect(() => encodeGroups({ a: col('a'), b: col('b'), c: col('c') })).toThrow(/at most 1048576 intersectional groups/);
  });
});

describe('streaming with growing dictionaries', () => {
  it('values first seen late in several features re-lay the counts out exactly', () => {
    const batches = [
      { yTrue: [1, 0], yPred: [1, 1], sensitiveFeatures: { sex: ['F', 'F'], race: ['b', 'b'] } },
      { yTrue: [1, 1, 0], yPred: [0, 1, 0], sensitiveFeatures: { sex: ['M', 'F', 'M'], race: ['b', 'a', 'c'] } },
      { yTrue: [0, 1], yPred: [1, 1], sensitiveFeatures: { sex: ['X', 'M'], race: ['a', 'a'] } },
    ];
    const acc = metricFrameAccumulator();
    for (const b of batches) acc.add(b);
    const cat = <T>(f: (b: (typeof batches)[number]) => T[]): T[] => batches.flatMap(f);
    const metrics = { selectionRate, truePositiveRate };
    const whole = metricFrame({
      metrics, yTrue: cat((b) => b.yTrue), yPred: cat((b) => b.yPred),
      sensitiveFeatures: { sex: cat((b) => b.sensitiveFeatures.sex), race: cat((b) => b.sensitiveFeatures.race) },
    });
    const streamed = acc.frame({ metrics });
    expect(streamed.groups).toEqual(whole.groups);
    expect(streamed.byGroup).toEqual(whole.byGroup);
    expect(streamed.missingGroups).toEqual(whole.missingGroups);
    const counts = acc.counts();
    expect(counts.groups.filter((_, i) => counts.byGroup[i] === undefined).map((g) => g.key)).toEqual(whole.missingGroups);
    expect(whole.missingGroups.length).toBeGreaterThan(0);
  });

  it('a batch that fails validation leaves the accumulator as it was (no phantom groups)', () => {
    const acc = metricFrameAccumulator();
    acc.add({ yTrue: [1, 0], yPred: [1, 1], sensitiveFeatures: ['a', 'b'] });
    const before = acc.counts();
    expect(() => acc.add({ yTrue: [1, 2], yPred: [1, 1], sensitiveFeatures: ['c', 'd'] })).toThrow("argument 'yTrue[1]' must be a binary label 0 or 1, got 2");
    expect(() => acc.add({ yTrue: [1, 1], yPred: [1, 1], sensitiveFeatures: ['e', 3] as never })).toThrow(/sensitiveFeatures\[1\]/);
    expect(acc.counts()).toEqual(before);
    expect(acc.rows).toBe(2);
    acc.add({ yTrue: [1], yPred: [0], sensitiveFeatures: ['c'] });
    expect(acc.counts().groups.map((g) => g.key)).toEqual(['a', 'b', 'c']);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MissingGradientsError, ResponsibleError } from '../../src/core/index.js';
import * as v from '../../src/core/validate.js';

describe('typed errors', () => {
  it('names function, argument, value and allowed range', () => {
    const e = new InvalidArgumentError({ fn: 'f', argument: 'epsilon', value: -1, allowed: 'a finite number > 0' });
    expect(e).toBeInstanceOf(ResponsibleError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.name).toBe('InvalidArgumentError');
    expect(e.message).toBe("f: argument 'epsilon' must be a finite number > 0, got -1");
    expect(new MissingGradientsError('g', ['Sum']).message).toMatch(/@tensorflow\/tfjs-layers/);
  });

  it('validators accept good values and reject bad ones without coercion', () => {
    expect(v.positiveNumber('f', 'x', 2)).toBe(2);
    for (const bad of [0, -1, Number.NaN, Infinity, '2', null]) expect(() => v.positiveNumber('f', 'x', bad)).toThrow(InvalidArgumentError);
    expect(v.positiveInteger('f', 'n', 3)).toBe(3);
    for (const bad of [0, 1.5, -2, Number.NaN]) expect(() => v.positiveInteger('f', 'n', bad)).toThrow(/an integer >= 1/);
    expect(v.numberInRange('f', 'd', 0.5, { min: 0, max: 1, minInclusive: false, maxInclusive: false })).toBe(0.5);
    expect(() => v.numberInRange('f', 'd', 1, { min: 0, max: 1, minInclusive: false, maxInclusive: false })).toThrow(
      "f: argument 'd' must be a number in (0, 1), got 1",
    );
    expect(() => v.numberInRange('f', 'q', 0, { min: 0, max: 1, minInclusive: false })).toThrow(/\(0, 1\]/);
    expect(v.oneOf('f', 'm', 'a', ['a', 'b'] as const)).toBe('a');
    expect(() => v.oneOf('f', 'm', 'c', ['a', 'b'] as const)).toThrow(/one of "a", "b", got "c"/);
    expect(() => v.finiteArray('f', 'xs', [1, Number.NaN])).toThrow(/xs\[1\]/);
    expect(() => v.sameLength('f', 'yPred', 3, 4, 'yTrue')).toThrow(/same length as 'yTrue' \(4\)/);
    expect(v.optionsObject('f', 'options', undefined)).toEqual({});
    expect(() => v.optionsObject('f', 'options', 3 as unknown as object)).toThrow(/options object/);
  });
});

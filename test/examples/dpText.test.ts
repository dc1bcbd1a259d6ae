/**
 * The dp-text example's core at a tiny size: text preparation on the shipped Moby-Dick slice, and
 * private plus non-private training of the next-character model, reproducible under its seeds and
 * without leaked tensors.
 */
import { describe, expect, it } from 'vitest';
import { checkModelSupport } from '../../src/privacy/index.js';
import { charModel, DEFAULT_DELTA, runDpText, type DpTextConfig } from '../../examples/dp-text/experiment.js';
import { ALPHABET, decode, encode, loadMobyDickChapters, makeWindows, normalizeText } from '../../examples/dp-text/text.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

describe('dp-text data', () => {
  it('ships chapters 1-15 of Moby-Dick', () => {
    const chapters = loadMobyDickChapters();
    expect(chapters).toHaveLength(15);
    expect(chapters[0]!.startsWith('Call me Ishmael.')).toBe(true);
  });

  it('normalises onto the 30-symbol alphabet and round-trips', () => {
    expect(ALPHABET).toHaveLength(30);
    const text = normalizeText('Call me Ishmael! Some years ago\u2014never mind; it\u2019s "1851".\n');
    expect(text).toBe("call me ishmael. some years ago never mind, it's .");
    expect(decode(encode(text))).toBe(text);
    const all = normalizeText(loadMobyDickChapters().join(' '));
    expect(new Set(all).size).toBeLessThanOrEqual(30);
    expect(() => encode('Ishmael')).toThrow(/not in the alphabet/);
  });

  it('cuts overlapping windows whose label is the next character', () => {
    const ids = encode('abcdefghij');
    const w = makeWindows(ids, 4, 2);
    expect(w.n).toBe(3); // starts 0, 2, 4; a window at 6 would have no label
    expect(decode(w.x.subarray(4, 8))).toBe('cdef');
    expect(decode(w.y)).toBe('egi');
  });
});

const tiny: DpTextConfig = {
  cell: 'simpleRNN', window: 8, stride: 4, embedDim: 4, units: 8, epochs: 2, batchSize: 32, maxGradNorm: 1,
  learningRate: 0.02, epsilons: [8], maxTest: 200, sampleLength: 12,
};

describeBackends('dp-text training at a tiny size', () => {
  it('every cell the example offers passes the engine check', () => {
    for (const cell of ['simpleRNN', 'lstm', 'gru', 'flatten'] as const) {
      const model = charModel({ ...tiny, cell });
      expect(() => checkModelSupport(model), cell).not.toThrow();
      model.dispose();
    }
  });

  it('trains privately and non-privately, reproducibly, without leaks', async () => {
    const chapters = loadMobyDickChapters();
    const train = chapters[0]!.slice(0, 3000);
    const test = chapters[1]!.slice(0, 1000);
    const results: Awaited<ReturnType<typeof runDpText>>[] = [];
    // expectNoLeaks runs it twice: the seeded run must repeat exactly.
    const last = await expectNoLeaks(async () => {
      const r = await runDpText(train, test, tiny);
      results.push(r);
      return r;
    });
    const untimed = (r: typeof last) => ({ ...r, runs: r.runs.map(({ seconds: _, ...rest }) => rest) });
    expect(untimed(results[0]!)).toEqual(untimed(last));
    expect(last.trainWindows).toBeGreaterThan(500);
    expect(last.testWindows).toBe(200);
    // The default delta is a fixed 1e-5, well below 1/N (not 1/N itself).
    expect(last.delta).toBe(DEFAULT_DELTA);
    expect(DEFAULT_DELTA).toBe(1e-5);
    expect(last.delta).toBeLessThan(1 / (10 * last.trainWindows));
    const [dp, plain] = last.runs;
    expect(dp!.targetEpsilon).toBe(8);
    expect(dp!.epsilonSpent!).toBeLessThanOrEqual(8);
    expect(dp!.epsilonSpent!).toBeGreaterThan(7.99);
    expect(dp!.steps).toBe(2 * Math.round(last.trainWindows / 32));
    expect(plain!.targetEpsilon).toBeNull();
    for (const r of last.runs) {
      expect(r.curve.at).toEqual([0.5, 1, 1.5, 2]);
      expect(r.accuracy).toBe(r.curve.accuracy[3]);
      expect(r.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.accuracy).toBeLessThanOrEqual(1);
      // Better than a uniform guess over the 30 symbols (perplexity 30).
      expect(r.perplexity).toBeLessThan(30);
      expect(r.sample).toHaveLength(12);
      expect([...r.sample].every((c) => ALPHABET.includes(c))).toBe(true);
    }
  });
});

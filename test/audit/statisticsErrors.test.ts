/**
 * Every bad argument of the audit statistics is a typed InvalidArgumentError naming the function and
 * the argument; nothing is clamped or coerced.
 */
import { describe, it } from 'vitest';
import {
  clopperPearson, epsilonLowerBound, epsilonLowerBoundFromScores, oneRunAudit, oneRunEpsilonLowerBound, oneRunPValue,
  type MembershipCounts,
} from '../../src/audit/statistics/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';

const badConfidences = [0, 1, -0.1, 1.5, Number.NaN, '0.9'];

describe('clopperPearson errors', () => {
  const fn = 'clopperPearson';
  it('rejects non-integer, negative or too many successes, trials < 1, bad confidence', () => {
    expectInvalidArgument(() => clopperPearson(1.5, 10), fn, 'successes', /integer >= 0/);
    expectInvalidArgument(() => clopperPearson(-1, 10), fn, 'successes', /integer >= 0/);
    expectInvalidArgument(() => clopperPearson(11, 10), fn, 'successes', /\[0, 10\]/);
    expectInvalidArgument(() => clopperPearson(0, 0), fn, 'trials', /integer >= 1/);
    expectInvalidArgument(() => clopperPearson(1, 2.5), fn, 'trials', /integer >= 1/);
    expectInvalidArgument(() => clopperPearson(1, Number.POSITIVE_INFINITY), fn, 'trials', /integer >= 1/);
    for (const c of badConfidences) {
      expectInvalidArgument(() => clopperPearson(1, 10, { confidence: c as number }), fn, 'confidence', /\(0, 1\)/);
    }
    expectInvalidArgument(() => clopperPearson(1, 10, 0.95 as never), fn, 'options', /options object/);
  });
});

describe('epsilonLowerBound errors', () => {
  const fn = 'epsilonLowerBound';
  const ok: MembershipCounts = { truePositives: 5, falsePositives: 1, trueNegatives: 9, falseNegatives: 5 };
  it('rejects bad counts, no members, no non-members, bad δ and confidence', () => {
    expectInvalidArgument(() => epsilonLowerBound(null as never), fn, 'counts', /truePositives/);
    for (const key of ['truePositives', 'falsePositives', 'trueNegatives', 'falseNegatives'] as const) {
      expectInvalidArgument(() => epsilonLowerBound({ ...ok, [key]: -1 }), fn, `counts.${key}`, /integer >= 0/);
      expectInvalidArgument(() => epsilonLowerBound({ ...ok, [key]: 0.5 }), fn, `counts.${key}`, /integer >= 0/);
      expectInvalidArgument(() => epsilonLowerBound({ ...ok, [key]: undefined } as never), fn, `counts.${key}`, /integer >= 0/);
    }
    expectInvalidArgument(() => epsilonLowerBound({ ...ok, truePositives: 0, falseNegatives: 0 }), fn, 'counts', /at least one member/);
    expectInvalidArgument(() => epsilonLowerBound({ ...ok, falsePositives: 0, trueNegatives: 0 }), fn, 'counts', /non-member/);
    for (const d of [-1e-9, 1.01, Number.NaN]) expectInvalidArgument(() => epsilonLowerBound(ok, { delta: d }), fn, 'delta', /\[0, 1\]/);
    for (const c of badConfidences) expectInvalidArgument(() => epsilonLowerBound(ok, { confidence: c as number }), fn, 'confidence', /\(0, 1\)/);
  });
});

describe('epsilonLowerBoundFromScores errors', () => {
  const fn = 'epsilonLowerBoundFromScores';
  const scores = [0.1, 0.9, 0.4, 0.7];
  const labels = [0, 1, 0, 1];
  it('rejects bad scores, labels, thresholds, δ and confidence', () => {
    expectInvalidArgument(() => epsilonLowerBoundFromScores([], [], {}), fn, 'scores', /at least one score/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores(5 as never, labels), fn, 'scores', /finite numbers/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores([0.1, Number.NaN, 0.4, 0.7], labels), fn, 'scores[1]', /finite/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores([0.1, Infinity, 0.4, 0.7], labels), fn, 'scores[1]', /finite/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores(scores, [0, 1, 0]), fn, 'isMember', /same length/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores(scores, [0, 1, 2, 1]), fn, 'isMember[2]', /1\/0/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores(scores, [1, 1, 1, 1]), fn, 'isMember', /at least one member and one non-member/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores(scores, [0, 0, 0, 0]), fn, 'isMember', /at least one member and one non-member/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores(scores, labels, { thresholds: [] }), fn, 'options.thresholds', /non-empty/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores(scores, labels, { thresholds: [0.5, Number.NaN] }), fn, 'options.thresholds[1]', /finite/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores(scores, labels, { thresholds: 'some' as never }), fn, 'options.thresholds', /'all'/);
    expectInvalidArgument(() => epsilonLowerBoundFromScores(scores, labels, { delta: 2 }), fn, 'delta', /\[0, 1\]/);
    for (const c of badConfidences) {
      expectInvalidArgument(() => epsilonLowerBoundFromScores(scores, labels, { confidence: c as number }), fn, 'confidence', /\(0, 1\)/);
    }
  });
});

describe('oneRunPValue and oneRunEpsilonLowerBound errors', () => {
  it('rejects m < 1, r outside [0, m], v outside [0, r], bad ε, δ and confidence', () => {
    for (const [fn, call] of [
      ['oneRunPValue', (o: Record<string, unknown>) => oneRunPValue({ canaries: 100, guesses: 10, correct: 8, epsilon: 1, ...o } as never)],
      ['oneRunEpsilonLowerBound', (o: Record<string, unknown>) => oneRunEpsilonLowerBound({ canaries: 100, guesses: 10, correct: 8, ...o } as never)],
    ] as const) {
      expectInvalidArgument(() => call({ canaries: 0 }), fn, 'canaries', /integer >= 1/);
      expectInvalidArgument(() => call({ canaries: -5 }), fn, 'canaries', /integer >= 1/);
      expectInvalidArgument(() => call({ canaries: 10.5 }), fn, 'canaries', /integer >= 1/);
      expectInvalidArgument(() => call({ guesses: 101 }), fn, 'guesses', /\[0, 100\]/);
      expectInvalidArgument(() => call({ guesses: -1 }), fn, 'guesses', /integer >= 0/);
      expectInvalidArgument(() => call({ correct: 11 }), fn, 'correct', /\[0, 10\]/);
      expectInvalidArgument(() => call({ correct: 2.5 }), fn, 'correct', /integer >= 0/);
      expectInvalidArgument(() => call({ delta: -0.1 }), fn, 'delta', /\[0, 1\]/);
      expectInvalidArgument(() => call({ delta: Number.NaN }), fn, 'delta', /\[0, 1\]/);
    }
    expectInvalidArgument(() => oneRunPValue({ canaries: 100, guesses: 10, correct: 8, epsilon: -1 }), 'oneRunPValue', 'epsilon', />= 0/);
    expectInvalidArgument(() => oneRunPValue({ canaries: 100, guesses: 10, correct: 8, epsilon: Infinity }), 'oneRunPValue', 'epsilon', />= 0/);
    expectInvalidArgument(() => oneRunPValue(undefined as never), 'oneRunPValue', 'canaries', /integer >= 1/);
    for (const c of badConfidences) {
      expectInvalidArgument(
        () => oneRunEpsilonLowerBound({ canaries: 100, guesses: 10, correct: 8, confidence: c as number }),
        'oneRunEpsilonLowerBound', 'confidence', /\(0, 1\)/,
      );
    }
  });
});

describe('oneRunAudit errors', () => {
  const fn = 'oneRunAudit';
  const scores = [3, 1, 2, 0, -1, 5];
  const included = [1, 0, 1, 0, 0, 1];
  it('rejects no canaries, mismatched lengths, non-finite scores, bad guess counts, δ and confidence', () => {
    expectInvalidArgument(() => oneRunAudit([], [], { positiveGuesses: 0 }), fn, 'scores', /at least one score/);
    expectInvalidArgument(() => oneRunAudit([1, Number.NaN], [1, 0], { positiveGuesses: 1 }), fn, 'scores[1]', /finite/);
    expectInvalidArgument(() => oneRunAudit(scores, [1, 0], { positiveGuesses: 1 }), fn, 'included', /same length/);
    expectInvalidArgument(() => oneRunAudit(scores, [1, 0, 1, 0, 0, 'yes'] as never, { positiveGuesses: 1 }), fn, 'included[5]', /true\/false/);
    expectInvalidArgument(() => oneRunAudit(scores, included, undefined as never), fn, 'options', /positiveGuesses/);
    expectInvalidArgument(() => oneRunAudit(scores, included, {} as never), fn, 'options.positiveGuesses', /integer in \[0, 6\]/);
    expectInvalidArgument(() => oneRunAudit(scores, included, { positiveGuesses: 7 }), fn, 'options.positiveGuesses', /\[0, 6\]/);
    expectInvalidArgument(() => oneRunAudit(scores, included, { positiveGuesses: -1 }), fn, 'options.positiveGuesses', /\[0, 6\]/);
    expectInvalidArgument(() => oneRunAudit(scores, included, { positiveGuesses: 1.5 }), fn, 'options.positiveGuesses', /\[0, 6\]/);
    expectInvalidArgument(() => oneRunAudit(scores, included, { positiveGuesses: [] }), fn, 'options.positiveGuesses', /non-empty/);
    expectInvalidArgument(() => oneRunAudit(scores, included, { positiveGuesses: [1, 9] }), fn, 'options.positiveGuesses[1]', /\[0, 6\]/);
    expectInvalidArgument(() => oneRunAudit(scores, included, { positiveGuesses: 1, negativeGuesses: [2, -3] }), fn, 'options.negativeGuesses[1]', /\[0, 6\]/);
    expectInvalidArgument(() => oneRunAudit(scores, included, { positiveGuesses: [2, 4], negativeGuesses: 3 }), fn, 'options.negativeGuesses', /<= canaries \(6\)/);
    expectInvalidArgument(() => oneRunAudit(scores, included, { positiveGuesses: 1, delta: 1.5 }), fn, 'delta', /\[0, 1\]/);
    for (const c of badConfidences) {
      expectInvalidArgument(() => oneRunAudit(scores, included, { positiveGuesses: 1, confidence: c as number }), fn, 'confidence', /\(0, 1\)/);
    }
  });
});

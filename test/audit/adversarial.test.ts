/**
 * The audit's promises under the inputs an adversary would choose: extreme finite scores (the
 * bounds must not overflow or flip), non-finite scores (typed errors, never a silent bound), and
 * concurrent audits (independent state, same results as run one by one).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  auditPrivatizer, epsilonLowerBoundFromScores, evaluateMembershipAttack, oneRunAudit, rocCurve,
} from '../../src/audit/index.js';
import { seededRng } from '../../src/core/rng.js';
import { describeBackends } from '../helpers/backends.js';

describe('extreme scores', () => {
  const isMember = [1, 1, 1, 0, 0, 0];
  const base = [3, 2, 1, -1, -2, -3];

  it('the bounds and the ROC depend on the order of the scores only, even at ±1.7e308, 3e38, 1e19 and subnormals', () => {
    const reference = epsilonLowerBoundFromScores(base, isMember);
    const audit = oneRunAudit(base, isMember, { positiveGuesses: 2, negativeGuesses: 2 });
    for (const scale of [1.7e308, 3e38, 1e19, 1e-310]) {
      const scores = base.map((s) => s * (scale / 3));
      expect(epsilonLowerBoundFromScores(scores, isMember).epsilon).toBe(reference.epsilon);
      expect(oneRunAudit(scores, isMember, { positiveGuesses: 2, negativeGuesses: 2 }).epsilon).toBe(audit.epsilon);
      const roc = rocCurve(scores, isMember);
      expect(Array.from(roc.truePositiveRate)).toEqual([0, 1 / 3, 2 / 3, 1, 1, 1, 1]);
      expect(evaluateMembershipAttack(scores, isMember).auc).toBe(1);
    }
  });

  it('NaN and infinite scores are typed errors, never a bound', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const scores = [...base];
      scores[4] = bad;
      expect(() => epsilonLowerBoundFromScores(scores, isMember)).toThrow(/finite/);
      expect(() => oneRunAudit(scores, isMember, { positiveGuesses: 1 })).toThrow(/finite/);
      expect(() => rocCurve(scores, isMember)).toThrow(/finite/);
    }
  });
});

describeBackends('concurrent audits', () => {
  it('two white-box audits running at once give what each gives alone', async () => {
    const options = (seed: string) => ({ canaries: 50, steps: 20, sampleRate: 0.3, canaryNorm: 1e19, rng: seededRng(seed) });
    // A noiseless summing aggregation: each canary's score counts the steps it was sampled in.
    const sum = (g: tf.Tensor2D) => tf.sum(g, 0);
    const alone = [await auditPrivatizer(sum, options('a')), await auditPrivatizer(sum, options('b'))];
    const together = await Promise.all([auditPrivatizer(sum, options('a')), auditPrivatizer(sum, options('b'))]);
    together.forEach((r, i) => {
      expect(Array.from(r.scores)).toEqual(Array.from(alone[i]!.scores));
      expect(Array.from(r.included)).toEqual(Array.from(alone[i]!.included));
      expect(r.epsilonLowerBound).toBe(alone[i]!.epsilonLowerBound);
    });
    // Canaries of norm 1e19 are finite in float32 and every guess is right without noise.
    expect(together[0]!.correct).toBe(together[0]!.guesses);
  });
});

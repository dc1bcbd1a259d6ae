import { oneRunAudit, oneRunEpsilonLowerBound } from '../statistics/index.js';

/**
 * What every one-run audit reports ({@link auditDpSgd} and {@link auditPrivatizer} add their own
 * fields): the bound, the epsilon it is held against, the audit's ceiling and the guesses behind it.
 */
export interface OneRunAuditSummary {
  /** The empirical lower bound on epsilon at `delta`, holding with probability `confidence`. */
  readonly epsilonLowerBound: number;
  /** The epsilon the audited run reports (undefined when it claims none). */
  readonly reportedEpsilon: number | undefined;
  /** True when the lower bound exceeds the reported epsilon: the guarantee is false (or a 1 − confidence accident). */
  readonly exceedsReported: boolean;
  /** The delta audited. */
  readonly delta: number;
  /** The confidence of the bound. */
  readonly confidence: number;
  /** The largest bound this audit could give (every guess right): above it, the audit is blind. */
  readonly maxCertifiableEpsilon: number;
  /**
   * Whether this audit could have refuted the reported epsilon at all (`maxCertifiableEpsilon`
   * above it); false means a bound below the reported epsilon was certain, whatever the run
   * did: use more canaries or more guesses. Undefined without a reported epsilon.
   */
  readonly canRefute: boolean | undefined;
  /** Number of canaries m. */
  readonly canaries: number;
  /** Non-abstaining guesses r and correct guesses v. */
  readonly guesses: number;
  readonly correct: number;
  /** The k+ and k− used (the chosen ones when lists were searched). */
  readonly positiveGuesses: number;
  readonly negativeGuesses: number;
  /** Each canary's score (higher = more likely included). */
  readonly scores: Float64Array;
  /** Which canaries were included (1) or not (0). */
  readonly included: Uint8Array;
}

/** Guesses from the scores, the bound, and its ceiling (internal). */
export function summarizeOneRun(
  scores: Float64Array,
  included: Uint8Array,
  o: {
    readonly positiveGuesses: number | readonly number[];
    readonly negativeGuesses: number | readonly number[];
    readonly delta: number;
    readonly confidence: number;
    readonly reportedEpsilon: number | undefined;
  },
): OneRunAuditSummary {
  const { delta, confidence, reportedEpsilon } = o;
  const audit = oneRunAudit(scores, included, { positiveGuesses: o.positiveGuesses, negativeGuesses: o.negativeGuesses, delta, confidence });
  const canaries = scores.length;
  const maxCertifiableEpsilon = oneRunEpsilonLowerBound({ canaries, guesses: audit.guesses, correct: audit.guesses, delta, confidence });
  return {
    epsilonLowerBound: audit.epsilon,
    reportedEpsilon,
    exceedsReported: reportedEpsilon !== undefined && audit.epsilon > reportedEpsilon,
    delta,
    confidence,
    maxCertifiableEpsilon,
    canRefute: reportedEpsilon === undefined ? undefined : maxCertifiableEpsilon > reportedEpsilon,
    canaries,
    guesses: audit.guesses,
    correct: audit.correct,
    positiveGuesses: audit.positiveGuesses,
    negativeGuesses: audit.negativeGuesses,
    scores,
    included,
  };
}

import { betweenSteps, checkSignal } from '../../core/eventLoop.js';
import { resolveRng, shuffledIndices, statisticalRng, type Rng } from '../../core/rng.js';
import { buffer, dispose, type Tensor, type Tensor2D } from '../../core/tf.js';
import { invalid, numberInRange, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import { isTensor } from '../../core/labels.js';
import { summarizeOneRun, type OneRunAuditSummary } from './summary.js';

/**
 * The private aggregation under audit: per-example gradients `[b, d]` in, one privatised aggregate
 * of `d` values out (a sum or a mean: only the direction of each coordinate's total matters). For
 * DP-SGD this is clipping, summing and noising, e.g. `clipAndNoise` of the privacy module. The
 * audit reads and disposes the returned tensor.
 */
export type GradientPrivatizer = (perExample: Tensor2D, step: number) => Promise<Tensor | readonly Tensor[]> | Tensor | readonly Tensor[];

/** Options of {@link auditPrivatizer}. */
export interface AuditPrivatizerOptions {
  /** Number of gradient canaries m, an integer >= 1; each is included with probability 1/2. */
  readonly canaries: number;
  /** Number of steps T the private training would take, an integer >= 1. */
  readonly steps: number;
  /** Poisson sample rate q of each step, in (0, 1]: an included canary joins each step with probability q. */
  readonly sampleRate: number;
  /**
   * Norm of each canary's gradient (default 1). Set it well above the clipping bound to test the
   * clipping: a privatizer that clips gives every canary the same influence whatever this is.
   */
  readonly canaryNorm?: number;
  /** Gradient dimension d >= m (default m); each canary is a Dirac vector on its own coordinate. */
  readonly dimension?: number;
  /** The epsilon the private training reports for these steps, sample rate and noise. */
  readonly epsilon?: number;
  /** The delta of the audit, in [0, 1) (default 0). */
  readonly delta?: number;
  /** Confidence of the lower bound, in (0, 1) (default 0.95). */
  readonly confidence?: number;
  /** k+ guesses "included" (default `ceil(m / 10)`); a list is searched with a Bonferroni correction. */
  readonly positiveGuesses?: number | readonly number[];
  /** k− guesses "excluded" (default `ceil(m / 10)`). */
  readonly negativeGuesses?: number | readonly number[];
  /** Inclusion, coordinates and Poisson sampling (default `Math.random`; seed it to reproduce an audit). */
  readonly rng?: Rng;
  /** Stops the audit between two steps (rejecting with `AbortedError`). */
  readonly signal?: AbortSignal;
}

/** Result of {@link auditPrivatizer}: the {@link OneRunAuditSummary}; a canary's score is the sum over steps of the privatised aggregate on its coordinate. */
export type PrivatizerAuditResult = OneRunAuditSummary;

/**
 * A white-box, gradient-space one-run audit of a DP-SGD aggregation (Steinke, Nasr and Jagielski
 * 2023, Section 6 "white-box"): the m canaries are Dirac gradients (each `canaryNorm` times a basis
 * vector on its own coordinate); each is included with probability 1/2; at each of `steps` steps
 * every included canary joins the batch with probability `sampleRate`, the batch's per-example
 * gradients (the sampled canaries and one zero row standing for the rest of the data) go through
 * `privatize`, and the auditor, who sees every step's output, scores each canary by the sum of the
 * outputs on its coordinate. The number of correct guesses becomes a lower bound on epsilon. It
 * tests the aggregation and the accounting of the whole run (clipping, noise scale, number of steps,
 * sample rate) without training a model, so it is fast, and it is the audit to use after changing
 * a privatizer: a missing clip or a too-small noise shows up at once.
 *
 * @param privatize - The aggregation under audit; see {@link GradientPrivatizer}.
 * @param options - {@link AuditPrivatizerOptions}.
 * @returns The bound next to the reported epsilon, the counts and the canary scores.
 * @example
 * ```ts
 * import { auditPrivatizer } from 'responsible-tfjs/audit';
 * import { clipAndNoise, getNoiseMultiplier } from 'responsible-tfjs/privacy';
 * const [sampleRate, steps] = [0.01, 1000];
 * const noiseMultiplier = getNoiseMultiplier({ targetEpsilon: 4, delta: 1e-5, sampleRate, steps });
 * const audit = await auditPrivatizer(
 *   async (g) => (await clipAndNoise([g], { maxGradNorm: 1, noiseMultiplier })).gradients,
 *   { canaries: 1000, steps, sampleRate, canaryNorm: 10, epsilon: 4, delta: 1e-5 },
 * );
 * console.log(audit.epsilonLowerBound, '<=', audit.reportedEpsilon);
 * ```
 */
export async function auditPrivatizer(privatize: GradientPrivatizer, options: AuditPrivatizerOptions): Promise<PrivatizerAuditResult> {
  const fn = 'auditPrivatizer';
  if (typeof privatize !== 'function') invalid(fn, 'privatize', privatize, 'a function (perExample: Tensor2D [b, d], step) => Tensor [d]');
  const o = optionsObject(fn, 'options', options);
  const m = positiveInteger(fn, 'options.canaries', o.canaries);
  const steps = positiveInteger(fn, 'options.steps', o.steps);
  const sampleRate = numberInRange(fn, 'options.sampleRate', o.sampleRate, { min: 0, max: 1, minInclusive: false });
  const canaryNorm = positiveNumber(fn, 'options.canaryNorm', o.canaryNorm ?? 1);
  if (!Number.isFinite(canaryNorm) || canaryNorm > 3e38) invalid(fn, 'options.canaryNorm', canaryNorm, 'a finite positive number representable in float32');
  const d = positiveInteger(fn, 'options.dimension', o.dimension ?? m);
  if (d < m) invalid(fn, 'options.dimension', d, `an integer >= options.canaries (${m}): each canary needs its own coordinate`);
  if (o.epsilon !== undefined) numberInRange(fn, 'options.epsilon', o.epsilon, { min: 0, max: Number.POSITIVE_INFINITY });
  const delta = numberInRange(fn, 'options.delta', o.delta ?? 0, { min: 0, max: 1, maxInclusive: false });
  const confidence = numberInRange(fn, 'options.confidence', o.confidence ?? 0.95, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  const rng = resolveRng(fn, o.rng, statisticalRng);
  const signal = checkSignal(fn, 'options.signal', o.signal);
  const k = Math.ceil(m / 10);

  const included = new Uint8Array(m);
  for (let i = 0; i < m; i++) included[i] = rng.next() < 0.5 ? 1 : 0;
  const coordinate = shuffledIndices(d, rng).slice(0, m);
  const members = [...included.keys()].filter((i) => included[i] === 1);
  const scores = new Float64Array(m);
  for (let t = 0; t < steps; t++) {
    const sampled = members.filter(() => rng.next() < sampleRate);
    // One zero row stands for the rest of the data set: it keeps every batch non-empty and adds nothing.
    const rows = buffer([sampled.length + 1, d], 'float32');
    sampled.forEach((c, r) => rows.set(canaryNorm, r, coordinate[c] as number));
    const perExample = rows.toTensor() as Tensor2D;
    let out: Tensor | readonly Tensor[];
    try {
      out = await privatize(perExample, t);
    } finally {
      perExample.dispose();
    }
    const aggregate = Array.isArray(out) ? (out as readonly Tensor[])[0] : (out as Tensor);
    if (!isTensor(aggregate) || aggregate.size !== d) {
      dispose(out as Tensor | Tensor[]);
      invalid(fn, 'privatize', aggregate, `a privatizer returning a tensor of ${d} values (or a list whose first tensor has them)`);
    }
    const values = await aggregate.data();
    dispose(out as Tensor | Tensor[]);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      invalid(fn, 'privatize', `step ${t}: value ${values[bad]} at coordinate ${bad}`, 'a privatizer returning finite values (an overflowing sum is a bug the audit cannot score)');
    }
    for (let i = 0; i < m; i++) scores[i] = (scores[i] as number) + (values[coordinate[i] as number] as number);
    await betweenSteps(fn, signal);
  }
  return summarizeOneRun(scores, included, {
    positiveGuesses: o.positiveGuesses ?? k, negativeGuesses: o.negativeGuesses ?? k, delta, confidence, reportedEpsilon: o.epsilon,
  });
}

/**
 * The options of a federated training run, shared by the simulator and the coordinator, and their
 * validation. One resolved plan drives both, so that a simulated run and a networked one with the
 * same seed compute the same model.
 */
import { serverOptimizer as buildServerOptimizer, type ServerOptimizerOptions } from '../algorithms/serverOptimizer.js';
import { adaptiveNoiseMultipliers } from '../dp/adaptiveNoiseMultipliers.js';
import { booleanValue, finiteNumber, invalid, nonNegativeNumber, numberInRange, oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';

/** How clients are chosen each round. */
export type ClientSamplingOptions =
  | { readonly method: 'uniform'; readonly clientsPerRound: number }
  | { readonly method: 'poisson'; readonly sampleRate: number };

/** Adaptive clipping by quantile estimation (Andrew et al. 2021, as in TFF). */
export interface AdaptiveClippingOptions {
  /** Starting clip norm (TFF's default 0.1). */
  readonly initialClipNorm: number;
  /** The fraction of client updates that should end up unclipped (default 0.5). */
  readonly targetQuantile?: number;
  /** Step size of the geometric update (default 0.2). */
  readonly learningRate?: number;
  /** Standard deviation of the noise on the count of unclipped clients (default 0.05 × expected clients per round). */
  readonly clippedCountStddev?: number;
}

/** User-level differential privacy (DP-FedAvg, McMahan et al. 2018). */
export interface FederatedPrivacyOptions {
  /**
   * Noise standard deviation over the clip norm, for the whole round's sum. With adaptive clipping
   * this is the total: part of it pays for the clipped-count estimate.
   */
  readonly noiseMultiplier: number;
  /** A fixed clip norm on each client's update (L2), or adaptive clipping. */
  readonly clipping: { readonly clipNorm: number } | { readonly adaptive: AdaptiveClippingOptions };
  /**
   * `'central'`: the server adds all the noise to the sum. `'distributed'`: each client adds its share
   * so that the sum of `minSurvivingClients` shares has the full noise, and no single party adds it all.
   */
  readonly noise?: 'central' | 'distributed';
  /**
   * With distributed noise: m, the number of shares that make the full noise. A client is hidden by
   * the *other* contributors' shares, so a round delivers the planned noise when at least m + 1
   * clients contribute; default: the expected number of clients per round minus one.
   */
  readonly minSurvivingClients?: number;
  /** The delta at which user-level epsilon is reported (e.g. 1e-5, below 1/number of users). */
  readonly delta: number;
  /** Accountant (default `'rdp'`). */
  readonly accountant?: 'rdp' | 'pld';
}

/** Secure aggregation of client contributions (Bonawitz et al. 2017). */
export interface SecureAggregationOptions {
  /** Shamir threshold as a fraction of the round's selected clients (default 2/3, at least 2 clients). */
  readonly thresholdFraction?: number;
  /** SecAgg+ (Bell et al. 2020): each client masks with this many neighbours instead of all. */
  readonly neighbours?: number;
  /**
   * Bound on every coordinate a client contributes, needed to choose a fixed-point scale that cannot
   * overflow. Required without privacy; with privacy it defaults to the clip norm plus 8 noise shares'
   * standard deviations.
   */
  readonly maxAbsValue?: number;
}

/** Client update compression (without secure aggregation: any; with it: shared random-k only). */
export type UpdateCompressionOptions =
  | { readonly method: 'int8' }
  | { readonly method: 'topK'; readonly fraction: number; readonly errorFeedback?: boolean }
  | { readonly method: 'randomK'; readonly fraction: number; readonly errorFeedback?: boolean };

/** Everything a federated run is configured by. */
export interface FederatedOptions {
  /** Number of rounds. */
  readonly rounds: number;
  /** Client sampling per round. */
  readonly sampling: ClientSamplingOptions;
  /** Local epochs per round (default 1). */
  readonly localEpochs?: number;
  /** Local minibatch size (default 32). */
  readonly batchSize?: number;
  /** Local SGD learning rate. */
  readonly clientLearningRate: number;
  /** FedProx's proximal coefficient mu (Li et al. 2020); 0 or absent is FedAvg. */
  readonly proximalMu?: number;
  /** Server optimizer (default `{ kind: 'fedAvg' }`, plain averaging). */
  readonly serverOptimizer?: ServerOptimizerOptions;
  /** User-level DP, or absent. */
  readonly privacy?: FederatedPrivacyOptions;
  /** Secure aggregation, or absent. */
  readonly secureAggregation?: SecureAggregationOptions;
  /** Update compression, or absent. */
  readonly compression?: UpdateCompressionOptions;
  /**
   * Federated evaluation: after each round, the round's selected clients evaluate the new global
   * weights on their own data, and the example-weighted mean is reported (default false). The
   * metrics travel in the clear: user-level DP and secure aggregation do not cover them.
   */
  readonly evaluateClients?: boolean;
  /**
   * Seed of every random choice (sampling, shuffling, noise, masks) **for tests and reproducible
   * runs only**. Without it, sampling and noise come from `crypto.getRandomValues`.
   */
  readonly seed?: string | number;
}

/** {@link FederatedOptions} validated, with defaults filled in. */
export interface ResolvedFederatedOptions {
  readonly rounds: number;
  readonly sampling: ClientSamplingOptions;
  readonly localEpochs: number;
  readonly batchSize: number;
  readonly clientLearningRate: number;
  readonly proximalMu: number;
  readonly serverOptimizer: ServerOptimizerOptions;
  readonly privacy?: {
    readonly noiseMultiplier: number;
    readonly clipping: { readonly clipNorm: number } | { readonly adaptive: Required<AdaptiveClippingOptions> };
    readonly noise: 'central' | 'distributed';
    readonly minSurvivingClients: number;
    readonly delta: number;
    readonly accountant: 'rdp' | 'pld';
  };
  readonly secureAggregation?: { readonly thresholdFraction: number; readonly neighbours?: number; readonly maxAbsValue?: number };
  readonly compression?: UpdateCompressionOptions;
  readonly evaluateClients: boolean;
  readonly seed?: string | number;
}

/** The expected number of clients per round (the fixed denominator of DP-FedAvg's mean). */
export function expectedClientsPerRound(sampling: ClientSamplingOptions, numClients: number): number {
  return sampling.method === 'uniform' ? sampling.clientsPerRound : sampling.sampleRate * numClients;
}

/**
 * Validates federated options against a population of `numClients` and fills in defaults.
 * @throws InvalidArgumentError naming the offending option.
 */
export function resolveFederatedOptions(fn: string, options: FederatedOptions, numClients: number): ResolvedFederatedOptions {
  const o = optionsObject(fn, 'options', options);
  const rounds = positiveInteger(fn, 'options.rounds', o.rounds);
  const s = optionsObject(fn, 'options.sampling', o.sampling);
  const method = oneOf(fn, 'options.sampling.method', s.method, ['uniform', 'poisson'] as const);
  let sampling: ClientSamplingOptions;
  if (method === 'uniform') {
    const k = positiveInteger(fn, 'options.sampling.clientsPerRound', (s as { clientsPerRound?: unknown }).clientsPerRound);
    if (k > numClients) invalid(fn, 'options.sampling.clientsPerRound', k, `an integer in [1, ${numClients}] (the number of clients)`);
    sampling = { method, clientsPerRound: k };
  } else {
    const q = numberInRange(fn, 'options.sampling.sampleRate', (s as { sampleRate?: unknown }).sampleRate, { min: 0, max: 1, minInclusive: false });
    sampling = { method, sampleRate: q };
  }
  const localEpochs = positiveInteger(fn, 'options.localEpochs', o.localEpochs ?? 1);
  const batchSize = positiveInteger(fn, 'options.batchSize', o.batchSize ?? 32);
  const clientLearningRate = positiveNumber(fn, 'options.clientLearningRate', o.clientLearningRate);
  const proximalMu = nonNegativeNumber(fn, 'options.proximalMu', o.proximalMu ?? 0);
  const serverOptimizer: ServerOptimizerOptions = o.serverOptimizer ?? { kind: 'fedAvg' };
  // Built once here so that a bad setting is refused before any round runs.
  buildServerOptimizer(serverOptimizer);
  const expected = expectedClientsPerRound(sampling, numClients);
  let privacy: ResolvedFederatedOptions['privacy'];
  if (o.privacy !== undefined) {
    const p = optionsObject(fn, 'options.privacy', o.privacy);
    const noiseMultiplier = nonNegativeNumber(fn, 'options.privacy.noiseMultiplier', p.noiseMultiplier);
    const c = optionsObject(fn, 'options.privacy.clipping', p.clipping);
    let clipping: NonNullable<ResolvedFederatedOptions['privacy']>['clipping'];
    if ('clipNorm' in c) clipping = { clipNorm: positiveNumber(fn, 'options.privacy.clipping.clipNorm', c.clipNorm) };
    else if ('adaptive' in c) {
      const a = optionsObject(fn, 'options.privacy.clipping.adaptive', c.adaptive);
      clipping = {
        adaptive: {
          initialClipNorm: positiveNumber(fn, 'options.privacy.clipping.adaptive.initialClipNorm', a.initialClipNorm),
          targetQuantile: numberInRange(fn, 'options.privacy.clipping.adaptive.targetQuantile', a.targetQuantile ?? 0.5, { min: 0, max: 1 }),
          learningRate: nonNegativeNumber(fn, 'options.privacy.clipping.adaptive.learningRate', a.learningRate ?? 0.2),
          clippedCountStddev: nonNegativeNumber(fn, 'options.privacy.clipping.adaptive.clippedCountStddev', a.clippedCountStddev ?? 0.05 * expected),
        },
      };
    } else invalid(fn, 'options.privacy.clipping', c, '{ clipNorm } or { adaptive: { initialClipNorm, ... } }');
    const noise = oneOf(fn, 'options.privacy.noise', p.noise ?? 'central', ['central', 'distributed'] as const);
    const minSurvivingClients = p.minSurvivingClients === undefined ? Math.max(1, Math.floor(expected) - 1) : positiveInteger(fn, 'options.privacy.minSurvivingClients', p.minSurvivingClients);
    const delta = numberInRange(fn, 'options.privacy.delta', p.delta, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
    const accountant = oneOf(fn, 'options.privacy.accountant', p.accountant ?? 'rdp', ['rdp', 'pld'] as const);
    // Refuses a count noise that leaves nothing for the updates (Andrew et al. 2021), before any round.
    if ('adaptive' in clipping) adaptiveNoiseMultipliers({ noiseMultiplier, expectedClientsPerRound: expected, clippedCountStddev: clipping.adaptive.clippedCountStddev });
    if (accountant === 'pld' && sampling.method === 'uniform') {
      invalid(fn, 'options.privacy.accountant', accountant, "'rdp' with uniform sampling", 'The PLD accountant has no distribution for sampling without replacement; sample clients with Poisson sampling to use it');
    }
    privacy = { noiseMultiplier, clipping, noise, minSurvivingClients, delta, accountant };
  }
  let secureAggregation: ResolvedFederatedOptions['secureAggregation'];
  if (o.secureAggregation !== undefined) {
    const a = optionsObject(fn, 'options.secureAggregation', o.secureAggregation);
    const thresholdFraction = numberInRange(fn, 'options.secureAggregation.thresholdFraction', a.thresholdFraction ?? 2 / 3, { min: 0, max: 1, minInclusive: false });
    const neighbours = a.neighbours === undefined ? undefined : positiveInteger(fn, 'options.secureAggregation.neighbours', a.neighbours);
    if (neighbours !== undefined && neighbours % 2 !== 0) invalid(fn, 'options.secureAggregation.neighbours', neighbours, 'an even integer >= 2 (the degree of a Harary graph, Bell et al. 2020)');
    const maxAbsValue = a.maxAbsValue === undefined ? undefined : positiveNumber(fn, 'options.secureAggregation.maxAbsValue', a.maxAbsValue);
    if (privacy === undefined && maxAbsValue === undefined) {
      invalid(fn, 'options.secureAggregation.maxAbsValue', undefined, 'a positive bound on every contributed coordinate when options.privacy is absent', 'Without clipping nothing bounds an update, and the fixed-point ring needs a bound to rule out overflow');
    }
    secureAggregation = { thresholdFraction, ...(neighbours !== undefined ? { neighbours } : {}), ...(maxAbsValue !== undefined ? { maxAbsValue } : {}) };
  }
  if (privacy?.noise === 'distributed' && secureAggregation === undefined) {
    invalid(fn, 'options.privacy.noise', 'distributed', "'central', or 'distributed' with options.secureAggregation",
      "Each client's share is a fraction of the noise: without secure aggregation the server would see every update with too little noise");
  }
  let compression: UpdateCompressionOptions | undefined;
  if (o.compression !== undefined) {
    const c = optionsObject(fn, 'options.compression', o.compression);
    const m = oneOf(fn, 'options.compression.method', c.method, ['int8', 'topK', 'randomK'] as const);
    if (m === 'int8') compression = { method: m };
    else {
      const cc = c as { fraction?: unknown; errorFeedback?: unknown };
      const fraction = numberInRange(fn, 'options.compression.fraction', cc.fraction, { min: 0, max: 1, minInclusive: false });
      const errorFeedback = cc.errorFeedback === undefined ? true : cc.errorFeedback === true;
      compression = { method: m, fraction, errorFeedback };
    }
    if (privacy !== undefined && m === 'int8') {
      invalid(fn, 'options.compression.method', m, "'topK' or 'randomK' with privacy", 'Rounding to int8 can raise the norm of a clipped update above the clip norm, the bound the noise is calibrated to');
    }
    if (secureAggregation !== undefined && m !== 'randomK') {
      invalid(fn, 'options.compression.method', m, "'randomK' with secure aggregation", 'Masked sums need every client to send the same coordinates: only random-k with a shared seed keeps that');
    }
  }
  if (o.seed !== undefined && typeof o.seed !== 'string' && (typeof o.seed !== 'number' || !Number.isFinite(o.seed))) {
    invalid(fn, 'options.seed', o.seed, 'a string or a finite number');
  }
  finiteNumber(fn, 'numClients', numClients);
  const evaluateClients = booleanValue(fn, 'options.evaluateClients', o.evaluateClients ?? false);
  return {
    rounds, sampling, localEpochs, batchSize, clientLearningRate, proximalMu, serverOptimizer,
    ...(privacy !== undefined ? { privacy } : {}),
    ...(secureAggregation !== undefined ? { secureAggregation } : {}),
    ...(compression !== undefined ? { compression } : {}),
    evaluateClients,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  };
}

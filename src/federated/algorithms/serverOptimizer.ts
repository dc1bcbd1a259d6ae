/**
 * Server optimizers: how the server turns the clients' mean update into new global weights
 * (Reddi et al. 2021, "Adaptive Federated Optimization", https://arxiv.org/abs/2003.00295).
 */
import { booleanValue, invalid, nonNegativeNumber, numberInRange, oneOf, optionsObject, positiveInteger, positiveNumber } from '../../core/validate.js';
import type { ServerOptimizerKind, ServerOptimizerState } from './serverOptimizerState.js';

/** Options of {@link serverOptimizer}. */
export interface ServerOptimizerOptions {
  /**
   * `'fedAvg'`: `x + learningRate * meanDelta` (FedAvg with server learning rate; 1 is McMahan et
   * al.'s plain average). `'fedAdam'`, `'fedYogi'`, `'fedAdagrad'`: Reddi et al.'s Algorithm 2, the
   * mean delta taken as a pseudo-gradient (with the sign of a descent step already in it).
   */
  readonly kind: ServerOptimizerKind;
  /** Server learning rate `eta` (> 0). Default 1 for `'fedAvg'`; required for the adaptive kinds (Flower uses 0.1, 0.01 for Yogi). */
  readonly learningRate?: number;
  /** First-moment decay `beta1` in [0, 1). Default 0.9 (Adam, Yogi), 0 (Adagrad, as Flower's FedAdagrad). */
  readonly beta1?: number;
  /** Second-moment decay `beta2` in [0, 1) for Adam and Yogi. Default 0.99 (Reddi et al., Flower). */
  readonly beta2?: number;
  /** Adaptivity `tau` (> 0) added to `sqrt(v)`. Default 1e-3 (Flower); Reddi et al. tune it over 1e-5..1e-1. */
  readonly tau?: number;
  /**
   * Initial second moment `v` (>= 0). Default 0 (Flower). Reddi et al.'s Algorithm 2 starts from
   * `v >= tau^2`; pass `tau ** 2` for that.
   */
  readonly initialAccumulator?: number;
  /**
   * `'fedAdam'` only: scale the step by Adam's bias correction `sqrt(1 - beta2^t) / (1 - beta1^t)`
   * at round `t` (1-based), as TFF's server Adam (`tff.learning.optimizers.build_adam`) does.
   * Default false: Reddi et al.'s Algorithm 2 has no bias correction. Flower's FedAdam corrects
   * with `t + 1` (its round counter starts at 1 and it adds 1); a state whose `round` starts at 1
   * reproduces it.
   */
  readonly biasCorrection?: boolean;
}

/** A server optimizer: pure functions from a state and a round's mean delta to new weights and state. */
export interface ServerOptimizer {
  /** The resolved settings (defaults filled in). */
  readonly options: Required<ServerOptimizerOptions>;
  /** The state before the first round, for `size` weights (zero moments, round 0). */
  init(size: number): ServerOptimizerState;
  /**
   * One server step. Pure: `state`, `weights` and `meanDelta` are not modified.
   * @returns New global weights and the next state (its `round` one higher).
   */
  apply(state: ServerOptimizerState, weights: Float32Array, meanDelta: Float32Array): { weights: Float32Array; state: ServerOptimizerState };
}

const KINDS = ['fedAvg', 'fedAdam', 'fedYogi', 'fedAdagrad'] as const;

/**
 * Builds a server optimizer. The adaptive kinds follow Algorithm 2 of Reddi et al. 2021 with the
 * mean client delta `d` (local minus global, so it already points downhill):
 * `m = beta1 m + (1 - beta1) d`; `v = v + d^2` (Adagrad), `v = beta2 v + (1 - beta2) d^2` (Adam),
 * `v = v - (1 - beta2) d^2 sign(v - d^2)` (Yogi); `x = x + eta m / (sqrt(v) + tau)`.
 * Arithmetic is float64 per element; weights and moments are stored as float32.
 *
 * Defaults follow the paper where references differ, because it is the algorithm users cite:
 * no bias correction for FedAdam (Flower corrects with an exponent one round ahead, TFF with the
 * standard one: `biasCorrection: true` gives TFF's, and Flower's from a state starting at round 1),
 * and `v` starting at `initialAccumulator` (0, as Flower; the paper's `tau^2` is one option away).
 * Flower's `beta1 = 0` for FedAdagrad is kept as its default (classic Adagrad has no momentum).
 *
 * @param options - See {@link ServerOptimizerOptions}.
 * @returns A {@link ServerOptimizer}; its state serialises with {@link serverOptimizerStateToJson}.
 * @throws {@link InvalidArgumentError} for an unknown kind or a setting outside its range
 *   (nothing is clamped), and from `apply` for arrays of the wrong length, non-finite values or a
 *   state of another kind.
 * @example
 * ```ts
 * import { federatedAverage, serverOptimizer } from 'responsible-tfjs/federated';
 * const opt = serverOptimizer({ kind: 'fedAdam', learningRate: 0.1 });
 * let state = opt.init(globalWeights.length);
 * for (let round = 0; round < 10; round++) {
 *   const updates = await runClients(globalWeights); // ClientUpdate[] from trainClient
 *   const meanDelta = federatedAverage(updates.map((u) => ({ delta: u.delta, weight: u.numExamples })));
 *   ({ weights: globalWeights, state } = opt.apply(state, globalWeights, meanDelta));
 * }
 * ```
 */
export function serverOptimizer(options: ServerOptimizerOptions): ServerOptimizer {
  const fn = 'serverOptimizer';
  const opts = optionsObject(fn, 'options', options);
  if (options === undefined) invalid(fn, 'options', options, "an options object with a 'kind'");
  const kind = oneOf(fn, 'options.kind', opts.kind, KINDS);
  if (kind !== 'fedAvg' && opts.learningRate === undefined) {
    invalid(fn, 'options.learningRate', undefined, `a finite number > 0 (required for '${kind}')`);
  }
  const learningRate = positiveNumber(fn, 'options.learningRate', opts.learningRate ?? 1);
  const unit = { min: 0, max: 1, maxInclusive: false };
  const beta1 = numberInRange(fn, 'options.beta1', opts.beta1 ?? (kind === 'fedAdagrad' ? 0 : 0.9), unit);
  const beta2 = numberInRange(fn, 'options.beta2', opts.beta2 ?? 0.99, unit);
  const tau = positiveNumber(fn, 'options.tau', opts.tau ?? 1e-3);
  const initialAccumulator = nonNegativeNumber(fn, 'options.initialAccumulator', opts.initialAccumulator ?? 0);
  const biasCorrection = booleanValue(fn, 'options.biasCorrection', opts.biasCorrection ?? false);
  if (biasCorrection && kind !== 'fedAdam') invalid(fn, 'options.biasCorrection', true, "false unless kind is 'fedAdam'");
  const resolved = { kind, learningRate, beta1, beta2, tau, initialAccumulator, biasCorrection };
  if (kind === 'fedAdagrad' && opts.beta2 !== undefined) invalid(fn, 'options.beta2', opts.beta2, "undefined for kind 'fedAdagrad' (it sums squares without decay)");
  if (kind === 'fedAvg') {
    for (const key of ['beta1', 'beta2', 'tau', 'initialAccumulator'] as const) {
      if (opts[key] !== undefined) invalid(fn, `options.${key}`, opts[key], "undefined for kind 'fedAvg' (it keeps no moments)");
    }
  }

  const init = (size: number): ServerOptimizerState => {
    positiveInteger('serverOptimizer.init', 'size', size);
    if (kind === 'fedAvg') return { kind, round: 0, size };
    return { kind, round: 0, size, m: new Float32Array(size), v: new Float32Array(size).fill(initialAccumulator) };
  };

  const apply: ServerOptimizer['apply'] = (state, weights, meanDelta) => {
    const afn = 'serverOptimizer.apply';
    checkState(afn, state, kind);
    checkVector(afn, 'weights', weights, state.size);
    checkVector(afn, 'meanDelta', meanDelta, state.size);
    const round = state.round + 1;
    const out = new Float32Array(state.size);
    if (kind === 'fedAvg') {
      for (let i = 0; i < out.length; i++) out[i] = (weights[i] as number) + learningRate * (meanDelta[i] as number);
      return { weights: out, state: { kind, round, size: state.size } };
    }
    const m = new Float32Array(state.size);
    const v = new Float32Array(state.size);
    const eta = biasCorrection ? (learningRate * Math.sqrt(1 - beta2 ** round)) / (1 - beta1 ** round) : learningRate;
    for (let i = 0; i < out.length; i++) {
      const d = meanDelta[i] as number;
      const d2 = d * d;
      const mi = beta1 * (state.m![i] as number) + (1 - beta1) * d;
      const vPrev = state.v![i] as number;
      const vi = kind === 'fedAdagrad' ? vPrev + d2 : kind === 'fedAdam' ? beta2 * vPrev + (1 - beta2) * d2 : vPrev - (1 - beta2) * d2 * Math.sign(vPrev - d2);
      m[i] = mi;
      v[i] = vi;
      // The step uses the stored (float32) moments, so a restored checkpoint continues identically.
      out[i] = (weights[i] as number) + (eta * (m[i] as number)) / (Math.sqrt(v[i] as number) + tau);
    }
    checkFiniteResult(afn, out, v);
    return { weights: out, state: { kind, round, size: state.size, m, v } };
  };

  return { options: resolved, init, apply };
}

function checkState(fn: string, state: ServerOptimizerState, kind: ServerOptimizerKind): void {
  if (typeof state !== 'object' || state === null) invalid(fn, 'state', state, 'a ServerOptimizerState (from init or serverOptimizerStateFromJson)');
  if (state.kind !== kind) invalid(fn, 'state.kind', state.kind, `'${kind}' (the state of this optimizer's kind)`);
  if (!Number.isSafeInteger(state.round) || state.round < 0) invalid(fn, 'state.round', state.round, 'an integer >= 0');
  if (!Number.isSafeInteger(state.size) || state.size < 1) invalid(fn, 'state.size', state.size, 'an integer >= 1');
  if (kind !== 'fedAvg') {
    checkVector(fn, 'state.m', state.m, state.size);
    checkVector(fn, 'state.v', state.v, state.size);
  }
}

function checkVector(fn: string, argument: string, values: unknown, size: number): void {
  if (!(values instanceof Float32Array)) invalid(fn, argument, values, `a Float32Array of length ${size}`);
  if (values.length !== size) invalid(fn, argument, `length ${values.length}`, `a Float32Array of length ${size} (the state's size)`);
  for (let i = 0; i < size; i++) if (!Number.isFinite(values[i])) invalid(fn, `${argument}[${i}]`, values[i], 'a finite number');
}

function checkFiniteResult(fn: string, out: Float32Array, v: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]) || !Number.isFinite(v[i])) {
      invalid(fn, `meanDelta[${i}]`, 'a value whose step overflows float32', 'a delta small enough that the new weights and moments stay finite');
    }
  }
}

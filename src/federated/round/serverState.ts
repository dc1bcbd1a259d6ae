/**
 * The coordinator's state between rounds: global weights, the server optimizer's moments, the
 * clip norm (adaptive clipping's estimate) and the privacy ledger. Plain data, with an exact JSON
 * form for checkpoints (weights and moments as base64 of their float32 bytes).
 */
import { invalid } from '../../core/validate.js';
import { base64ToFloat32, float32ToBase64 } from '../algorithms/base64.js';
import { serverOptimizer } from '../algorithms/serverOptimizer.js';
import { serverOptimizerStateFromJson, serverOptimizerStateToJson, type ServerOptimizerState } from '../algorithms/serverOptimizerState.js';
import { createQuantileClipState, type QuantileClipState } from '../dp/quantileClipState.js';
import { expectedClientsPerRound, type ResolvedFederatedOptions } from './options.js';
import { splitNoise } from './roundPlan.js';

/** What one finished round recorded. */
export interface RoundRecord {
  /** Round index, from 0. */
  readonly round: number;
  /** Clients selected by sampling. */
  readonly selected: readonly number[];
  /** Clients whose contribution is in the aggregate (selected minus dropouts). */
  readonly contributors: readonly number[];
  /** The clip norm used this round (privacy only). */
  readonly clipNorm?: number;
  /** Adaptive clipping's noised unclipped fraction this round. */
  readonly unclippedFraction?: number;
  /** The noise multiplier this round really had, accounted for (privacy only). */
  readonly noiseMultiplier?: number;
  /** True when the round released nothing, and why: secure aggregation ended below its threshold, or the aggregate overflowed float32. */
  readonly aborted?: boolean;
  readonly abortReason?: 'belowThreshold' | 'nonFinite';
  /** Mean training loss the contributors reported (example-weighted; absent under privacy, where it is not released). */
  readonly trainLoss?: number;
}

/** The server's state after `round` completed rounds. */
export interface FederatedServerState {
  /** Completed rounds. */
  readonly round: number;
  /** Global weights, flat. */
  readonly weights: Float32Array;
  /** Server optimizer state. */
  readonly optimizer: ServerOptimizerState;
  /** The clip norm for the next round (privacy only). */
  readonly clipNorm?: number;
  /** Adaptive clipping's estimator (adaptive clipping only). */
  readonly quantile?: QuantileClipState;
  /** One record per completed round. */
  readonly history: readonly RoundRecord[];
}

/** The state before round 0. */
export function initialServerState(options: ResolvedFederatedOptions, weights: Float32Array, numClients: number): FederatedServerState {
  const optimizer = serverOptimizer(options.serverOptimizer).init(weights.length);
  const p = options.privacy;
  let clipNorm: number | undefined;
  let quantile: QuantileClipState | undefined;
  if (p !== undefined) {
    if ('adaptive' in p.clipping) {
      const a = p.clipping.adaptive;
      quantile = createQuantileClipState({
        initialClipNorm: a.initialClipNorm,
        targetQuantile: a.targetQuantile,
        learningRate: a.learningRate,
        geometric: true,
        expectedClientsPerRound: expectedClientsPerRound(options.sampling, numClients),
        clippedCountStddev: splitNoise(options).countNoiseStd,
      });
      clipNorm = quantile.clipNorm;
    } else clipNorm = p.clipping.clipNorm;
  }
  return {
    round: 0,
    weights: Float32Array.from(weights),
    optimizer,
    ...(clipNorm !== undefined ? { clipNorm } : {}),
    ...(quantile !== undefined ? { quantile } : {}),
    history: [],
  };
}

/**
 * The JSON form of a {@link FederatedServerState}, exact: weights and optimizer moments as base64
 * of their float32 bytes, so that a run resumed from it continues bit for bit.
 *
 * @param state - A server state (e.g. `simulateFederated(...).state`, or a driver's `state`).
 * @returns A plain object for `JSON.stringify`.
 * @example
 * ```ts
 * import { serverStateToJson, serverStateFromJson, simulateFederated } from 'responsible-tfjs/federated';
 * const first = await simulateFederated({ ...options, rounds: 10 });
 * const saved = JSON.stringify(serverStateToJson(first.state));
 * // later, maybe in another process: 10 more rounds from where it stopped
 * const rest = await simulateFederated({ ...options, rounds: 20, initialState: serverStateFromJson(JSON.parse(saved)) });
 * ```
 */
export function serverStateToJson(state: FederatedServerState): Record<string, unknown> {
  return {
    format: 'responsible-tfjs/federated-server-state',
    version: 1,
    round: state.round,
    size: state.weights.length,
    weights: float32ToBase64(state.weights),
    optimizer: serverOptimizerStateToJson(state.optimizer),
    ...(state.clipNorm !== undefined ? { clipNorm: state.clipNorm } : {}),
    ...(state.quantile !== undefined ? { quantile: { ...state.quantile } } : {}),
    history: state.history,
  };
}

/**
 * Restores a state written by {@link serverStateToJson}.
 *
 * @param json - The parsed JSON.
 * @returns The server state.
 * @throws InvalidArgumentError for anything else (another format or version, weights that are not
 *   base64 of `size` floats, a history of the wrong length).
 * @example
 * ```ts
 * import { serverStateFromJson } from 'responsible-tfjs/federated';
 * const state = serverStateFromJson(JSON.parse(await readFile('federated-state.json', 'utf8')));
 * console.log(state.round, state.clipNorm);
 * ```
 */
export function serverStateFromJson(json: unknown): FederatedServerState {
  const fn = 'serverStateFromJson';
  const j = json as Record<string, unknown> | null;
  if (j === null || typeof j !== 'object' || j.format !== 'responsible-tfjs/federated-server-state' || j.version !== 1) {
    invalid(fn, 'json', j === null || typeof j !== 'object' ? j : `{ format: ${String(j.format)}, version: ${String(j.version)} }`, "a federated server state of format 'responsible-tfjs/federated-server-state', version 1");
  }
  const size = j.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) invalid(fn, 'json.size', size, 'an integer >= 1');
  const weights = typeof j.weights === 'string' ? base64ToFloat32(j.weights, size) : undefined;
  if (weights === undefined) invalid(fn, 'json.weights', typeof j.weights, `base64 of ${size} float32 values`);
  const round = j.round;
  if (typeof round !== 'number' || !Number.isSafeInteger(round) || round < 0) invalid(fn, 'json.round', round, 'an integer >= 0');
  if (!Array.isArray(j.history) || j.history.length !== round) invalid(fn, 'json.history', j.history, `an array of ${round} round records`);
  return {
    round,
    weights,
    optimizer: serverOptimizerStateFromJson(j.optimizer),
    ...(typeof j.clipNorm === 'number' ? { clipNorm: j.clipNorm } : {}),
    ...(j.quantile !== undefined ? { quantile: Object.freeze({ ...(j.quantile as QuantileClipState) }) } : {}),
    history: j.history as RoundRecord[],
  };
}

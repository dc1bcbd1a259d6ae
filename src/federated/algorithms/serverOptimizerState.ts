/** The state of a server optimizer, and its JSON form for checkpoints. */
import { invalid } from '../../core/validate.js';
import { base64ToFloat32, float32ToBase64 } from './base64.js';

/** The server optimizers of {@link serverOptimizer}. */
export type ServerOptimizerKind = 'fedAvg' | 'fedAdam' | 'fedYogi' | 'fedAdagrad';

/** A server optimizer's state between rounds (plain data; treat as immutable). */
export interface ServerOptimizerState {
  readonly kind: ServerOptimizerKind;
  /** Rounds applied so far (0 before the first). */
  readonly round: number;
  /** Number of weights. */
  readonly size: number;
  /** First moment (adaptive kinds only). */
  readonly m?: Float32Array;
  /** Second moment (adaptive kinds only). */
  readonly v?: Float32Array;
}

/** The JSON form of a {@link ServerOptimizerState}: moments as base64 of little-endian float32 bytes (exact). */
export interface ServerOptimizerStateJson {
  readonly format: 'responsible-tfjs/server-optimizer-state';
  readonly version: 1;
  readonly kind: ServerOptimizerKind;
  readonly round: number;
  readonly size: number;
  readonly m?: string;
  readonly v?: string;
}

const FORMAT = 'responsible-tfjs/server-optimizer-state';
const KINDS: readonly ServerOptimizerKind[] = ['fedAvg', 'fedAdam', 'fedYogi', 'fedAdagrad'];

/**
 * A JSON-compatible copy of a server optimizer's state, for checkpoints. The moments are stored
 * as the base64 of their float32 bytes, so {@link serverOptimizerStateFromJson} restores them bit
 * for bit and training resumes exactly where it stopped.
 *
 * @param state - A state from {@link serverOptimizer}'s `init` or `apply`.
 * @returns A plain object (pass it to `JSON.stringify`).
 * @example
 * ```ts
 * import { serverOptimizerStateFromJson, serverOptimizerStateToJson } from 'responsible-tfjs/federated';
 * const text = JSON.stringify(serverOptimizerStateToJson(state));
 * // ... after a restart:
 * const restored = serverOptimizerStateFromJson(JSON.parse(text));
 * ```
 */
export function serverOptimizerStateToJson(state: ServerOptimizerState): ServerOptimizerStateJson {
  const fn = 'serverOptimizerStateToJson';
  if (typeof state !== 'object' || state === null || !KINDS.includes(state.kind)) invalid(fn, 'state', state, 'a ServerOptimizerState');
  const base = { format: FORMAT, version: 1, kind: state.kind, round: state.round, size: state.size } as const;
  if (state.kind === 'fedAvg') return base;
  if (!(state.m instanceof Float32Array) || !(state.v instanceof Float32Array)) invalid(fn, 'state', state, `a ${state.kind} state with moments m and v`);
  return { ...base, m: float32ToBase64(state.m), v: float32ToBase64(state.v) };
}

/**
 * Restores a state written by {@link serverOptimizerStateToJson}, checking every field.
 *
 * @param json - The parsed JSON object.
 * @returns A new state with its own arrays.
 * @throws {@link InvalidArgumentError} naming the first malformed field (format, version, kind,
 *   round, size, or a moment that is not base64 of `size` finite float32 values).
 * @example
 * ```ts
 * import { serverOptimizer, serverOptimizerStateFromJson } from 'responsible-tfjs/federated';
 * const opt = serverOptimizer({ kind: 'fedYogi', learningRate: 0.01 });
 * const state = serverOptimizerStateFromJson(JSON.parse(checkpointText));
 * const next = opt.apply(state, globalWeights, meanDelta);
 * ```
 */
export function serverOptimizerStateFromJson(json: unknown): ServerOptimizerState {
  const fn = 'serverOptimizerStateFromJson';
  const j = json as Partial<ServerOptimizerStateJson> | null;
  if (typeof j !== 'object' || j === null || Array.isArray(j)) invalid(fn, 'json', json, 'a parsed ServerOptimizerStateJson object');
  if (j.format !== FORMAT) invalid(fn, 'json.format', j.format, `'${FORMAT}'`);
  if (j.version !== 1) invalid(fn, 'json.version', j.version, '1');
  if (!KINDS.includes(j.kind as ServerOptimizerKind)) invalid(fn, 'json.kind', j.kind, `one of ${KINDS.join(', ')}`);
  if (!Number.isSafeInteger(j.round) || (j.round as number) < 0) invalid(fn, 'json.round', j.round, 'an integer >= 0');
  if (!Number.isSafeInteger(j.size) || (j.size as number) < 1) invalid(fn, 'json.size', j.size, 'an integer >= 1');
  const kind = j.kind as ServerOptimizerKind;
  const round = j.round as number;
  const size = j.size as number;
  if (kind === 'fedAvg') return { kind, round, size };
  const moment = (key: 'm' | 'v'): Float32Array => {
    const values = typeof j[key] === 'string' ? base64ToFloat32(j[key] as string, size) : undefined;
    if (values === undefined) invalid(fn, `json.${key}`, j[key], `base64 of ${size} little-endian float32 values`);
    for (let i = 0; i < size; i++) if (!Number.isFinite(values[i])) invalid(fn, `json.${key}`, `a non-finite value at index ${i}`, 'finite values');
    return values;
  };
  return { kind, round, size, m: moment('m'), v: moment('v') };
}

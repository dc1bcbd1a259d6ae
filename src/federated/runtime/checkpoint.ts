/**
 * The coordinator's checkpoint: how many rounds are complete, the driver's state after the last
 * complete round, and the summaries so far, stored as one JSON text through a
 * {@link CheckpointStore}.
 */
import { payloadFromJson, payloadToJson } from '../protocol/json.js';
import type { Payload } from '../protocol/payload.js';
import { FederatedRuntimeError } from './errors.js';

/**
 * Where a coordinator keeps its checkpoint (a file, a database row, ...). `load` returns
 * undefined when there is none yet.
 *
 * @example
 * ```ts
 * import type { CheckpointStore } from 'responsible-tfjs/federated';
 * import { readFile, writeFile, rename } from 'node:fs/promises';
 * const store: CheckpointStore = {
 *   load: () => readFile('ckpt.json', 'utf8').catch(() => undefined),
 *   // write then rename, so a crash mid-write leaves the previous checkpoint intact
 *   save: async (json) => { await writeFile('ckpt.json.tmp', json); await rename('ckpt.json.tmp', 'ckpt.json'); },
 * };
 * ```
 */
export interface CheckpointStore {
  /** The last saved JSON text, or undefined. */
  load(): Promise<string | undefined>;
  /** Saves JSON text, replacing the previous one. */
  save(json: string): Promise<void>;
}

/**
 * The content of a coordinator checkpoint.
 *
 * @example
 * ```ts
 * import { payloadFromJson, type CoordinatorCheckpoint } from 'responsible-tfjs/federated';
 * const ckpt = payloadFromJson(text) as CoordinatorCheckpoint;
 * console.log(`resuming after round ${ckpt.completedRounds}`);
 * ```
 */
export interface CoordinatorCheckpoint {
  /** Rounds completed (the next round to run is `completedRounds + 1`). */
  readonly completedRounds: number;
  /** `driver.checkpoint()` after round `completedRounds`. */
  readonly driverState: Payload;
  /** Summaries of rounds 1..completedRounds. */
  readonly summaries: readonly Payload[];
}

/** Serialises a checkpoint. */
export function checkpointToJson(checkpoint: CoordinatorCheckpoint): string {
  return payloadToJson(checkpoint);
}

/** Parses and checks a checkpoint against the driver's number of rounds. */
export function checkpointFromJson(fn: string, text: string, rounds: number): CoordinatorCheckpoint {
  let parsed: unknown;
  try {
    parsed = payloadFromJson(text);
  } catch (e) {
    throw new FederatedRuntimeError(fn, 'checkpoint', `the stored checkpoint is unreadable: ${(e as Error).message}`, e);
  }
  const c = parsed as Partial<CoordinatorCheckpoint> | null;
  const completed = c?.completedRounds;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof completed !== 'number' ||
    !Number.isSafeInteger(completed) ||
    completed < 0 ||
    completed > rounds ||
    !Array.isArray(c.summaries) ||
    c.summaries.length !== completed ||
    !('driverState' in c)
  ) {
    throw new FederatedRuntimeError(
      fn,
      'checkpoint',
      `the stored checkpoint must hold completedRounds (an integer in [0, ${rounds}]), driverState and one summary per completed round`,
    );
  }
  return c as CoordinatorCheckpoint;
}

/**
 * A toy two-phase round driver for transport tests. Phase `announce`: each client says who it
 * is. Phase `sum`: each announced client returns `round * n` (n = the digits of its id) as a
 * Float32Array; the server sums them. The server state is the running total over rounds.
 * Exposes the loopback harness's factory names: createServerDriver / createClientDriver.
 */
import type { ClientRoundDriver, Payload, ServerRoundDriver } from '../../../src/federated/runtime/driver.js';

export interface ToyServerOptions {
  readonly rounds: number;
  /** minResponses of every phase. Default 1. */
  readonly minResponses?: number;
  /** Per-phase timeout in ms (default: the coordinator's). */
  readonly timeoutMs?: number;
}

export interface ToyRoundSummary {
  readonly round: number;
  readonly sum: number;
  readonly contributors: readonly string[];
  readonly total: number;
}

/** The number a client id stands for: its digits ('c12' -> 12). */
export const toyIdNumber = (clientId: string): number => Number(clientId.replace(/\D/g, ''));

/** Records what the driver saw (tests inspect it). */
export interface ToyServerDriver extends ServerRoundDriver {
  readonly seen: { round: number; phase: string; clientIds: string[] }[];
}

export function createServerDriver(options: ToyServerOptions): ToyServerDriver {
  const minResponses = options.minResponses ?? 1;
  let total = 0;
  const seen: ToyServerDriver['seen'] = [];
  let round = 0;
  const phase = (name: string, ids: readonly string[]) => ({
    phase: name,
    requests: new Map(ids.map((id) => [id, { round }] as [string, Payload])),
    minResponses,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return {
    rounds: options.rounds,
    seen,
    async beginRound(r, connected) {
      round = r;
      return phase('announce', connected);
    },
    async advance(name, responses) {
      seen.push({ round, phase: name, clientIds: [...responses.keys()] });
      if (name === 'announce') {
        for (const [id, r] of responses) if ((r as { id: string }).id !== id) throw new Error(`client ${id} announced ${(r as { id: string }).id}`);
        return phase('sum', [...responses.keys()]);
      }
      let sum = 0;
      for (const r of responses.values()) sum += (r as { value: Float32Array }).value[0] as number;
      total += sum;
      const summary: ToyRoundSummary = { round, sum, contributors: [...responses.keys()], total };
      return { done: true, summary };
    },
    checkpoint: () => ({ total, marker: new Float32Array([total]) }),
    restore(state) {
      const s = state as { total: number; marker: Float32Array };
      if (!(s.marker instanceof Float32Array) || s.marker[0] !== Math.fround(s.total)) throw new Error('bad toy checkpoint');
      total = s.total;
    },
  };
}

export interface ToyClientOptions {
  readonly clientId: string;
  /** Delay before answering the `sum` phase, in ms (lets tests act mid-phase). Default 0. */
  readonly sumDelayMs?: number;
}

export function createClientDriver(options: ToyClientOptions): ClientRoundDriver {
  const n = toyIdNumber(options.clientId);
  return {
    async handle(round, phase) {
      if (phase === 'announce') return { id: options.clientId };
      if (phase === 'sum') {
        if (options.sumDelayMs) await new Promise((r) => setTimeout(r, options.sumDelayMs));
        return { value: new Float32Array([round * n]) };
      }
      throw new Error(`unknown phase ${phase}`);
    },
  };
}

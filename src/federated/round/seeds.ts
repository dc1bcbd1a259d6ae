/**
 * Every random choice of a federated run comes from a stream derived from the run's seed and the
 * choice's place (round, purpose, client), so that a restarted coordinator, a simulator and a
 * networked run draw the same numbers for the same choice, in whatever order they happen. Without a
 * seed every stream is `crypto.getRandomValues`.
 */
import { secureRng, seededRng, type Rng } from '../../core/rng.js';

/** What a stream is for. */
export type StreamPurpose = 'sampling' | 'shuffle' | 'clientNoise' | 'serverNoise' | 'countNoise' | 'randomK' | 'secagg';

/** The stream for one purpose in one round (and one client, for client-side streams). */
export function roundRng(seed: string | number | undefined, round: number, purpose: StreamPurpose, client?: number): Rng {
  if (seed === undefined) return secureRng();
  return seededRng(`${String(seed)}|${purpose}|round ${round}${client !== undefined ? `|client ${client}` : ''}`);
}

/** A seed string (for a client or a shared coordinate choice) derived the same way. */
export function roundSeed(seed: string | number | undefined, round: number, purpose: StreamPurpose): string {
  const rng = roundRng(seed, round, purpose);
  let s = '';
  for (let i = 0; i < 4; i++) s += rng.nextUint32().toString(16).padStart(8, '0');
  return s;
}

/**
 * What a client sends without secure aggregation, and what the server decodes from it: its
 * contribution dense, as top-k / random-k coordinates, or int8-quantised. The simulator goes
 * through the same pair, so compression loses exactly the same in simulation as over the network.
 */
import { invalid } from '../../core/validate.js';
import { compressUpdate } from '../compression/compressUpdate.js';
import { decompressUpdate } from '../compression/decompressUpdate.js';
import { encodedUpdateBytes, type EncodedUpdate } from '../compression/encodedUpdate.js';
import type { ClientContribution } from './clientContribution.js';
import type { ResolvedFederatedOptions } from './options.js';

/** A contribution as sent in the clear to the server. */
export interface ContributionPacket {
  /** The values: dense, or encoded. */
  readonly values: Float32Array | EncodedUpdate;
  readonly weight: number;
  readonly indicator: number;
  /** Training loss and example count; only without privacy (they would be released unprotected). */
  readonly loss?: number;
  readonly numExamples?: number;
}

/**
 * Packs a contribution. With int8 it also returns the quantisation error, which the caller adds to
 * its error-feedback residual.
 */
export function packContribution(
  c: ClientContribution,
  options: ResolvedFederatedOptions,
  stats: { readonly loss: number; readonly numExamples: number; readonly size: number },
): { packet: ContributionPacket; quantisationError?: Float32Array } {
  const released = options.privacy === undefined ? { loss: stats.loss, numExamples: stats.numExamples } : {};
  const base = { weight: c.weight, indicator: c.indicator, ...released };
  if (c.indices !== undefined) {
    const method = options.compression?.method === 'topK' ? 'topK' : 'randomK';
    return { packet: { values: { method, size: stats.size, indices: c.indices, values: c.values }, ...base } };
  }
  if (options.compression?.method === 'int8') {
    const { encoded, residual } = compressUpdate(c.values, { method: 'int8' });
    return { packet: { values: encoded, ...base }, quantisationError: residual };
  }
  return { packet: { values: c.values, ...base } };
}

/** The dense contribution a packet carries (validated: wrong sizes are refused). */
export function unpackContribution(fn: string, packet: ContributionPacket, size: number): ClientContribution {
  const v = packet.values;
  const values = v instanceof Float32Array ? v : decompressUpdate(v, size);
  if (values.length !== size) invalid(fn, 'packet.values.length', values.length, `${size} (the model's weight count)`);
  return { values, weight: packet.weight, indicator: packet.indicator, norm: Number.NaN };
}

/** Bytes of the update payload of a packet (values or their encoding). */
export function packetBytes(packet: ContributionPacket): number {
  const v = packet.values;
  return v instanceof Float32Array ? v.byteLength : encodedUpdateBytes(v);
}

/**
 * Checks a secure-aggregation client applies to the server's messages (internal; Bonawitz et al.
 * 2017, Fig. 4: abort on too few or repeated keys, on lists that contradict what the client saw).
 * Each throws a `SecAggError` or returns what the client keeps.
 */
import { bytesEqual, toHex } from './bytes.js';
import { checkIdList } from './checks.js';
import { secAggFail } from './errors.js';
import type { AdvertisedKeys, KeysBroadcastMessage, UnmaskRequestMessage } from './messages.js';

/**
 * Phase 1: the relayed keys belong to the client's neighbourhood, each once, of the right length,
 * all distinct, and include the client's own keys unchanged.
 */
export function checkKeysBroadcast(
  fn: string,
  message: KeysBroadcastMessage,
  mine: { neighbourhood: ReadonlySet<number>; keyLength: number; own: AdvertisedKeys },
): Map<number, AdvertisedKeys> {
  if (!Array.isArray(message.keys)) secAggFail(fn, 'malformed', "'keys' is not an array");
  const peers = new Map<number, AdvertisedKeys>();
  const distinct = new Set<string>();
  for (const k of message.keys) {
    if (typeof k !== 'object' || k === null || !mine.neighbourhood.has(k.clientId) || peers.has(k.clientId)) {
      secAggFail(fn, 'inconsistent', `keys list an unexpected or repeated client ${String(k?.clientId)}`);
    }
    for (const key of [k.cPublicKey, k.sPublicKey]) {
      if (!(key instanceof Uint8Array) || key.length !== mine.keyLength) {
        secAggFail(fn, 'malformed', `client ${k.clientId} has a key that is not ${mine.keyLength} bytes`, k.clientId);
      }
      distinct.add(toHex(key));
    }
    peers.set(k.clientId, k);
  }
  const own = peers.get(mine.own.clientId);
  if (own === undefined || !bytesEqual(own.cPublicKey, mine.own.cPublicKey) || !bytesEqual(own.sPublicKey, mine.own.sPublicKey)) {
    secAggFail(fn, 'inconsistent', "the broadcast does not carry this client's own keys unchanged");
  }
  if (distinct.size !== 2 * peers.size) secAggFail(fn, 'inconsistent', 'two advertised public keys are equal');
  return peers;
}

/**
 * Phase 3: survivors and dropped are disjoint id lists, the client is a survivor, and every
 * neighbour listed did share keys with it (U3 within U2, as Bonawitz's clients check).
 */
export function checkUnmaskRequest(
  fn: string,
  message: UnmaskRequestMessage,
  mine: { clientId: number; neighbourhood: ReadonlySet<number>; sharedWithMe: ReadonlySet<number> },
): { survivors: Set<number>; dropped: Set<number> } {
  const survivors = checkIdList(fn, message.survivors, 'survivors');
  const dropped = checkIdList(fn, message.dropped, 'dropped');
  for (const id of dropped) if (survivors.has(id)) secAggFail(fn, 'inconsistent', `client ${id} is listed both as survivor and as dropped`, id);
  if (!survivors.has(mine.clientId)) secAggFail(fn, 'inconsistent', 'this client is not listed among the survivors');
  for (const id of [...survivors, ...dropped]) {
    if (mine.neighbourhood.has(id) && !mine.sharedWithMe.has(id)) secAggFail(fn, 'inconsistent', `client ${id} never shared keys with this client`, id);
  }
  return { survivors, dropped };
}

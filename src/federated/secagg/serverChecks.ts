/**
 * Checks the secure-aggregation server applies to each client message before accepting it
 * (internal). Each takes what the server already holds and throws a `SecAggError` or returns the
 * value to store; none changes any state.
 */
import { SEED_BYTES } from './bundle.js';
import { secAggFail } from './errors.js';
import type {
  AdvertisedKeys, AdvertiseKeysMessage, MaskedInputMessage, RevealedShare, ShareKeysMessage, UnmaskResponseMessage,
} from './messages.js';

/** Phase 0: raw public keys of one curve (32 bytes X25519 or 65 bytes P-256), once per client. */
export function checkAdvertise(fn: string, m: AdvertiseKeysMessage, keys: ReadonlyMap<number, AdvertisedKeys>): AdvertisedKeys {
  const id = m.clientId;
  if (keys.has(id)) secAggFail(fn, 'duplicate', `second advertiseKeys from client ${id}`, id);
  const length = keys.values().next().value?.cPublicKey.length;
  for (const key of [m.cPublicKey, m.sPublicKey]) {
    if (!(key instanceof Uint8Array) || (key.length !== 32 && key.length !== 65) || (length !== undefined && key.length !== length)) {
      secAggFail(fn, 'malformed', `client ${id} sent a public key that is not a raw X25519 (32 bytes) or P-256 (65 bytes) key of the round's curve`, id);
    }
  }
  return { clientId: id, cPublicKey: m.cPublicKey, sPublicKey: m.sPublicKey };
}

/** Phase 1: exactly one bundle for each expected receiver (its neighbours that advertised). */
export function checkShareKeys(
  fn: string,
  m: ShareKeysMessage,
  state: { keys: ReadonlyMap<number, unknown>; shared: ReadonlyMap<number, unknown>; expected: readonly number[] },
): Map<number, Uint8Array> {
  const id = m.clientId;
  if (!state.keys.has(id)) secAggFail(fn, 'unknownClient', `client ${id} did not advertise keys`, id);
  if (state.shared.has(id)) secAggFail(fn, 'duplicate', `second shareKeys from client ${id}`, id);
  if (!Array.isArray(m.encryptedShares)) secAggFail(fn, 'malformed', "'encryptedShares' is not an array", id);
  const bundles = new Map<number, Uint8Array>();
  for (const e of m.encryptedShares) {
    if (typeof e !== 'object' || e === null || !state.expected.includes(e.to) || bundles.has(e.to)) {
      secAggFail(fn, 'inconsistent', `client ${id} addressed a bundle to an unexpected or repeated receiver ${String(e?.to)}`, id);
    }
    if (!(e.ciphertext instanceof Uint8Array) || e.ciphertext.length < 28) {
      secAggFail(fn, 'malformed', `client ${id} sent a ciphertext that is not a Uint8Array of >= 28 bytes`, id);
    }
    bundles.set(e.to, e.ciphertext);
  }
  if (bundles.size !== state.expected.length) {
    secAggFail(fn, 'inconsistent', `client ${id} sent ${bundles.size} bundles, expected ${state.expected.length}`, id);
  }
  return bundles;
}

/** Phase 2: one Uint32Array of the round's length from a client that shared keys; stored as a copy. */
export function checkMaskedInput(
  fn: string,
  m: MaskedInputMessage,
  state: { shared: ReadonlyMap<number, unknown>; masked: ReadonlyMap<number, unknown>; vectorLength: number },
): Uint32Array {
  const id = m.clientId;
  if (!state.shared.has(id)) secAggFail(fn, 'unknownClient', `client ${id} did not share keys`, id);
  if (state.masked.has(id)) secAggFail(fn, 'duplicate', `second maskedInput from client ${id}`, id);
  if (!(m.maskedInput instanceof Uint32Array) || m.maskedInput.length !== state.vectorLength) {
    secAggFail(fn, 'malformed', `client ${id} sent a masked input that is not a Uint32Array of length ${state.vectorLength}`, id);
  }
  return m.maskedInput.slice();
}

/**
 * Phase 3: from a survivor, self-mask shares (32 bytes) only of survivors and key shares only of
 * dropped clients, only of its own neighbourhood, each owner at most once.
 */
export function checkUnmaskResponse(
  fn: string,
  m: UnmaskResponseMessage,
  state: { masked: ReadonlyMap<number, unknown>; dropped: ReadonlySet<number>; responses: ReadonlyMap<number, unknown>; near: ReadonlySet<number> },
): void {
  const id = m.clientId;
  if (!state.masked.has(id)) secAggFail(fn, 'unknownClient', `client ${id} is not a survivor`, id);
  if (state.responses.has(id)) secAggFail(fn, 'duplicate', `second unmaskResponse from client ${id}`, id);
  const check = (list: readonly RevealedShare[], name: string, allowed: (owner: number) => boolean, length?: number): void => {
    if (!Array.isArray(list)) secAggFail(fn, 'malformed', `'${name}' is not an array`, id);
    const seen = new Set<number>();
    for (const s of list) {
      if (typeof s !== 'object' || s === null || !state.near.has(s.owner) || !allowed(s.owner) || seen.has(s.owner)) {
        secAggFail(fn, 'inconsistent', `client ${id} revealed an unexpected or repeated ${name} entry for ${String(s?.owner)}`, id);
      }
      if (!(s.share instanceof Uint8Array) || s.share.length === 0 || (length !== undefined && s.share.length !== length)) {
        secAggFail(fn, 'malformed', `client ${id} revealed a ${name} entry that is not a Uint8Array${length !== undefined ? ` of ${length} bytes` : ''}`, id);
      }
      seen.add(s.owner);
    }
  };
  check(m.selfMaskShares, 'selfMaskShares', (o) => state.masked.has(o), SEED_BYTES);
  check(m.secretKeyShares, 'secretKeyShares', (o) => state.dropped.has(o));
}

/**
 * The plain message objects secure-aggregation clients and server exchange, one pair per phase of
 * Bonawitz et al. 2017, Fig. 4 (Round 0 AdvertiseKeys, Round 1 ShareKeys, Round 2 MaskedInputCollection,
 * Round 4 Unmasking; Round 3, ConsistencyCheck, is only needed against a malicious server and is
 * not implemented). Binary fields are Uint8Array / Uint32Array so a wire format can carry them as-is.
 * Client ids are integers in [0, 254]: a client's Shamir x-coordinate is its id + 1.
 */

/**
 * The four phases, in order.
 *
 * @example
 * ```ts
 * import type { SecAggPhase } from 'responsible-tfjs/federated';
 * const dropAt: SecAggPhase = 'maskedInput';
 * ```
 */
export type SecAggPhase = 'advertiseKeys' | 'shareKeys' | 'maskedInput' | 'unmask';

/**
 * Phase 0, client to server: the client's two fresh public keys (c for encryption, s for masks).
 *
 * @example
 * ```ts
 * import type { AdvertiseKeysMessage } from 'responsible-tfjs/federated';
 * const m: AdvertiseKeysMessage = await client.advertiseKeys();
 * ```
 */
export interface AdvertiseKeysMessage {
  readonly type: 'advertiseKeys';
  readonly round: number;
  readonly clientId: number;
  /** Raw public key for share encryption. */
  readonly cPublicKey: Uint8Array;
  /** Raw public key for pairwise masks. */
  readonly sPublicKey: Uint8Array;
}

/**
 * One client's advertised keys, as relayed by the server.
 *
 * @example
 * ```ts
 * import type { AdvertisedKeys } from 'responsible-tfjs/federated';
 * const keys: AdvertisedKeys = { clientId: 3, cPublicKey, sPublicKey };
 * ```
 */
export interface AdvertisedKeys {
  readonly clientId: number;
  readonly cPublicKey: Uint8Array;
  readonly sPublicKey: Uint8Array;
}

/**
 * Phase 0 close, server to one client: the keys of the client's neighbours (all clients in
 * original SecAgg) that advertised, including the receiver's own.
 *
 * @example
 * ```ts
 * import type { KeysBroadcastMessage } from 'responsible-tfjs/federated';
 * for (const m of server.closeAdvertiseKeys()) send(m.to, m);
 * ```
 */
export interface KeysBroadcastMessage {
  readonly type: 'keysBroadcast';
  readonly round: number;
  /** Receiving client. */
  readonly to: number;
  readonly keys: readonly AdvertisedKeys[];
}

/**
 * Phase 1, client to server: one AES-GCM bundle (Shamir shares of the client's s private key and
 * self-mask seed) for each other client listed in its keys broadcast.
 *
 * @example
 * ```ts
 * import type { ShareKeysMessage } from 'responsible-tfjs/federated';
 * const m: ShareKeysMessage = await client.shareKeys(keysBroadcast);
 * ```
 */
export interface ShareKeysMessage {
  readonly type: 'shareKeys';
  readonly round: number;
  readonly clientId: number;
  readonly encryptedShares: readonly { readonly to: number; readonly ciphertext: Uint8Array }[];
}

/**
 * Phase 1 close, server to one client: the bundles addressed to it.
 *
 * @example
 * ```ts
 * import type { SharesBroadcastMessage } from 'responsible-tfjs/federated';
 * for (const m of server.closeShareKeys()) send(m.to, m);
 * ```
 */
export interface SharesBroadcastMessage {
  readonly type: 'sharesBroadcast';
  readonly round: number;
  readonly to: number;
  readonly encryptedShares: readonly { readonly from: number; readonly ciphertext: Uint8Array }[];
}

/**
 * Phase 2, client to server: the input plus self mask plus pairwise masks, mod 2^32.
 *
 * @example
 * ```ts
 * import type { MaskedInputMessage } from 'responsible-tfjs/federated';
 * const m: MaskedInputMessage = await client.maskedInput(sharesBroadcast, encodedUpdate);
 * ```
 */
export interface MaskedInputMessage {
  readonly type: 'maskedInput';
  readonly round: number;
  readonly clientId: number;
  readonly maskedInput: Uint32Array;
}

/**
 * Phase 2 close, server to each survivor: who sent a masked input (survivors) and who shared keys
 * but did not (dropped).
 *
 * @example
 * ```ts
 * import type { UnmaskRequestMessage } from 'responsible-tfjs/federated';
 * for (const m of server.closeMaskedInput()) send(m.to, m);
 * ```
 */
export interface UnmaskRequestMessage {
  readonly type: 'unmaskRequest';
  readonly round: number;
  readonly to: number;
  /** Sorted ids whose masked inputs are in the sum. */
  readonly survivors: readonly number[];
  /** Sorted ids that shared keys but sent no masked input. */
  readonly dropped: readonly number[];
}

/**
 * One Shamir share revealed for unmasking; its x-coordinate is the sender's id + 1.
 *
 * @example
 * ```ts
 * import type { RevealedShare } from 'responsible-tfjs/federated';
 * const s: RevealedShare = { owner: 2, share: new Uint8Array(32) };
 * ```
 */
export interface RevealedShare {
  /** The client whose secret this is a share of. */
  readonly owner: number;
  readonly share: Uint8Array;
}

/**
 * Phase 3, client to server: self-mask seed shares of survivors and mask-key shares of dropped
 * clients, never both for the same owner.
 *
 * @example
 * ```ts
 * import type { UnmaskResponseMessage } from 'responsible-tfjs/federated';
 * const m: UnmaskResponseMessage = await client.unmask(unmaskRequest);
 * ```
 */
export interface UnmaskResponseMessage {
  readonly type: 'unmaskResponse';
  readonly round: number;
  readonly clientId: number;
  readonly selfMaskShares: readonly RevealedShare[];
  readonly secretKeyShares: readonly RevealedShare[];
}

/**
 * Any message a client sends the server.
 *
 * @example
 * ```ts
 * import type { SecAggClientMessage } from 'responsible-tfjs/federated';
 * function onMessage(m: SecAggClientMessage): void { server.receive(m); }
 * ```
 */
export type SecAggClientMessage = AdvertiseKeysMessage | ShareKeysMessage | MaskedInputMessage | UnmaskResponseMessage;

/**
 * Any message the server sends a client (each carries its receiver in `to`).
 *
 * @example
 * ```ts
 * import type { SecAggServerMessage } from 'responsible-tfjs/federated';
 * function route(m: SecAggServerMessage): void { sockets.get(m.to)?.send(encode(m)); }
 * ```
 */
export type SecAggServerMessage = KeysBroadcastMessage | SharesBroadcastMessage | UnmaskRequestMessage;

/**
 * What the server learns: the exact modular sum of the surviving clients' inputs, and who they are.
 *
 * @example
 * ```ts
 * import { decodeFixedPointSum, type SecAggResult } from 'responsible-tfjs/federated';
 * const result: SecAggResult = await server.finish();
 * const mean = decodeFixedPointSum(result.sum, { scale: 2 ** 16 }).map((v) => v / result.included.length);
 * ```
 */
export interface SecAggResult {
  /** Sum mod 2^32 of the included clients' input vectors. */
  readonly sum: Uint32Array;
  /** Sorted ids of the clients whose inputs are in the sum. */
  readonly included: readonly number[];
}

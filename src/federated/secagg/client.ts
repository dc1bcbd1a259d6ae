/**
 * The client side of secure aggregation (Bonawitz et al. 2017, Fig. 4; SecAgg+ neighbourhoods of
 * Bell et al. 2020) as a transport-agnostic state machine: each method takes the server's message
 * of the previous phase and returns the client's message of the next.
 *
 * Threat model: honest-but-curious server and clients. Public keys are not signed, so a malicious
 * server could substitute keys (man in the middle) or tell clients inconsistent survivor lists;
 * defending against that needs a PKI binding keys to client identities plus Bonawitz's
 * ConsistencyCheck round, neither of which is implemented here.
 */
import { resolveRng, secureRng, type Rng } from '../../core/rng.js';
import { invalid, oneOf, optionsObject } from '../../core/validate.js';
import { decodeBundle, encodeBundle, SEED_BYTES } from './bundle.js';
import { randomBytes } from './bytes.js';
import { closedNeighbourhood, resolveConfig, type ResolvedConfig, type SecAggConfig } from './config.js';
import { decryptFromPeer, encryptForPeer } from './encryption.js';
import { secAggFail } from './errors.js';
import {
  agreementContext, deriveSharedSecret, detectAgreementCurve, exportPrivateKey, generateAgreementKeyPair,
  publicKeyLength, type AgreementKeyPair, type KeyAgreementCurve,
} from './keyAgreement.js';
import { accumulateModular } from './modular.js';
import { expandMask } from './prg.js';
import { shamirSplit } from './shamir.js';
import type {
  AdvertisedKeys, AdvertiseKeysMessage, KeysBroadcastMessage, MaskedInputMessage, RevealedShare, ShareKeysMessage,
  SharesBroadcastMessage, UnmaskRequestMessage, UnmaskResponseMessage,
} from './messages.js';
import { checkRound } from './checks.js';
import { checkKeysBroadcast, checkUnmaskRequest } from './clientChecks.js';

/**
 * Options of a {@link SecAggClient}: the round's shared config plus this client's own settings.
 *
 * @example
 * ```ts
 * import type { SecAggClientOptions } from 'responsible-tfjs/federated';
 * const options: SecAggClientOptions = { round: 0, clientIds: [0, 1, 2], threshold: 2, vectorLength: 10, clientId: 1 };
 * ```
 */
export interface SecAggClientOptions extends SecAggConfig {
  /** This client's id (one of `clientIds`). */
  readonly clientId: number;
  /** Key-agreement curve; `'auto'` (default) picks X25519 when this runtime supports it. All parties must match. */
  readonly curve?: KeyAgreementCurve | 'auto';
  /** Source of the self-mask seed and Shamir coefficients; default `secureRng()`. Seed only in tests. */
  readonly rng?: Rng;
}

/**
 * Where a {@link SecAggClient} is: the name of the method it expects next, `'done'` after
 * unmasking, or `'failed'` after any refused message (a failed client never continues the round).
 *
 * @example
 * ```ts
 * import type { SecAggClientState } from 'responsible-tfjs/federated';
 * const s: SecAggClientState = client.state;
 * ```
 */
export type SecAggClientState = 'advertiseKeys' | 'shareKeys' | 'maskedInput' | 'unmask' | 'busy' | 'done' | 'failed';

interface HeldShares {
  readonly secretKeyShare: Uint8Array;
  readonly selfMaskShare: Uint8Array;
}

/**
 * One client of a secure-aggregation round. Call, in order, {@link SecAggClient.advertiseKeys},
 * {@link SecAggClient.shareKeys}, {@link SecAggClient.maskedInput} and {@link SecAggClient.unmask},
 * passing each the server's message; send what each returns to the server. A refused message
 * throws a `SecAggError` (or InvalidArgumentError for a bad input vector) and fails the client.
 *
 * @example
 * ```ts
 * import { SecAggClient, encodeFixedPoint } from 'responsible-tfjs/federated';
 * const client = new SecAggClient({ round: 0, clientIds: [0, 1, 2], threshold: 2, vectorLength: 2, clientId: 0 });
 * send(await client.advertiseKeys());
 * send(await client.shareKeys(await receive('keysBroadcast')));
 * const input = encodeFixedPoint(new Float32Array([0.1, -0.2]), { scale: 2 ** 16, maxAbs: 1, numClients: 3 });
 * send(await client.maskedInput(await receive('sharesBroadcast'), input));
 * send(await client.unmask(await receive('unmaskRequest')));
 * ```
 */
export class SecAggClient {
  /** This client's id. */
  readonly clientId: number;
  private readonly config: ResolvedConfig;
  private readonly neighbourhood: Set<number>;
  private readonly curveOption: KeyAgreementCurve | 'auto';
  private readonly rng: Rng;
  private current: SecAggClientState = 'advertiseKeys';
  private curve: KeyAgreementCurve = 'P-256';
  private cPair: AgreementKeyPair | undefined;
  private sPair: AgreementKeyPair | undefined;
  private peers = new Map<number, AdvertisedKeys>();
  private selfMaskSeed: Uint8Array = new Uint8Array(0);
  private held = new Map<number, HeldShares>();
  private survivorsOfSharing = new Set<number>();

  /**
   * Validates the options (InvalidArgumentError) and prepares the client; no keys yet.
   * @param options - Round config plus `clientId`, `curve`, `rng`.
   */
  constructor(options: SecAggClientOptions) {
    const fn = 'SecAggClient';
    const o = optionsObject(fn, 'options', options);
    this.config = resolveConfig(fn, o);
    if (!this.config.clientIds.includes(o.clientId)) invalid(fn, 'options.clientId', o.clientId, 'one of options.clientIds');
    this.clientId = o.clientId;
    this.neighbourhood = closedNeighbourhood(this.config, o.clientId);
    this.curveOption = oneOf(fn, 'options.curve', o.curve ?? 'auto', ['auto', 'X25519', 'P-256'] as const);
    this.rng = resolveRng(fn, o.rng, secureRng);
  }

  /** The method this client expects next (or `'done'`, `'failed'`, `'busy'` while one runs). */
  get state(): SecAggClientState {
    return this.current;
  }

  private async step<T>(expected: SecAggClientState, fn: string, body: () => Promise<T>): Promise<T> {
    if (this.current !== expected) secAggFail(fn, 'unexpected', `called in state '${this.current}', expected '${expected}'`, this.clientId);
    this.current = 'busy';
    try {
      return await body();
    } catch (e) {
      this.current = 'failed';
      throw e;
    }
  }

  /**
   * Phase 0: generates the c (encryption) and s (mask) key pairs and returns their public keys.
   * @returns The message for the server.
   */
  async advertiseKeys(): Promise<AdvertiseKeysMessage> {
    return this.step('advertiseKeys', 'SecAggClient.advertiseKeys', async () => {
      this.curve = this.curveOption === 'auto' ? await detectAgreementCurve() : this.curveOption;
      this.cPair = await generateAgreementKeyPair({ curve: this.curve });
      this.sPair = await generateAgreementKeyPair({ curve: this.curve });
      this.current = 'shareKeys';
      return { type: 'advertiseKeys', round: this.config.round, clientId: this.clientId, cPublicKey: this.cPair.publicKey, sPublicKey: this.sPair.publicKey };
    });
  }

  /**
   * Phase 1: checks the relayed keys, draws the self-mask seed, Shamir-shares it and the s private
   * key among the listed clients, and encrypts each peer's shares for it.
   * @param message - The server's keys broadcast to this client.
   * @returns The message for the server.
   */
  async shareKeys(message: KeysBroadcastMessage): Promise<ShareKeysMessage> {
    const fn = 'SecAggClient.shareKeys';
    return this.step('shareKeys', fn, async () => {
      this.checkAddressed(fn, message, 'keysBroadcast');
      this.peers = checkKeysBroadcast(fn, message, {
        neighbourhood: this.neighbourhood,
        keyLength: publicKeyLength(this.curve),
        own: { clientId: this.clientId, cPublicKey: this.cPair!.publicKey, sPublicKey: this.sPair!.publicKey },
      });
      this.checkThreshold(fn, this.peers.size, 'clients advertised keys');
      const holders = [...this.peers.keys()].sort((a, b) => a - b);
      const xs = holders.map((id) => id + 1);
      this.selfMaskSeed = randomBytes(SEED_BYTES, () => this.rng.nextUint32());
      const { threshold } = this.config;
      const selfShares = shamirSplit(this.selfMaskSeed, { threshold, xs, rng: this.rng });
      const keyShares = shamirSplit(await exportPrivateKey(this.sPair!.privateKey), { threshold, xs, rng: this.rng });
      const encryptedShares: { to: number; ciphertext: Uint8Array }[] = [];
      for (let i = 0; i < holders.length; i++) {
        const to = holders[i] as number;
        const shares = { secretKeyShare: (keyShares[i] as { y: Uint8Array }).y, selfMaskShare: (selfShares[i] as { y: Uint8Array }).y };
        if (to === this.clientId) {
          this.held.set(to, shares);
          continue;
        }
        const key = await this.sharedSecret('encrypt', to);
        const plaintext = encodeBundle(shares.secretKeyShare, shares.selfMaskShare);
        encryptedShares.push({ to, ciphertext: await encryptForPeer({ key, plaintext, sender: this.clientId, receiver: to, round: this.config.round }) });
      }
      this.current = 'maskedInput';
      return { type: 'shareKeys', round: this.config.round, clientId: this.clientId, encryptedShares };
    });
  }

  /**
   * Phase 2: decrypts the shares peers sent, then masks `input` with the self mask and one
   * pairwise mask per peer that shared (added if this id is lower, subtracted if higher).
   * @param message - The server's shares broadcast to this client.
   * @param input - This client's vector in Z_{2^32} (e.g. from `encodeFixedPoint`), `vectorLength` long.
   * @returns The message for the server.
   */
  async maskedInput(message: SharesBroadcastMessage, input: Uint32Array): Promise<MaskedInputMessage> {
    const fn = 'SecAggClient.maskedInput';
    return this.step('maskedInput', fn, async () => {
      if (!(input instanceof Uint32Array) || input.length !== this.config.vectorLength) {
        invalid(fn, 'input', input, `a Uint32Array of length ${this.config.vectorLength} (options.vectorLength)`);
      }
      this.checkAddressed(fn, message, 'sharesBroadcast');
      if (!Array.isArray(message.encryptedShares)) secAggFail(fn, 'malformed', "'encryptedShares' is not an array");
      const senders = new Set<number>();
      for (const e of message.encryptedShares) {
        const from = e?.from;
        if (from === this.clientId || !this.peers.has(from) || senders.has(from)) secAggFail(fn, 'inconsistent', `unexpected or repeated sender ${String(from)}`);
        if (!(e.ciphertext instanceof Uint8Array)) secAggFail(fn, 'malformed', `ciphertext from ${from} is not a Uint8Array`, from);
        senders.add(from);
        const key = await this.sharedSecret('encrypt', from);
        const plaintext = await decryptFromPeer({ key, sealed: e.ciphertext, sender: from, receiver: this.clientId, round: this.config.round });
        this.held.set(from, decodeBundle(fn, plaintext, from));
      }
      this.checkThreshold(fn, senders.size + 1, 'clients shared keys with this client (itself included)');
      this.survivorsOfSharing = new Set([...senders, this.clientId]);
      const m = this.config.vectorLength;
      const masked = input.slice();
      accumulateModular(masked, await expandMask(this.selfMaskSeed, m), 1);
      for (const v of senders) {
        const seed = await this.sharedSecret('mask', v);
        accumulateModular(masked, await expandMask(seed, m), this.clientId < v ? 1 : -1);
      }
      this.current = 'unmask';
      return { type: 'maskedInput', round: this.config.round, clientId: this.clientId, maskedInput: masked };
    });
  }

  /**
   * Phase 3: reveals, for each client whose shares this one holds, the self-mask share if it
   * survived or the s-key share if it dropped, never both; then the client is done.
   * @param message - The server's unmask request to this client.
   * @returns The message for the server.
   */
  async unmask(message: UnmaskRequestMessage): Promise<UnmaskResponseMessage> {
    const fn = 'SecAggClient.unmask';
    return this.step('unmask', fn, async () => {
      this.checkAddressed(fn, message, 'unmaskRequest');
      const { survivors, dropped } = checkUnmaskRequest(fn, message, {
        clientId: this.clientId, neighbourhood: this.neighbourhood, sharedWithMe: this.survivorsOfSharing,
      });
      this.checkThreshold(fn, survivors.size, 'clients survived');
      const selfMaskShares: RevealedShare[] = [];
      const secretKeyShares: RevealedShare[] = [];
      for (const [owner, shares] of this.held) {
        if (!this.survivorsOfSharing.has(owner)) continue;
        if (survivors.has(owner)) selfMaskShares.push({ owner, share: shares.selfMaskShare });
        else if (dropped.has(owner)) secretKeyShares.push({ owner, share: shares.secretKeyShare });
        else secAggFail(fn, 'inconsistent', `client ${owner} is neither survivor nor dropped`, owner);
      }
      this.current = 'done';
      return { type: 'unmaskResponse', round: this.config.round, clientId: this.clientId, selfMaskShares, secretKeyShares };
    });
  }

  private checkAddressed(fn: string, message: { type: string; round: number; to: number }, type: string): void {
    if (typeof message !== 'object' || message === null || message.type !== type) secAggFail(fn, 'malformed', `expected a '${type}' message`);
    checkRound(fn, message.round, this.config.round);
    if (message.to !== this.clientId) secAggFail(fn, 'inconsistent', `message addressed to ${String(message.to)}, not ${this.clientId}`);
  }

  private checkThreshold(fn: string, count: number, what: string): void {
    if (count < this.config.threshold) secAggFail(fn, 'belowThreshold', `only ${count} ${what}; threshold is ${this.config.threshold}`, this.clientId);
  }

  private sharedSecret(purpose: 'mask' | 'encrypt', peer: number): Promise<Uint8Array> {
    const keys = this.peers.get(peer)!;
    const mine = purpose === 'mask' ? this.sPair! : this.cPair!;
    return deriveSharedSecret({
      privateKey: mine.privateKey,
      publicKey: purpose === 'mask' ? keys.sPublicKey : keys.cPublicKey,
      curve: this.curve,
      context: agreementContext({ purpose, round: this.config.round, a: this.clientId, b: peer }),
    });
  }
}

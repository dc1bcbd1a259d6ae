/**
 * The server side of secure aggregation (Bonawitz et al. 2017, Fig. 4; SecAgg+ of Bell et al.
 * 2020) as a transport-agnostic state machine. Feed it every client message with
 * {@link SecAggServer.receive}; close each phase when its deadline passes (the transport decides
 * when) with the matching `close*` method, which returns the messages to route; finally
 * {@link SecAggServer.finish} reconstructs the masks and returns the sum.
 *
 * Threat model: honest-but-curious server (it follows the protocol and sees every message it
 * receives). It learns only the sum of the survivors' inputs and who survived. Against a malicious
 * server, public keys must be authenticated through a PKI (signatures) and clients must run
 * Bonawitz's ConsistencyCheck round; neither is implemented.
 */
import { closedNeighbourhood, resolveConfig, type ResolvedConfig, type SecAggConfig } from './config.js';
import { checkRound } from './checks.js';
import { checkAdvertise, checkMaskedInput, checkShareKeys, checkUnmaskResponse } from './serverChecks.js';
import { secAggFail } from './errors.js';
import { agreementContext, deriveSharedSecret, importPrivateKey, type KeyAgreementCurve } from './keyAgreement.js';
import { accumulateModular } from './modular.js';
import { expandMask } from './prg.js';
import { shamirCombine, type ShamirShare } from './shamir.js';
import type {
  AdvertisedKeys, KeysBroadcastMessage, SecAggClientMessage, SecAggResult, SharesBroadcastMessage,
  UnmaskRequestMessage, UnmaskResponseMessage,
} from './messages.js';

/**
 * Where a {@link SecAggServer} is: the phase whose messages it accepts, or the end states.
 *
 * @example
 * ```ts
 * import type { SecAggServerState } from 'responsible-tfjs/federated';
 * if ((server.state as SecAggServerState) === 'failed') startNewRound();
 * ```
 */
export type SecAggServerState = 'advertiseKeys' | 'shareKeys' | 'maskedInput' | 'unmask' | 'busy' | 'done' | 'failed';

const ORDER = ['advertiseKeys', 'shareKeys', 'maskedInput', 'unmaskResponse'] as const;
const STATE_OF = { advertiseKeys: 'advertiseKeys', shareKeys: 'shareKeys', maskedInput: 'maskedInput', unmaskResponse: 'unmask' } as const;

/**
 * The server of one secure-aggregation round. A refused message throws a `SecAggError` and
 * leaves the round untouched; a phase closed with fewer than `threshold` clients throws one of
 * kind `'belowThreshold'` and fails the round.
 *
 * @example
 * ```ts
 * import { SecAggServer } from 'responsible-tfjs/federated';
 * const server = new SecAggServer({ round: 0, clientIds: [0, 1, 2], threshold: 2, vectorLength: 2 });
 * // receive every advertiseKeys message, then, at the phase deadline:
 * for (const m of server.closeAdvertiseKeys()) send(m.to, m);
 * // ... shareKeys -> closeShareKeys, maskedInput -> closeMaskedInput, unmaskResponse ->
 * const { sum, included } = await server.finish();
 * ```
 */
export class SecAggServer {
  private readonly config: ResolvedConfig;
  private current: SecAggServerState = 'advertiseKeys';
  private readonly keys = new Map<number, AdvertisedKeys>();
  private readonly shared = new Map<number, ReadonlyMap<number, Uint8Array>>();
  private readonly masked = new Map<number, Uint32Array>();
  private readonly responses = new Map<number, UnmaskResponseMessage>();
  private dropped = new Set<number>();

  /**
   * Validates the round config (InvalidArgumentError).
   * @param config - The config every client of the round also uses.
   */
  constructor(config: SecAggConfig) {
    this.config = resolveConfig('SecAggServer', config);
  }

  /** The phase accepting messages, or `'done'` / `'failed'`. */
  get state(): SecAggServerState {
    return this.current;
  }

  /**
   * Accepts one client message of the current phase, after checking it. Refuses (SecAggError)
   * malformed messages, other rounds, unknown senders, senders that missed an earlier phase,
   * duplicates (`'duplicate'`), messages of a closed phase (`'late'`) or of a future one (`'unexpected'`).
   * @param message - What a client sent.
   */
  receive(message: SecAggClientMessage): void {
    const fn = 'SecAggServer.receive';
    if (typeof message !== 'object' || message === null) secAggFail(fn, 'malformed', 'a message must be an object');
    const index = ORDER.indexOf(message.type as (typeof ORDER)[number]);
    if (index < 0) secAggFail(fn, 'malformed', `unknown message type ${JSON.stringify(String(message.type))}`);
    checkRound(fn, message.round, this.config.round);
    const id = message.clientId;
    if (!this.config.clientIds.includes(id)) secAggFail(fn, 'unknownClient', `client ${String(id)} is not in this round`);
    const currentIndex = this.current === 'done' ? ORDER.length : ORDER.indexOf(this.current === 'unmask' ? 'unmaskResponse' : (this.current as (typeof ORDER)[number]));
    if (this.current === 'failed' || this.current === 'busy') secAggFail(fn, 'unexpected', `the round is ${this.current}`, id);
    if (index < currentIndex) secAggFail(fn, 'late', `'${message.type}' arrived after its phase closed`, id);
    if (index > currentIndex) secAggFail(fn, 'unexpected', `'${message.type}' arrived during phase '${this.current}'`, id);
    switch (message.type) {
      case 'advertiseKeys':
        this.keys.set(id, checkAdvertise(fn, message, this.keys));
        return;
      case 'shareKeys': {
        const expected = [...closedNeighbourhood(this.config, id)].filter((v) => v !== id && this.keys.has(v));
        this.shared.set(id, checkShareKeys(fn, message, { keys: this.keys, shared: this.shared, expected }));
        return;
      }
      case 'maskedInput':
        this.masked.set(id, checkMaskedInput(fn, message, { shared: this.shared, masked: this.masked, vectorLength: this.config.vectorLength }));
        return;
      case 'unmaskResponse': {
        const near = closedNeighbourhood(this.config, id);
        checkUnmaskResponse(fn, message, { masked: this.masked, dropped: this.dropped, responses: this.responses, near });
        this.responses.set(id, message);
        return;
      }
    }
  }

  /**
   * Ends phase 0: each advertiser whose neighbourhood holds at least `threshold` advertisers gets
   * those clients' keys (others cannot take part and are left out).
   * @returns One keys broadcast per continuing client.
   */
  closeAdvertiseKeys(): KeysBroadcastMessage[] {
    const fn = 'SecAggServer.closeAdvertiseKeys';
    this.expectState(fn, 'advertiseKeys', this.keys.size, 'clients advertised keys');
    const out: KeysBroadcastMessage[] = [];
    for (const id of this.sorted(this.keys.keys())) {
      const listed = this.sorted(closedNeighbourhood(this.config, id)).filter((v) => this.keys.has(v));
      if (listed.length >= this.config.threshold) {
        out.push({ type: 'keysBroadcast', round: this.config.round, to: id, keys: listed.map((v) => this.keys.get(v)!) });
      }
    }
    this.current = 'shareKeys';
    return out;
  }

  /**
   * Ends phase 1: routes each encrypted bundle to its receiver (clients that received fewer than
   * `threshold - 1` bundles would abort and are left out).
   * @returns One shares broadcast per continuing client.
   */
  closeShareKeys(): SharesBroadcastMessage[] {
    const fn = 'SecAggServer.closeShareKeys';
    this.expectState(fn, 'shareKeys', this.shared.size, 'clients shared keys');
    const out: SharesBroadcastMessage[] = [];
    for (const to of this.sorted(this.shared.keys())) {
      const encryptedShares = this.sorted(this.shared.keys())
        .filter((from) => this.shared.get(from)!.has(to))
        .map((from) => ({ from, ciphertext: this.shared.get(from)!.get(to)! }));
      if (encryptedShares.length + 1 >= this.config.threshold) out.push({ type: 'sharesBroadcast', round: this.config.round, to, encryptedShares });
    }
    this.current = 'maskedInput';
    return out;
  }

  /**
   * Ends phase 2: the senders of masked inputs are the survivors; clients that shared keys but
   * sent no masked input are dropped, and their pairwise masks will be rebuilt.
   * @returns One unmask request per survivor.
   */
  closeMaskedInput(): UnmaskRequestMessage[] {
    const fn = 'SecAggServer.closeMaskedInput';
    this.expectState(fn, 'maskedInput', this.masked.size, 'clients sent masked inputs');
    const survivors = this.sorted(this.masked.keys());
    this.dropped = new Set([...this.shared.keys()].filter((id) => !this.masked.has(id)));
    const dropped = this.sorted(this.dropped);
    this.current = 'unmask';
    return survivors.map((to) => ({ type: 'unmaskRequest', round: this.config.round, to, survivors, dropped }));
  }

  /**
   * Ends phase 3: rebuilds each survivor's self mask and each dropped client's s private key from
   * `threshold` shares, removes all masks and returns the exact sum of the survivors' inputs.
   * @returns The sum mod 2^32 and the sorted ids included.
   */
  async finish(): Promise<SecAggResult> {
    const fn = 'SecAggServer.finish';
    this.expectState(fn, 'unmask', this.responses.size, 'survivors answered the unmask request');
    this.current = 'busy';
    try {
      const m = this.config.vectorLength;
      const sum = new Uint32Array(m);
      for (const y of this.masked.values()) accumulateModular(sum, y, 1);
      for (const owner of this.masked.keys()) {
        const seed = this.reconstruct(fn, owner, 'selfMaskShares');
        accumulateModular(sum, await expandMask(seed, m), -1);
      }
      for (const owner of this.dropped) {
        const sKey = this.reconstruct(fn, owner, 'secretKeyShares');
        const curve: KeyAgreementCurve = this.keys.get(owner)!.sPublicKey.length === 32 ? 'X25519' : 'P-256';
        const privateKey = await importPrivateKey(sKey, curve);
        for (const w of this.config.graph.get(owner) ?? []) {
          if (!this.masked.has(w)) continue;
          const context = agreementContext({ purpose: 'mask', round: this.config.round, a: owner, b: w });
          const seed = await deriveSharedSecret({ privateKey, publicKey: this.keys.get(w)!.sPublicKey, curve, context });
          // Survivor w added +mask if w < owner, -mask otherwise: undo it.
          accumulateModular(sum, await expandMask(seed, m), w < owner ? -1 : 1);
        }
      }
      this.current = 'done';
      return { sum, included: this.sorted(this.masked.keys()) };
    } catch (e) {
      this.current = 'failed';
      throw e;
    }
  }

  private reconstruct(fn: string, owner: number, field: 'selfMaskShares' | 'secretKeyShares'): Uint8Array {
    const shares: ShamirShare[] = [];
    for (const [responder, r] of this.responses) {
      const s = r[field].find((x) => x.owner === owner);
      if (s !== undefined) shares.push({ x: responder + 1, y: s.share });
    }
    if (shares.length < this.config.threshold) {
      this.current = 'failed';
      secAggFail(fn, 'belowThreshold', `only ${shares.length} shares of client ${owner}'s ${field === 'selfMaskShares' ? 'self-mask seed' : 'mask key'}; threshold is ${this.config.threshold}`, owner);
    }
    return shamirCombine(shares, { threshold: this.config.threshold });
  }

  private expectState(fn: string, state: SecAggServerState, count: number, what: string): void {
    if (this.current !== state) secAggFail(fn, 'unexpected', `called in state '${this.current}', expected '${state}'`);
    if (count < this.config.threshold) {
      this.current = 'failed';
      secAggFail(fn, 'belowThreshold', `only ${count} ${what}; threshold is ${this.config.threshold}`);
    }
  }

  private sorted(ids: Iterable<number>): number[] {
    return [...ids].sort((a, b) => a - b);
  }
}

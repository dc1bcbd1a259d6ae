import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/rng.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  decodeFixedPointSum, encodeFixedPoint, neighbourGraph, runSecAggInProcess, SecAggClient, SecAggError, SecAggServer, type SecAggClientMessage, type SecAggPhase,
  type SecAggErrorKind,
} from '../../src/federated/secagg/index.js';

const PHASES: SecAggPhase[] = ['advertiseKeys', 'shareKeys', 'maskedInput', 'unmask'];

function randomInputs(n: number, m: number, seed: string): Uint32Array[] {
  const rng = seededRng(seed);
  return Array.from({ length: n }, () => Uint32Array.from({ length: m }, () => rng.nextUint32()));
}

function plainSum(inputs: readonly Uint32Array[], included: readonly number[]): Uint32Array {
  const out = new Uint32Array(inputs[0]!.length);
  for (const i of included) inputs[i]!.forEach((v, j) => (out[j] = ((out[j] as number) + v) >>> 0));
  return out;
}

async function expectKind(call: () => unknown, kind: SecAggErrorKind): Promise<SecAggError> {
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SecAggError);
  expect((error as SecAggError).kind, (error as Error).message).toBe(kind);
  return error as SecAggError;
}

/** Survivors of the masked-input phase: those dropped at unmask are still summed. */
function expectedIncluded(n: number, dropouts: { phase: SecAggPhase; clients: number[] }[]): number[] {
  const gone = new Set(dropouts.filter((d) => d.phase !== 'unmask').flatMap((d) => d.clients));
  return Array.from({ length: n }, (_, i) => i).filter((i) => !gone.has(i));
}

describe('secure aggregation: exact sums', () => {
  const graphs = [
    { name: 'complete graph (SecAgg)', n: 5, threshold: 3 },
    { name: 'Harary graph k = 4 (SecAgg+)', n: 9, threshold: 3, neighbours: 4 },
  ];
  for (const g of graphs) {
    describe(g.name, () => {
      const inputs = randomInputs(g.n, 17, g.name);
      const ids = Array.from({ length: g.n }, (_, i) => i);
      it('sums all inputs exactly with no dropout', async () => {
        let bundles = 0;
        const onServerReceive = (m: SecAggClientMessage): void => {
          if (m.type === 'shareKeys') bundles += m.encryptedShares.length;
        };
        const { sum, included } = await runSecAggInProcess({ inputs, threshold: g.threshold, neighbours: g.neighbours, onServerReceive });
        expect(included).toEqual(ids);
        expect(bundles).toBe(g.n * (g.neighbours ?? g.n - 1)); // one bundle per neighbour only
        expect(sum).toEqual(plainSum(inputs, included));
      });
      for (const phase of PHASES) {
        it(`sums the survivors exactly with n - t dropouts at ${phase}`, async () => {
          // In SecAgg+ drop neighbours of one another, the hardest case for a neighbourhood.
          const clients = g.neighbours === undefined ? [1, 3] : [0, neighbourGraph({ clientIds: ids, neighbours: g.neighbours, seed: 's' }).get(0)![0]!];
          const dropouts = [{ phase, clients }];
          const { sum, included } = await runSecAggInProcess({ inputs, threshold: g.threshold, neighbours: g.neighbours, dropouts, graphSeed: 's' });
          expect(included).toEqual(expectedIncluded(g.n, dropouts));
          expect(sum).toEqual(plainSum(inputs, included));
        });
      }
      it('sums exactly with dropouts spread over several phases', async () => {
        const dropouts = [
          { phase: 'shareKeys' as const, clients: [0] },
          { phase: 'unmask' as const, clients: [4] },
        ];
        const { sum, included } = await runSecAggInProcess({ inputs, threshold: g.threshold, neighbours: g.neighbours, dropouts, round: 12 });
        expect(included).toEqual(expectedIncluded(g.n, dropouts));
        expect(sum).toEqual(plainSum(inputs, included));
      });
    });
  }

  it('random dropout patterns give either the exact survivors\' sum or a clean belowThreshold error', async () => {
    const rng = seededRng('patterns');
    const inputs = randomInputs(8, 5, 'patterns');
    const outcomes = { sum: 0, belowThreshold: 0 };
    for (let trial = 0; trial < 24; trial++) {
      const neighbours = trial % 2 === 0 ? 4 : undefined;
      const count = Math.floor(rng.next() * 7);
      const dropouts = Array.from({ length: count }, () => ({
        phase: PHASES[Math.floor(rng.next() * 4)]!,
        clients: [Math.floor(rng.next() * 8)],
      }));
      try {
        const { sum, included } = await runSecAggInProcess({ inputs, threshold: 3, neighbours, dropouts, graphSeed: trial });
        const dropped = new Set(dropouts.filter((d) => d.phase !== 'unmask').flatMap((d) => d.clients));
        for (const id of included) expect(dropped.has(id)).toBe(false);
        expect(sum).toEqual(plainSum(inputs, included));
        outcomes.sum++;
      } catch (e) {
        expect(e).toBeInstanceOf(SecAggError);
        expect((e as SecAggError).kind, (e as Error).message).toBe('belowThreshold');
        expect((e as SecAggError).code).toBe('SECURE_AGGREGATION_ABORTED');
        outcomes.belowThreshold++;
      }
    }
    // The patterns depend only on the seeded rng, so both outcomes are exercised every run.
    expect(outcomes.sum).toBeGreaterThan(10);
    expect(outcomes.belowThreshold).toBeGreaterThan(0);
  });

  it('composes with fixed point: decoded secure sum equals the float sum within n * 0.5 / scale', async () => {
    const rng = seededRng('floats');
    const n = 6;
    const scale = 2 ** 20;
    const floats = Array.from({ length: n }, () => Float32Array.from({ length: 8 }, () => 2 * rng.next() - 1));
    const inputs = floats.map((f) => encodeFixedPoint(f, { scale, maxAbs: 1, numClients: n }));
    const { sum, included } = await runSecAggInProcess({ inputs, threshold: 4, neighbours: 4, dropouts: [{ phase: 'maskedInput', clients: [5] }] });
    const decoded = decodeFixedPointSum(sum, { scale });
    for (let j = 0; j < 8; j++) {
      const exact = included.reduce((s, i) => s + floats[i]![j]!, 0);
      expect(Math.abs((decoded[j] as number) - exact)).toBeLessThanOrEqual((included.length * 0.5) / scale);
    }
  });

  it('works on P-256 and with a seeded rng, and sums at the wrap-around', async () => {
    const inputs = [new Uint32Array([0xffffffff, 1]), new Uint32Array([1, 0xffffffff]), new Uint32Array([5, 5])];
    const r = await runSecAggInProcess({ inputs, threshold: 2, curve: 'P-256', rng: seededRng(3), dropouts: [{ phase: 'maskedInput', clients: [2] }] });
    expect(Array.from(r.sum)).toEqual([0, 0]);
  });

  for (const phase of PHASES) {
    it(`fails cleanly below threshold (n - t + 1 dropouts at ${phase})`, async () => {
      const inputs = randomInputs(5, 3, 'below');
      await expectKind(() => runSecAggInProcess({ inputs, threshold: 3, dropouts: [{ phase, clients: [0, 2, 4] }] }), 'belowThreshold');
    });
  }

  it('fails cleanly when a SecAgg+ neighbourhood falls below threshold', async () => {
    // k = 2: each neighbourhood is 3 clients; with t = 3 one dropout at unmask leaves its
    // neighbours' self masks with only 2 shares.
    await expectKind(
      () => runSecAggInProcess({ inputs: randomInputs(6, 2, 'nb'), threshold: 3, neighbours: 2, dropouts: [{ phase: 'unmask', clients: [0] }] }),
      'belowThreshold',
    );
  });
});

/** Drives a 3-client round by hand so tests can inject bad messages. */
async function manualRound() {
  const config = { round: 2, clientIds: [0, 1, 2], threshold: 2, vectorLength: 3 };
  const server = new SecAggServer(config);
  const clients = config.clientIds.map((clientId) => new SecAggClient({ ...config, clientId }));
  const inputs = randomInputs(3, 3, 'manual');
  return { config, server, clients, inputs };
}

describe('secure aggregation: refusing bad messages', () => {
  it('refuses malformed, unknown, duplicate, early and late messages without disturbing the round', async () => {
    const { server, clients, inputs } = await manualRound();
    const adv = await Promise.all(clients.map((c) => c.advertiseKeys()));
    server.receive(adv[0]!);
    await expectKind(() => server.receive(adv[0]!), 'duplicate');
    await expectKind(() => server.receive({ ...adv[1]!, round: 3 }), 'malformed');
    await expectKind(() => server.receive({ ...adv[1]!, clientId: 9 }), 'unknownClient');
    await expectKind(() => server.receive({ ...adv[1]!, cPublicKey: new Uint8Array(10) }), 'malformed');
    await expectKind(() => server.receive({ ...adv[1]!, type: 'hello' } as never), 'malformed');
    await expectKind(() => server.receive(null as never), 'malformed');
    await expectKind(() => server.receive({ type: 'maskedInput', round: 2, clientId: 1, maskedInput: new Uint32Array(3) }), 'unexpected');
    server.receive(adv[1]!);
    server.receive(adv[2]!);
    const keys = server.closeAdvertiseKeys();
    await expectKind(() => server.receive(adv[2]!), 'late');
    await expectKind(() => server.closeAdvertiseKeys(), 'unexpected');
    const shared = await Promise.all(keys.map((m) => clients[m.to]!.shareKeys(m)));
    await expectKind(() => server.receive({ ...shared[0]!, encryptedShares: shared[0]!.encryptedShares.slice(1) }), 'inconsistent');
    await expectKind(() => server.receive({ ...shared[0]!, encryptedShares: [...shared[0]!.encryptedShares, shared[0]!.encryptedShares[0]!] }), 'inconsistent');
    for (const m of shared) server.receive(m);
    await expectKind(() => server.receive(shared[1]!), 'duplicate');
    const broadcasts = server.closeShareKeys();
    const masked = await Promise.all(broadcasts.map((m) => clients[m.to]!.maskedInput(m, inputs[m.to]!)));
    await expectKind(() => server.receive({ ...masked[0]!, maskedInput: new Uint32Array(2) }), 'malformed');
    await expectKind(() => server.receive({ ...masked[0]!, maskedInput: [1, 2, 3] as never }), 'malformed');
    server.receive(masked[0]!);
    server.receive(masked[1]!);
    const requests = server.closeMaskedInput();
    await expectKind(() => server.receive(masked[2]!), 'late'); // client 2 is now dropped
    const responses = await Promise.all(requests.map((m) => clients[m.to]!.unmask(m)));
    // Never both secrets of one owner: survivors' self-mask shares, dropped client's key share.
    for (const r of responses) {
      expect(r.selfMaskShares.map((s) => s.owner).sort()).toEqual([0, 1]);
      expect(r.secretKeyShares.map((s) => s.owner)).toEqual([2]);
    }
    await expectKind(() => server.receive({ ...responses[0]!, selfMaskShares: [...responses[0]!.selfMaskShares, { owner: 2, share: new Uint8Array(32) }] }), 'inconsistent');
    await expectKind(() => server.receive({ ...responses[0]!, selfMaskShares: [{ owner: 0, share: new Uint8Array(5) }] }), 'malformed');
    for (const r of responses) server.receive(r);
    const result = await server.finish();
    expect(result.included).toEqual([0, 1]);
    expect(result.sum).toEqual(plainSum(inputs, [0, 1]));
    expect(server.state).toBe('done');
    await expectKind(() => server.finish(), 'unexpected');
    await expectKind(() => server.receive(responses[0]!), 'late');
  });

  it('clients refuse out-of-order calls, forged key lists and misaddressed messages', async () => {
    const { server, clients, config } = await manualRound();
    await expectKind(() => clients[0]!.shareKeys({ type: 'keysBroadcast', round: 2, to: 0, keys: [] }), 'unexpected');
    expect(clients[0]!.state).toBe('advertiseKeys'); // an out-of-order call does not fail the client
    for (const c of clients) server.receive(await c.advertiseKeys());
    const keys = server.closeAdvertiseKeys();
    // The server substitutes client 0's own s key (it reuses client 1's): refused, client failed.
    const forged = { ...keys[0]!, keys: keys[0]!.keys.map((k) => (k.clientId === 0 ? { ...k, sPublicKey: keys[0]!.keys[1]!.sPublicKey } : k)) };
    await expectKind(() => clients[0]!.shareKeys(forged), 'inconsistent');
    expect(clients[0]!.state).toBe('failed');
    await expectKind(() => clients[0]!.shareKeys(keys[0]!), 'unexpected'); // a failed client never continues
    await expectKind(() => clients[1]!.shareKeys({ ...keys[1]!, to: 2 }), 'inconsistent');
    await expectKind(() => clients[2]!.shareKeys({ ...keys[2]!, round: 1 }), 'malformed');
    // Keys of another client (a different key pair) or too few keys.
    const other = new SecAggClient({ ...config, clientId: 1 });
    await other.advertiseKeys();
    await expectKind(() => other.shareKeys(keys[1]!), 'inconsistent');
    const lonely = new SecAggClient({ ...config, clientId: 2 });
    const own = await lonely.advertiseKeys();
    await expectKind(() => lonely.shareKeys({ type: 'keysBroadcast', round: 2, to: 2, keys: [own] }), 'belowThreshold');
  });

  it('clients detect tampered or redirected bundles, bad inputs and contradictory unmask requests', async () => {
    const { server, clients, inputs } = await manualRound();
    for (const c of clients) server.receive(await c.advertiseKeys());
    for (const m of server.closeAdvertiseKeys()) server.receive(await clients[m.to]!.shareKeys(m));
    const sb = server.closeShareKeys();
    const flip = (bytes: Uint8Array): Uint8Array => bytes.map((b, j) => (j === 20 ? b ^ 1 : b));
    const tampered = { ...sb[0]!, encryptedShares: sb[0]!.encryptedShares.map((e, i) => (i === 0 ? { ...e, ciphertext: flip(e.ciphertext) } : e)) };
    // Relabel the senders: bundles are bound to sender and receiver, so this fails authentication.
    const redirected = { ...sb[1]!, encryptedShares: sb[1]!.encryptedShares.map((e) => ({ ...e, from: e.from === 0 ? 2 : 0 })) };
    await expectKind(() => clients[0]!.maskedInput(tampered, inputs[0]!), 'decryption');
    await expectKind(() => clients[1]!.maskedInput(redirected, inputs[1]!), 'decryption');
    await expect(clients[2]!.maskedInput(sb[2]!, new Uint32Array(2))).rejects.toBeInstanceOf(InvalidArgumentError);
    // A clean round up to the unmask request, then contradictory requests.
    const r = await manualRound();
    for (const c of r.clients) r.server.receive(await c.advertiseKeys());
    for (const m of r.server.closeAdvertiseKeys()) r.server.receive(await r.clients[m.to]!.shareKeys(m));
    for (const m of r.server.closeShareKeys()) r.server.receive(await r.clients[m.to]!.maskedInput(m, r.inputs[m.to]!));
    const req = r.server.closeMaskedInput();
    await expectKind(() => r.clients[0]!.unmask({ ...req[0]!, dropped: [1] }), 'inconsistent'); // 1 both survivor and dropped
    await expectKind(() => r.clients[1]!.unmask({ ...req[1]!, survivors: [0, 2] }), 'inconsistent'); // itself missing
    await expectKind(() => r.clients[2]!.unmask({ ...req[2]!, survivors: [2] }), 'belowThreshold');
  });

  it('refuses bad configurations with InvalidArgumentError', () => {
    const base = { round: 0, clientIds: [0, 1, 2], threshold: 2, vectorLength: 1 };
    expect(() => new SecAggServer({ ...base, threshold: 4 })).toThrow(/threshold/);
    expect(() => new SecAggServer({ ...base, clientIds: [0, 255] })).toThrow(/\[0, 254\]/);
    expect(() => new SecAggServer({ ...base, clientIds: [1, 1] })).toThrow(InvalidArgumentError);
    expect(() => new SecAggServer({ ...base, neighbours: 3 })).toThrow(/even/);
    expect(() => new SecAggServer({ ...base, vectorLength: 0 })).toThrow(/vectorLength/);
    expect(() => new SecAggClient({ ...base, clientId: 7 })).toThrow(/clientId/);
    expect(() => new SecAggClient({ ...base, clientId: 0, curve: 'P-384' as never })).toThrow(/curve/);
    expect(() => new SecAggServer({ ...base, clientIds: [0, 1, 2, 3, 4, 5], neighbours: 2, threshold: 4 })).toThrow(/\[1, 3\]/);
  });
});

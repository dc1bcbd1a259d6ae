import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AbortedError, InvalidArgumentError } from '../../src/core/errors.js';
import { encodeFrame } from '../../src/federated/protocol/framing.js';
import { payloadFromJson } from '../../src/federated/protocol/json.js';
import { PROTOCOL_VERSION } from '../../src/federated/protocol/messages.js';
import { runClient, type ClientOptions } from '../../src/federated/runtime/client.js';
import { startCoordinator, type CoordinatorEvent, type CoordinatorOptions } from '../../src/federated/runtime/coordinator.js';
import type { ClientRoundDriver } from '../../src/federated/runtime/driver.js';
import { FederatedRuntimeError } from '../../src/federated/runtime/errors.js';
import { createClientDriver, createServerDriver, toyIdNumber, type ToyRoundSummary } from './loopback/toyDriver.js';
import { listen, rawClient, until } from './loopback/wsHelpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TOKEN = 'secret';
const authenticate = (_id: string, token: string): boolean => token === TOKEN;
const expectedSum = (round: number, ids: readonly string[]): number => round * ids.reduce((s, id) => s + toyIdNumber(id), 0);

async function setup(overrides: Partial<CoordinatorOptions> & { rounds?: number; minResponses?: number } = {}) {
  const net = await listen();
  cleanups.push(() => net.close());
  const driver = createServerDriver({ rounds: overrides.rounds ?? 2, minResponses: overrides.minResponses ?? 1 });
  const lines: string[] = [];
  const events: CoordinatorEvent[] = [];
  const coordinator = startCoordinator({
    server: net.server,
    driver,
    authenticate,
    minClients: 1,
    phaseTimeoutMs: 5000,
    log: (l) => lines.push(l),
    onEvent: (e) => events.push(e),
    ...overrides,
  });
  cleanups.push(() => coordinator.stop());
  return { net, driver, coordinator, lines, events };
}

function client(url: string, clientId: string, extra: Partial<ClientOptions> = {}) {
  const controller = new AbortController();
  cleanups.push(() => controller.abort());
  return runClient({
    url,
    clientId,
    token: TOKEN,
    driver: createClientDriver({ clientId }),
    WebSocket,
    retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
    signal: controller.signal,
    ...extra,
  });
}

describe('federated runtime: coordinator + clients over ws', () => {
  it('runs 2-phase rounds to completion (happy path)', async () => {
    const { net, coordinator, driver } = await setup({ rounds: 3, minClients: 3 });
    const ids = ['c1', 'c2', 'c5'];
    const results = await Promise.all(ids.map((id) => client(net.url, id)));
    const summaries = (await coordinator.done) as ToyRoundSummary[];
    expect(summaries.map((s) => s.sum)).toEqual([1, 2, 3].map((r) => expectedSum(r, ids)));
    expect(summaries.every((s) => s.contributors.join() === ids.join())).toBe(true);
    expect(summaries[2]?.total).toBe(6 * 8);
    expect(driver.seen.map((s) => s.phase)).toEqual(['announce', 'sum', 'announce', 'sum', 'announce', 'sum']);
    for (const r of results) expect(r).toMatchObject({ reason: 'finished', requestsAnswered: 6, connections: 1 });
  });

  it('rejects a hello of another protocol version, and a client rejects a coordinator of another version', async () => {
    const { net, lines } = await setup({ minClients: 5 });
    const raw = await rawClient(net.url);
    const header = new TextEncoder().encode(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION + 1, clientId: 'c1', token: TOKEN }));
    const frame = new Uint8Array(4 + header.length);
    new DataView(frame.buffer).setUint32(0, header.length, true);
    frame.set(header, 4);
    raw.sendRaw(frame);
    const reject = await raw.next('reject');
    expect(reject.code).toBe('protocolVersion');
    expect(reject.reason).toMatch(/version 2 is not supported; this coordinator speaks 1/);
    await raw.waitClosed();
    expect(lines.some((l) => /rejected an unauthenticated connection: protocol version 2/.test(l))).toBe(true);

    // A "coordinator" that answers in version 2: the client gives up at once (no retry loop).
    const fake = await listen();
    cleanups.push(() => fake.close());
    fake.server.on('connection', (socket) => socket.send(frame));
    const error = await client(fake.url, 'c1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FederatedRuntimeError);
    expect((error as FederatedRuntimeError).failure).toBe('rejected');
    expect((error as Error).message).toMatch(/protocol version 2, this client 1/);
  });

  it('rejects a bad token without retrying', async () => {
    const { net, lines, coordinator } = await setup({ minClients: 5 });
    const error = await client(net.url, 'c1', { token: 'wrong' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FederatedRuntimeError);
    expect((error as FederatedRuntimeError).failure).toBe('rejected');
    expect((error as Error).message).toMatch(/auth: authentication failed for client 'c1'/);
    expect(lines.filter((l) => /authentication failed/.test(l))).toHaveLength(1);
    expect(coordinator.connectedClients()).toEqual([]);
  });

  it('never passes unauthenticated, replayed, late or malformed messages to the driver', async () => {
    const { net, driver, lines, events } = await setup({ rounds: 1, minClients: 2, phaseTimeoutMs: 1500 });
    const honest = client(net.url, 'c2');
    const raw = await rawClient(net.url);
    // Unauthenticated response and malformed frames before hello.
    raw.send({ type: 'response', protocolVersion: PROTOCOL_VERSION, round: 1, phase: 'announce', requestId: 'x', payload: { id: 'c9' } });
    expect((await raw.next('error')).reason).toMatch(/unauthenticated connection: send hello first/);
    raw.sendRaw(new Uint8Array([1, 2, 3]));
    raw.sendRaw('a text frame');
    await until(() => raw.messages.filter((m) => m.type === 'error').length === 3);
    raw.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, clientId: 'c9', token: TOKEN });
    await raw.next('welcome');
    const request = await raw.next('request');
    expect(request).toMatchObject({ round: 1, phase: 'announce' });
    const reply = { type: 'response', protocolVersion: PROTOCOL_VERSION, round: 1, phase: 'announce', requestId: request.requestId } as const;
    const before = raw.messages.length;
    raw.send({ ...reply, requestId: 'forged', payload: { id: 'c9' } }); // unknown request id
    raw.send({ ...reply, round: 7, payload: { id: 'c9' } }); // wrong round
    raw.send({ ...reply, phase: 'sum', payload: { id: 'c9' } }); // wrong phase
    raw.send({ ...reply, payload: { id: 'c9' } }); // accepted
    raw.send({ ...reply, payload: { id: 'c9' } }); // replayed
    raw.sendRaw(encodeFrame({ ...reply, payload: { id: 'c9' } }).subarray(0, 20)); // truncated
    await until(() => raw.messages.slice(before).filter((m) => m.type === 'error').length === 5);
    const reasons = raw.messages.slice(before).flatMap((m) => (m.type === 'error' ? [m.reason] : []));
    expect(reasons[0]).toMatch(/late or unknown response .*request forged/);
    expect(reasons[1]).toMatch(/late or unknown response \(round 7/);
    expect(reasons[2]).toMatch(/late or unknown response \(round 1, phase 'sum'/);
    expect(reasons[3]).toMatch(/^replayed response/);
    expect(reasons[4]).toMatch(/malformed frame: decodeFrame: argument 'frame'.*truncated/);
    // The raw client ignores the 'sum' request: it times out and the round completes with c2.
    const sumRequest = await raw.next('request', raw.messages.indexOf(request) + 1);
    expect(sumRequest.phase).toBe('sum');
    await honest;
    expect(driver.seen).toEqual([
      { round: 1, phase: 'announce', clientIds: ['c2', 'c9'] },
      { round: 1, phase: 'sum', clientIds: ['c2'] },
    ]);
    expect(events.filter((e) => e.type === 'messageRejected')).toHaveLength(8);
    expect(lines.some((l) => /phase 'sum' timed out after 1500 ms; dropped 'c9'/.test(l))).toBe(true);
    const bye = await raw.next('bye');
    expect(bye.reason).toBe('finished');
  });

  it('completes a round without a client that disconnects mid-phase', async () => {
    const { net, coordinator, lines } = await setup({ rounds: 1, minClients: 3, minResponses: 2 });
    const quitter = new AbortController();
    const quitterDriver: ClientRoundDriver = {
      async handle(round, phase, request) {
        if (phase === 'sum') {
          quitter.abort('leaving');
          return new Promise(() => {});
        }
        return createClientDriver({ clientId: 'c4' }).handle(round, phase, request);
      },
    };
    const quitting = client(net.url, 'c4', { driver: quitterDriver, signal: quitter.signal }).catch((e: unknown) => e);
    const stayers = ['c1', 'c2'].map((id) => client(net.url, id, { driver: createClientDriver({ clientId: id, sumDelayMs: 50 }) }));
    expect(await quitting).toBeInstanceOf(AbortedError);
    await Promise.all(stayers);
    const summaries = (await coordinator.done) as ToyRoundSummary[];
    expect(summaries[0]).toMatchObject({ sum: expectedSum(1, ['c1', 'c2']), contributors: ['c1', 'c2'] });
    expect(lines.some((l) => /dropped client 'c4' from round 1 phase 'sum': disconnected/.test(l))).toBe(true);
  });

  it('drops a client whose driver fails, and retries a round that gets too few responses', async () => {
    const { net, coordinator, lines, events } = await setup({ rounds: 1, minClients: 2, minResponses: 2, maxRoundAttempts: 2 });
    let failures = 0;
    const flaky: ClientRoundDriver = {
      async handle(round, phase, request) {
        if (phase === 'sum' && failures++ === 0) throw new Error('out of memory');
        return createClientDriver({ clientId: 'c3' }).handle(round, phase, request);
      },
    };
    await Promise.all([client(net.url, 'c3', { driver: flaky }), client(net.url, 'c1')]);
    const summaries = (await coordinator.done) as ToyRoundSummary[];
    expect(summaries[0]).toMatchObject({ sum: expectedSum(1, ['c1', 'c3']), total: expectedSum(1, ['c1', 'c3']) });
    expect(events.filter((e) => e.type === 'roundFailed')).toEqual([
      { type: 'roundFailed', round: 1, attempt: 1, reason: "phase 'sum' got 1 responses, needs minResponses = 2" },
    ]);
    expect(lines.some((l) => /dropped client 'c3' from round 1 phase 'sum': the client reported an error: out of memory/.test(l))).toBe(true);
  });

  it('fails the round when a driver request cannot be encoded (NaN outside a float array)', async () => {
    const driver = createServerDriver({ rounds: 1 });
    const { net, coordinator, events } = await setup({
      rounds: 1,
      maxRoundAttempts: 1,
      driver: { ...driver, beginRound: async () => ({ phase: 'p', requests: new Map([['c1', { lr: NaN }]]), minResponses: 1 }) },
    });
    const result = await client(net.url, 'c1');
    expect(result).toMatchObject({ requestsAnswered: 0 });
    expect(events.find((e) => e.type === 'roundFailed')).toMatchObject({ reason: expect.stringMatching(/encodeFrame: argument 'message.payload.lr' must be a finite number/) });
    expect(((await coordinator.done.catch((e: unknown) => e)) as FederatedRuntimeError).failure).toBe('roundFailed');
  });

  it('gives up after maxRoundAttempts and says bye with the reason', async () => {
    const { net, coordinator } = await setup({ rounds: 1, minClients: 1, minResponses: 2, maxRoundAttempts: 2 });
    const result = await client(net.url, 'c1');
    expect(result.reason).toMatch(/^failed: startCoordinator: round 1 failed 2 times/);
    const error = await coordinator.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FederatedRuntimeError);
    expect((error as FederatedRuntimeError).failure).toBe('roundFailed');
  });

  it('resumes from a file checkpoint after a coordinator restart; clients reconnect', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rtfjs-fl-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'checkpoint.json');
    const store = {
      load: () => readFile(file, 'utf8').catch(() => undefined),
      save: (json: string) => writeFile(file, json),
    };
    const ids = ['c1', 'c2', 'c3'];
    const first = await setup({ rounds: 3, minClients: 3, checkpointStore: store });
    const port = first.net.port;
    const clients = ids.map((id) =>
      client(first.net.url, id, {
        driver: createClientDriver({ clientId: id, sumDelayMs: 100 }),
        retry: { attempts: 20, initialDelayMs: 50, maxDelayMs: 200 },
      }),
    );
    // Kill the first coordinator in the middle of round 2's sum phase.
    await until(() => first.events.some((e) => e.type === 'phaseStarted' && e.round === 2 && e.phase === 'sum'));
    first.coordinator.stop();
    expect(await first.coordinator.done.catch((e: unknown) => e)).toBeInstanceOf(AbortedError);
    await first.net.close();
    const saved = payloadFromJson(await readFile(file, 'utf8')) as { completedRounds: number };
    expect(saved.completedRounds).toBe(1);

    await new Promise((r) => setTimeout(r, 150)); // clients retry against a closed port meanwhile
    const net = await listen(port);
    cleanups.push(() => net.close());
    const lines: string[] = [];
    const second = startCoordinator({
      server: net.server,
      driver: createServerDriver({ rounds: 3 }),
      authenticate,
      checkpointStore: store,
      minClients: 3,
      phaseTimeoutMs: 5000,
      log: (l) => lines.push(l),
    });
    cleanups.push(() => second.stop());
    const summaries = (await second.done) as ToyRoundSummary[];
    expect(lines).toContain('resumed from checkpoint: 1 of 3 rounds complete');
    expect(summaries.map((s) => s.sum)).toEqual([1, 2, 3].map((r) => expectedSum(r, ids)));
    expect(summaries[2]?.total).toBe(6 * 6); // round 2 counted once, though it ran twice
    const results = await Promise.all(clients);
    for (const r of results) {
      expect(r.reason).toBe('finished');
      expect(r.connections).toBeGreaterThanOrEqual(2);
    }
    expect((payloadFromJson(await readFile(file, 'utf8')) as { completedRounds: number }).completedRounds).toBe(3);
  });

  it('refuses an unreadable checkpoint', async () => {
    const { coordinator } = await setup({ checkpointStore: { load: async () => '{"format":"x"}', save: async () => {} } });
    const error = await coordinator.done.catch((e: unknown) => e);
    expect((error as FederatedRuntimeError).failure).toBe('checkpoint');
  });

  it('gives up reconnecting after retry.attempts', async () => {
    const net = await listen();
    const url = net.url;
    await net.close();
    const lines: string[] = [];
    const error = await client(url, 'c1', { retry: { attempts: 2, initialDelayMs: 5, maxDelayMs: 10 }, log: (l) => lines.push(l) }).catch((e: unknown) => e);
    expect((error as FederatedRuntimeError).failure).toBe('retriesExhausted');
    expect(lines.filter((l) => /reconnecting in/.test(l))).toEqual([
      'c1: connection closed; reconnecting in 5 ms (retry 1 of 2)',
      'c1: connection closed; reconnecting in 10 ms (retry 2 of 2)',
    ]);
  });

  it('sends the last summary with bye when asked, and closes connections that never say hello', async () => {
    const { net, coordinator, lines } = await setup({ rounds: 1, minClients: 1, sendSummaryOnBye: true, helloTimeoutMs: 100 });
    const silent = await rawClient(net.url);
    await silent.waitClosed();
    expect(lines).toContain('closing a connection that sent no hello within 100 ms');
    const result = await client(net.url, 'c7');
    expect(result.summary).toEqual({ round: 1, sum: 7, contributors: ['c7'], total: 7 });
    expect(await coordinator.done).toHaveLength(1);
  });

  it('stops on its AbortSignal; clients then see the connection drop, not bye', async () => {
    const controller = new AbortController();
    const { net, coordinator } = await setup({ minClients: 2, signal: controller.signal });
    const lines: string[] = [];
    const pending = client(net.url, 'c1', { retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 }, log: (l) => lines.push(l) }).catch((e: unknown) => e);
    await until(() => coordinator.connectedClients().length === 1);
    controller.abort();
    expect(await coordinator.done.catch((e: unknown) => e)).toBeInstanceOf(AbortedError);
    await net.close();
    expect(((await pending) as FederatedRuntimeError).failure).toBe('retriesExhausted');
    expect(lines.some((l) => /reconnecting in 10 ms/.test(l))).toBe(true);
  });

  it('validates options', async () => {
    const { net } = await setup();
    const bad = { server: net.server, driver: createServerDriver({ rounds: 1 }), authenticate, phaseTimeoutMs: 10 };
    expect(() => startCoordinator({ ...bad, minClients: 0 })).toThrow(/argument 'options.minClients' must be an integer >= 1, got 0/);
    expect(() => startCoordinator({ ...bad, minClients: 1, phaseTimeoutMs: NaN })).toThrow(InvalidArgumentError);
    await expect(client('http://x', 'c1')).rejects.toThrow(/argument 'options.url' must be a 'ws:\/\/' or 'wss:\/\/' URL/);
    await expect(client(net.url, '')).rejects.toThrow(/options.clientId/);
  });
});

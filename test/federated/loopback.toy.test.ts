/**
 * End-to-end loopback with the toy driver: 8 Node client processes and 2 Chromium tabs, one
 * coordinator restart mid-round and two clients killed mid-round; every round's result must equal
 * the exact expected sum.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startLoopback, type Loopback } from './loopback/harness.js';
import type { ToyRoundSummary } from './loopback/toyDriver.js';

const toyDriver = fileURLToPath(new URL('./loopback/toyDriver.ts', import.meta.url));
const nodeIds = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];
const browserIds = ['b9', 'b10'];
const all = [...nodeIds, ...browserIds];
const idSum = (ids: readonly string[]) => ids.reduce((s, id) => s + Number(id.slice(1)), 0);

let loopback: Loopback | undefined;
afterAll(async () => {
  await loopback?.close();
});

describe('federated loopback (toy driver)', () => {
  it('8 processes + 2 tabs: survives a coordinator restart and 2 killed clients; sums are exact', async () => {
    const lines: string[] = [];
    const t0 = Date.now();
    const debug = process.env.LOOPBACK_DEBUG !== undefined;
    loopback = await startLoopback({
      serverDriverModule: toyDriver,
      serverDriverOptions: { rounds: 3, minResponses: 8 },
      clientDriverModule: toyDriver,
      clientDriverOptions: () => ({ sumDelayMs: 500 }),
      nodeClientIds: nodeIds,
      browserClientIds: browserIds,
      minClients: 10,
      phaseTimeoutMs: 20_000,
      log: (line) => {
        lines.push(line);
        if (debug) console.log(`${Date.now() - t0} ms ${line}`);
      },
    });
    const lb = loopback;
    try {
      // Round 2, mid-phase: restart the coordinator. All 10 clients reconnect; round 2 is redone.
      await lb.waitForEvent((e) => e.type === 'phaseStarted' && e.round === 2 && e.phase === 'sum');
      await lb.restartCoordinator();
      // Round 3, mid-phase: kill two client processes. The round completes with the other 8.
      await lb.waitForEvent((e) => e.type === 'phaseStarted' && e.round === 3 && e.phase === 'sum');
      await Promise.all([lb.killClient('c3'), lb.killClient('c4')]);
      const summaries = (await lb.done()) as ToyRoundSummary[];

      const survivors = all.filter((id) => id !== 'c3' && id !== 'c4').sort();
      expect(summaries.map((s) => s.sum)).toEqual([1 * idSum(all), 2 * idSum(all), 3 * idSum(survivors)]);
      expect(summaries[2]?.contributors).toEqual(survivors);
      expect(summaries[2]?.total).toBe(55 + 110 + 3 * 48);
      expect(lines.some((l) => /\[coordinator#2\] resumed from checkpoint: 1 of 3 rounds complete/.test(l))).toBe(true);

      const outcomes = await lb.clientOutcomes();
      if (debug) console.log(`${Date.now() - t0} ms all clients finished`);
      for (const o of outcomes) {
        if (o.clientId === 'c3' || o.clientId === 'c4') expect(o.exitCode).toBeNull();
        else expect(o, o.clientId).toMatchObject({ result: { reason: 'finished' } });
      }
      // Every surviving client, browsers included, reconnected after the restart.
      expect(outcomes.filter((o) => o.result !== undefined).every((o) => (o.result?.connections ?? 0) >= 2)).toBe(true);
      expect(outcomes.filter((o) => o.kind === 'browser')).toHaveLength(2);
    } catch (e) {
      console.error(lines.slice(-60).join('\n'));
      throw e;
    }
  }, 90_000);
});

/**
 * The federated-live example's core at a tiny size: a coordinator on a real `ws` server and three
 * Node client processes, two rounds of DP-FedAvg under secure aggregation. Checks what the example
 * prints (contributors, accuracy, epsilon), the checkpoint it writes, and that no client process
 * outlives the run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runLive } from '../../examples/federated-live/live.js';
import { payloadFromJson, type CoordinatorCheckpoint } from '../../src/federated/index.js';

let outDir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  outDir = await mkdtemp(join(tmpdir(), 'rtfjs-federated-live-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

it('runs 2 rounds with 3 Node client processes and leaves none behind', async () => {
  const lines: string[] = [];
  const r = await runLive({ clients: 3, browser: 0, rounds: 2, outDir, log: (l) => lines.push(l) });

  expect(r.rounds.map((q) => q.round)).toEqual([1, 2]);
  for (const q of r.rounds) {
    expect(q.selected).toHaveLength(2);
    expect(q.contributors).toEqual(q.selected);
    expect(q.aborted).toBe(false);
    expect(q.accuracy).toBeGreaterThanOrEqual(0);
    expect(q.accuracy).toBeLessThanOrEqual(1);
    expect(q.clipNorm).toBeGreaterThan(0);
    expect(Number.isFinite(q.epsilon)).toBe(true);
  }
  expect(r.rounds[1]!.epsilon).toBeGreaterThan(r.rounds[0]!.epsilon);
  expect(Number.isFinite(r.epsilon) && r.epsilon > 0).toBe(true);
  expect(lines.filter((l) => /^round +\d+\/2: /.test(l))).toHaveLength(2);

  const checkpoint = payloadFromJson(await readFile(r.checkpointPath, 'utf8')) as unknown as CoordinatorCheckpoint;
  expect(checkpoint.completedRounds).toBe(2);
  expect(checkpoint.summaries).toHaveLength(2);

  expect(r.clients).toHaveLength(3);
  for (const c of r.clients) {
    expect(c.kind).toBe('node');
    expect(c.exitCode).toBe(0);
    expect(c.result?.reason).toBe('finished');
    expect(alive(c.pid!)).toBe(false);
  }
}, 120_000);

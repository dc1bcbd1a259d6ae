import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/core/errors.js';
import { sequentialBatches } from '../../src/core/training/batches.js';
import { runTrainingLoop } from '../../src/core/training/trainingLoop.js';
import { seededRng } from '../../src/core/rng.js';

describe('the training loop', () => {
  it('runs every batch of every epoch in order, fires callbacks in tfjs order and records the history', async () => {
    const events: string[] = [];
    const seen: number[][] = [];
    const r = await runTrainingLoop({
      fn: 'test', epochs: 2,
      batches: sequentialBatches({ n: 5, batchSize: 2, shuffle: false, rng: seededRng(0) }),
      callbacks: [{
        onTrainBegin: () => void events.push('train'), onEpochBegin: (e) => void events.push(`epoch ${e}`),
        onBatchEnd: (b, l) => void events.push(`batch ${b} ${l?.size}`), onEpochEnd: (e, l) => void events.push(`end ${e} ${l?.n}`),
        onTrainEnd: (l) => void events.push(`done ${l?.steps}`),
      }],
      step: async (rows) => {
        seen.push(Array.from(rows));
        return { logs: { size: rows.length } };
      },
      endEpoch: (epoch, steps) => ({ n: steps, epoch }),
      endTraining: () => ({ steps: seen.length }),
    });
    expect(seen).toEqual([[0, 1], [2, 3], [4], [0, 1], [2, 3], [4]]);
    expect(events).toEqual(['train', 'epoch 0', 'batch 0 2', 'batch 1 2', 'batch 2 1', 'end 0 3', 'epoch 1', 'batch 0 2', 'batch 1 2', 'batch 2 1', 'end 1 3', 'done 6']);
    expect(r).toEqual({ history: { n: [3, 3], epoch: [0, 1] }, steps: 6 });
  });

  it('stops when a step asks to, and after the current step when stopTraining is set', async () => {
    let calls = 0;
    const byStep = await runTrainingLoop({
      fn: 'test', epochs: 3, batches: { stepsPerEpoch: 4, rows: () => new Int32Array(1) },
      step: async () => (++calls > 5 ? { stop: true } : { logs: {} }),
      endEpoch: () => ({ x: 1 }),
    });
    expect(byStep.steps).toBe(5);
    expect(byStep.stoppedBy).toBe('step');
    expect(byStep.history.x).toEqual([1, 1]);
    let stop = false;
    const byFlag = await runTrainingLoop({
      fn: 'test', epochs: 3, batches: { stepsPerEpoch: 4, rows: () => new Int32Array(1) }, stopRequested: () => stop,
      step: async () => {
        stop = true;
        return { logs: {} };
      },
      endEpoch: () => ({}),
    });
    expect(byFlag.steps).toBe(1);
    expect(byFlag.stoppedBy).toBe('stopTraining');
  });

  it('yields between steps and rejects with AbortedError naming the caller', async () => {
    const controller = new AbortController();
    let steps = 0;
    const run = runTrainingLoop({
      fn: 'myFit', epochs: 1_000_000, batches: { stepsPerEpoch: 1, rows: () => new Int32Array(0) }, signal: controller.signal,
      step: async () => {
        steps++;
        return { logs: {} };
      },
      endEpoch: () => ({}),
    });
    setTimeout(() => controller.abort('user'), 20);
    await expect(run).rejects.toThrow(AbortedError);
    await expect(run).rejects.toThrow(/myFit: stopped by its AbortSignal/);
    expect(steps).toBeGreaterThan(0);
  });
});

/**
 * The federated-digits example's core at a tiny size: the Dirichlet partition of the shipped
 * digits, and a few rounds of each compared configuration, reproducible under their seeds and
 * without leaked tensors.
 */
import { expect, it } from 'vitest';
import { partitionDigits, runFederatedDigits } from '../../examples/federated-digits/experiment.js';
import { ACCURACY_VARIANTS, COMPRESSION_VARIANTS } from '../../examples/federated-digits/variants.js';
import { loadDigits } from '../../examples/shared/data.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeaks } from '../helpers/leaks.js';

it('partitions the 1347 training digits over 100 clients, every row once', () => {
  const { train } = loadDigits();
  const parts = partitionDigits(train, 100, 0.5, 'federated-digits-1');
  expect(parts).toHaveLength(100);
  const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: train.n }, (_, i) => i));
  expect(Math.min(...parts.map((p) => p.length))).toBeGreaterThanOrEqual(2);
});

describeBackends('federated-digits', () => {
  it('runs every configuration, reproducibly and without leaks', async () => {
    const { train, test } = loadDigits();
    const config = { numClients: 20, alpha: 0.5, rounds: 2, seed: 'tiny', variants: [...ACCURACY_VARIANTS, ...COMPRESSION_VARIANTS] };
    const a = await expectNoLeaks(() => runFederatedDigits(train, test, config));
    const b = await runFederatedDigits(train, test, config);
    expect(a.results.map((r) => r.accuracy)).toEqual(b.results.map((r) => r.accuracy));
    for (const r of a.results) {
      expect(r.accuracy).toHaveLength(2);
      for (const acc of r.accuracy) expect(acc).toBeGreaterThanOrEqual(0);
      expect(r.bytesUpPerRound).toBeGreaterThan(0);
    }
    const byName = new Map(a.results.map((r) => [r.name, r]));
    expect(byName.get('DP-FedAvg (central noise)')!.epsilon).toBeGreaterThan(0);
    expect(byName.get('int8')!.bytesUpPerRound).toBeLessThan(byName.get('FedAvg')!.bytesUpPerRound);
  }, 180_000);
});

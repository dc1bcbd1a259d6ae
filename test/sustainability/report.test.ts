import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { countOperations, footprintReport, measureInference, type EnergyEstimate } from '../../src/sustainability/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectInvalidArgument } from '../helpers/errors.js';

describeBackends('footprintReport', () => {
  const energy = (joules: number): EnergyEstimate => ({ joules, seconds: joules / 10, method: 'device-power', uncertainty: 'as good as the 10 W figure', details: {} } as unknown as EnergyEstimate);

  it('turns measurements into per-example rows, a table, a page and charts', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3, kernelInitializer: 'ones' })] });
    const operations = await countOperations(model, { batchSize: 8 });
    const x = tf.ones([8, 4]);
    const latency = await measureInference(model, x, { warmup: 1, runs: 3 });
    const r = footprintReport([
      { name: 'a <b>', accuracy: 0.9, operations, sizeBytes: 64, latency, energy: { estimate: energy(2), inferences: 500 } },
      { name: 'only accuracy', accuracy: 0.5 },
    ], { grid: { gramsPerKwh: 360, source: 'test' } });
    const [a, b] = r.rows;
    expect(a!.macsPerExample).toBe(12);
    expect(a!.sparseMacsPerExample).toBe(12);
    expect(a!.parameters).toBe(15);
    expect(a!.msPerExample).toBeCloseTo(latency.latencyMs.median / 8, 12);
    expect(a!.joulesPer1000).toBeCloseTo(4, 12);
    // 4 J = 4 / 3.6e6 kWh at 360 g/kWh = 4e-4 g.
    expect(a!.gramsCo2ePer1000).toBeCloseTo(4e-4, 15);
    expect(a!.energyMethod).toBe('device-power');
    expect([b!.macsPerExample, b!.msPerExample, b!.joulesPer1000, b!.gramsCo2ePer1000]).toEqual([undefined, undefined, undefined, undefined]);
    expect(r.table.split('\n')).toHaveLength(4);
    expect(r.html).toContain('a &lt;b&gt;');
    expect(r.html).toContain('as good as the 10 W figure');
    expect(Object.keys(r.charts).sort()).toEqual(['accuracyVsMacs', 'energy', 'latency', 'macs', 'size']);
    for (const svg of Object.values(r.charts)) expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    x.dispose();
    model.dispose();
  });

  it('draws only the charts it has data for', () => {
    const r = footprintReport([{ name: 'x', sizeBytes: 10 }]);
    expect(Object.keys(r.charts)).toEqual(['size']);
  });

  it('rejects bad input with typed errors', () => {
    expectInvalidArgument(() => footprintReport([]), 'footprintReport', 'variants', /non-empty/);
    expectInvalidArgument(() => footprintReport([{ name: '' }]), 'footprintReport', 'variants[0]', /name/);
    expectInvalidArgument(() => footprintReport([{ name: 'a', accuracy: 1.5 }]), 'footprintReport', 'variants[0].accuracy', /\[0, 1\]/);
    expectInvalidArgument(() => footprintReport([{ name: 'a', sizeBytes: -1 }]), 'footprintReport', 'variants[0].sizeBytes', /number/);
    expectInvalidArgument(() => footprintReport([{ name: 'a', operations: {} as never }]), 'footprintReport', 'variants[0].operations', /countOperations/);
    expectInvalidArgument(() => footprintReport([{ name: 'a', latency: {} as never }]), 'footprintReport', 'variants[0].latency', /measureInference/);
    expectInvalidArgument(() => footprintReport([{ name: 'a', energy: { estimate: energy(1), inferences: 0 } }]), 'footprintReport', 'variants[0].energy.inferences', /positive integer/);
    expectInvalidArgument(() => footprintReport([{ name: 'a', energy: { estimate: energy(-1), inferences: 1 } }]), 'footprintReport', 'variants[0].energy', /measureEnergy/);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { measureEnergy, type MeasureEnergyOptions } from '../../src/sustainability/energy/index.js';

const sleep = (ms: number) => async (): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function rejection(call: () => Promise<unknown>): Promise<InvalidArgumentError> {
  const e = await call().then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InvalidArgumentError);
  return e as InvalidArgumentError;
}

describe('measureEnergy with a power model', () => {
  it('device power: joules = watts × the measured seconds, with the source and method', async () => {
    const e = await measureEnergy(sleep(30), { power: { watts: 4, source: 'phone datasheet, full load' } });
    expect(e.method).toBe('device-power');
    expect(e.seconds).toBeGreaterThanOrEqual(0.029);
    expect(e.joules).toBeCloseTo(4 * e.seconds, 12);
    expect(e.details).toEqual({ watts: 4, source: 'phone datasheet, full load' });
    expect(e.uncertainty).toMatch(/supplied average power/);
  });

  it("CodeCarbon's TDP model: joules = TDP × CPU share × seconds, naming CodeCarbon", async () => {
    const e = await measureEnergy(sleep(30), { power: { tdpWatts: 45, cpuShare: 0.5 } });
    expect(e.method).toBe('tdp-model');
    expect(e.details).toEqual({ tdpWatts: 45, cpuShare: 0.5, watts: 22.5 });
    expect(e.joules).toBeCloseTo(22.5 * e.seconds, 12);
    expect(e.uncertainty).toMatch(/CodeCarbon/);
  });

  it('awaits the function and propagates its error', async () => {
    await expect(measureEnergy(async () => { throw new Error('boom'); }, { power: { watts: 1, source: 's' } })).rejects.toThrow('boom');
  });

  it('throws typed errors for bad options', async () => {
    const p = { watts: 1, source: 's' };
    expect((await rejection(() => measureEnergy('x' as never, { power: p }))).argument).toBe('fn');
    expect((await rejection(() => measureEnergy(sleep(0), {} as MeasureEnergyOptions))).argument).toBe('options');
    expect((await rejection(() => measureEnergy(sleep(0), { power: { watts: -1, source: 's' } }))).argument).toBe('options.power.watts');
    expect((await rejection(() => measureEnergy(sleep(0), { power: { watts: 3, source: ' ' } }))).argument).toBe('options.power.source');
    expect((await rejection(() => measureEnergy(sleep(0), { power: { tdpWatts: 65, cpuShare: 1.5 } }))).message).toMatch(/\[0, 1\]/);
    expect((await rejection(() => measureEnergy(sleep(0), { power: { tdpWatts: 0, cpuShare: 0.5 } }))).argument).toBe('options.power.tdpWatts');
    expect((await rejection(() => measureEnergy(sleep(0), { power: { kw: 1 } as never }))).argument).toBe('options.power');
    expect((await rejection(() => measureEnergy(sleep(0), { rapl: { fs: {} as never } }))).argument).toBe('options.rapl.fs');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { carbonFromEnergy, GRID_INTENSITY, JOULES_PER_KWH } from '../../src/sustainability/energy/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';

/** Verbatim extract of CodeCarbon's global_energy_mix.json (see test/fixtures/sustainability/NOTES.md). */
const extract = JSON.parse(readFileSync(new URL('../fixtures/sustainability/codecarbon-grid-intensity.json', import.meta.url), 'utf8')) as {
  countries: Record<string, { country_name: string; carbon_intensity: number; year: number }>;
};

describe('carbonFromEnergy', () => {
  it('1 kWh = 3.6e6 J: grams = kWh × gCO2e/kWh', () => {
    expect(JOULES_PER_KWH).toBe(1000 * 3600);
    const c = carbonFromEnergy(3.6e6, { gramsPerKwh: 100 });
    expect(c).toEqual({ grams: 100, gramsPerKwh: 100, source: 'user-supplied', year: undefined, method: expect.stringMatching(/user-supplied/) });
    expect(carbonFromEnergy(1.8e6, { gramsPerKwh: 300, source: 'utility 2024' })).toMatchObject({ grams: 150, source: 'utility 2024' });
    expect(carbonFromEnergy(0, { region: 'WORLD' }).grams).toBe(0);
  });

  it('looks regions up in the table (ISO alpha-3, any case) with source and year', () => {
    const fra = carbonFromEnergy(7.2e6, { region: 'fra' }); // 2 kWh
    expect(fra.grams).toBeCloseTo(2 * 56.039, 10);
    expect(fra).toMatchObject({ gramsPerKwh: 56.039, year: 2023, source: expect.stringMatching(/Our World in Data.*CodeCarbon/) });
    const world = carbonFromEnergy(3.6e6, { region: 'WORLD' });
    expect(world).toMatchObject({ grams: 475, year: 2019, source: expect.stringMatching(/IEA Global Energy & CO2 Status Report 2019/) });
  });

  it('ships exactly the CodeCarbon figures (22 countries from the verbatim extract, plus WORLD)', () => {
    const countries = Object.keys(GRID_INTENSITY).filter((k) => k !== 'WORLD');
    expect(countries.sort()).toEqual(Object.keys(extract.countries).sort());
    for (const [code, v] of Object.entries(extract.countries)) {
      expect(GRID_INTENSITY[code], code).toMatchObject({ name: v.country_name, gramsPerKwh: v.carbon_intensity, year: v.year });
    }
  });

  it('throws typed errors for negative energy, bad intensity and unknown regions (listing the known ones)', () => {
    expectInvalidArgument(() => carbonFromEnergy(-1, { region: 'FRA' }), 'carbonFromEnergy', 'joules', />= 0/);
    expectInvalidArgument(() => carbonFromEnergy(Number.NaN, { region: 'FRA' }), 'carbonFromEnergy', 'joules', />= 0/);
    expectInvalidArgument(() => carbonFromEnergy(1, { gramsPerKwh: 0 }), 'carbonFromEnergy', 'intensity.gramsPerKwh', /> 0/);
    expectInvalidArgument(() => carbonFromEnergy(1, { region: 'Atlantis' }), 'carbonFromEnergy', 'intensity.region', /AUS, BRA.*ZAF, WORLD/);
    expectInvalidArgument(() => carbonFromEnergy(1, {} as never), 'carbonFromEnergy', 'intensity', /gramsPerKwh.*region/);
  });
});

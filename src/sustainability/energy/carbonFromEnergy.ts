import { invalid, nonNegativeNumber, optionsObject, positiveNumber } from '../../core/validate.js';
import { GRID_INTENSITY } from './gridIntensity.js';

/** Joules in one kilowatt-hour: 1 kWh = 1000 W × 3600 s (SI). */
export const JOULES_PER_KWH = 3.6e6;

/** Where the grid intensity comes from: a figure you know, or a region of the shipped table. */
export type GridIntensityOption = { readonly gramsPerKwh: number; readonly source?: string } | { readonly region: string };

/** Emissions of an amount of energy, with the intensity used and where it came from. */
export interface CarbonEstimate {
  /** Grams of CO2-equivalent. */
  readonly grams: number;
  /** The intensity used, gCO2e/kWh. */
  readonly gramsPerKwh: number;
  /** Where the intensity comes from (`'user-supplied'` or the table's source). */
  readonly source: string;
  /** Year of the intensity figure (undefined when user-supplied). */
  readonly year: number | undefined;
  /** How it was computed, in words. */
  readonly method: string;
}

/**
 * Converts energy to emissions: grams = joules / 3.6e6 × gCO2e/kWh, the product of energy and
 * carbon intensity that CodeCarbon uses (docs/explanation/methodology.md: "C * E"). The intensity is
 * yours (`gramsPerKwh`, e.g. from your utility or a real-time service) or the annual average of a
 * region in {@link GRID_INTENSITY} (ISO 3166-1 alpha-3 code, e.g. `'DEU'`, or `'WORLD'`). The
 * estimate covers the electricity of the energy given, not embodied emissions of the hardware.
 *
 * @param joules - Energy, J (e.g. {@link measureEnergy}'s `joules`).
 * @param intensity - `{ gramsPerKwh, source? }` or `{ region }`.
 * @returns Grams of CO2e with the intensity, its source, year and the method.
 * @throws InvalidArgumentError for negative or non-finite energy, a non-positive intensity, or an unknown region (the message lists the known ones).
 *
 * @example
 * ```ts
 * import { carbonFromEnergy } from 'responsible-tfjs/sustainability';
 * const c = carbonFromEnergy(3.6e6, { region: 'WORLD' }); // 1 kWh at the world average
 * console.log(c.grams, c.source, c.year); // 475, 'IEA Global Energy & CO2 Status Report 2019, ...', 2019
 * carbonFromEnergy(3.6e6, { gramsPerKwh: 120, source: 'my utility, 2024' }).grams; // 120
 * ```
 */
export function carbonFromEnergy(joules: number, intensity: GridIntensityOption): CarbonEstimate {
  const fn = 'carbonFromEnergy';
  nonNegativeNumber(fn, 'joules', joules);
  const opt = optionsObject(fn, 'intensity', intensity as object) as Partial<{ gramsPerKwh: number; source: string; region: string }>;
  const kwh = joules / JOULES_PER_KWH;
  if (opt.gramsPerKwh !== undefined) {
    const g = positiveNumber(fn, 'intensity.gramsPerKwh', opt.gramsPerKwh);
    const source = opt.source ?? 'user-supplied';
    if (typeof source !== 'string') invalid(fn, 'intensity.source', source, 'a string describing the figure');
    return { grams: kwh * g, gramsPerKwh: g, source, year: undefined, method: 'energy (kWh) × user-supplied grid intensity (gCO2e/kWh)' };
  }
  const known = Object.keys(GRID_INTENSITY);
  const region = opt.region;
  const key = typeof region === 'string' ? region.toUpperCase() : undefined;
  const entry = key !== undefined && Object.prototype.hasOwnProperty.call(GRID_INTENSITY, key) ? GRID_INTENSITY[key] : undefined;
  if (entry === undefined) {
    if (region === undefined) invalid(fn, 'intensity', intensity, '{ gramsPerKwh } or { region }');
    invalid(fn, 'intensity.region', region, `one of ${known.join(', ')} (ISO 3166-1 alpha-3, or WORLD)`, 'Pass { gramsPerKwh } for another region');
  }
  return {
    grams: kwh * entry.gramsPerKwh,
    gramsPerKwh: entry.gramsPerKwh,
    source: entry.source,
    year: entry.year,
    method: `energy (kWh) × annual average grid intensity of ${entry.name} (${entry.year})`,
  };
}

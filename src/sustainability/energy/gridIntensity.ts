/**
 * One row of {@link GRID_INTENSITY}: an annual average carbon intensity of electricity generation,
 * with where it comes from and its year.
 */
export interface GridIntensity {
  /** Country or region name. */
  readonly name: string;
  /** Grams of CO2-equivalent per kWh generated. */
  readonly gramsPerKwh: number;
  /** Year of the figure. */
  readonly year: number;
  /** Where the figure comes from. */
  readonly source: string;
}

const OWID_VIA_CODECARBON =
  'Our World in Data energy dataset (carbon intensity of electricity), via CodeCarbon global_energy_mix.json @ b05965e4';

const country = (name: string, gramsPerKwh: number, year: number): GridIntensity => ({ name, gramsPerKwh, year, source: OWID_VIA_CODECARBON });

/**
 * Average carbon intensity of electricity generation for 22 large countries, keyed by ISO 3166-1
 * alpha-3 code, and the world (`WORLD`).
 *
 * Provenance (nothing here is computed or rounded by this library):
 * - Countries: `carbon_intensity` (gCO2e/kWh), `country_name` and `year` of
 *   `codecarbon/data/private_infra/global_energy_mix.json` in github.com/mlco2/codecarbon at commit
 *   b05965e43b690cdc53787c7577adbe6e2caf4ed9 (file last changed in 4f166a5593132480ae545a54fb61f69d0f58b68b,
 *   "update python script to retrieve our word in data's data"). CodeCarbon builds that file from
 *   Our World in Data's energy dataset (notebook `codecarbon/data/private_infra/our_world_in_data.ipynb`,
 *   reading https://raw.githubusercontent.com/owid/energy-data/master/owid-energy-data.csv; chart
 *   https://ourworldindata.org/grapher/carbon-intensity-electricity), taking each country's latest
 *   year: 2023 for most, 2022 for Indonesia and Saudi Arabia.
 * - World: 475 gCO2e/kWh, CodeCarbon's fallback (`world_average` in
 *   `codecarbon/data/private_infra/carbon_intensity_per_source.json`, same commit), whose cited
 *   source is the IEA Global Energy & CO2 Status Report 2019. The year recorded is the report's.
 *
 * These are annual averages of generation; the intensity of the electricity actually used varies by
 * hour, season and grid region. Pass `gramsPerKwh` to
 * {@link carbonFromEnergy} when you know a better figure (your utility, a real-time service).
 *
 * @example
 * ```ts
 * import { GRID_INTENSITY } from 'responsible-tfjs/sustainability';
 * const { gramsPerKwh, year, source } = GRID_INTENSITY.DEU; // 380.95 g/kWh in 2023, Our World in Data via CodeCarbon
 * ```
 */
export const GRID_INTENSITY: Readonly<Record<string, GridIntensity>> = Object.freeze({
  AUS: country('Australia', 548.692, 2023),
  BRA: country('Brazil', 98.348, 2023),
  CAN: country('Canada', 170.043, 2023),
  CHN: country('China', 582.317, 2023),
  DEU: country('Germany', 380.95, 2023),
  ESP: country('Spain', 174.05, 2023),
  FRA: country('France', 56.039, 2023),
  GBR: country('United Kingdom', 237.589, 2023),
  IDN: country('Indonesia', 675.931, 2022),
  IND: country('India', 713.441, 2023),
  ITA: country('Italy', 330.718, 2023),
  JPN: country('Japan', 485.392, 2023),
  KOR: country('South Korea', 430.567, 2023),
  MEX: country('Mexico', 507.245, 2023),
  NOR: country('Norway', 30.08, 2023),
  POL: country('Poland', 661.926, 2023),
  RUS: country('Russia', 441.039, 2023),
  SAU: country('Saudi Arabia', 706.791, 2022),
  SWE: country('Sweden', 40.695, 2023),
  TUR: country('Turkey', 464.586, 2023),
  USA: country('United States', 369.473, 2023),
  ZAF: country('South Africa', 707.686, 2023),
  WORLD: {
    name: 'World',
    gramsPerKwh: 475,
    year: 2019,
    source: 'IEA Global Energy & CO2 Status Report 2019, via CodeCarbon carbon_intensity_per_source.json (world_average) @ b05965e4',
  },
});

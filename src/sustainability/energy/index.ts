/**
 * Energy and carbon estimates: Linux RAPL counters ({@link readRaplEnergy}, {@link raplCounterDelta}),
 * energy of a call by RAPL or a power model ({@link measureEnergy}) and emissions from grid carbon
 * intensity ({@link carbonFromEnergy}, {@link GRID_INTENSITY}). Every estimate states its method.
 */
export type { PowercapFs, RaplZone, RaplTopZone, RaplReading, RaplUnavailableReason } from './types.js';
export { readRaplEnergy } from './readRaplEnergy.js';
export { raplCounterDelta } from './counterDelta.js';
export { measureEnergy, type MeasureEnergyOptions, type EnergyEstimate, type DevicePower, type TdpModel } from './measureEnergy.js';
export { GRID_INTENSITY, type GridIntensity } from './gridIntensity.js';
export { carbonFromEnergy, JOULES_PER_KWH, type CarbonEstimate, type GridIntensityOption } from './carbonFromEnergy.js';

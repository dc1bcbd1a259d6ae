import { invalid, nonNegativeInteger, positiveInteger } from '../../core/validate.js';

/**
 * Energy between two readings of one RAPL counter, in microjoules, correcting one wrap-around:
 * when `after < before` the counter passed `maxEnergyRangeMicrojoules` and restarted from 0, so
 * the energy is `after + max - before` (the correction CodeCarbon applies, codecarbon/core/rapl.py
 * `RAPLFile.delta`). Two or more wraps between the readings cannot be detected: at 100 W a counter
 * with the common range of 262,143,328,850 µJ wraps every ~44 minutes, so read at least that often.
 *
 * @param before - Counter at the start, µJ.
 * @param after - Counter at the end, µJ.
 * @param maxEnergyRangeMicrojoules - The zone's `max_energy_range_uj`.
 * @returns Energy used between the readings, µJ (>= 0).
 * @throws InvalidArgumentError for counters that are not integers in [0, max].
 *
 * @example
 * ```ts
 * import { raplCounterDelta } from 'responsible-tfjs/sustainability';
 * raplCounterDelta(1_000, 4_000, 262_143_328_850); // 3000 µJ
 * raplCounterDelta(262_143_328_000, 150, 262_143_328_850); // wrapped: 850 + 150 = 1000 µJ
 * ```
 */
export function raplCounterDelta(before: number, after: number, maxEnergyRangeMicrojoules: number): number {
  const fn = 'raplCounterDelta';
  const max = positiveInteger(fn, 'maxEnergyRangeMicrojoules', maxEnergyRangeMicrojoules);
  for (const [name, v] of [['before', before], ['after', after]] as const) {
    if (nonNegativeInteger(fn, name, v) > max) invalid(fn, name, v, `an integer in [0, ${max}] (the zone's max_energy_range_uj)`);
  }
  return after >= before ? after - before : after + max - before;
}

import { finiteNumber, invalid, numberInRange, optionsObject, positiveNumber } from '../../core/validate.js';
import { raplCounterDelta } from './counterDelta.js';
import { checkFs, readRaplEnergy } from './readRaplEnergy.js';
import type { PowercapFs, RaplReading, RaplTopZone } from './types.js';

const FN = 'measureEnergy';

/** A power figure for the device that runs the code (from a datasheet, a wall meter, the OS). */
export interface DevicePower {
  /** Average power drawn while the function runs, W. */
  readonly watts: number;
  /** Where the figure comes from (shown in the result, e.g. `'USB power meter, phone at full load'`). */
  readonly source: string;
}

/** CodeCarbon's CPU model without energy counters: power = TDP × the share of the CPU the work uses. */
export interface TdpModel {
  /** The CPU's thermal design power, W (from the vendor's datasheet). */
  readonly tdpWatts: number;
  /** Share of the whole CPU used by the work, in [0, 1]: process CPU time / (wall time × logical cores). */
  readonly cpuShare: number;
}

/** Options of {@link measureEnergy}: RAPL counters when readable, else a power model. */
export interface MeasureEnergyOptions {
  /** Read Linux RAPL counters through this file system (and powercap root). */
  readonly rapl?: { readonly fs: PowercapFs; readonly root?: string };
  /** A power model, used when `rapl` is absent or unreadable. */
  readonly power?: DevicePower | TdpModel;
}

/** An energy estimate with its method and what it does and does not cover. */
export interface EnergyEstimate {
  /** Energy, J. */
  readonly joules: number;
  /** Wall-clock duration of the function, s. */
  readonly seconds: number;
  /** `'rapl'`: measured CPU package counters; `'device-power'`: a user-supplied power × time; `'tdp-model'`: CodeCarbon's TDP × CPU-share model. */
  readonly method: 'rapl' | 'device-power' | 'tdp-model';
  /** What the figure covers and how far it can be off, in words (no method here has a published error bar that applies to every machine). */
  readonly uncertainty: string;
  /** Method-specific facts: the zones read, the power used, why RAPL was not used. */
  readonly details: Record<string, unknown>;
}

const RAPL_UNCERTAINTY =
  'Measured by the CPU package energy counters (RAPL): covers the CPU package(s) only, not the GPU, DRAM outside the package, disks, ' +
  'network or power-supply losses, and counts every process on the machine, not just this function. Counters update about every ' +
  'millisecond (Intel SDM vol. 3B, RAPL chapter), so very short calls are dominated by quantisation; repeat the work to measure over at least a second.';

const DEVICE_UNCERTAINTY =
  'Power model: energy = the supplied average power × wall-clock time; as accurate as that power figure and the assumption that ' +
  'the device drew it for the whole call.';

const TDP_UNCERTAINTY =
  "Power model (CodeCarbon's CPU fallback, codecarbon/external/hardware.py, process mode: power = TDP × CPU share): TDP is a thermal " +
  'design figure, not a measurement, and real draw depends on frequency, load type and idle power; CodeCarbon documents this mode ' +
  'as less accurate than RAPL (docs/explanation/rapl.md). Treat it as an order-of-magnitude estimate; CPU only.';

function packageZones(zones: readonly RaplTopZone[]): readonly RaplTopZone[] {
  // Package domains when there are any; psys alone (some laptops) covers the SoC. Never both: psys includes the packages.
  const packages = zones.filter((z) => z.isPackage);
  return packages.length > 0 ? packages : zones;
}

function checkPower(power: unknown): DevicePower | TdpModel {
  const p = optionsObject(FN, 'options.power', power as object);
  if ('watts' in p) {
    positiveNumber(FN, 'options.power.watts', (p as DevicePower).watts);
    const source = (p as DevicePower).source;
    if (typeof source !== 'string' || source.trim() === '') invalid(FN, 'options.power.source', source, 'a non-empty description of where the power figure comes from');
    return p as DevicePower;
  }
  if ('tdpWatts' in p) {
    positiveNumber(FN, 'options.power.tdpWatts', (p as TdpModel).tdpWatts);
    numberInRange(FN, 'options.power.cpuShare', (p as TdpModel).cpuShare, { min: 0, max: 1 });
    return p as TdpModel;
  }
  return invalid(FN, 'options.power', power, '{ watts, source } (device power) or { tdpWatts, cpuShare } (CodeCarbon TDP model)');
}

/**
 * Runs `fn` and estimates the energy it used. With `rapl` and readable counters, the energy is
 * measured: the difference of the CPU package counters across the call, one wrap-around corrected
 * with `max_energy_range_uj` ({@link raplCounterDelta}). Otherwise it is modelled from `power`:
 * either a device power the caller knows (browsers and phones expose no energy counters) times the
 * wall-clock time, or CodeCarbon's CPU model, TDP × share of the CPU used × time. The result always
 * names its method and its uncertainty; there is no bare number.
 *
 * @param fn - The work to measure; awaited.
 * @param options - `rapl: { fs, root? }` and/or `power`. At least one is required.
 * @returns The estimate, with `details` (zones and counters for RAPL, the power for models, and `raplUnavailable` when RAPL was asked for but could not be read).
 * @throws InvalidArgumentError for bad options, or when only `rapl` is given and it cannot be read (the message says why).
 *
 * @example
 * ```ts
 * import { measureEnergy, carbonFromEnergy } from 'responsible-tfjs/sustainability';
 * const e = await measureEnergy(async () => {
 *   for (let i = 0; i < 100; i++) {
 *     const y = model.predict(x) as tf.Tensor;
 *     await y.data(); // include the device's work
 *     y.dispose();
 *   }
 * }, {
 *   rapl: { fs: await import('node:fs/promises') },
 *   power: { tdpWatts: 65, cpuShare: 0.5 }, // used if RAPL is not readable
 * });
 * console.log(`${e.joules.toFixed(1)} J by ${e.method}: ${e.uncertainty}`);
 * console.log(carbonFromEnergy(e.joules, { region: 'FRA' }).grams, 'g CO2e');
 * ```
 */
export async function measureEnergy(fn: () => Promise<unknown>, options: MeasureEnergyOptions): Promise<EnergyEstimate> {
  if (typeof fn !== 'function') invalid(FN, 'fn', fn, 'a function returning a promise');
  const opts = optionsObject(FN, 'options', options);
  if (opts.rapl === undefined && opts.power === undefined) invalid(FN, 'options', options, 'an object with rapl and/or power');
  const power = opts.power === undefined ? undefined : checkPower(opts.power);
  let before: RaplReading | undefined;
  if (opts.rapl !== undefined) {
    const rapl = optionsObject(FN, 'options.rapl', opts.rapl);
    const fs = checkFs(FN, 'options.rapl.fs', rapl.fs);
    before = await readRaplEnergy(fs, rapl.root === undefined ? {} : { root: rapl.root });
    if (!before.available && power === undefined) {
      invalid(FN, 'options.rapl', opts.rapl, 'a readable RAPL powercap tree (or pass options.power for a power model)', `RAPL unavailable (${before.reason}): ${before.message}`);
    }
  }
  const start = performance.now();
  await fn();
  const seconds = (performance.now() - start) / 1000;

  if (before?.available === true) {
    const after = await readRaplEnergy(opts.rapl!.fs, opts.rapl!.root === undefined ? {} : { root: opts.rapl!.root });
    if (after.available) {
      const zones = packageZones(before.zones).map((z) => {
        const end = after.zones.find((a) => a.id === z.id);
        if (end === undefined) return undefined;
        return { id: z.id, name: z.name, microjoules: raplCounterDelta(z.energyMicrojoules, end.energyMicrojoules, z.maxEnergyRangeMicrojoules) };
      });
      if (zones.every((z) => z !== undefined)) {
        const microjoules = zones.reduce((s, z) => s + z.microjoules, 0);
        return { joules: microjoules / 1e6, seconds, method: 'rapl', uncertainty: RAPL_UNCERTAINTY, details: { root: before.root, zones } };
      }
    }
    if (power === undefined) invalid(FN, 'options.rapl', opts.rapl, 'a RAPL tree readable before and after the call', 'the zones could not be read again after the call');
  }
  const raplUnavailable = before === undefined ? {} : { raplUnavailable: before.available ? 'second reading failed' : `${before.reason}: ${before.message}` };
  const p = power as DevicePower | TdpModel;
  if ('watts' in p) {
    return { joules: p.watts * seconds, seconds, method: 'device-power', uncertainty: DEVICE_UNCERTAINTY, details: { watts: p.watts, source: p.source, ...raplUnavailable } };
  }
  const watts = finiteNumber(FN, 'options.power', p.tdpWatts * p.cpuShare);
  return {
    joules: watts * seconds,
    seconds,
    method: 'tdp-model',
    uncertainty: TDP_UNCERTAINTY,
    details: { tdpWatts: p.tdpWatts, cpuShare: p.cpuShare, watts, ...raplUnavailable },
  };
}

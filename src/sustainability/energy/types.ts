/**
 * The two file-system functions the RAPL reader needs, injected by the caller so the library
 * imports no Node built-in. In Node pass `await import('node:fs/promises')`.
 */
export interface PowercapFs {
  /** Reads a whole text file. */
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  /** Lists the entry names of a directory. */
  readdir(path: string): Promise<string[]>;
}

/** One RAPL power zone (a directory `intel-rapl:N` or a subzone `intel-rapl:N:M`). */
export interface RaplZone {
  /** Directory name, e.g. `'intel-rapl:0'` or `'intel-rapl:0:1'`. */
  readonly id: string;
  /** The zone's `name` file, e.g. `'package-0'`, `'core'`, `'uncore'`, `'dram'`, `'psys'`. */
  readonly name: string;
  /** `energy_uj`: the energy counter, microjoules, since an arbitrary origin (it wraps). */
  readonly energyMicrojoules: number;
  /** `max_energy_range_uj`: the value the counter wraps at, microjoules. */
  readonly maxEnergyRangeMicrojoules: number;
}

/** A top-level zone with its subzones (core, uncore, dram: parts of, not additions to, the package on most CPUs). */
export interface RaplTopZone extends RaplZone {
  /** Whether this is a CPU package domain (`name` starts with `package-`); `psys` (the whole SoC on some laptops) is not. */
  readonly isPackage: boolean;
  /** Subzones `intel-rapl:N:M`, in directory order. */
  readonly subzones: RaplZone[];
}

/** Why RAPL could not be read. */
export type RaplUnavailableReason =
  /** The powercap directory does not exist (not Linux, a VM or container without it, no RAPL driver). */
  | 'no-powercap'
  /** The directory exists but holds no `intel-rapl:N` zone. */
  | 'no-rapl-zones'
  /** `energy_uj` is not readable by this user: root-only since the fix of CVE-2020-8694 (Linux 5.10 and backports). */
  | 'permission'
  /** Another read or parse failure (the message says which file). */
  | 'read-error';

/** The result of {@link readRaplEnergy}: the zones, or why there are none. */
export type RaplReading =
  | { readonly available: true; readonly root: string; readonly zones: RaplTopZone[] }
  | { readonly available: false; readonly root: string; readonly reason: RaplUnavailableReason; readonly message: string };

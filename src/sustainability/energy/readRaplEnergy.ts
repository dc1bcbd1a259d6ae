import { invalid, optionsObject } from '../../core/validate.js';
import type { PowercapFs, RaplReading, RaplTopZone, RaplUnavailableReason, RaplZone } from './types.js';

const FN = 'readRaplEnergy';
const TOP = /^intel-rapl:(\d+)$/;

class RaplReadFailure extends Error {
  constructor(readonly reason: RaplUnavailableReason, message: string) {
    super(message);
  }
}

function codeOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

async function readText(fs: PowercapFs, path: string): Promise<string> {
  try {
    return (await fs.readFile(path, 'utf8')).trim();
  } catch (e) {
    const code = codeOf(e);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new RaplReadFailure(
        'permission',
        `${path} is not readable by this user (${code}). Linux made energy_uj readable by root only (CVE-2020-8694, kernel 5.10 and backports); ` +
          `run as root, or grant read access (e.g. a udev rule or 'sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj'), or use a power model.`,
      );
    }
    throw new RaplReadFailure('read-error', `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function readCounter(fs: PowercapFs, path: string): Promise<number> {
  const text = await readText(fs, path);
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new RaplReadFailure('read-error', `${path} holds ${JSON.stringify(text)}, not a counter in microjoules`);
  return value;
}

async function readZone(fs: PowercapFs, root: string, id: string): Promise<RaplZone> {
  const dir = `${root}/${id}`;
  return {
    id,
    name: await readText(fs, `${dir}/name`),
    energyMicrojoules: await readCounter(fs, `${dir}/energy_uj`),
    maxEnergyRangeMicrojoules: await readCounter(fs, `${dir}/max_energy_range_uj`),
  };
}

const byIndex = (a: string, b: string): number => Number(a.split(':').pop()) - Number(b.split(':').pop());

/**
 * Reads the CPU energy counters of Linux's RAPL (Running Average Power Limit) interface through the
 * powercap sysfs tree (kernel documentation: Documentation/power/powercap/powercap.rst). Each
 * top-level zone `intel-rapl:N` (also used for AMD CPUs since Linux 5.8) has `name`, `energy_uj` (a
 * counter in microjoules that wraps at `max_energy_range_uj`) and subzones `intel-rapl:N:M`.
 * Energy over an interval is the difference of two readings (see {@link measureEnergy}).
 *
 * It never throws for a missing or unreadable tree: it returns `available: false` with a reason and
 * a message that says what to do (the usual case on a desktop is `'permission'`: `energy_uj` is
 * root-only on current kernels). It throws only for bad arguments.
 *
 * @param fs - `{ readFile, readdir }`; in Node, `await import('node:fs/promises')`.
 * @param options - `root`: the powercap directory, default `'/sys/class/powercap'`.
 * @returns The top-level zones with their subzones, or why none could be read.
 * @throws InvalidArgumentError when `fs` lacks `readFile` or `readdir`, or `root` is not a non-empty string.
 *
 * @example
 * ```ts
 * import { readRaplEnergy } from 'responsible-tfjs/sustainability';
 * const reading = await readRaplEnergy(await import('node:fs/promises'));
 * if (reading.available) {
 *   for (const z of reading.zones) console.log(z.name, z.energyMicrojoules, 'µJ');
 * } else {
 *   console.log(`no RAPL (${reading.reason}): ${reading.message}`);
 * }
 * ```
 */
export async function readRaplEnergy(fs: PowercapFs, options?: { readonly root?: string }): Promise<RaplReading> {
  checkFs(FN, 'fs', fs);
  const opts = optionsObject(FN, 'options', options);
  const root = opts.root ?? '/sys/class/powercap';
  if (typeof root !== 'string' || root === '') invalid(FN, 'options.root', root, 'a non-empty directory path');
  let entries: string[];
  try {
    entries = await fs.readdir(root);
  } catch (e) {
    return { available: false, root, reason: 'no-powercap', message: `cannot list ${root} (${codeOf(e) ?? String(e)}): no powercap interface on this system` };
  }
  const tops = entries.filter((e) => TOP.test(e)).sort(byIndex);
  if (tops.length === 0) return { available: false, root, reason: 'no-rapl-zones', message: `${root} holds no intel-rapl:N zone` };
  try {
    const zones: RaplTopZone[] = [];
    for (const id of tops) {
      const zone = await readZone(fs, root, id);
      const subPattern = new RegExp(`^${id}:(\\d+)$`);
      // sysfs lists subzones at the top of /sys/class/powercap and inside their parent's directory.
      let subDir = root;
      let subIds = entries.filter((e) => subPattern.test(e));
      if (subIds.length === 0) {
        subDir = `${root}/${id}`;
        subIds = await fs.readdir(subDir).then((names) => names.filter((e) => subPattern.test(e)), () => []);
      }
      const subzones: RaplZone[] = [];
      for (const s of subIds.sort(byIndex)) subzones.push(await readZone(fs, subDir, s));
      zones.push({ ...zone, isPackage: zone.name.startsWith('package-'), subzones });
    }
    return { available: true, root, zones };
  } catch (e) {
    if (e instanceof RaplReadFailure) return { available: false, root, reason: e.reason, message: e.message };
    throw e;
  }
}

/** Validates an injected file system (internal, shared with measureEnergy). */
export function checkFs(fn: string, argument: string, fs: unknown): PowercapFs {
  const f = fs as Partial<PowercapFs> | null;
  if (typeof f !== 'object' || f === null || typeof f.readFile !== 'function' || typeof f.readdir !== 'function') {
    invalid(fn, argument, fs, "an object with readFile(path, 'utf8') and readdir(path), e.g. await import('node:fs/promises')");
  }
  return fs as PowercapFs;
}

import * as fsp from 'node:fs/promises';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { measureEnergy, raplCounterDelta, readRaplEnergy, type PowercapFs } from '../../src/sustainability/energy/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';

// The range Intel package zones commonly report: (2^32 - 1) counts of 61.035 µJ (2^-14 J), floored, in µJ.
const MAX = 262_143_328_850;
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function zone(dir: string, name: string, energy: number | string, max = MAX): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'name'), `${name}\n`);
  writeFileSync(join(dir, 'energy_uj'), `${energy}\n`);
  writeFileSync(join(dir, 'max_energy_range_uj'), `${max}\n`);
}

/**
 * A powercap tree as Linux lays it out: the control type `intel-rapl`, two packages, a subzone of
 * package 0 listed at the top (as /sys/class/powercap does) and a subzone of package 1 listed only
 * inside its parent's directory.
 */
function fakeTree(e0 = 1_000, e1 = 2_000): string {
  const root = mkdtempSync(join(tmpdir(), 'rtf-powercap-'));
  roots.push(root);
  mkdirSync(join(root, 'intel-rapl'));
  writeFileSync(join(root, 'intel-rapl', 'enabled'), '1\n');
  zone(join(root, 'intel-rapl:0'), 'package-0', e0);
  zone(join(root, 'intel-rapl:0:0'), 'core', 400);
  zone(join(root, 'intel-rapl:1'), 'package-1', e1);
  zone(join(root, 'intel-rapl:1', 'intel-rapl:1:0'), 'dram', 50, 65_712_999_613);
  return root;
}

describe('readRaplEnergy on a fake powercap tree (real node:fs/promises)', () => {
  it('reads both packages and their subzones', async () => {
    const root = fakeTree();
    const r = await readRaplEnergy(fsp, { root });
    expect(r).toEqual({
      available: true,
      root,
      zones: [
        {
          id: 'intel-rapl:0', name: 'package-0', energyMicrojoules: 1_000, maxEnergyRangeMicrojoules: MAX, isPackage: true,
          subzones: [{ id: 'intel-rapl:0:0', name: 'core', energyMicrojoules: 400, maxEnergyRangeMicrojoules: MAX }],
        },
        {
          id: 'intel-rapl:1', name: 'package-1', energyMicrojoules: 2_000, maxEnergyRangeMicrojoules: MAX, isPackage: true,
          subzones: [{ id: 'intel-rapl:1:0', name: 'dram', energyMicrojoules: 50, maxEnergyRangeMicrojoules: 65_712_999_613 }],
        },
      ],
    });
  });

  it('says why when there is no tree, no zone, or a counter that is not a number', async () => {
    const missing = await readRaplEnergy(fsp, { root: join(tmpdir(), 'rtf-no-such-powercap-dir') });
    expect(missing).toMatchObject({ available: false, reason: 'no-powercap' });
    const empty = mkdtempSync(join(tmpdir(), 'rtf-powercap-empty-'));
    roots.push(empty);
    expect(await readRaplEnergy(fsp, { root: empty })).toMatchObject({ available: false, reason: 'no-rapl-zones' });
    const garbled = fakeTree();
    writeFileSync(join(garbled, 'intel-rapl:1', 'energy_uj'), 'n/a\n');
    const r = await readRaplEnergy(fsp, { root: garbled });
    expect(r).toMatchObject({ available: false, reason: 'read-error' });
    expect(r.available === false && r.message).toMatch(/intel-rapl:1\/energy_uj holds "n\/a"/);
  });

  it('reports an energy_uj that cannot be read (a directory in its place: EISDIR)', async () => {
    const root = fakeTree();
    rmSync(join(root, 'intel-rapl:0', 'energy_uj'));
    mkdirSync(join(root, 'intel-rapl:0', 'energy_uj'));
    const r = await readRaplEnergy(fsp, { root });
    expect(r).toMatchObject({ available: false, reason: 'read-error' });
    expect(r.available === false && r.message).toMatch(/EISDIR/);
  });

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  it.skipIf(isRoot)('reports a root-only energy_uj as a permission problem (chmod 000; skipped when running as root, who reads it anyway)', async () => {
    const root = fakeTree();
    chmodSync(join(root, 'intel-rapl:0', 'energy_uj'), 0o000);
    const r = await readRaplEnergy(fsp, { root });
    expect(r).toMatchObject({ available: false, reason: 'permission' });
    expect(r.available === false && r.message).toMatch(/CVE-2020-8694/);
  });

  it('classifies EACCES from the file system as a permission problem (real fs, EACCES injected for energy_uj)', async () => {
    const root = fakeTree();
    const denying: PowercapFs = {
      readdir: (p) => fsp.readdir(p),
      readFile: async (p, enc) => {
        if (p.endsWith('energy_uj')) throw Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' });
        return fsp.readFile(p, enc);
      },
    };
    const r = await readRaplEnergy(denying, { root });
    expect(r).toMatchObject({ available: false, reason: 'permission' });
    expect(r.available === false && r.message).toMatch(/root only.*CVE-2020-8694/);
  });

  it('rejects a file system without readFile/readdir and an empty root', async () => {
    await expect(readRaplEnergy({} as PowercapFs)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(readRaplEnergy(fsp, { root: '' })).rejects.toMatchObject({ argument: 'options.root' });
  });
});

describe('raplCounterDelta', () => {
  it('subtracts, and corrects one wrap-around with max_energy_range_uj', () => {
    expect(raplCounterDelta(1_000, 4_000, MAX)).toBe(3_000);
    expect(raplCounterDelta(MAX - 1_000, 500, MAX)).toBe(1_500);
    expect(raplCounterDelta(7, 7, MAX)).toBe(0);
  });

  it('rejects counters outside [0, max]', () => {
    expectInvalidArgument(() => raplCounterDelta(MAX + 1, 0, MAX), 'raplCounterDelta', 'before', /\[0, 262143328850\]/);
    expectInvalidArgument(() => raplCounterDelta(0, -1, MAX), 'raplCounterDelta', 'after', /integer >= 0/);
    expectInvalidArgument(() => raplCounterDelta(0, 1, 0), 'raplCounterDelta', 'maxEnergyRangeMicrojoules', /integer >= 1/);
  });
});

describe('measureEnergy with RAPL (fake tree)', () => {
  let root: string;
  beforeEach(() => {
    root = fakeTree(MAX - 1_000, 2_000);
  });

  it('sums the package counters across the call, one wrapping (package-0: 1,500 µJ; package-1: 3,000 µJ)', async () => {
    const e = await measureEnergy(
      async () => {
        writeFileSync(join(root, 'intel-rapl:0', 'energy_uj'), '500\n'); // wrapped past MAX
        writeFileSync(join(root, 'intel-rapl:1', 'energy_uj'), '5000\n');
        writeFileSync(join(root, 'intel-rapl:0:0', 'energy_uj'), '900000\n'); // a subzone: part of package-0, not added
      },
      { rapl: { fs: fsp, root } },
    );
    expect(e.method).toBe('rapl');
    expect(e.joules).toBeCloseTo(4_500e-6, 15);
    expect(e.details.zones).toEqual([
      { id: 'intel-rapl:0', name: 'package-0', microjoules: 1_500 },
      { id: 'intel-rapl:1', name: 'package-1', microjoules: 3_000 },
    ]);
    expect(e.uncertainty).toMatch(/CPU package/);
    expect(e.seconds).toBeGreaterThanOrEqual(0);
  });

  it('falls back to the power model when RAPL is unreadable, and says why', async () => {
    writeFileSync(join(root, 'intel-rapl:1', 'energy_uj'), 'denied');
    const e = await measureEnergy(async () => new Promise((r) => setTimeout(r, 20)), {
      rapl: { fs: fsp, root },
      power: { tdpWatts: 65, cpuShare: 0.25 },
    });
    expect(e.method).toBe('tdp-model');
    expect(e.details.raplUnavailable).toMatch(/^read-error/);
    expect(e.joules).toBeCloseTo(65 * 0.25 * e.seconds, 12);
  });

  it('throws when only RAPL is given and it cannot be read, with the reason', async () => {
    const missing = join(tmpdir(), 'rtf-no-such-powercap-dir');
    await expect(measureEnergy(async () => undefined, { rapl: { fs: fsp, root: missing } })).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      argument: 'options.rapl',
      message: expect.stringMatching(/no-powercap.*options\.power|options\.power[\s\S]*no-powercap/),
    });
  });
});

// The machine's own RAPL counters, when this process may read them.
const real = await readRaplEnergy(fsp);
const why = real.available ? 'readable' : `skipped: ${real.reason}: ${real.message}`;
describe('readRaplEnergy on the real /sys/class/powercap', () => {
  it.skipIf(!real.available)(`reads package counters that advance under load (${why})`, async () => {
    const e = await measureEnergy(
      async () => {
        const end = Date.now() + 200;
        let s = 0;
        while (Date.now() < end) s += Math.sqrt(s + 1);
        return s;
      },
      { rapl: { fs: fsp } },
    );
    expect(e.method).toBe('rapl');
    expect(e.joules).toBeGreaterThan(0);
    // Any CPU package draws well under 1 kW: a loose physical bound, not a tolerance.
    expect(e.joules / e.seconds).toBeLessThan(1000);
  });
});

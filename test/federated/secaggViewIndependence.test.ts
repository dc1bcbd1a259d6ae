/**
 * The server's view is independent of individual inputs given their sum (Bonawitz et al. 2017,
 * Thm. 6.2, honest-but-curious server): a real statistical test that could fail. With 3 clients,
 * the server sees y_u = x_u + PRG(b_u) + pairwise masks and, after unmasking, learns every b_u, so
 * it can compute z_u = y_u - PRG(b_u) = x_u + sum of u's pairwise masks. In two worlds with
 * different inputs but the same sum, the joint law of the low bits of (z_0, z_1) must be the same
 * (uniform); z_2 is then fixed by the sum. Negative controls feed the same statistic with the
 * pairwise masks removed, or with only one of the three pairwise masks, and must be flagged.
 */
import { describe, expect, it } from 'vitest';
import {
  expandMask, runSecAggInProcess, shamirCombine, type SecAggClientMessage, type ShamirShare,
} from '../../src/federated/secagg/index.js';

const M = 64; // coordinates per round, each an independent sample (independent PRG words)
const ROUNDS = 40; // rounds per world: 2560 samples per world over 16 cells
const CELLS = 16; // (z_0 mod 4, z_1 mod 4)
// chi-square critical value, df = 15, alpha = 1e-6: scipy.stats.chi2.isf(1e-6, 15).
const CRITICAL_DF15 = 56.4934;

const WORLD_A = [5, 7, 11];
const WORLD_B = [6, 7, 10]; // same sum 23; x_0 differs in its low two bits

/** One round's server view reduced to the cells of (z_0 mod 4, z_1 mod 4), one per coordinate. */
async function serverViewCells(world: readonly number[]): Promise<number[]> {
  const messages: SecAggClientMessage[] = [];
  const inputs = world.map((x) => new Uint32Array(M).fill(x));
  await runSecAggInProcess({ inputs, threshold: 2, onServerReceive: (m) => messages.push(m) });
  const masked = new Map<number, Uint32Array>();
  const shares = new Map<number, ShamirShare[]>();
  for (const m of messages) {
    if (m.type === 'maskedInput') masked.set(m.clientId, m.maskedInput);
    if (m.type === 'unmaskResponse') {
      for (const s of m.selfMaskShares) shares.set(s.owner, [...(shares.get(s.owner) ?? []), { x: m.clientId + 1, y: s.share }]);
    }
  }
  const z = await Promise.all([0, 1, 2].map(async (u) => {
    const b = await expandMask(shamirCombine(shares.get(u)!, { threshold: 2 }), M);
    return masked.get(u)!.map((y, i) => (y - (b[i] as number)) >>> 0);
  }));
  // Sanity: the server's reconstruction is right, since the z_u sum to the true sum.
  for (let i = 0; i < M; i++) expect(((z[0]![i]! + z[1]![i]! + z[2]![i]!) >>> 0)).toBe(23);
  return Array.from({ length: M }, (_, i) => ((z[0]![i]! & 3) << 2) | (z[1]![i]! & 3));
}

function histogram(cells: readonly number[]): number[] {
  const h = new Array<number>(CELLS).fill(0);
  for (const c of cells) h[c] = (h[c] as number) + 1;
  return h;
}

/** Pearson chi-square statistic of homogeneity of two histograms (cells empty in both are skipped). */
function chiSquareTwoSample(a: readonly number[], b: readonly number[]): number {
  const na = a.reduce((s, v) => s + v, 0);
  const nb = b.reduce((s, v) => s + v, 0);
  let stat = 0;
  for (let k = 0; k < a.length; k++) {
    const col = (a[k] as number) + (b[k] as number);
    if (col === 0) continue;
    const ea = (col * na) / (na + nb);
    const eb = (col * nb) / (na + nb);
    stat += ((a[k] as number) - ea) ** 2 / ea + ((b[k] as number) - eb) ** 2 / eb;
  }
  return stat;
}

/** Pearson chi-square statistic against the uniform law over CELLS cells. */
function chiSquareUniform(h: readonly number[]): number {
  const n = h.reduce((s, v) => s + v, 0);
  return h.reduce((s, v) => s + (v - n / CELLS) ** 2 / (n / CELLS), 0);
}

async function collect(world: readonly number[]): Promise<number[]> {
  const cells: number[] = [];
  for (let r = 0; r < ROUNDS; r++) cells.push(...(await serverViewCells(world)));
  return histogram(cells);
}

describe("an honest-but-curious server's view given the sum", () => {
  it('has the same (uniform) law whatever the individual inputs', async () => {
    const a = await collect(WORLD_A);
    const b = await collect(WORLD_B);
    expect(a.reduce((s, v) => s + v, 0)).toBe(ROUNDS * M);
    expect(chiSquareTwoSample(a, b)).toBeLessThan(CRITICAL_DF15);
    expect(chiSquareUniform(a)).toBeLessThan(CRITICAL_DF15);
    expect(chiSquareUniform(b)).toBeLessThan(CRITICAL_DF15);
  });

  it('negative control: without pairwise masks the same test detects the leak', () => {
    // z_u = x_u exactly: every sample of a world falls in one cell.
    const cells = (world: readonly number[]): number[] => new Array<number>(ROUNDS * M).fill(((world[0]! & 3) << 2) | (world[1]! & 3));
    expect(chiSquareTwoSample(histogram(cells(WORLD_A)), histogram(cells(WORLD_B)))).toBeGreaterThan(CRITICAL_DF15);
  });

  it('negative control: with only one of the three pairwise masks the test detects the leak', async () => {
    // z_0 = x_0 + m01, z_1 = x_1 - m01 (m02, m12 missing): z_0 + z_1 = x_0 + x_1 leaks.
    const cells = async (world: readonly number[]): Promise<number[]> => {
      const out: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const m01 = await expandMask(crypto.getRandomValues(new Uint8Array(32)), M);
        for (const w of m01) out.push(((((world[0]! + w) >>> 0) & 3) << 2) | (((world[1]! - w) >>> 0) & 3));
      }
      return histogram(out);
    };
    const stat = chiSquareTwoSample(await cells(WORLD_A), await cells(WORLD_B));
    expect(stat).toBeGreaterThan(CRITICAL_DF15);
  });
});

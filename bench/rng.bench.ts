/**
 * npm run bench -- rng: the cost of secure randomness. Draws 1,000,000 uniform doubles from
 * secureRng (crypto.getRandomValues, buffered), seededRng (seedrandom ARC4) and Math.random, side by
 * side in one run. No tensors are involved, so no backend is selected.
 */
import { secureRng, seededRng } from '../src/core/rng.js';
import { measure, printTable, writeResults, type BenchRow, type Timing } from './harness.js';

const N = 1_000_000;
const draw = (next: () => number) => () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += next();
  return s;
};

const secure = secureRng();
const seeded = seededRng(1);
const cases: [string, () => number][] = [
  ['Math.random (insecure, not reproducible)', Math.random],
  ['seededRng (seedrandom, for tests)', () => seeded.next()],
  ['secureRng (crypto.getRandomValues)', () => secure.next()],
];
const timings: Timing[] = [];
for (const [, next] of cases) timings.push(await measure(draw(next), { minRuns: 5, warmup: 5 }));
const rows: BenchRow[] = cases.map(([name], i) => ({
  case: name,
  medianMs: timings[i]!.medianMs,
  runs: timings[i]!.runs,
  nsPerDraw: (timings[i]!.medianMs * 1e6) / N,
  vsMathRandom: timings[i]!.medianMs / timings[0]!.medianMs,
}));
printTable(`1,000,000 uniform doubles (median of runs)`, rows);
writeResults('rng', rows, { draws: N });

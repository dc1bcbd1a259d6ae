/** The UCI digits shipped with the examples, split as everywhere in the project (first 1,347 rows train). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export interface DigitsArrays {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly n: number;
}

export function loadDigitsSplits(): { train: DigitsArrays; test: DigitsArrays } {
  const path = fileURLToPath(new URL('../../examples/data/digits.csv', import.meta.url));
  const rows = parse(readFileSync(path, 'utf8'), { cast: true }) as unknown as number[][];
  const split = (from: number, to: number): DigitsArrays => {
    const n = to - from;
    const x = new Float32Array(n * 64);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 64; j++) x[i * 64 + j] = rows[from + i]![j]! / 16;
      y[i] = rows[from + i]![64]!;
    }
    return { x, y, n };
  };
  return { train: split(0, 1347), test: split(1347, rows.length) };
}

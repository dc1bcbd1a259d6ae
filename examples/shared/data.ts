/**
 * Loaders for the real data sets shipped in examples/data (provenance in examples/data/README.md):
 * Node reads the files, ./datasets.ts parses them (the browser playground fetches the same files).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeAdult, parseAdultRows, parseDigits, type AdultEncoded, type AdultRow, type DigitsSplit } from './datasets.js';

export { shuffleDigits, type AdultEncoded, type AdultRow, type DigitsSplit } from './datasets.js';

const dataDir = fileURLToPath(new URL('../data/', import.meta.url));
const read = (name: string): string => readFileSync(`${dataDir}${name}`, 'utf8');

/** UCI optical digits (8×8), split as the reference models were: first 1,347 rows train, last 450 test. */
export function loadDigits(): { train: DigitsSplit; test: DigitsSplit } {
  return parseDigits(read('digits.csv'));
}

/** All 45,222 rows of UCI Adult with the official train/test split. */
export function loadAdultRows(): AdultRow[] {
  return parseAdultRows(read('adult.csv'));
}

/**
 * Encodes Adult's train and test splits with statistics (means, deviations, category lists) fitted
 * on the training split only.
 */
export function loadAdult(): { train: AdultEncoded; test: AdultEncoded } {
  return encodeAdult(loadAdultRows());
}

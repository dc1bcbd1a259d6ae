/**
 * Text preparation for the dp-text example: the Moby-Dick slice shipped in examples/data
 * (provenance and licence in examples/data/README.md), lowercased onto a 30-symbol alphabet and
 * cut into fixed-length windows, each window's next character its label.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The 30 symbols: a-z, space, full stop, comma, apostrophe. Index = class id. */
export const ALPHABET = "abcdefghijklmnopqrstuvwxyz .,'";

const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/**
 * Lowercases and maps onto {@link ALPHABET}: `?` and `!` become `.`, `;` and `:` become `,`, the
 * typographic apostrophe becomes `'`, everything else (digits, quotes, dashes, line breaks) a
 * space; runs of spaces collapse to one.
 */
export function normalizeText(raw: string): string {
  const mapped = [...raw.toLowerCase()].map((c) => {
    if (INDEX.has(c)) return c;
    if (c === '?' || c === '!') return '.';
    if (c === ';' || c === ':') return ',';
    if (c === '\u2019') return "'";
    return ' ';
  });
  return mapped.join('').replace(/ +/g, ' ').trim();
}

/** Class ids of a normalised text. */
export function encode(text: string): Int32Array {
  return Int32Array.from(text, (c) => {
    const i = INDEX.get(c);
    if (i === undefined) throw new Error(`encode: character ${JSON.stringify(c)} is not in the alphabet (normalise first)`);
    return i;
  });
}

/** Text of class ids. */
export function decode(ids: ArrayLike<number>): string {
  return Array.from(ids, (i) => ALPHABET[i] ?? '?').join('');
}

/** Windows of `length` ids (row-major `[n, length]`) and, for each, the id that follows it. */
export interface Windows {
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly n: number;
  readonly length: number;
}

/**
 * Cuts `ids` into windows of `length` starting every `stride` characters; window i is
 * `ids[i*stride .. i*stride+length)` and its label `ids[i*stride+length]`. With `stride < length`
 * windows overlap: one character lies in up to `ceil(length / stride)` windows and is the label
 * of at most one more.
 */
export function makeWindows(ids: Int32Array, length: number, stride: number): Windows {
  const n = Math.max(0, Math.floor((ids.length - length - 1) / stride) + 1);
  const x = new Int32Array(n * length);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const start = i * stride;
    x.set(ids.subarray(start, start + length), i * length);
    y[i] = ids[start + length]!;
  }
  return { x, y, n, length };
}

/** Chapter texts of the shipped slice (chapters 1-15), raw, in order. */
export function loadMobyDickChapters(): string[] {
  const path = fileURLToPath(new URL('../data/moby-dick.txt', import.meta.url));
  const raw = readFileSync(path, 'utf8');
  // Each chapter starts with a line "CHAPTER n. Title."; the headings are dropped.
  return raw.split(/^CHAPTER \d+\.[^\n]*\n/m).map((c) => c.trim()).filter((c) => c.length > 0);
}

/** Where examples write their figures and JSON results (git-ignored; docs copy the ones they show). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const outDir = fileURLToPath(new URL('../output/', import.meta.url));

/** Writes `examples/output/<name>` and returns its path. */
export function writeOutput(name: string, contents: string): string {
  mkdirSync(outDir, { recursive: true });
  const path = `${outDir}${name}`;
  writeFileSync(path, contents);
  return path;
}

/** Formats rows as an aligned text table. */
export function textTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, j) => c.padStart(widths[j]!)).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 || Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toFixed(4);
}

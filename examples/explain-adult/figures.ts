/** Where the explain-adult example writes the figures docs/explain.md shows. */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Writes `docs/figures/<name>` and returns its path from the working directory. */
export function writeFigure(name: string, contents: string): string {
  const path = fileURLToPath(new URL(`../../docs/figures/${name}`, import.meta.url));
  writeFileSync(path, contents);
  return relative(process.cwd(), path);
}

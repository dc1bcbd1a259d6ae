/**
 * Figures of the example: several standalone SVG pictures (the explain module's heatmaps) laid out
 * as one SVG grid, so the docs can show every method for every digit in one image (each picture
 * keeps its own markup and becomes a nested `<svg>` placed at its cell), and where they are written.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

function size(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg.trimStart());
  if (m === null) throw new Error('not an SVG document with width and height');
  return { width: Number(m[1]), height: Number(m[2]) };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One SVG: `cells[r][c]` at row r, column c, with a label left of each row. */
export function svgGrid(cells: readonly (readonly string[])[], options: { title: string; rows: readonly string[] }): string {
  const sizes = cells.map((row) => row.map(size));
  const cellW = Math.max(...sizes.flat().map((s) => s.width));
  const cellH = Math.max(...sizes.flat().map((s) => s.height));
  const left = 110;
  const top = 40;
  const width = left + cellW * Math.max(...cells.map((r) => r.length));
  const height = top + cellH * cells.length + 8;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="17" font-weight="bold">${escape(options.title)}</text>`,
  ];
  cells.forEach((row, i) => {
    const y = top + cellH * i;
    parts.push(`<text x="8" y="${y + cellH / 2}" dominant-baseline="middle">${escape(options.rows[i] ?? '')}</text>`);
    row.forEach((svg, j) => {
      const nested = svg.trimStart().replace(/^<svg\s/, `<svg x="${left + cellW * j}" y="${y}" `);
      parts.push(nested);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Writes `docs/figures/<name>` (the figures docs/explain.md shows) and returns its path from the working directory. */
export function writeFigure(name: string, contents: string): string {
  const path = fileURLToPath(new URL(`../../docs/figures/${name}`, import.meta.url));
  writeFileSync(path, contents);
  return relative(process.cwd(), path);
}

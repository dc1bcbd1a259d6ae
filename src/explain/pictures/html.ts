import { esc } from '../../core/svg.js';
import { invalid, optionsObject, positiveInteger } from '../../core/validate.js';

/** One explanation of an {@link explanationsHtml} page. */
export interface ExplanationPanel {
  /** Heading of the panel (escaped). */
  readonly title: string;
  /** The picture: an SVG document as the explain pictures return it (inserted as markup, not escaped). */
  readonly svg: string;
  /** Text under the picture (escaped), e.g. the method's settings or its infidelity. */
  readonly caption?: string;
}

/** Options of {@link explanationsHtml}. */
export interface ExplanationsHtmlOptions {
  /** Page title and main heading (escaped). Default `'Explanations'`. */
  readonly title?: string;
  /** Columns of the grid. Default: as many panels of at least 280 pixels as fit the window. */
  readonly columns?: number;
}

/**
 * Writes a small self-contained HTML page (no scripts, no external files) showing several
 * explanations side by side in a CSS grid: one panel per picture, with its title and an optional
 * caption, e.g. saliency, integrated gradients and Grad-CAM of the same digit. The pictures are
 * scaled down to their column's width. Titles and captions are escaped; the SVG markup is inserted
 * as it is, so pass only SVG you produced (the pictures of this module).
 *
 * @param panels - The explanations to show, in order (at least one).
 * @param options - `title`, `columns`.
 * @returns The HTML text; save it as a `.html` file or open it in a new window.
 * @throws {@link InvalidArgumentError} for no panels, a panel without a string title, an `svg` that
 *   is not an SVG document, a caption that is not a string, or a bad option.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { attributionHeatmapSvg, explanationsHtml } from 'responsible-tfjs/explain';
 * // salMap, igMap: { values, width, height } grids read with gridFromTensor.
 * const page = explanationsHtml([
 *   { title: 'Saliency', svg: attributionHeatmapSvg(salMap, { image }), caption: 'infidelity 0.021' },
 *   { title: 'Integrated gradients', svg: attributionHeatmapSvg(igMap, { image }), caption: 'infidelity 0.008' },
 * ], { title: 'Why the model reads a 3' });
 * writeFileSync('explanations.html', page);
 * ```
 */
export function explanationsHtml(panels: readonly ExplanationPanel[], options?: ExplanationsHtmlOptions): string {
  const fn = 'explanationsHtml';
  const opts = optionsObject(fn, 'options', options);
  if (!Array.isArray(panels) || panels.length === 0) invalid(fn, 'panels', panels, 'a non-empty array of { title, svg, caption? }');
  const title = opts.title ?? 'Explanations';
  if (typeof title !== 'string') invalid(fn, 'options.title', title, 'a string');
  const columns = opts.columns === undefined ? undefined : positiveInteger(fn, 'options.columns', opts.columns);
  const figures = panels.map((p, i) => {
    if (typeof p !== 'object' || p === null) invalid(fn, `panels[${i}]`, p, 'an object { title, svg, caption? }');
    if (typeof p.title !== 'string') invalid(fn, `panels[${i}].title`, p.title, 'a string');
    if (typeof p.svg !== 'string' || !/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(p.svg) || !/<\/svg>\s*$/.test(p.svg)) {
      invalid(fn, `panels[${i}].svg`, typeof p.svg === 'string' ? `${p.svg.slice(0, 40)}…` : p.svg, 'an SVG document (<svg ...>...</svg>)');
    }
    if (p.caption !== undefined && typeof p.caption !== 'string') invalid(fn, `panels[${i}].caption`, p.caption, 'a string');
    const svg = p.svg.replace(/^\s*<\?xml[^>]*>\s*/, '');
    const caption = p.caption !== undefined ? `\n<figcaption>${esc(p.caption)}</figcaption>` : '';
    return `<figure>\n<h2>${esc(p.title)}</h2>\n${svg}${caption}\n</figure>`;
  });
  const template = columns === undefined ? 'repeat(auto-fill, minmax(280px, 1fr))' : `repeat(${columns}, minmax(0, 1fr))`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    '<style>',
    'body { font-family: sans-serif; margin: 24px; color: #222; }',
    `.explanations { display: grid; grid-template-columns: ${template}; gap: 16px; }`,
    'figure { margin: 0; padding: 8px; border: 1px solid #ddd; border-radius: 4px; }',
    'figure h2 { font-size: 1rem; margin: 0 0 8px; }',
    'figure svg { display: block; max-width: 100%; height: auto; }',
    'figcaption { font-size: 0.875rem; color: #555; margin-top: 6px; }',
    '</style>',
    '</head>',
    '<body>',
    `<h1>${esc(title)}</h1>`,
    '<div class="explanations">',
    ...figures,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Assembles the demo's single-file HTML report: a summary table and one section per module. */

export interface ReportSection {
  readonly title: string;
  /** Short paragraph: what was done and what the figure shows. */
  readonly text: string;
  /** Inline SVG documents. */
  readonly figures?: readonly string[];
  readonly table?: { readonly header: readonly string[]; readonly rows: readonly (readonly (string | number)[])[] };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cell = (v: string | number): string =>
  esc(typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v);

function tableHtml(t: NonNullable<ReportSection['table']>): string {
  const head = `<tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>${head}\n${body}</table>`;
}

/** Renders the report as a standalone HTML page (no scripts, no external assets). */
export function renderReport(title: string, meta: string, sections: readonly ReportSection[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
figure{margin:1em 0}.meta{color:#666;font-size:90%}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="meta">${esc(meta)}</p>
${sections
  .map(
    (s) => `<section><h2>${esc(s.title)}</h2><p>${esc(s.text)}</p>
${s.table !== undefined ? tableHtml(s.table) : ''}
${(s.figures ?? []).map((f) => `<figure>${f}</figure>`).join('\n')}</section>`,
  )
  .join('\n')}
</body></html>
`;
}

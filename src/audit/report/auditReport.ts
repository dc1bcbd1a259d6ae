import { barChartSvg, esc } from '../../core/svg.js';
import { invalid, optionsObject } from '../../core/validate.js';
import type { MembershipAttackEvaluation } from '../roc/evaluateMembershipAttack.js';
import { rocSvg } from '../roc/rocSvg.js';

/** One audited training run in an {@link auditReport} (a {@link DpSgdAuditResult} plus a label fits). */
export interface AuditReportRun {
  /** What was audited, e.g. `'DP-SGD, epsilon 4'` or `'non-private'`. */
  readonly label: string;
  /** The epsilon the training reported; undefined for a non-private run. */
  readonly reportedEpsilon: number | undefined;
  /** The audit's lower bound. */
  readonly epsilonLowerBound: number;
  /** The largest bound the audit could have given (every guess right). */
  readonly maxCertifiableEpsilon?: number;
  /** Whether the audit could have refuted the reported epsilon (`maxCertifiableEpsilon` above it). */
  readonly canRefute?: boolean | undefined;
  /** Guesses made and correct. */
  readonly guesses?: number;
  readonly correct?: number;
  /** The delta and confidence of the bound. */
  readonly delta?: number;
  readonly confidence?: number;
}

/** Options of {@link auditReport}. */
export interface AuditReportOptions {
  /** Heading of the page. Default `'Privacy audit'`. */
  readonly title?: string;
  /** Evaluated membership-inference attacks ({@link evaluateMembershipAttack}), drawn as one ROC. */
  readonly attacks?: readonly MembershipAttackEvaluation[];
  /** Audited training runs ({@link auditDpSgd}), drawn as reported epsilon against the lower bound. */
  readonly runs?: readonly AuditReportRun[];
}

/** Result of {@link auditReport}. */
export interface AuditReport {
  /** A standalone HTML page (inline SVG, no scripts, no external resources). */
  readonly html: string;
  /** The ROC figure (log-log), when attacks were given. */
  readonly rocSvg?: string;
  /** Reported epsilon, lower bound and certifiable maximum per run, when runs were given. */
  readonly epsilonSvg?: string;
}

/**
 * A privacy audit people can read: the attacks' ROC curves on log-log axes with their AUC and TPR
 * at low FPR, and for each audited training run the epsilon it reports next to the empirical lower
 * bound and the most the audit could have certified. The page says what the numbers mean: a lower
 * bound above the reported epsilon refutes the guarantee; one below it does not confirm it.
 *
 * @param options - {@link AuditReportOptions}; at least one of `attacks` and `runs`.
 * @returns The HTML page and the SVG figures it embeds.
 * @example
 * ```ts
 * import { auditReport, evaluateMembershipAttack } from 'responsible-tfjs/audit';
 * const { html, rocSvg } = auditReport({
 *   attacks: [evaluateMembershipAttack(lossScores, isMember, { name: 'loss' })],
 *   runs: [{ label: 'DP-SGD, epsilon 4', ...audit }],
 * });
 * // Node: writeFileSync('audit.html', html);
 * ```
 */
export function auditReport(options: AuditReportOptions): AuditReport {
  const fn = 'auditReport';
  const o = optionsObject(fn, 'options', options);
  const attacks: readonly MembershipAttackEvaluation[] = o.attacks ?? [];
  const runs: readonly AuditReportRun[] = o.runs ?? [];
  if (!isArray(attacks)) invalid(fn, 'options.attacks', attacks, 'an array of membership attack evaluations');
  if (!isArray(runs)) invalid(fn, 'options.runs', runs, 'an array of audited runs');
  if (attacks.length === 0 && runs.length === 0) invalid(fn, 'options', options, 'at least one attack or one audited run');
  runs.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || typeof r.label !== 'string' || !(typeof r.epsilonLowerBound === 'number' && r.epsilonLowerBound >= 0)) {
      invalid(fn, `options.runs[${i}]`, r, '{ label: string, epsilonLowerBound: number >= 0, reportedEpsilon?: number }');
    }
  });
  const title = o.title ?? 'Privacy audit';
  const roc = attacks.length > 0 ? rocSvg(attacks, { title: 'Membership inference (log-log ROC)' }) : undefined;
  const epsilonSvg = runs.length > 0
    ? barChartSvg(
      {
        categories: runs.map((r) => r.label),
        series: [
          { label: 'reported epsilon', values: runs.map((r) => r.reportedEpsilon ?? Number.NaN), color: '#7f7f7f' },
          { label: 'audit lower bound', values: runs.map((r) => r.epsilonLowerBound), color: '#d62728' },
          { label: 'most the audit can certify', values: runs.map((r) => r.maxCertifiableEpsilon ?? Number.NaN), color: '#c7c7c7' },
        ],
      },
      // About 150 px a run keeps labels of ~20 characters apart.
      { title: 'Reported epsilon against the audit lower bound', yLabel: 'epsilon', width: Math.max(640, 320 + 150 * runs.length) },
    )
    : undefined;
  const parts: string[] = [`<h1>${esc(title)}</h1>`];
  if (roc !== undefined) {
    const fprs = attacks[0]!.tprAtFpr.map((t) => t.fpr);
    parts.push('<h2>Membership inference</h2>', roc, table(
      ['attack', 'AUC', ...fprs.map((f) => `TPR at ${pct(f)} FPR`), 'best balanced accuracy', 'members', 'non-members'],
      attacks.map((a) => [a.name, a.auc.toFixed(4), ...a.tprAtFpr.map((t) => t.tpr.toFixed(4)), a.balancedAccuracy.toFixed(4), String(a.members), String(a.nonMembers)]),
    ));
  }
  if (epsilonSvg !== undefined) {
    parts.push('<h2>Audited training runs</h2>', epsilonSvg, table(
      ['run', 'reported epsilon', 'lower bound', 'most certifiable', 'correct / guesses', 'delta', 'confidence', 'verdict'],
      runs.map((r) => [
        r.label,
        r.reportedEpsilon === undefined ? 'none' : r.reportedEpsilon.toFixed(3),
        r.epsilonLowerBound.toFixed(3),
        r.maxCertifiableEpsilon === undefined ? '' : r.maxCertifiableEpsilon.toFixed(3),
        r.guesses === undefined ? '' : `${r.correct ?? ''} / ${r.guesses}`,
        r.delta === undefined ? '' : String(r.delta),
        r.confidence === undefined ? '' : String(r.confidence),
        verdict(r),
      ]),
    ));
    parts.push(
      '<p>A lower bound is a proof about the run: with the stated confidence, no mechanism with a smaller epsilon (at this delta) ' +
        'could have let the auditor guess this well. A bound above the reported epsilon means the guarantee is false. A bound below it ' +
        'shows nothing about the guarantee being right: the audit sees only the final model and input canaries, and it cannot certify ' +
        'more than its "most certifiable" value.</p>',
    );
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
${parts.join('\n')}
</body></html>
`;
  return { html, ...(roc !== undefined ? { rocSvg: roc } : {}), ...(epsilonSvg !== undefined ? { epsilonSvg } : {}) };
}

// Array.isArray would narrow a readonly array to any[].
function isArray(value: unknown): boolean {
  return Array.isArray(value);
}

function verdict(r: AuditReportRun): string {
  if (r.reportedEpsilon === undefined) return r.epsilonLowerBound > 0 ? 'leaks (no guarantee claimed)' : 'no leak detected';
  if (r.epsilonLowerBound > r.reportedEpsilon) return 'GUARANTEE REFUTED';
  const ceiling = r.canRefute ?? (r.maxCertifiableEpsilon === undefined ? undefined : r.maxCertifiableEpsilon > r.reportedEpsilon);
  return ceiling === false ? 'not testable by this audit (ceiling below the reported epsilon)' : 'consistent (not a proof)';
}

function pct(f: number): string {
  return `${Number((f * 100).toPrecision(3))}%`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

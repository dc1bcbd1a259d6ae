import { barChartSvg } from '../../core/svg.js';
import { invalid, optionsObject } from '../../core/validate.js';
import type { AutoAttackResult } from './types.js';

/** A labelled {@link AutoAttackResult}, one bar series of a {@link robustnessReport}. */
export interface LabelledAutoAttackResult {
  readonly label: string;
  readonly result: AutoAttackResult;
}

/** Options of {@link robustnessReport}. */
export interface RobustnessReportOptions {
  /** Chart title. Default: the chain, norm and epsilon, e.g. `AutoAttack (standard), L-inf epsilon 0.1`. */
  readonly title?: string;
  /** Pixel size; 640 x 400 by default (wider with many attacks). */
  readonly width?: number;
  readonly height?: number;
}

function isResult(v: unknown): v is AutoAttackResult {
  const r = v as Partial<AutoAttackResult> | null;
  return typeof r === 'object' && r !== null && Array.isArray(r.log) && typeof r.cleanAccuracy === 'number' && typeof r.settings === 'object';
}

/**
 * The per-attack breakdown of one or more {@link autoAttack} runs as a standalone SVG bar chart:
 * accuracy (%) on the clean inputs, then after each attack of the chain in order, one bar series
 * per run. The drop at each attack is what that attack found that the earlier ones missed; where
 * the last bar stands is the robust accuracy. Several runs (e.g. a normally trained and an
 * adversarially trained model) must come from the same chain of attacks.
 *
 * @param results - One result, or a list of `{ label, result }` drawn side by side.
 * @returns An SVG document (a string) that opens in any browser.
 * @throws {@link InvalidArgumentError} when a result is not an {@link AutoAttackResult}, the list is
 *   empty, or the runs used different chains.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { autoAttack, robustnessReport } from 'responsible-tfjs/robustness';
 * const normal = await autoAttack(model, xTest, yTest, { epsilon: 0.1 });
 * const trained = await autoAttack(robustModel, xTest, yTest, { epsilon: 0.1 });
 * writeFileSync('autoattack.svg', robustnessReport([
 *   { label: 'normal training', result: normal },
 *   { label: 'PGD training', result: trained },
 * ]));
 * ```
 */
export function robustnessReport(
  results: AutoAttackResult | readonly LabelledAutoAttackResult[], options?: RobustnessReportOptions,
): string {
  const fn = 'robustnessReport';
  const opts = optionsObject(fn, 'options', options);
  const runs = (isResult(results) ? [{ label: 'robust accuracy', result: results }] : results) as readonly LabelledAutoAttackResult[];
  if (!Array.isArray(runs as unknown) || runs.length === 0) {
    invalid(fn, 'results', results, 'an AutoAttackResult or a non-empty list of { label, result }');
  }
  runs.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || typeof r.label !== 'string' || !isResult(r.result)) {
      invalid(fn, `results[${i}]`, r, '{ label: string, result: AutoAttackResult }');
    }
  });
  const attacks = runs[0]!.result.log.map((e) => e.attack);
  runs.forEach((r, i) => {
    const own = r.result.log.map((e) => e.attack);
    if (own.join('\u0000') !== attacks.join('\u0000')) {
      invalid(fn, `results[${i}].result`, `a run of [${own.join(', ')}]`, `a run of the same chain as results[0] ([${attacks.join(', ')}])`);
    }
  });
  const first = runs[0]!.result.settings;
  const title = opts.title ?? `AutoAttack (${first.version}), ${first.norm === 'linf' ? 'L-inf' : 'L2'} epsilon ${first.epsilon}`;
  const categories = ['clean', ...attacks.map((a) => `+ ${a}`)];
  const series = runs.map((r) => ({
    label: r.label,
    values: [r.result.cleanAccuracy, ...r.result.log.map((e) => e.robustAccuracy)].map((v) => 100 * v),
  }));
  return barChartSvg({ categories, series }, {
    title, yLabel: 'accuracy (%)', xLabel: 'accuracy after each attack of the chain, in order', yMin: 0, yMax: 100,
    width: opts.width ?? Math.max(640, 200 + 110 * categories.length), height: opts.height ?? 400,
  });
}

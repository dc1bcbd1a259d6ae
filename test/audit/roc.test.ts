import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateMembershipAttack, rocCurveAuc, rocCurve, rocSvg, tprAtFpr } from '../../src/audit/roc/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';

interface RocCase {
  name: string;
  scores: number[];
  isMember: number[];
  fpr: number[];
  tpr: number[];
  thresholds: number[];
  auc: number;
  mannWhitneyAuc: number;
  tprAtFpr: { fpr: number; tpr: number }[];
  balancedAccuracy: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/audit/roc.json', import.meta.url), 'utf8')) as { cases: RocCase[] };

describe('rocCurve against scikit-learn roc_curve(drop_intermediate=False)', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: points and thresholds equal exactly`, () => {
      const roc = rocCurve(c.scores, c.isMember);
      expect(Array.from(roc.falsePositiveRate)).toEqual(c.fpr);
      expect(Array.from(roc.truePositiveRate)).toEqual(c.tpr);
      expect(roc.thresholds[0]).toBe(Infinity);
      expect(Array.from(roc.thresholds.subarray(1))).toEqual(c.thresholds);
    });
    it(`${c.name}: AUC equals roc_auc_score and the Mann-Whitney statistic (1e-12)`, () => {
      const auc = rocCurveAuc(rocCurve(c.scores, c.isMember));
      expect(Math.abs(auc - c.auc)).toBeLessThan(1e-12);
      expect(Math.abs(auc - c.mannWhitneyAuc)).toBeLessThan(1e-12);
    });
    it(`${c.name}: TPR at FPR and balanced accuracy`, () => {
      const roc = rocCurve(c.scores, c.isMember);
      for (const t of c.tprAtFpr) expect(tprAtFpr(roc, t.fpr)).toBe(t.tpr);
      const e = evaluateMembershipAttack(c.scores, c.isMember, { fprTargets: c.tprAtFpr.map((t) => t.fpr) });
      expect(e.tprAtFpr).toEqual(c.tprAtFpr);
      expect(Math.abs(e.balancedAccuracy - c.balancedAccuracy)).toBeLessThan(1e-12);
    });
  }

  it('accepts booleans and typed arrays alike', () => {
    const a = rocCurve(new Float32Array([0.5, 0.25, 0.75]), [true, false, true]);
    const b = rocCurve([0.5, 0.25, 0.75], new Uint8Array([1, 0, 1]));
    expect(a).toEqual(b);
    expect(Array.from(a.thresholds)).toEqual([Infinity, 0.75, 0.5, 0.25]);
  });
});

describe('evaluateMembershipAttack', () => {
  it('reports counts, a copy of the scores, default targets and name', () => {
    const scores = [0.9, 0.1, 0.8, 0.3, 0.35];
    const e = evaluateMembershipAttack(scores, [1, 0, 1, 0, 1]);
    expect(e.name).toBe('attack');
    expect([e.members, e.nonMembers]).toEqual([3, 2]);
    expect(e.tprAtFpr.map((t) => t.fpr)).toEqual([1e-3, 1e-2]);
    expect(e.scores).toBeInstanceOf(Float64Array);
    scores[0] = -1;
    expect(e.scores[0]).toBe(0.9);
    // Members 0.9, 0.8, 0.35 against non-members 0.3, 0.1: perfectly separated.
    expect([e.auc, e.balancedAccuracy, e.tprAtFpr[0]!.tpr]).toEqual([1, 1, 1]);
  });
});

describe('ROC errors', () => {
  it('rejects mismatched lengths, non-finite scores, one class, bad labels', () => {
    expectInvalidArgument(() => rocCurve([0.1, 0.2], [1]), 'rocCurve', 'isMember', /same length as 'scores'/);
    expectInvalidArgument(() => rocCurve([0.1, NaN], [1, 0]), 'rocCurve', 'scores[1]', /finite/);
    expectInvalidArgument(() => rocCurve([0.1, Infinity], [1, 0]), 'rocCurve', 'scores[1]', /finite/);
    expectInvalidArgument(() => rocCurve([0.1, 0.2], [1, 1]), 'rocCurve', 'isMember', /at least one member and one non-member/);
    expectInvalidArgument(() => rocCurve([0.1, 0.2], [1, 2]), 'rocCurve', 'isMember[1]', /1 = member/);
    expectInvalidArgument(() => rocCurve('ab' as unknown as number[], [1, 0]), 'rocCurve', 'scores', /array/);
    expectInvalidArgument(() => evaluateMembershipAttack([0.1, 0.2], [0]), 'evaluateMembershipAttack', 'isMember', /same length/);
  });
  it('rejects FPR targets outside (0, 1) and bad curves', () => {
    const roc = rocCurve([0.1, 0.2], [0, 1]);
    for (const bad of [0, 1, -0.1, 1.5, NaN]) expectInvalidArgument(() => tprAtFpr(roc, bad), 'tprAtFpr', 'fpr', /\(0, 1\)/);
    expectInvalidArgument(() => evaluateMembershipAttack([0.1, 0.2], [0, 1], { fprTargets: [0.01, 1] }), 'evaluateMembershipAttack', 'options.fprTargets[1]', /\(0, 1\)/);
    expectInvalidArgument(() => rocCurveAuc({} as never), 'rocCurveAuc', 'curve', /RocCurve/);
  });
  it('rocSvg rejects an empty list and bad options', () => {
    const roc = rocCurve([0.1, 0.2], [0, 1]);
    expectInvalidArgument(() => rocSvg([]), 'rocSvg', 'attacks', /non-empty/);
    expectInvalidArgument(() => rocSvg([{ name: 'a', roc }], { width: 0 }), 'rocSvg', 'options.width', /> 0/);
    expectInvalidArgument(() => rocSvg([{ name: 'a', roc }], { minRate: 1 }), 'rocSvg', 'options.minRate', /\(0, 1\)/);
    expectInvalidArgument(() => rocSvg([{ name: 'a', roc: { falsePositiveRate: new Float64Array(1) } as never }]), 'rocSvg', 'attacks[0].roc', /RocCurve/);
  });
});

describe('rocSvg', () => {
  const big = fixture.cases.find((c) => c.name === 'random2000')!;
  const evaluation = evaluateMembershipAttack(big.scores, big.isMember, { name: 'loss <Yeom>' });

  it('draws log-log axes with decade labels, the diagonal, a legend with AUC and TPR@0.1%FPR', () => {
    const svg = rocSvg([evaluation], { title: 'Test ROC' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    // About 1000 non-members: the axes go from 10^-3 to 1.
    expect(svg).toContain('10<tspan dy="-6" font-size="9">\u22123</tspan>');
    expect(svg).not.toContain('\u22124</tspan>');
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).toContain(`loss &lt;Yeom&gt;: AUC ${evaluation.auc.toFixed(3)}, TPR@0.1%FPR`);
    expect(svg).toContain('(log scale)');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('clips zero rates to the axis minimum and has a linear mode', () => {
    const roc = rocCurve([0.9, 0.5, 0.1, 0.2], [1, 0, 1, 0]);
    const svg = rocSvg([{ name: 'a', roc }], { minRate: 1e-2, width: 500, height: 400 });
    expect(svg).not.toMatch(/NaN|Infinity/);
    // The curve starts at (0, 0), drawn at the plot's lower-left corner (64, 400 - 52).
    expect(svg).toContain('M64.0,348.0');
    const linear = rocSvg([{ name: 'a', roc }], { logScale: false });
    expect(linear).not.toContain('tspan');
    expect(linear).toContain('>0.6</text>');
    expect(linear).toContain('<line x1="64" y1="468" x2="536" y2="40" stroke="#888"');
  });
});

import { describe, expect, it } from 'vitest';
import { auditReport, evaluateMembershipAttack } from '../../src/audit/index.js';
import { expectInvalidArgument } from '../helpers/errors.js';

describe('auditReport', () => {
  const isMember = Array.from({ length: 40 }, (_, i) => i % 2);
  const attack = evaluateMembershipAttack(isMember.map((m, i) => m + (i % 7) / 10), isMember, { name: 'loss <Yeom>' });

  it('draws the ROC and the runs, with one verdict per run', () => {
    const r = auditReport({
      title: 'Audit & more',
      attacks: [attack],
      runs: [
        { label: 'refuted', reportedEpsilon: 0.5, epsilonLowerBound: 2, maxCertifiableEpsilon: 3 },
        { label: 'consistent', reportedEpsilon: 2, epsilonLowerBound: 0.4, maxCertifiableEpsilon: 3, guesses: 80, correct: 50 },
        { label: 'beyond the ceiling', reportedEpsilon: 8, epsilonLowerBound: 1, maxCertifiableEpsilon: 3.26, canRefute: false },
        { label: 'non-private', reportedEpsilon: undefined, epsilonLowerBound: 1.9 },
      ],
    });
    expect(r.html).toMatch(/^<!doctype html>/);
    expect(r.html).toContain('<title>Audit &amp; more</title>');
    expect(r.html).toContain('loss &lt;Yeom&gt;');
    expect(r.html).not.toContain('<Yeom>');
    expect(r.html).toContain('GUARANTEE REFUTED');
    expect(r.html).toContain('consistent (not a proof)');
    expect(r.html).toContain('not testable by this audit');
    expect(r.html).toContain('leaks (no guarantee claimed)');
    expect(r.html).toContain('50 / 80');
    expect(r.html).toContain(attack.auc.toFixed(4));
    expect(r.html).not.toMatch(/<script/);
    expect(r.rocSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(r.html).toContain(r.rocSvg!);
    expect(r.html).toContain(r.epsilonSvg!);
    // One bar per finite value: 3 reported, 4 lower bounds, 3 ceilings.
    expect((r.epsilonSvg!.match(/<rect [^>]*><title>/g) ?? []).length).toBe(10);
  });

  it('works with attacks only or runs only', () => {
    const a = auditReport({ attacks: [attack] });
    expect(a.epsilonSvg).toBeUndefined();
    expect(a.html).toContain('Membership inference');
    const b = auditReport({ runs: [{ label: 'x', reportedEpsilon: 1, epsilonLowerBound: 0 }] });
    expect(b.rocSvg).toBeUndefined();
    expect(b.html).toContain('Audited training runs');
  });

  it('rejects bad input with typed errors', () => {
    expectInvalidArgument(() => auditReport({}), 'auditReport', 'options', /at least one attack or one audited run/);
    expectInvalidArgument(() => auditReport({ runs: 'x' as never }), 'auditReport', 'options.runs', /array/);
    expectInvalidArgument(() => auditReport({ attacks: {} as never }), 'auditReport', 'options.attacks', /array/);
    expectInvalidArgument(() => auditReport({ runs: [{ label: 'x', reportedEpsilon: 1, epsilonLowerBound: -1 }] }), 'auditReport', 'options.runs[0]', /epsilonLowerBound/);
    expectInvalidArgument(() => auditReport({ runs: [{ label: 3 as never, reportedEpsilon: 1, epsilonLowerBound: 1 }] }), 'auditReport', 'options.runs[0]', /label/);
  });
});

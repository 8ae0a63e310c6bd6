import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeFor, summarize } from '../../lib/report/summary.js';
import type { ScanResult, Verdict } from '../../lib/types.js';
import { fixtureScanResult } from './fixture.js';

/** The fixture with every database's combined verdict replaced, and no scan problems. */
function withVerdicts(verdicts: Verdict[], problems = false): ScanResult {
  const result = fixtureScanResult();
  const evaluations = verdicts.map((verdict, index) => {
    const evaluation = result.evaluations[index % result.evaluations.length]!;
    return { ...evaluation, finding: { ...evaluation.finding, verdict } };
  });
  return { ...result, evaluations, problems: problems ? result.problems : [] };
}

describe('summarize', () => {
  it('counts databases per verdict, live probes and scan problems', () => {
    expect(summarize(fixtureScanResult())).toEqual({
      total: 5,
      verdicts: { COMPLIANT: 1, NON_COMPLIANT: 2, NOT_APPLICABLE: 1, INSUFFICIENT_DATA: 1 },
      probed: 3,
      problems: 1,
    });
  });

  it('reports every verdict with a zero count when nothing was found', () => {
    expect(summarize(withVerdicts([]))).toEqual({
      total: 0,
      verdicts: { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0, INSUFFICIENT_DATA: 0 },
      probed: 0,
      problems: 0,
    });
  });
});

describe('exitCodeFor', () => {
  it('exits 2 when any database is NON_COMPLIANT', () => {
    expect(exitCodeFor(fixtureScanResult())).toBe(2);
  });

  it('exits 2, not 3, when NON_COMPLIANT and INSUFFICIENT_DATA are both present and failing on insufficient data', () => {
    expect(exitCodeFor(fixtureScanResult(), { failOnInsufficientData: true })).toBe(2);
  });

  it('exits 0 when everything is COMPLIANT or NOT_APPLICABLE', () => {
    expect(exitCodeFor(withVerdicts(['COMPLIANT', 'NOT_APPLICABLE']))).toBe(0);
  });

  it('exits 0 for INSUFFICIENT_DATA by default', () => {
    expect(exitCodeFor(withVerdicts(['COMPLIANT', 'INSUFFICIENT_DATA']))).toBe(0);
  });

  it('exits 3 for INSUFFICIENT_DATA when asked to fail on insufficient data', () => {
    expect(
      exitCodeFor(withVerdicts(['COMPLIANT', 'INSUFFICIENT_DATA']), {
        failOnInsufficientData: true,
      }),
    ).toBe(3);
  });

  it('exits 3 for a scan problem when asked to fail on insufficient data, 0 otherwise', () => {
    const result = withVerdicts(['COMPLIANT'], true);
    expect(exitCodeFor(result)).toBe(0);
    expect(exitCodeFor(result, { failOnInsufficientData: true })).toBe(3);
  });

  it('exits 0 for an empty scan', () => {
    expect(exitCodeFor(withVerdicts([]), { failOnInsufficientData: true })).toBe(0);
  });

  it('keeps the documented meaning of each exit code', () => {
    expect(EXIT_CODES).toEqual({ ok: 0, error: 1, nonCompliant: 2, insufficientData: 3 });
  });
});

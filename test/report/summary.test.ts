import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeFor, isCoverageProblem, summarize } from '../../lib/report/summary.js';
import type { ScanProblem, ScanResult, Verdict } from '../../lib/types.js';
import { fixtureScanResult, withClusterMember } from './fixture.js';

/** The fixture with every database's combined verdict replaced, and no scan problems. */
function withVerdicts(verdicts: Verdict[], problems = false): ScanResult {
  const result = fixtureScanResult();
  const evaluations = verdicts.map((verdict, index) => {
    const evaluation = result.evaluations[index % result.evaluations.length]!;
    return { ...evaluation, finding: { ...evaluation.finding, verdict } };
  });
  return { ...result, evaluations, problems: problems ? result.problems : [] };
}

const inventoryFailed: ScanProblem = {
  scope: 'inventory',
  code: 'INVENTORY_FAILED',
  message: 'CredentialsProviderError',
};
const groupUnreadable: ScanProblem = {
  scope: 'parameter-group:eu-west-1:pg-x',
  code: 'ACCESS_DENIED',
  message: 'DescribeDBParameters for pg-x in eu-west-1 failed: AccessDenied',
};
const idNotFound: ScanProblem = {
  scope: 'filter:--id',
  code: 'ID_NOT_FOUND',
  message: '--id ordrs matched no DB instance or cluster in eu-west-1',
};

describe('summarize', () => {
  it('counts databases per verdict, live probes and scan problems', () => {
    expect(summarize(fixtureScanResult())).toEqual({
      total: 5,
      databases: 5,
      clusterMembers: 0,
      verdicts: { COMPLIANT: 1, NON_COMPLIANT: 2, NOT_APPLICABLE: 1, INSUFFICIENT_DATA: 1 },
      probed: 3,
      problems: 1,
    });
  });

  it('reports every verdict with a zero count when nothing was found', () => {
    expect(summarize(withVerdicts([]))).toEqual({
      total: 0,
      databases: 0,
      clusterMembers: 0,
      verdicts: { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0, INSUFFICIENT_DATA: 0 },
      probed: 0,
      problems: 0,
    });
  });
});

describe('cluster members in the counts', () => {
  it('counts a member instance whose cluster is in the scan as an evaluation, not as a second database', () => {
    const summary = summarize(withClusterMember('INSUFFICIENT_DATA'));
    expect(summary.total).toBe(6);
    expect(summary.databases).toBe(5);
    expect(summary.clusterMembers).toBe(1);
    expect(summary.verdicts.INSUFFICIENT_DATA).toBe(2);
  });

  it('counts an instance as a database when its cluster is not in the scan', () => {
    const result = withClusterMember('COMPLIANT');
    const alone = {
      ...result,
      evaluations: result.evaluations.filter(
        (evaluation) => evaluation.resource.resourceType !== 'AWS::RDS::DBCluster',
      ),
    };
    expect(summarize(alone)).toMatchObject({ total: 5, databases: 5, clusterMembers: 0 });
  });

  it('still exits 2 when only a member instance is NON_COMPLIANT', () => {
    const result = withClusterMember('NON_COMPLIANT');
    const onlyMember = {
      ...result,
      evaluations: result.evaluations.filter(
        (evaluation) =>
          evaluation.resource.identifier === 'analytics-aurora' ||
          evaluation.resource.identifier === 'analytics-aurora-1',
      ),
      problems: [],
    };
    expect(exitCodeFor(onlyMember)).toBe(EXIT_CODES.nonCompliant);
  });
});

describe('exitCodeFor', () => {
  it('exits 2 when any database is NON_COMPLIANT', () => {
    expect(exitCodeFor(fixtureScanResult())).toBe(2);
  });

  it('exits 2, not 3, when NON_COMPLIANT and INSUFFICIENT_DATA are both present', () => {
    expect(exitCodeFor(fixtureScanResult())).toBe(2);
    expect(exitCodeFor(fixtureScanResult(), { allowInsufficientData: true })).toBe(2);
  });

  it('exits 0 when everything is COMPLIANT or NOT_APPLICABLE', () => {
    expect(exitCodeFor(withVerdicts(['COMPLIANT', 'NOT_APPLICABLE']))).toBe(0);
  });

  it('exits 3 for INSUFFICIENT_DATA by default: could not tell is never the all-clear', () => {
    expect(exitCodeFor(withVerdicts(['COMPLIANT', 'INSUFFICIENT_DATA']))).toBe(3);
  });

  it('exits 0 for INSUFFICIENT_DATA only when asked to allow it', () => {
    expect(
      exitCodeFor(withVerdicts(['COMPLIANT', 'INSUFFICIENT_DATA']), {
        allowInsufficientData: true,
      }),
    ).toBe(0);
  });

  it('exits 5 when a region could not be listed, even with nothing undecided and no flag', () => {
    const result = withVerdicts(['COMPLIANT'], true);
    expect(result.problems.map((problem) => problem.code)).toEqual(['ACCESS_DENIED']);
    expect(exitCodeFor(result)).toBe(5);
    expect(exitCodeFor(result, { allowInsufficientData: true, allowEmpty: true })).toBe(5);
  });

  it('exits 5, not 4, when nothing was evaluated because the listing failed', () => {
    const result = { ...withVerdicts([]), problems: [inventoryFailed] };
    expect(exitCodeFor(result)).toBe(5);
  });

  it('exits 2, not 5, when a database is NON_COMPLIANT and a region could not be listed', () => {
    expect(exitCodeFor(withVerdicts(['NON_COMPLIANT'], true))).toBe(2);
  });

  it('exits 3 for a problem with one database, 0 only when insufficient data is allowed', () => {
    const result = { ...withVerdicts(['COMPLIANT']), problems: [groupUnreadable] };
    expect(exitCodeFor(result)).toBe(3);
    expect(exitCodeFor(result, { allowInsufficientData: true })).toBe(0);
  });

  it('exits 4 when nothing was evaluated, 0 when an empty result is allowed', () => {
    expect(exitCodeFor(withVerdicts([]))).toBe(4);
    expect(exitCodeFor(withVerdicts([]), { allowInsufficientData: true })).toBe(4);
    expect(exitCodeFor(withVerdicts([]), { allowEmpty: true })).toBe(0);
  });

  it('exits 4 when an --id matched no database although others were evaluated', () => {
    const result = { ...withVerdicts(['COMPLIANT']), problems: [idNotFound] };
    expect(exitCodeFor(result)).toBe(4);
    expect(exitCodeFor(result, { allowEmpty: true })).toBe(0);
    expect(exitCodeFor(result, { allowEmpty: true, allowInsufficientData: true })).toBe(0);
  });

  it('keeps the documented meaning of each exit code', () => {
    expect(EXIT_CODES).toEqual({
      ok: 0,
      error: 1,
      nonCompliant: 2,
      insufficientData: 3,
      nothingEvaluated: 4,
      incomplete: 5,
      usage: 64,
    });
  });
});

describe('isCoverageProblem', () => {
  it('counts unreadable regions, accounts and inventories, not a single unreadable group', () => {
    expect(isCoverageProblem(inventoryFailed)).toBe(true);
    expect(
      isCoverageProblem({ scope: 'region:eu-west-1', code: 'RESOURCE_ID_MISSING', message: '' }),
    ).toBe(true);
    expect(
      isCoverageProblem({ scope: 'account:111122223333', code: 'ACCOUNT_UNREADABLE', message: '' }),
    ).toBe(true);
    expect(isCoverageProblem(groupUnreadable)).toBe(false);
    expect(isCoverageProblem(idNotFound)).toBe(false);
  });
});

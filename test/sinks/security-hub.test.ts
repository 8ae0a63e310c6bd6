import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildAsffFindings } from '../../lib/report/asff.js';
import {
  archiveVanished,
  importFindings,
  MAX_FINDINGS_PER_CALL,
  productArn,
  publishFindings,
} from '../../lib/sinks/security-hub.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  evaluationFor,
  resourceIdFor,
  scanResultOf,
} from './scan-results.js';

const hubMock = mockClient(SecurityHubClient);
const client = new SecurityHubClient({ region: 'eu-west-1' });
const noWait = { sleep: async () => {}, random: () => 0 };
const target = { client, accountId: ACCOUNT_A, region: 'eu-west-1' };

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
}

function sentFindings(): AwsSecurityFinding[][] {
  return hubMock
    .commandCalls(BatchImportFindingsCommand)
    .map((call) => call.args[0].input.Findings ?? []);
}

beforeEach(() => {
  hubMock.reset();
});

describe('publishFindings', () => {
  it('sends every verdict to the account’s own product, in calls of at most 100', async () => {
    hubMock.on(BatchImportFindingsCommand).callsFake(async (input) => ({
      SuccessCount: input.Findings.length,
      FailedCount: 0,
      FailedFindings: [],
    }));
    const evaluations = Array.from({ length: 230 }, (_, index) => evaluationFor(index));
    const summary = await publishFindings(target, scanResultOf(evaluations), noWait);

    expect(summary).toMatchObject({ submitted: 230, imported: 230, failed: [], calls: 3 });
    expect(sentFindings().map((findings) => findings.length)).toEqual([100, 100, 30]);
    const first = sentFindings()[0]![0]!;
    expect(first.ProductArn).toBe(
      `arn:aws:securityhub:eu-west-1:${ACCOUNT_A}:product/${ACCOUNT_A}/default`,
    );
    expect(first.ProductArn).toBe(productArn('aws', 'eu-west-1', ACCOUNT_A));
    expect(first.AwsAccountId).toBe(ACCOUNT_A);
    expect(first.RecordState).toBe('ACTIVE');
    expect(MAX_FINDINGS_PER_CALL).toBe(100);
  });

  it('gives a database the same finding Id on every run, so a re-run updates it', async () => {
    hubMock.on(BatchImportFindingsCommand).resolves({ SuccessCount: 1, FailedCount: 0 });
    await publishFindings(
      target,
      scanResultOf([evaluationFor(7, { verdict: 'NON_COMPLIANT' })]),
      noWait,
    );
    await publishFindings(
      target,
      scanResultOf([evaluationFor(7, { verdict: 'COMPLIANT' })]),
      noWait,
    );

    const [[failed], [passed]] = sentFindings() as [AwsSecurityFinding[], AwsSecurityFinding[]];
    expect(passed!.Id).toBe(failed!.Id);
    expect(failed!.Id).toBe(`rds-tls-guard/${ACCOUNT_A}/eu-west-1/${resourceIdFor(7)}`);
    expect(failed!.Compliance?.Status).toBe('FAILED');
    expect(passed!.Compliance?.Status).toBe('PASSED');
    // Severity changes travel in FindingProviderFields, as BatchImportFindings asks of providers.
    expect(passed!.FindingProviderFields?.Severity).toEqual({
      Label: 'INFORMATIONAL',
      Original: 'COMPLIANT',
    });
  });

  it('leaves out databases of other accounts and regions: Security Hub takes only the caller’s own', async () => {
    hubMock.on(BatchImportFindingsCommand).resolves({ SuccessCount: 1, FailedCount: 0 });
    const summary = await publishFindings(
      target,
      scanResultOf([
        evaluationFor(1),
        evaluationFor(2, { accountId: ACCOUNT_B }),
        evaluationFor(3, { region: 'us-east-1' }),
      ]),
      noWait,
    );
    expect(summary.submitted).toBe(1);
    expect(summary.skipped).toEqual([
      `rds-tls-guard/${ACCOUNT_B}/eu-west-1/${resourceIdFor(2)}`,
      `rds-tls-guard/${ACCOUNT_A}/us-east-1/${resourceIdFor(3)}`,
    ]);
  });
});

describe('a finding Security Hub would refuse for its account or region', () => {
  it('is not sent and is counted failed with FINDING_ACCOUNT_INVALID or FINDING_REGION_INVALID; the valid one is imported', async () => {
    hubMock.on(BatchImportFindingsCommand).resolves({ SuccessCount: 1, FailedCount: 0 });
    // The sink's place (account and region) comes from the database itself, so an odd value reaches the target.
    const oddAccount = { ...target, accountId: '1234' };
    const accountSummary = await publishFindings(
      oddAccount,
      scanResultOf([evaluationFor(1, { accountId: '1234' })]),
      noWait,
    );
    expect(accountSummary).toMatchObject({ submitted: 1, imported: 0, calls: 0 });
    expect(accountSummary.failed).toEqual([
      { id: `rds-tls-guard/1234/eu-west-1/${resourceIdFor(1)}`, code: 'FINDING_ACCOUNT_INVALID' },
    ]);

    const longRegion = 'eu-west-1-and-then-some';
    const summary = await publishFindings(
      { ...target, region: longRegion },
      scanResultOf([evaluationFor(2, { region: longRegion }), evaluationFor(3)]),
      noWait,
    );
    expect(summary.failed).toEqual([
      {
        id: `rds-tls-guard/${ACCOUNT_A}/${longRegion}/${resourceIdFor(2)}`,
        code: 'FINDING_REGION_INVALID',
      },
    ]);
    expect(summary.skipped).toEqual([`rds-tls-guard/${ACCOUNT_A}/eu-west-1/${resourceIdFor(3)}`]);
    expect(hubMock.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });
});

describe('importFindings', () => {
  const findings = buildAsffFindings(
    scanResultOf([evaluationFor(1), evaluationFor(2), evaluationFor(3)]),
  ).findings;

  it('retries only the FailedFindings until they are accepted', async () => {
    hubMock
      .on(BatchImportFindingsCommand)
      .resolvesOnce({
        SuccessCount: 1,
        FailedCount: 2,
        FailedFindings: [
          { Id: findings[1]!.Id, ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
          { Id: findings[2]!.Id, ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
        ],
      })
      .resolvesOnce({ SuccessCount: 2, FailedCount: 0, FailedFindings: [] });
    const summary = await importFindings(client, findings, noWait);

    expect(summary).toMatchObject({ submitted: 3, imported: 3, failed: [], calls: 2 });
    expect(sentFindings()[1]!.map((finding) => finding.Id)).toEqual([
      findings[1]!.Id,
      findings[2]!.Id,
    ]);
  });

  it('returns the findings still failing after the last attempt, with Security Hub’s code', async () => {
    hubMock.on(BatchImportFindingsCommand).resolves({
      SuccessCount: 2,
      FailedCount: 1,
      FailedFindings: [{ Id: findings[0]!.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'bad' }],
    });
    const summary = await importFindings(client, findings, { ...noWait, maxAttempts: 3 });
    expect(summary.calls).toBe(3);
    expect(summary.imported).toBe(2);
    expect(summary.failed).toEqual([{ id: findings[0]!.Id, code: 'InvalidInput' }]);
  });

  it('backs off and retries a throttled call', async () => {
    const waits: number[] = [];
    hubMock
      .on(BatchImportFindingsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ SuccessCount: 3, FailedCount: 0 });
    const summary = await importFindings(client, findings, {
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0,
      baseDelayMs: 100,
    });
    expect(summary).toMatchObject({ imported: 3, failed: [], calls: 3 });
    expect(waits).toEqual([50, 100]);
    expect(summary.errors).toHaveLength(2);
    expect(summary.errors[0]).toContain('ThrottlingException');
  });

  it('stops calling when Security Hub is not enabled, and reports every finding as not imported', async () => {
    hubMock
      .on(BatchImportFindingsCommand)
      .rejects(Object.assign(new Error('not subscribed'), { name: 'InvalidAccessException' }));
    const many = buildAsffFindings(
      scanResultOf(Array.from({ length: 150 }, (_, index) => evaluationFor(index))),
    ).findings;
    const summary = await importFindings(client, many, noWait);
    expect(summary.calls).toBe(1);
    expect(summary.imported).toBe(0);
    expect(summary.failed).toHaveLength(150);
    expect(summary.failed[0]!.code).toBe('InvalidAccessException');
    expect(summary.failed[149]!.code).toBe('NOT_SENT');
  });

  it('refuses a finding over 240 KB without sending it', async () => {
    hubMock.on(BatchImportFindingsCommand).resolves({ SuccessCount: 1, FailedCount: 0 });
    const huge = { ...findings[0]!, Id: 'huge', Description: 'x'.repeat(250 * 1024) };
    const summary = await importFindings(client, [huge, findings[1]!], noWait);
    expect(summary.failed).toEqual([{ id: 'huge', code: 'FINDING_TOO_LARGE' }]);
    expect(sentFindings()[0]!.map((finding) => finding.Id)).toEqual([findings[1]!.Id]);
  });
});

describe('finding dates across runs', () => {
  it('keeps CreatedAt and FirstObservedAt from the lookup that finds vanished databases, and moves UpdatedAt and LastObservedAt to this run', async () => {
    const firstRun = scanResultOf([evaluationFor(1), evaluationFor(2)]);
    const [kept, odd] = buildAsffFindings(firstRun).findings;
    hubMock.on(GetFindingsCommand).resolves({
      Findings: [
        {
          ...kept!,
          CreatedAt: '2025-11-01T08:00:00.000Z',
          FirstObservedAt: '2025-11-01T08:00:00.000Z',
          LastObservedAt: '2025-11-20T08:00:00.000Z',
        },
        // Security Hub accepts other ISO 8601 forms; an unparseable date is not carried.
        { ...odd!, CreatedAt: '2025-10-01T10:00:00+02:00', FirstObservedAt: 'yesterday' },
      ] as AwsSecurityFinding[],
    });
    hubMock.on(BatchImportFindingsCommand).resolves({ SuccessCount: 2, FailedCount: 0 });
    const lookup = await archiveVanished(target, {
      currentResourceIds: new Set([resourceIdFor(1), resourceIdFor(2)]),
      now: new Date('2026-01-02T00:00:00.000Z'),
      ...noWait,
    });
    expect([...lookup.firstSeen]).toEqual([
      [
        kept!.Id,
        { createdAt: '2025-11-01T08:00:00.000Z', firstObservedAt: '2025-11-01T08:00:00.000Z' },
      ],
      [
        odd!.Id,
        { createdAt: '2025-10-01T08:00:00.000Z', firstObservedAt: '2025-10-01T08:00:00.000Z' },
      ],
    ]);
    expect(hubMock.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);

    const run = new Date('2026-01-02T00:00:00.000Z');
    const thisRun = {
      ...scanResultOf([evaluationFor(1), evaluationFor(2), evaluationFor(3)]),
    };
    thisRun.evaluations = thisRun.evaluations.map((evaluation) => ({
      ...evaluation,
      orderingTimestamp: run,
    }));
    await publishFindings(target, thisRun, { ...noWait, firstSeen: lookup.firstSeen });
    const dates = sentFindings()[0]!.map((finding) => [
      finding.CreatedAt,
      finding.FirstObservedAt,
      finding.UpdatedAt,
      finding.LastObservedAt,
    ]);
    expect(dates).toEqual([
      [
        '2025-11-01T08:00:00.000Z',
        '2025-11-01T08:00:00.000Z',
        run.toISOString(),
        run.toISOString(),
      ],
      [
        '2025-10-01T08:00:00.000Z',
        '2025-10-01T08:00:00.000Z',
        run.toISOString(),
        run.toISOString(),
      ],
      // A database seen for the first time: all four are this run.
      [run.toISOString(), run.toISOString(), run.toISOString(), run.toISOString()],
    ]);
  });

  it('keeps the dates it read when the lookup fails part way', async () => {
    const [finding] = buildAsffFindings(scanResultOf([evaluationFor(1)])).findings;
    hubMock
      .on(GetFindingsCommand)
      .resolvesOnce({
        Findings: [{ ...finding!, CreatedAt: '2025-11-01T08:00:00.000Z' }] as AwsSecurityFinding[],
        NextToken: 'p2',
      })
      .rejectsOnce(throttled());
    const lookup = await archiveVanished(target, {
      currentResourceIds: new Set([resourceIdFor(1)]),
      now: new Date('2026-01-02T00:00:00.000Z'),
      ...noWait,
    });
    expect(lookup.ok).toBe(false);
    expect(lookup.firstSeen.get(finding!.Id)?.createdAt).toBe('2025-11-01T08:00:00.000Z');
  });
});

describe('archiveVanished', () => {
  /** A finding as GetFindings returns it: ours plus what Security Hub adds. */
  function stored(index: number): AwsSecurityFinding {
    const [finding] = buildAsffFindings(scanResultOf([evaluationFor(index)])).findings;
    return {
      ...finding!,
      ProductName: 'Default',
      CompanyName: 'Personal',
      Region: 'eu-west-1',
      Workflow: { Status: 'NEW' },
      WorkflowState: 'NEW',
      ProductFields: { ...finding!.ProductFields, 'aws/securityhub/FindingId': 'x' },
    } as AwsSecurityFinding;
  }

  it('archives the active findings of databases a complete listing no longer has', async () => {
    hubMock
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [stored(1), stored(2)], NextToken: 'page-2' })
      .resolvesOnce({ Findings: [stored(3)] });
    hubMock.on(BatchImportFindingsCommand).resolves({ SuccessCount: 2, FailedCount: 0 });
    const now = new Date('2026-01-02T03:04:05.000Z');
    const summary = await archiveVanished(target, {
      currentResourceIds: new Set([resourceIdFor(2)]),
      now,
      ...noWait,
    });

    expect(summary.ok).toBe(true);
    expect(summary.archived).toEqual([
      `rds-tls-guard/${ACCOUNT_A}/eu-west-1/${resourceIdFor(1)}`,
      `rds-tls-guard/${ACCOUNT_A}/eu-west-1/${resourceIdFor(3)}`,
    ]);
    const lookup = hubMock.commandCalls(GetFindingsCommand)[0]!.args[0].input;
    expect(lookup.Filters).toEqual({
      ProductArn: [{ Value: productArn('aws', 'eu-west-1', ACCOUNT_A), Comparison: 'EQUALS' }],
      Id: [{ Value: `rds-tls-guard/${ACCOUNT_A}/eu-west-1/`, Comparison: 'PREFIX' }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    });
    const [archived] = sentFindings()[0]!;
    expect(archived!.RecordState).toBe('ARCHIVED');
    expect(archived!.UpdatedAt).toBe(now.toISOString());
    // Customer workflow and Security Hub's own fields are not sent back.
    expect(archived).not.toHaveProperty('Workflow');
    expect(archived).not.toHaveProperty('ProductName');
    expect(archived!.ProductFields).not.toHaveProperty('aws/securityhub/FindingId');
    expect(archived!.ProductFields?.['rds-tls-guard/ArchivedReason']).toBe('DATABASE_NOT_FOUND');
  });

  it('archives nothing when the lookup fails part way', async () => {
    hubMock
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [stored(1)], NextToken: 'page-2' })
      .rejectsOnce(throttled());
    const summary = await archiveVanished(target, {
      currentResourceIds: new Set(),
      now: new Date(),
      ...noWait,
    });
    expect(summary).toMatchObject({ ok: false, code: 'FINDINGS_LOOKUP_FAILED', archived: [] });
    expect(hubMock.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });

  it('archives nothing when there are more pages than it may read', async () => {
    hubMock.on(GetFindingsCommand).resolves({ Findings: [stored(1)], NextToken: 'again' });
    const summary = await archiveVanished(target, {
      currentResourceIds: new Set(),
      now: new Date(),
      maxPages: 3,
      ...noWait,
    });
    expect(summary).toMatchObject({ ok: false, code: 'FINDINGS_LOOKUP_TRUNCATED' });
    expect(hubMock.commandCalls(GetFindingsCommand)).toHaveLength(3);
    expect(hubMock.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });
});

describe('archiveVanished with a resource id too long for a finding Id', () => {
  it('keeps the finding of a database still there, whose Id was cut and hashed', async () => {
    const evaluation = evaluationFor(1);
    evaluation.resource.resourceId = `db-${'x'.repeat(600)}`;
    const [finding] = buildAsffFindings(scanResultOf([evaluation])).findings;
    expect(finding!.Id.length).toBe(512);
    hubMock.on(GetFindingsCommand).resolves({ Findings: [finding as AwsSecurityFinding] });
    const lookup = await archiveVanished(target, {
      currentResourceIds: new Set([evaluation.resource.resourceId]),
      now: new Date('2026-01-02T00:00:00.000Z'),
      ...noWait,
    });
    expect(lookup.archived).toEqual([]);
    expect(hubMock.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });
});

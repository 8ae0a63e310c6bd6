import { afterEach, describe, expect, it } from 'vitest';
import {
  breakdownMetricPoints,
  createLogger,
  createMetrics,
  recordConfigRuleOutcome,
  recordScanMetrics,
  redact,
  redactText,
  scanMetricValues,
  summarizeScan,
} from '../../lib/observability/index.js';
import { SecretValue } from '../../lib/secret-value.js';
import type { ResourceEvaluation, ScanResult, Verdict } from '../../lib/types.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { captureStdout } from '../lambda/capture-output.js';

const CANARY = 'canary-Pa55w0rd-7f3a91';

function evaluation(verdict: Verdict, liveVerdict?: Verdict): ResourceEvaluation {
  const finding = { verdict, reason: 'R', annotation: 'a', remediation: 'r', evidence: [] };
  return {
    resource: {
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-ABC',
      identifier: 'orders',
      region: 'eu-west-1',
      engine: 'postgres',
      engineVersion: '16.3',
      optionGroups: [],
      iamDatabaseAuthenticationEnabled: false,
      tags: {},
    },
    staticFinding: finding,
    ...(liveVerdict ? { liveFinding: { ...finding, verdict: liveVerdict, durationMs: 5 } } : {}),
    finding,
    orderingTimestamp: new Date('2025-01-15T13:00:00Z'),
  };
}

function scanResult(evaluations: ResourceEvaluation[]): ScanResult {
  return {
    startedAt: new Date('2025-01-15T13:00:00Z'),
    finishedAt: new Date('2025-01-15T13:00:02.500Z'),
    regions: ['eu-west-1'],
    ruleParameters: DEFAULT_RULE_PARAMETERS,
    evaluations,
    problems: [
      { scope: 'eu-west-2', code: 'REGION_UNREADABLE', message: 'x' },
      { scope: 'g', code: 'ACCESS_DENIED', message: 'y' },
      { scope: 'eu-west-3', code: 'REGION_UNREADABLE', message: 'z' },
    ],
  };
}

describe('log redaction', () => {
  let capture: ReturnType<typeof captureStdout> | undefined;
  afterEach(() => capture?.restore());

  it('never writes the canary password, whatever shape it is logged in', () => {
    capture = captureStdout();
    const logger = createLogger({ logLevel: 'DEBUG' });
    logger.info('credentials resolved', {
      credentials: { username: 'guard', password: new SecretValue(CANARY) },
      password: CANARY,
      masterUserPassword: CANARY,
      client_secret: CANARY,
      SecretString: JSON.stringify({ username: 'guard', password: CANARY }),
      resultToken: CANARY,
      nested: [{ authToken: CANARY }],
      connection: `postgres://guard:${CANARY}@db.example.internal:5432/app`,
      dsn: `host=db port=5432 user=guard password=${CANARY} sslmode=verify-full`,
    });
    logger.error(
      'connect failed',
      new Error(`connect failed for postgres://guard:${CANARY}@db:5432/app`),
    );
    logger.debug(`mysql://guard:${CANARY}@db:3306`);
    capture.restore();

    const output = capture.lines().join('\n');
    expect(output).toContain('credentials resolved');
    expect(output).toContain('connect failed');
    expect(output).not.toContain(CANARY);
  });

  it("writes a field named like a Powertools key instead of dropping it: a problem's message is its detail", () => {
    capture = captureStdout();
    const logger = createLogger();
    logger.warn('scan problem', {
      code: 'REGION_ACCESS_DENIED',
      message: 'AccessDenied: not authorized to perform rds:DescribeDBInstances',
    });
    capture.restore();

    const output = capture.lines().join('\n');
    expect(output).not.toContain('reserved key');
    const line = capture
      .lines()
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.message === 'scan problem');
    expect(line).toMatchObject({
      code: 'REGION_ACCESS_DENIED',
      detail: 'AccessDenied: not authorized to perform rds:DescribeDBInstances',
    });
  });

  it('keeps the fields that only name a secret', () => {
    capture = captureStdout();
    const logger = createLogger();
    logger.info('resolving', {
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1',
      secretTagKey: 'rds-tls-guard:secret-arn',
      password: 'hidden',
    });
    capture.restore();

    const line = JSON.parse(capture.lines().find((l) => l.includes('resolving')) ?? '{}');
    expect(line.secretArn).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1');
    expect(line.secretTagKey).toBe('rds-tls-guard:secret-arn');
    expect(line.password).toBe('[redacted]');
    expect(line.service).toBe('rds-tls-guard');
  });

  it('redacts connection strings and inline passwords in free text', () => {
    expect(redactText('postgres://app:s3cr3t@h:5432/db')).toBe(
      'postgres://app:[redacted]@h:5432/db',
    );
    expect(redactText("host=h password='a b' user=u")).toBe('host=h password=[redacted] user=u');
    expect(redactText('no credentials here: https://example.com/a@b')).toBe(
      'no credentials here: https://example.com/a@b',
    );
  });

  it('redact() returns a copy with secret fields blanked and SecretValue printed as [redacted]', () => {
    expect(
      redact({ user: 'u', token: 'abc', inner: { pwd: 'x', value: new SecretValue('y') } }),
    ).toEqual({
      user: 'u',
      token: '[redacted]',
      inner: { pwd: '[redacted]', value: '[redacted]' },
    });
  });
});

describe('scan metrics', () => {
  const result = scanResult([
    evaluation('COMPLIANT', 'COMPLIANT'),
    evaluation('NON_COMPLIANT', 'NON_COMPLIANT'),
    evaluation('NON_COMPLIANT'),
    evaluation('INSUFFICIENT_DATA', 'INSUFFICIENT_DATA'),
  ]);

  it('counts databases, non-compliant verdicts and inconclusive probes', () => {
    expect(scanMetricValues(result)).toEqual({
      databasesScanned: 4,
      nonCompliant: 2,
      probeFailures: 1,
    });
  });

  it('publishes them as EMF in the RdsTlsGuard namespace', () => {
    const capture = captureStdout();
    const metrics = createMetrics();
    recordScanMetrics(metrics, result);
    metrics.publishStoredMetrics();
    capture.restore();

    const records = capture
      .lines()
      .map((line) => JSON.parse(line))
      .filter((entry) => entry._aws);
    const emf = records.find((entry) => 'DatabasesScanned' in entry);
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('RdsTlsGuard');
    expect(emf.DatabasesScanned).toBe(4);
    expect(emf.NonCompliant).toBe(2);
    expect(emf.ProbeFailures).toBe(1);
    // The dashboard's breakdown: one record per account, region and verdict.
    const nonCompliant = records.find(
      (entry) => entry.Evaluations !== undefined && entry.Verdict === 'NON_COMPLIANT',
    );
    expect(nonCompliant).toMatchObject({
      Region: 'eu-west-1',
      Evaluations: 2,
      service: 'rds-tls-guard',
    });
    expect(nonCompliant._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(
      expect.arrayContaining(['Account', 'Region', 'Verdict']),
    );
  });

  it('breaks a scan down by account, region and verdict, and live probes by outcome', () => {
    const inAccount = (e: ResourceEvaluation, accountId: string, region: string) => ({
      ...e,
      resource: { ...e.resource, accountId, region },
    });
    const points = breakdownMetricPoints({
      ...result,
      evaluations: [
        inAccount(evaluation('COMPLIANT', 'COMPLIANT'), '111111111111', 'eu-west-1'),
        inAccount(evaluation('COMPLIANT'), '111111111111', 'eu-west-1'),
        inAccount(evaluation('NON_COMPLIANT'), '222222222222', 'us-east-1'),
        inAccount(
          evaluation('INSUFFICIENT_DATA', 'INSUFFICIENT_DATA'),
          '222222222222',
          'us-east-1',
        ),
      ],
    });
    expect(points).toEqual([
      {
        name: 'Evaluations',
        dimensions: { Account: '111111111111', Region: 'eu-west-1', Verdict: 'COMPLIANT' },
        value: 2,
      },
      {
        name: 'Evaluations',
        dimensions: { Account: '222222222222', Region: 'us-east-1', Verdict: 'NON_COMPLIANT' },
        value: 1,
      },
      {
        name: 'Evaluations',
        dimensions: { Account: '222222222222', Region: 'us-east-1', Verdict: 'INSUFFICIENT_DATA' },
        value: 1,
      },
      { name: 'ProbeOutcomes', dimensions: { Outcome: 'R' }, value: 2 },
    ]);
  });

  it('summarizes a scan as counts and distinct problem codes', () => {
    expect(summarizeScan(result)).toEqual({
      databases: 4,
      verdicts: { COMPLIANT: 1, NON_COMPLIANT: 2, NOT_APPLICABLE: 0, INSUFFICIENT_DATA: 1 },
      probeFailures: 1,
      problems: 3,
      problemCodes: ['ACCESS_DENIED', 'REGION_UNREADABLE'],
      regions: ['eu-west-1'],
      durationMs: 2500,
    });
  });
});

describe('Config rule invocation metrics', () => {
  /** The metric values one invocation's outcome publishes. */
  function published(
    outcome: Parameters<typeof recordConfigRuleOutcome>[1],
  ): Record<string, unknown> {
    const capture = captureStdout();
    const metrics = createMetrics();
    recordConfigRuleOutcome(metrics, outcome);
    metrics.publishStoredMetrics();
    capture.restore();
    return Object.assign(
      {},
      ...capture
        .lines()
        .map((line) => JSON.parse(line))
        .filter((entry) => entry._aws),
    );
  }
  const put = {
    submitted: 1,
    duplicatesDropped: 0,
    accepted: 1,
    failed: [],
    batches: 1,
    calls: 1,
    errors: [],
  };

  it('counts an event naming no resource as rejected, and nothing else', () => {
    const values = published({ status: 'rejected', code: 'EVENT_INVALID', message: 'x' });
    expect(values.EventsRejected).toBe(1);
    expect(values.EvaluationsFailed).toBeUndefined();
  });

  it('counts a rejected event that still got its evaluation by the evaluations, zero failed included', () => {
    const values = published({
      status: 'rejected',
      code: 'INVOKING_EVENT_INVALID',
      message: 'x',
      put,
    });
    expect(values.EventsRejected).toBeUndefined();
    expect(values.EvaluationsFailed).toBe(0);
  });

  it('counts the databases a periodic run queued', () => {
    const values = published({ status: 'fanned-out', batches: 2, databases: 40 });
    expect(values.DatabasesQueued).toBe(40);
  });
});

/**
 * A scheduled run's databases that never reach the probe queue: one too
 * large for any SQS message, or a batch SQS keeps refusing. The scanner
 * evaluates them itself (configuration only: it holds no secret and is not
 * in the VPC), sends their findings to Security Hub and keeps their result
 * as a part of the run, so none is missing from the report or left at its
 * last Security Hub verdict. In process: scanner, queue, worker, S3 in
 * memory and Security Hub behind aws-sdk-client-mock.
 */
import { S3Client } from '@aws-sdk/client-s3';
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Log } from '../../lib/log.js';
import type { Inventory } from '../../lib/pipeline.js';
import { findingId } from '../../lib/report/asff.js';
import { jsonReportSchema } from '../../lib/report/index.js';
import type { ScheduledSinks } from '../../lib/sinks/index.js';
import { reportKeys } from '../../lib/sinks/run-keys.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { handleWorkerRecords } from '../../lib/use-cases/probe-worker.js';
import { runScheduledScan } from '../../lib/use-cases/scheduled-scan.js';
import { type MemoryBucket, memoryBucket } from '../sinks/memory-bucket.js';
import { capturingQueue, database, settled } from './helpers.js';

const OWN = '111111111111';
const REGION = 'eu-west-1';
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${OWN}/probe`;
const RUN = { id: '20260203T040506Z-notqueued', startedAt: new Date('2026-02-03T04:05:06.000Z') };
const quiet: Log = { info: () => {}, warn: () => {}, error: () => {} };

/** `orders-1` fits a message; `orders-2` carries 300 KB of tags, more than any SQS message holds. */
function inventory(): Inventory {
  const certificateValidTill = new Date('2061-05-20T00:00:00.000Z');
  const big = database(2, {
    accountId: OWN,
    certificateValidTill,
    tags: Object.fromEntries(
      Array.from({ length: 30 }, (_, index) => [`note-${index}`, 'x'.repeat(10_000)]),
    ),
  });
  return {
    items: [settled(database(1, { accountId: OWN, certificateValidTill })), settled(big, '0')],
    problems: [],
    regions: [REGION],
  };
}

/**
 * Security Hub already holds a PASSED finding for orders-2 from an earlier
 * run (GetFindings' documented shape: Findings of AwsSecurityFinding,
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html).
 */
function securityHub() {
  const client = new SecurityHubClient({ region: REGION });
  const imported: AwsSecurityFinding[] = [];
  const id = findingId(OWN, REGION, database(2).resourceId);
  const stub = mockClient(client);
  stub.on(GetFindingsCommand).resolves({
    Findings: [
      {
        SchemaVersion: '2018-10-08',
        Id: id,
        ProductArn: `arn:aws:securityhub:${REGION}:${OWN}:product/${OWN}/default`,
        GeneratorId: 'rds-tls-guard/TLS_ENFORCED',
        AwsAccountId: OWN,
        Types: ['Software and Configuration Checks/AWS Security Best Practices'],
        CreatedAt: '2026-01-01T00:00:00.000Z',
        FirstObservedAt: '2026-01-01T00:00:00.000Z',
        UpdatedAt: '2026-01-01T00:00:00.000Z',
        Severity: { Label: 'INFORMATIONAL' },
        Title: 'earlier',
        Description: 'earlier',
        Resources: [{ Type: 'AwsRdsDbInstance', Id: `arn:aws:rds:${REGION}:${OWN}:db:orders-2` }],
        Compliance: { Status: 'PASSED' },
        RecordState: 'ACTIVE',
      },
    ],
  });
  // BatchImportFindings' documented answer: SuccessCount, FailedCount, FailedFindings.
  stub.on(BatchImportFindingsCommand).callsFake(async (input) => {
    imported.push(...input.Findings);
    return { SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] };
  });
  return { client, imported, id };
}

let bucket: MemoryBucket;
beforeEach(() => {
  bucket = memoryBucket();
});
afterEach(() => bucket.mock.restore());

function sinksWith(client: SecurityHubClient): ScheduledSinks {
  return {
    archive: { s3: new S3Client({ region: REGION }), bucket: 'reports' },
    securityHubFor: (place) => ({ client, accountId: place.accountId, region: place.region }),
    log: quiet,
    retry: { sleep: async () => {} },
    now: () => RUN.startedAt,
  };
}

describe('a scheduled run with databases that never reach the queue', () => {
  it('a database too large for any message: evaluated by the scanner, in the report and in Security Hub', async () => {
    bucket.clock.now = RUN.startedAt;
    const { sqs, queued } = capturingQueue();
    const hub = securityHub();
    const sinks = sinksWith(hub.client);
    const outcome = await runScheduledScan({
      targets: [{ accountId: OWN }],
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
      collect: async () => inventory(),
      queue: { sqs, queueUrl: QUEUE_URL },
      orderingTimestamp: RUN.startedAt,
      run: RUN,
      sinks,
    });
    expect(outcome).toMatchObject({
      mode: 'fanned-out',
      accounts: [{ accountId: OWN, databases: 1, batches: 1, notSent: ['orders-2'] }],
    });
    expect(queued).toHaveLength(1);
    // The scanner's own finding for orders-2: FAILED (rds.force_ssl 0), no longer the earlier PASSED.
    expect(
      hub.imported.map((finding) => [finding.Id, finding.RecordState, finding.Compliance?.Status]),
    ).toEqual([[hub.id, 'ACTIVE', 'FAILED']]);
    // …and it keeps the dates Security Hub first saw the database.
    expect(hub.imported[0]?.CreatedAt).toBe('2026-01-01T00:00:00.000Z');

    const done = await handleWorkerRecords([{ messageId: 'm-0', body: queued[0]! }], {
      log: quiet,
      sinks,
      ownAccountId: OWN,
    });
    expect(done.batchItemFailures).toEqual([]);
    const report = jsonReportSchema.parse(bucket.json(reportKeys(RUN).json));
    expect(report.databases.map((entry) => [entry.identifier, entry.verdict])).toEqual([
      ['orders-1', 'COMPLIANT'],
      ['orders-2', 'NON_COMPLIANT'],
    ]);
    expect(report.problems.map((problem) => [problem.code, problem.message])).toEqual([
      [
        'DATABASES_NOT_QUEUED',
        '1 database(s) could not be queued for probing, so the scanner evaluated them from configuration only: orders-2',
      ],
    ]);
  });

  it('a batch SQS keeps refusing: its databases evaluated by the scanner, and the run complete', async () => {
    bucket.clock.now = RUN.startedAt;
    const sqs = new SQSClient({ region: REGION });
    // SendMessageBatch's documented answer for an entry it refuses: Failed[] of
    // BatchResultErrorEntry (Id, Code, SenderFault, Message),
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
    mockClient(sqs)
      .on(SendMessageBatchCommand)
      .callsFake(async (input) => ({
        Successful: [],
        Failed: input.Entries.map((entry: { Id: string }) => ({
          Id: entry.Id,
          Code: 'InvalidMessageContents',
          SenderFault: true,
          Message: 'refused',
        })),
      }));
    const hub = securityHub();
    const outcome = await runScheduledScan({
      targets: [{ accountId: OWN }],
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
      collect: async () => ({ ...inventory(), items: inventory().items.slice(0, 1) }),
      queue: { sqs, queueUrl: QUEUE_URL },
      orderingTimestamp: RUN.startedAt,
      run: RUN,
      sinks: sinksWith(hub.client),
    });
    expect(outcome).toMatchObject({
      accounts: [{ accountId: OWN, databases: 0, batches: 0, notSent: ['orders-1'] }],
    });
    // Nothing is on the queue: the scanner's manifest completes the run at once.
    const report = jsonReportSchema.parse(bucket.json(reportKeys(RUN).json));
    expect(report.databases.map((entry) => [entry.identifier, entry.verdict])).toEqual([
      ['orders-1', 'COMPLIANT'],
    ]);
    // orders-2 is not in this listing: its earlier finding is archived, orders-1's is new.
    expect(
      hub.imported.map((finding) => [
        finding.Resources?.[0]?.Id,
        finding.RecordState,
        finding.Compliance?.Status,
      ]),
    ).toEqual([
      [`arn:aws:rds:${REGION}:${OWN}:db:orders-2`, 'ARCHIVED', 'PASSED'],
      [`arn:aws:rds:${REGION}:123456789012:db:orders-1`, 'ACTIVE', 'PASSED'],
    ]);
  });
});

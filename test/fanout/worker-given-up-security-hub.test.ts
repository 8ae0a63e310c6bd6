/**
 * A scheduled batch (no result token) that fails on its last delivery
 * before its findings reached Security Hub: each of its databases would keep
 * its last Security Hub finding, PASSED included, while the run's report
 * says it could not be judged. The worker imports each as could not be
 * judged (Compliance WARNING) instead.
 *
 * Security Hub shapes as the API reference documents them: BatchImportFindings
 * takes Findings and answers SuccessCount, FailedCount, FailedFindings
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html).
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { buildMessages, serializeMessage } from '../../lib/fanout/index.js';
import type { Log } from '../../lib/log.js';
import { findingId } from '../../lib/report/asff.js';
import type { ScheduledSinks } from '../../lib/sinks/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { handleWorkerRecords, type WorkerDeps } from '../../lib/use-cases/probe-worker.js';
import { memoryBucket } from '../sinks/memory-bucket.js';
import { database, settled } from './helpers.js';

const OWN = '111111111111';
const RUN = { id: '20260203T040506Z-givenup', startedAt: new Date('2026-02-03T04:05:06.000Z') };
const CREATED = '2025-12-01T00:00:00.000Z';
const quiet: Log = { info: () => {}, warn: () => {}, error: () => {} };
const certificateValidTill = new Date('2061-05-20T00:00:00.000Z');
const DATABASES = [1, 2].map((index) => database(index, { accountId: OWN, certificateValidTill }));

function body(): string {
  const [message] = buildMessages(
    {
      orderingTimestamp: RUN.startedAt,
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
      accountId: OWN,
      run: { ...RUN, part: `${OWN}-0` },
    },
    DATABASES.map((resource) => settled(resource)),
    {
      // The scanner's lookup: database 1's finding has been in Security Hub since December.
      firstSeen: new Map([
        [
          findingId(OWN, 'eu-west-1', DATABASES[0]!.resourceId),
          { createdAt: CREATED, firstObservedAt: CREATED },
        ],
      ]),
    },
  ).messages;
  return serializeMessage(message!);
}

function securityHub() {
  const client = new SecurityHubClient({ region: 'eu-west-1' });
  const imported: AwsSecurityFinding[] = [];
  mockClient(client)
    .on(BatchImportFindingsCommand)
    .callsFake(async (input) => {
      imported.push(...input.Findings);
      return { SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] };
    });
  return { client, imported };
}

function sinksWith(client: SecurityHubClient): ScheduledSinks {
  return {
    securityHubFor: (place) => ({ client, accountId: place.accountId, region: place.region }),
    log: quiet,
    retry: { sleep: async () => {} },
    now: () => new Date('2026-02-03T06:00:00.000Z'),
  };
}

function deps(sinks: ScheduledSinks, failScan: boolean): WorkerDeps {
  return {
    log: quiet,
    sinks,
    ownAccountId: OWN,
    maxReceiveCount: 3,
    ...(failScan
      ? {
          // The batch's scan throws before it starts: SCAN_FAILED.
          proberFor: () => {
            throw new Error('credentials provider unavailable');
          },
        }
      : {}),
  };
}

const record = (receiveCount: number) => ({
  messageId: 'msg-7',
  body: body(),
  attributes: { ApproximateReceiveCount: String(receiveCount) },
});

describe('a scheduled batch given up on its last delivery', () => {
  it('imports each of its databases into Security Hub as could not be judged, keeping the first dates', async () => {
    const hub = securityHub();
    const sinks = sinksWith(hub.client);
    // An earlier delivery: SQS will try again, nothing is given up.
    expect(await handleWorkerRecords([record(2)], deps(sinks, true))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'msg-7' }],
    });
    expect(hub.imported).toEqual([]);

    expect(await handleWorkerRecords([record(3)], deps(sinks, true))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'msg-7' }],
    });
    expect(
      hub.imported.map((finding) => [
        finding.Id,
        finding.RecordState,
        finding.Compliance?.Status,
        finding.CreatedAt,
      ]),
    ).toEqual([
      [findingId(OWN, 'eu-west-1', DATABASES[0]!.resourceId), 'ACTIVE', 'WARNING', CREATED],
      [
        findingId(OWN, 'eu-west-1', DATABASES[1]!.resourceId),
        'ACTIVE',
        'WARNING',
        RUN.startedAt.toISOString(),
      ],
    ]);
    expect(hub.imported[0]?.Description).toContain(
      'probe batch given up after 3 attempts (SCAN_FAILED)',
    );
  });

  it('leaves the findings it already imported when only its report part could not be written', async () => {
    const hub = securityHub();
    const bucket = memoryBucket();
    bucket.mock
      .on(PutObjectCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const sinks: ScheduledSinks = {
      ...sinksWith(hub.client),
      archive: { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports' },
    };
    expect(await handleWorkerRecords([record(3)], deps(sinks, false))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'msg-7' }],
    });
    // The real verdicts, once; not overwritten with could-not-judge.
    expect(hub.imported.map((finding) => finding.Compliance?.Status)).toEqual(['PASSED', 'PASSED']);
    bucket.mock.restore();
  });
});

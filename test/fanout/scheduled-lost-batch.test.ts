/**
 * A fanned-out run whose batch ends on the dead-letter queue: the next
 * scheduled run assembles it (in process: scanner, queue message, worker,
 * S3 in memory behind aws-sdk-client-mock).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Log } from '../../lib/log.js';
import type { Inventory } from '../../lib/pipeline.js';
import { jsonReportSchema } from '../../lib/report/index.js';
import type { ScheduledSinks } from '../../lib/sinks/index.js';
import { reportKeys } from '../../lib/sinks/run-keys.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { handleWorkerRecords } from '../../lib/use-cases/probe-worker.js';
import { runScheduledScan } from '../../lib/use-cases/scheduled-scan.js';
import { memoryBucket } from '../sinks/memory-bucket.js';
import { capturingQueue, database, settled } from './helpers.js';

const OWN = '111111111111';
const MEMBER = '222222222222';
const QUEUE_URL = `https://sqs.eu-west-1.amazonaws.com/${OWN}/probe`;
const FIRST = { id: '20260203T040506Z-first', startedAt: new Date('2026-02-03T04:05:06.000Z') };
const NEXT = { id: '20260203T100506Z-next', startedAt: new Date('2026-02-03T10:05:06.000Z') };
const quiet: Log = { info: () => {}, warn: () => {}, error: () => {} };

function inventoryOf(accountId: string): Inventory {
  return {
    items: [
      settled(database(accountId === OWN ? 1 : 2, { accountId, identifier: `${accountId}-db` })),
    ],
    problems: [],
    regions: ['eu-west-1'],
  };
}

const bucket = memoryBucket();
afterEach(() => bucket.mock.restore());

describe('a scheduled run whose batch never reports', () => {
  it('gets its report from the next scheduled run: the lost batch INSUFFICIENT_DATA, the report incomplete', async () => {
    const { sqs, queued } = capturingQueue();
    let now = FIRST.startedAt;
    const warnings: string[] = [];
    const sinks: ScheduledSinks = {
      archive: { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports' },
      log: { ...quiet, warn: (message) => warnings.push(message) },
      now: () => now,
    };
    const scanAs = (run: typeof FIRST) =>
      runScheduledScan({
        targets: [{ accountId: OWN }, { accountId: MEMBER }],
        ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
        collect: async (target) => inventoryOf(target.accountId ?? OWN),
        queue: { sqs, queueUrl: QUEUE_URL },
        orderingTimestamp: run.startedAt,
        run,
        sinks,
      });

    bucket.clock.now = FIRST.startedAt;
    await scanAs(FIRST);
    expect(queued).toHaveLength(2);
    // Only the first account's batch is probed; the member's ends on the dead-letter queue.
    const done = await handleWorkerRecords([{ messageId: 'm-0', body: queued[0]! }], {
      log: quiet,
      sinks,
      ownAccountId: OWN,
    });
    expect(done.batchItemFailures).toEqual([]);
    expect(bucket.objects.has(reportKeys(FIRST).json)).toBe(false);

    now = NEXT.startedAt;
    bucket.clock.now = NEXT.startedAt;
    await scanAs(NEXT);
    const report = jsonReportSchema.parse(bucket.json(reportKeys(FIRST).json));
    expect(report.databases.map((entry) => [entry.accountId, entry.verdict, entry.reason])).toEqual(
      [
        [OWN, 'NON_COMPLIANT', 'CA_EXPIRED'],
        [MEMBER, 'INSUFFICIENT_DATA', 'PROBE_BATCH_LOST'],
      ],
    );
    expect(report.problems.map((problem) => problem.code)).toEqual([
      'REPORT_INCOMPLETE',
      'PROBE_BATCH_LOST',
    ]);
    expect(warnings).toContain('overdue run assembled without its lost batches');
    // The next run itself is only queued: no report for it yet.
    expect(bucket.objects.has(reportKeys(NEXT).json)).toBe(false);
  });
});

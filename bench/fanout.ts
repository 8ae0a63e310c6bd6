/**
 * RDS calls of a fanned-out scheduled run: the scanner lists and reads the
 * fleet once, queues its batches (SQS answered in process), and every
 * queued message goes through a probe worker whose RDS client counts its
 * calls too. The sum is held against the single-process minimum (each group
 * read once, `SyntheticFleet.expectedCalls`).
 *
 * For comparison, the same batches are also run as version 1 messages (bare
 * databases), which make each worker read its batch's groups itself: the
 * design the messages replaced.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { serveInProcess } from '../lib/aws/in-process.js';
import { databasesOf, parseMessage } from '../lib/fanout/index.js';
import { collectInventory, enrichResources } from '../lib/inventory/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../lib/types.js';
import { handleWorkerRecords, type WorkerDeps } from '../lib/use-cases/probe-worker.js';
import { runScheduledScan } from '../lib/use-cases/scheduled-scan.js';
import { ACCOUNT_ID, fleetShape, REGION, SyntheticFleet } from './fleet.js';
import { latencyRdsClient } from './latency-rds.js';

export interface FanoutCalls {
  instances: number;
  /** Each group read once: what one process scanning everything needs. */
  minimum: number;
  scanner: number;
  workers: number;
  messages: number;
  largestMessageBytes: number;
  /** Messages the workers failed (should be none). */
  failed: number;
  /** Workers' calls when each batch's groups are read in the worker (version 1 messages). */
  legacyWorkers: number;
}

const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/rds-tls-guard-probe`;
const quiet: WorkerDeps['log'] = { info: () => {}, warn: () => {}, error: () => {} };

export async function runFanoutCalls(instances: number): Promise<FanoutCalls> {
  const fleet = new SyntheticFleet(fleetShape(instances));
  const minimum = Object.values(fleet.expectedCalls()).reduce((sum, n) => sum + n, 0);

  const bodies: string[] = [];
  const sqs = serveInProcess(
    new SQSClient({
      region: REGION,
      credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'benchmark' },
    }),
    (_command, input) => {
      const entries = (input as { Entries: { Id: string; MessageBody: string }[] }).Entries;
      bodies.push(...entries.map((entry) => entry.MessageBody));
      return { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: entry.Id })) };
    },
  );

  const scannerRds = latencyRdsClient(fleet, 0);
  await runScheduledScan({
    targets: [{ accountId: ACCOUNT_ID }],
    ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
    collect: () =>
      collectInventory({
        regions: [REGION],
        accountId: ACCOUNT_ID,
        clientFor: () => scannerRds.client,
      }),
    queue: { sqs, queueUrl: QUEUE_URL },
    orderingTimestamp: new Date(),
  });

  const workerRds = latencyRdsClient(fleet, 0);
  const failed = await deliver(bodies, workerRds.client);

  const legacyRds = latencyRdsClient(fleet, 0);
  await deliver(bodies.map(asVersion1), legacyRds.client);

  return {
    instances,
    minimum,
    scanner: scannerRds.calls.total,
    workers: workerRds.calls.total,
    messages: bodies.length,
    largestMessageBytes: Math.max(0, ...bodies.map((body) => Buffer.byteLength(body, 'utf8'))),
    failed,
    legacyWorkers: legacyRds.calls.total,
  };
}

/** Every message to its own worker invocation (batch size 1, as deployed). */
async function deliver(
  bodies: readonly string[],
  rds: ReturnType<typeof latencyRdsClient>['client'],
): Promise<number> {
  let failed = 0;
  for (const [index, body] of bodies.entries()) {
    const record = { messageId: `m-${index}`, body } as Pick<SQSRecord, 'messageId' | 'body'>;
    const response = await handleWorkerRecords([record], {
      enrich: (resources) => enrichResources(resources, { clientFor: () => rds }),
      log: quiet,
    });
    failed += response.batchItemFailures.length;
  }
  return failed;
}

function asVersion1(body: string): string {
  const parsed = parseMessage(body);
  if (!parsed.ok) throw new Error(parsed.message);
  const { items: _items, ...header } = JSON.parse(body);
  return JSON.stringify({ ...header, version: 1, resources: databasesOf(parsed.message) });
}

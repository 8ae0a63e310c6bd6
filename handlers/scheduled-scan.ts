/**
 * Periodic scan (EventBridge schedule): every account and region's databases
 * go to the probe workers through SQS; without a queue, a configuration-only
 * scan runs here.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { planScanTargets } from '../lib/accounts/index.js';
import { createAccountToolkit } from '../lib/accounts/toolkit.js';
import { collectInventory } from '../lib/inventory/index.js';
import { readFunctionEnvironment } from '../lib/lambda/environment.js';
import { type ScheduledEvent, scheduledEventSchema } from '../lib/lambda/events.js';
import { lambdaHandler, schemaInput } from '../lib/lambda/handler.js';
import {
  log,
  logger,
  METRIC_NAMES,
  metrics,
  recordCount,
  recordEventRejected,
  recordScanMetrics,
  recordSinkFailure,
  summarizeScan,
} from '../lib/observability/index.js';
import { createDeployedSinks, partitionOfArn } from '../lib/sinks/deployed.js';
import { runIdFrom } from '../lib/sinks/index.js';
import { runScheduledScan } from '../lib/use-cases/scheduled-scan.js';

const env = readFunctionEnvironment();
const queue = env.queueUrl
  ? { sqs: new SQSClient({ region: env.region }), queueUrl: env.queueUrl }
  : undefined;
const toolkit = createAccountToolkit({ stsRegion: env.region });
const sinksFor = createDeployedSinks({
  env,
  log,
  onSinkFailure: (sink, count) => recordSinkFailure(metrics, sink, count),
});

type ScheduledScanResponse =
  | { status: 'rejected'; code: string }
  | { status: 'scanned'; databases: number }
  | { status: 'fanned-out'; databases: number; batches: number; notSent: number };

export const handler = lambdaHandler<ScheduledEvent, ScheduledScanResponse>(
  schemaInput(scheduledEventSchema, 'SCHEDULED_EVENT_INVALID', () => ({
    status: 'rejected',
    code: 'SCHEDULED_EVENT_INVALID',
  })),
  async (event, context) => {
    const parameters = env.ruleParameters;
    if (!parameters.ok) {
      logger.error('rule parameters invalid', {
        code: parameters.error.code,
        keys: parameters.error.keys,
      });
      recordEventRejected(metrics);
      return { status: 'rejected', code: parameters.error.code };
    }
    const startedAt = new Date();
    const eventTime = event.time ? new Date(event.time) : undefined;
    const orderingTimestamp =
      eventTime && !Number.isNaN(eventTime.getTime()) ? eventTime : startedAt;
    const plan = planScanTargets({
      memberRoleArns: env.memberAccountRoleArns,
      ...(event.account ? { ownAccountId: event.account } : {}),
    });
    for (const problem of plan.problems) logger.warn('scan target skipped', { ...problem });

    const outcome = await runScheduledScan({
      targets: plan.targets,
      ruleParameters: parameters.value,
      collect: (target) =>
        collectInventory({
          regions: env.scanRegions,
          ...(target.accountId ? { accountId: target.accountId } : {}),
          clientFor: toolkit.rdsClientFor(target),
          ec2ClientFor: toolkit.ec2ClientFor(target),
        }),
      ...(queue ? { queue } : {}),
      orderingTimestamp,
      run: { id: runIdFrom(startedAt, event.id), startedAt },
      sinks: sinksFor(partitionOfArn(context.invokedFunctionArn)),
    });

    if (outcome.mode === 'in-process') {
      recordScanMetrics(metrics, outcome.result);
      const summary = summarizeScan(outcome.result);
      logger.info('scheduled scan done', { mode: outcome.mode, ...summary });
      return { status: 'scanned', databases: summary.databases };
    }
    for (const problem of outcome.problems) logger.warn('scan problem', { ...problem });
    const queued = outcome.accounts.reduce((sum, account) => sum + account.databases, 0);
    recordCount(metrics, METRIC_NAMES.databasesQueued, queued);
    const notSent = outcome.accounts.flatMap((account) => account.notSent);
    if (notSent.length > 0) logger.error('databases not queued', { identifiers: notSent });
    logger.info('scheduled scan queued', { mode: outcome.mode, accounts: outcome.accounts });
    return {
      status: 'fanned-out',
      databases: queued,
      batches: outcome.accounts.reduce((sum, account) => sum + account.batches, 0),
      notSent: notSent.length,
    };
  },
);

/**
 * Periodic scan (EventBridge schedule): every account and region's databases
 * go to the probe workers through SQS; without a queue, a configuration-only
 * scan runs here.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { planScanTargets } from '../lib/accounts/index.js';
import { createAccountToolkit } from '../lib/accounts/toolkit.js';
import { collectInventory } from '../lib/inventory/index.js';
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
import {
  ruleParametersFromEnvironment,
  runScheduledScan,
  scanRegionsFromEnvironment,
} from '../lib/use-cases/scheduled-scan.js';

const region = process.env.AWS_REGION ?? 'us-east-1';
const queueUrl = process.env.QUEUE_URL;
const sqs = queueUrl ? new SQSClient({ region }) : undefined;
const toolkit = createAccountToolkit({ stsRegion: region });
const sinksFor = createDeployedSinks({
  env: process.env,
  region,
  log,
  onSinkFailure: (sink, count) => recordSinkFailure(metrics, sink, count),
});

export const handler = middy<Partial<ScheduledEvent>>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(async (event: Partial<ScheduledEvent>, context) => {
    const parameters = ruleParametersFromEnvironment(process.env);
    if (!parameters.ok) {
      logger.error('rule parameters invalid', {
        code: parameters.error.code,
        keys: parameters.error.keys,
      });
      recordEventRejected(metrics);
      return { status: 'rejected', code: parameters.error.code };
    }
    const regions = scanRegionsFromEnvironment(process.env, region);
    const startedAt = new Date();
    const eventTime = event.time ? new Date(event.time) : undefined;
    const orderingTimestamp =
      eventTime && !Number.isNaN(eventTime.getTime()) ? eventTime : startedAt;
    const plan = planScanTargets({
      memberRoleArns: process.env.MEMBER_ACCOUNT_ROLE_ARNS,
      ...(event.account ? { ownAccountId: event.account } : {}),
    });
    for (const problem of plan.problems) logger.warn('scan target skipped', { ...problem });

    const outcome = await runScheduledScan({
      targets: plan.targets,
      ruleParameters: parameters.value,
      collect: (target) =>
        collectInventory({
          regions,
          ...(target.accountId ? { accountId: target.accountId } : {}),
          clientFor: toolkit.rdsClientFor(target),
          ec2ClientFor: toolkit.ec2ClientFor(target),
        }),
      ...(sqs && queueUrl ? { queue: { sqs, queueUrl } } : {}),
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
  });

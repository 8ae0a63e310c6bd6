/**
 * Probe worker (SQS, batch size 1): probes and reports one batch of
 * databases queued, with their settings, by the scheduled scan or the Config
 * rule. Failed messages are returned as batch item failures; SQS retries
 * them, then parks them on the dead-letter queue.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { createConfigClients } from '../lib/accounts/config-clients.js';
import { createAccountToolkit } from '../lib/accounts/toolkit.js';
import { enrichResources } from '../lib/inventory/index.js';
import { readFunctionEnvironment } from '../lib/lambda/environment.js';
import { type QueueEvent, sqsEventSchema } from '../lib/lambda/events.js';
import { lambdaHandler, schemaInput } from '../lib/lambda/handler.js';
import {
  log,
  METRIC_NAMES,
  metrics,
  recordCount,
  recordEvaluationsFailed,
  recordScanMetrics,
  recordSinkFailure,
} from '../lib/observability/index.js';
import { accountOfArn, createDeployedSinks, partitionOfArn } from '../lib/sinks/deployed.js';
import { handleWorkerRecords } from '../lib/use-cases/probe-worker.js';

const env = readFunctionEnvironment();
// Without it no delivery is known to be the last: failed Config batches reach
// the dead-letter queue without telling Config their databases were not judged.
if (!env.probeMaxReceiveCount.ok) {
  const { code, message } = env.probeMaxReceiveCount.error;
  log.error('environment invalid', { code, reason: message });
}
const configFor = createConfigClients(env.region);
const config = configFor({});
const toolkit = createAccountToolkit({ stsRegion: env.region, useIamAuth: env.useIamAuth });
const sinksFor = createDeployedSinks({
  env,
  log,
  onSinkFailure: (sink, count) => recordSinkFailure(metrics, sink, count),
});

export const handler = lambdaHandler<QueueEvent, SQSBatchResponse>(
  // Not an SQS event: nothing to hand back to a queue.
  schemaInput(sqsEventSchema, 'SQS_EVENT_INVALID', () => ({ batchItemFailures: [] })),
  async (event, context) => {
    const ownAccountId = accountOfArn(context.invokedFunctionArn);
    const response = await handleWorkerRecords(event.Records, {
      // Only for version 1 messages (bare databases) queued by an earlier release.
      enrich: (resources, location) =>
        enrichResources(resources, {
          clientFor: toolkit.rdsClientFor(location),
          ec2ClientFor: toolkit.ec2ClientFor(location),
        }),
      proberFor: (location) => toolkit.proberFor(location),
      reachability: toolkit.reachability,
      config,
      configFor: (location) => configFor(location),
      log,
      onScan: (result) => recordScanMetrics(metrics, result),
      onEvaluationsFailed: (count) => recordEvaluationsFailed(metrics, count),
      ...(env.probeMaxReceiveCount.ok && env.probeMaxReceiveCount.value !== undefined
        ? { maxReceiveCount: env.probeMaxReceiveCount.value }
        : {}),
      onDatabasesGivenUp: (count) => recordCount(metrics, METRIC_NAMES.databasesGivenUp, count),
      remainingTime: () => context.getRemainingTimeInMillis(),
      sinks: sinksFor(partitionOfArn(context.invokedFunctionArn)),
      ...(ownAccountId ? { ownAccountId } : {}),
    });
    recordCount(metrics, METRIC_NAMES.batchesFailed, response.batchItemFailures.length);
    return response;
  },
);

/**
 * Probe worker (SQS, batch size 1): probes and reports one batch of
 * databases queued, with their settings, by the scheduled scan or the Config rule. Failed messages
 * are returned as batch item failures; SQS retries them, then parks them on
 * the dead-letter queue.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { createConfigClients } from '../lib/accounts/config-clients.js';
import { createAccountToolkit } from '../lib/accounts/toolkit.js';
import { enrichResources } from '../lib/inventory/index.js';
import {
  log,
  logger,
  METRIC_NAMES,
  metrics,
  recordCount,
  recordEvaluationsFailed,
  recordScanMetrics,
  recordSinkFailure,
} from '../lib/observability/index.js';
import { accountOfArn, createDeployedSinks, partitionOfArn } from '../lib/sinks/deployed.js';
import { handleWorkerRecords } from '../lib/use-cases/probe-worker.js';

const region = process.env.AWS_REGION ?? 'us-east-1';
const configFor = createConfigClients(region);
const config = configFor({});
const toolkit = createAccountToolkit({
  stsRegion: region,
  useIamAuth: process.env.USE_IAM_AUTH === 'true',
});
const sinksFor = createDeployedSinks({
  env: process.env,
  region,
  log,
  onSinkFailure: (sink, count) => recordSinkFailure(metrics, sink, count),
});

export const handler = middy<SQSEvent>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(async (event, context) => {
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
      sinks: sinksFor(partitionOfArn(context.invokedFunctionArn)),
      ...(ownAccountId ? { ownAccountId } : {}),
    });
    recordCount(metrics, METRIC_NAMES.batchesFailed, response.batchItemFailures.length);
    return response;
  });

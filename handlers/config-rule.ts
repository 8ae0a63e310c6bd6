/**
 * AWS Config custom-rule evaluator. Config invokes it for configuration
 * changes of RDS instances and clusters and on its periodic schedule; the
 * evaluations go back through PutEvaluations. With QUEUE_URL set, periodic
 * runs hand the probing to the SQS workers, the result token travelling with
 * each batch.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { createAccountToolkit } from '../lib/accounts/toolkit.js';
import { handleConfigRuleEvent } from '../lib/config-rule.js';
import { createConfigRuleFanOut } from '../lib/fanout/index.js';
import {
  log,
  logger,
  metrics,
  recordEvaluationsFailed,
  recordEventRejected,
  recordScanMetrics,
} from '../lib/observability/index.js';

const region = process.env.AWS_REGION ?? 'us-east-1';
const queueUrl = process.env.QUEUE_URL;
const config = new ConfigServiceClient({ region, retryMode: 'adaptive', maxAttempts: 8 });
const toolkit = createAccountToolkit({
  stsRegion: region,
  useIamAuth: process.env.USE_IAM_AUTH === 'true',
});
const ownAccount = {};
const fanOut = queueUrl
  ? createConfigRuleFanOut({ sqs: new SQSClient({ region }), queueUrl })
  : undefined;

export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event: unknown) => {
    const outcome = await handleConfigRuleEvent(event, {
      config,
      rdsClientFor: toolkit.rdsClientFor(ownAccount),
      region,
      prober: toolkit.proberFor(ownAccount),
      ...(fanOut ? { fanOut } : {}),
      log,
    });
    if (outcome.status === 'rejected' && !outcome.put) recordEventRejected(metrics);
    if (outcome.status !== 'rejected' && outcome.scan) recordScanMetrics(metrics, outcome.scan);
    if (outcome.put && outcome.put.failed.length > 0) {
      recordEvaluationsFailed(metrics, outcome.put.failed.length);
    }
    log.info('config rule done', {
      status: outcome.status,
      ...(outcome.put ? { accepted: outcome.put.accepted, failed: outcome.put.failed.length } : {}),
    });
    return { status: outcome.status };
  });

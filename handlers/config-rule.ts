/**
 * AWS Config custom-rule evaluator. Config invokes it for configuration
 * changes of RDS instances and clusters and on its periodic schedule; the
 * evaluations go back through PutEvaluations. With QUEUE_URL set, periodic
 * runs hand the probing to the SQS workers, the result token travelling with
 * each batch. An organization rule's events from member accounts are
 * evaluated and reported in the member account, through its role.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createConfigClients } from '../lib/accounts/config-clients.js';
import { createAccountToolkit } from '../lib/accounts/toolkit.js';
import { evaluationAccount } from '../lib/config/organization.js';
import { createConfigRuleFanOut } from '../lib/fanout/index.js';
import {
  log,
  logger,
  METRIC_NAMES,
  metrics,
  recordCount,
  recordEvaluationsFailed,
  recordEventRejected,
  recordScanMetrics,
} from '../lib/observability/index.js';
import { handleConfigRuleEvent } from '../lib/use-cases/config-rule.js';

const region = process.env.AWS_REGION ?? 'us-east-1';
const queueUrl = process.env.QUEUE_URL;
const configFor = createConfigClients(region);
const toolkit = createAccountToolkit({
  stsRegion: region,
  useIamAuth: process.env.USE_IAM_AUTH === 'true',
});
const sqs = queueUrl ? new SQSClient({ region }) : undefined;

export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(async (event: unknown, context: Context) => {
    const functionArn = context.invokedFunctionArn?.split(':') ?? [];
    const account = evaluationAccount(event, {
      ...(functionArn[4] ? { ownAccountId: functionArn[4] } : {}),
      memberRoleName: process.env.ORGANIZATION_MEMBER_ROLE_NAME,
      partition: functionArn[1] || 'aws',
    });
    if (!account.ok) {
      log.error('config event rejected', { code: account.code, reason: account.message });
      recordEventRejected(metrics);
      return { status: 'rejected' };
    }
    // Our own account keeps the function's own role; a member account, its role.
    const target = account.member ? account.target : {};
    if (account.member)
      log.info('organization rule event', { accountId: account.target.accountId });
    const outcome = await handleConfigRuleEvent(event, {
      config: configFor(target),
      rdsClientFor: toolkit.rdsClientFor(target),
      ec2ClientFor: toolkit.ec2ClientFor(target),
      reachability: toolkit.reachability,
      region,
      prober: toolkit.proberFor(target),
      ...(sqs && queueUrl
        ? { fanOut: createConfigRuleFanOut({ sqs, queueUrl, account: target }) }
        : {}),
      log,
    });
    if (outcome.status === 'rejected' && !outcome.put) recordEventRejected(metrics);
    if (outcome.status !== 'rejected' && outcome.scan) recordScanMetrics(metrics, outcome.scan);
    // Zero included: every answered event leaves a count.
    if (outcome.put) recordEvaluationsFailed(metrics, outcome.put.failed.length);
    if (outcome.status === 'fanned-out') {
      recordCount(metrics, METRIC_NAMES.databasesQueued, outcome.databases);
    }
    log.info('config rule done', {
      status: outcome.status,
      ...(outcome.put ? { accepted: outcome.put.accepted, failed: outcome.put.failed.length } : {}),
    });
    return { status: outcome.status };
  });

/**
 * On-demand audit: `aws lambda invoke --function-name <audit> --payload
 * '{"regions":["eu-west-1"],"format":"json"}'` returns the report, or, when
 * it exceeds Lambda's 6 MB response limit, its location in the reports bucket.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  accountsProber,
  collectAccountsInventory,
  createAccountToolkit,
} from '../lib/accounts/toolkit.js';
import {
  logger,
  METRIC_NAMES,
  metrics,
  recordCount,
  recordEventRejected,
} from '../lib/observability/index.js';
import { deliverAuditResponse, s3ReportStore } from '../lib/sinks/audit-delivery.js';
import { runAudit } from '../lib/use-cases/audit.js';

const region = process.env.AWS_REGION ?? 'us-east-1';
const toolkit = createAccountToolkit({
  stsRegion: region,
  useIamAuth: process.env.USE_IAM_AUTH === 'true',
});
const reportStore = process.env.REPORTS_BUCKET
  ? s3ReportStore(process.env.REPORTS_BUCKET, region)
  : undefined;

/** The account id is the fifth field of the function's own ARN. */
function accountOf(context: Context): string | undefined {
  return context.invokedFunctionArn?.split(':')[4] || undefined;
}

export const handler = middy<unknown>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(async (event, context) => {
    const ownAccountId = accountOf(context);
    const response = await runAudit(event, {
      region,
      ...(ownAccountId ? { ownAccountId } : {}),
      memberRoleArns: process.env.MEMBER_ACCOUNT_ROLE_ARNS,
      collect: (targets, regions, filters) =>
        collectAccountsInventory({
          toolkit,
          targets,
          regions,
          ...(filters ? { filters } : {}),
        }),
      proberFor: (targets) => accountsProber(toolkit, targets),
      reachability: toolkit.reachability,
    });
    const delivered = await deliverAuditResponse(response, reportStore, {
      id: context.awsRequestId,
      at: new Date(),
    });
    if ('error' in delivered) {
      recordEventRejected(metrics);
      logger.warn('audit not answered with a report', { ...delivered.error });
    } else {
      recordCount(metrics, METRIC_NAMES.auditsAnswered, 1);
      logger.info('audit done', {
        ...('summary' in delivered ? { summary: delivered.summary } : {}),
        ...('stored' in delivered ? { stored: delivered.stored.uri } : {}),
      });
    }
    return delivered;
  });

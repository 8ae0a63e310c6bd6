/**
 * On-demand audit: `aws lambda invoke --function-name <audit> --payload
 * '{"regions":["eu-west-1"],"format":"json"}'` returns the report.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { runAudit } from '../lib/accounts/audit.js';
import {
  accountsProber,
  collectAccountsInventory,
  createAccountToolkit,
} from '../lib/accounts/toolkit.js';
import { logger, metrics } from '../lib/observability/index.js';

const region = process.env.AWS_REGION ?? 'us-east-1';
const toolkit = createAccountToolkit({
  stsRegion: region,
  useIamAuth: process.env.USE_IAM_AUTH === 'true',
});

/** The account id is the fifth field of the function's own ARN. */
function accountOf(context: Context): string | undefined {
  return context.invokedFunctionArn?.split(':')[4] || undefined;
}

export const handler = middy<unknown>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
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
    });
    if ('error' in response) logger.warn('audit request rejected', { ...response.error });
    else logger.info('audit done', 'summary' in response ? { summary: response.summary } : {});
    return response;
  });

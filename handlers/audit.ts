/**
 * On-demand audit: `aws lambda invoke --function-name <audit> --payload
 * '{"regions":["eu-west-1"],"format":"json"}'` returns the report, or, when
 * it exceeds Lambda's 6 MB response limit, its location in the reports bucket.
 * An event that does not match the audit schema is answered with
 * AUDIT_EVENT_INVALID and counted as rejected.
 */
import {
  accountsProber,
  collectAccountsInventory,
  createAccountToolkit,
} from '../lib/accounts/toolkit.js';
import { readFunctionEnvironment } from '../lib/lambda/environment.js';
import { lambdaHandler, schemaInput } from '../lib/lambda/handler.js';
import {
  logger,
  METRIC_NAMES,
  metrics,
  recordCount,
  recordEventRejected,
} from '../lib/observability/index.js';
import {
  type AuditDelivery,
  deliverAuditResponse,
  s3ReportStore,
} from '../lib/sinks/audit-delivery.js';
import { accountOfArn } from '../lib/sinks/deployed.js';
import {
  type AuditEvent,
  auditEventRejected,
  auditEventSchema,
  runAudit,
} from '../lib/use-cases/audit.js';

const env = readFunctionEnvironment();
const toolkit = createAccountToolkit({ stsRegion: env.region, useIamAuth: env.useIamAuth });
const reportStore = env.reportsBucket ? s3ReportStore(env.reportsBucket, env.region) : undefined;

export const handler = lambdaHandler<AuditEvent, AuditDelivery>(
  schemaInput(auditEventSchema, 'AUDIT_EVENT_INVALID', auditEventRejected),
  async (request, context) => {
    const ownAccountId = accountOfArn(context.invokedFunctionArn);
    const response = await runAudit(request, {
      region: env.region,
      ...(ownAccountId ? { ownAccountId } : {}),
      memberRoleArns: env.memberAccountRoleArns,
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
  },
);

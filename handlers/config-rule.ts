/**
 * AWS Config custom-rule evaluator. Config invokes it for configuration
 * changes of RDS instances and clusters and on its periodic schedule; the
 * evaluations go back through PutEvaluations. With QUEUE_URL set, periodic
 * runs hand the probing to the SQS workers, the result token travelling with
 * each batch. An organization rule's events from member accounts are
 * evaluated and reported in the member account, through its role; an event
 * whose account cannot be worked in is rejected before the use case runs.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createConfigClients } from '../lib/accounts/config-clients.js';
import { createAccountToolkit } from '../lib/accounts/toolkit.js';
import { createConfigRuleFanOut } from '../lib/fanout/index.js';
import { readFunctionEnvironment } from '../lib/lambda/environment.js';
import {
  type ConfigRuleInvocation,
  type ConfigRuleResponse,
  configRuleInput,
} from '../lib/lambda/events.js';
import { lambdaHandler } from '../lib/lambda/handler.js';
import { log, metrics, recordConfigRuleOutcome } from '../lib/observability/index.js';
import { handleConfigRuleEvent } from '../lib/use-cases/config-rule.js';

const env = readFunctionEnvironment();
const configFor = createConfigClients(env.region);
const toolkit = createAccountToolkit({ stsRegion: env.region, useIamAuth: env.useIamAuth });
const queue = env.queueUrl
  ? { sqs: new SQSClient({ region: env.region }), queueUrl: env.queueUrl }
  : undefined;

export const handler = lambdaHandler<ConfigRuleInvocation, ConfigRuleResponse>(
  configRuleInput(env.organizationMemberRoleName),
  async ({ event, target, member }, context) => {
    if (member) log.info('organization rule event', { accountId: target.accountId });
    const outcome = await handleConfigRuleEvent(event, {
      config: configFor(target),
      rdsClientFor: toolkit.rdsClientFor(target),
      ec2ClientFor: toolkit.ec2ClientFor(target),
      reachability: toolkit.reachability,
      region: env.region,
      prober: toolkit.proberFor(target),
      ...(queue ? { fanOut: createConfigRuleFanOut({ ...queue, account: target }) } : {}),
      log,
      remainingTime: () => context.getRemainingTimeInMillis(),
    });
    recordConfigRuleOutcome(metrics, outcome);
    log.info('config rule done', {
      status: outcome.status,
      ...(outcome.put ? { accepted: outcome.put.accepted, failed: outcome.put.failed.length } : {}),
    });
    return { status: outcome.status };
  },
);

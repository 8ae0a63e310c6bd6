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
import type { Context } from 'aws-lambda';
import { createConfigClients } from '../lib/accounts/config-clients.js';
import type { ScanTarget } from '../lib/accounts/index.js';
import { createAccountToolkit } from '../lib/accounts/toolkit.js';
import { evaluationAccount } from '../lib/config/organization.js';
import { createConfigRuleFanOut } from '../lib/fanout/index.js';
import { readFunctionEnvironment } from '../lib/lambda/environment.js';
import { type InputCheck, lambdaHandler } from '../lib/lambda/handler.js';
import { log, metrics, recordConfigRuleOutcome } from '../lib/observability/index.js';
import { accountOfArn, partitionOfArn } from '../lib/sinks/deployed.js';
import { handleConfigRuleEvent } from '../lib/use-cases/config-rule.js';

const env = readFunctionEnvironment();
const configFor = createConfigClients(env.region);
const toolkit = createAccountToolkit({ stsRegion: env.region, useIamAuth: env.useIamAuth });
const queue = env.queueUrl
  ? { sqs: new SQSClient({ region: env.region }), queueUrl: env.queueUrl }
  : undefined;

/** A Config event with the account it is evaluated in: ours, or a member's through its role. */
interface ConfigRuleInvocation {
  event: unknown;
  target: ScanTarget;
  member: boolean;
}

interface ConfigRuleResponse {
  status: string;
}

function withEvaluationAccount(
  event: unknown,
  context: Context,
): InputCheck<ConfigRuleInvocation, ConfigRuleResponse> {
  const ownAccountId = accountOfArn(context.invokedFunctionArn);
  const account = evaluationAccount(event, {
    ...(ownAccountId ? { ownAccountId } : {}),
    memberRoleName: env.organizationMemberRoleName,
    partition: partitionOfArn(context.invokedFunctionArn),
  });
  if (!account.ok) {
    return {
      ok: false,
      code: account.code,
      reason: account.message,
      response: { status: 'rejected' },
    };
  }
  // Our own account keeps the function's own role; a member account, its role.
  return {
    ok: true,
    input: { event, target: account.member ? account.target : {}, member: account.member },
  };
}

export const handler = lambdaHandler<ConfigRuleInvocation, ConfigRuleResponse>(
  withEvaluationAccount,
  async ({ event, target, member }) => {
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
    });
    recordConfigRuleOutcome(metrics, outcome);
    log.info('config rule done', {
      status: outcome.status,
      ...(outcome.put ? { accepted: outcome.put.accepted, failed: outcome.put.failed.length } : {}),
    });
    return { status: outcome.status };
  },
);

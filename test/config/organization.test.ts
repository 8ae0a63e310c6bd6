import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { evaluationAccount } from '../../lib/config/organization.js';
import { createConfigRuleFanOut, parseMessage } from '../../lib/fanout/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { database } from '../fanout/helpers.js';

const OWN = '111111111111';
const MEMBER = '222222222222';
const options = { ownAccountId: OWN, memberRoleName: 'rds-tls-guard-member', partition: 'aws' };

/** The envelope fields this module reads, as in a Config rule event (docs: custom Lambda rule events). */
function event(accountId: unknown, executionRoleArn?: string) {
  return {
    version: '1.0',
    accountId,
    ...(executionRoleArn ? { executionRoleArn } : {}),
    configRuleName: 'rds-tls-only',
    resultToken: 'token',
  };
}

describe('evaluationAccount', () => {
  it('keeps the function’s own role for an event from its own account', () => {
    expect(evaluationAccount(event(OWN), options)).toEqual({
      ok: true,
      target: { accountId: OWN },
      member: false,
    });
  });

  it('works in a member account through the configured member role there', () => {
    expect(evaluationAccount(event(MEMBER), { ...options, partition: 'aws-us-gov' })).toEqual({
      ok: true,
      target: {
        accountId: MEMBER,
        roleArn: `arn:aws-us-gov:iam::${MEMBER}:role/rds-tls-guard-member`,
      },
      member: true,
    });
  });

  it('falls back to the event’s executionRoleArn when it is an assumable role of that account', () => {
    const roleArn = `arn:aws:iam::${MEMBER}:role/config-evaluator`;
    expect(evaluationAccount(event(MEMBER, roleArn), { ...options, memberRoleName: '' })).toEqual({
      ok: true,
      target: { accountId: MEMBER, roleArn },
      member: true,
    });
  });

  it('refuses Config’s service-linked role and a role of another account', () => {
    for (const roleArn of [
      `arn:aws:iam::${MEMBER}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
      `arn:aws:iam::333333333333:role/config-evaluator`,
    ]) {
      expect(
        evaluationAccount(event(MEMBER, roleArn), { ...options, memberRoleName: '' }),
      ).toMatchObject({
        ok: false,
        code: 'MEMBER_ROLE_UNKNOWN',
      });
    }
  });

  it('names an account id that is not 12 digits, without quoting it', () => {
    const outcome = evaluationAccount(event('12345/../x'), options);
    expect(outcome).toEqual({
      ok: false,
      code: 'EVENT_ACCOUNT_INVALID',
      message: 'the event accountId is not a 12-digit account id',
    });
  });

  it('leaves an event without an account to the event validation', () => {
    expect(evaluationAccount('not an event', options)).toEqual({
      ok: true,
      target: {},
      member: false,
    });
  });
});

describe('an organization rule run fanned out', () => {
  it('queues batches that carry the member account and role, with the result token', async () => {
    const sqs = new SQSClient({ region: 'eu-west-1' });
    const bodies: string[] = [];
    const stub = mockClient(sqs);
    stub.on(SendMessageBatchCommand).callsFake(async (input) => {
      bodies.push(...input.Entries.map((entry: { MessageBody: string }) => entry.MessageBody));
      return {
        Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: e.Id })),
      };
    });
    const roleArn = `arn:aws:iam::${MEMBER}:role/rds-tls-guard-member`;
    const fanOut = createConfigRuleFanOut({
      sqs,
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/probe',
      account: { accountId: MEMBER, roleArn },
    });
    await fanOut({
      inventory: {
        items: [{ resource: database(1, { accountId: MEMBER }), optionGroups: [], gaps: [] }],
        problems: [],
        regions: ['eu-west-1'],
      },
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      resultToken: 'member-token',
      testMode: false,
      configRuleName: 'rds-tls-only',
      orderingTimestamp: new Date('2026-01-01T00:00:00Z'),
    });
    const parsed = parseMessage(bodies[0]!);
    expect(
      parsed.ok && [parsed.message.accountId, parsed.message.roleArn, parsed.message.resultToken],
    ).toEqual([MEMBER, roleArn, 'member-token']);
    stub.restore();
  });
});

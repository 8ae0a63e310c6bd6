import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { configRuleInput, scheduledEventSchema, sqsEventSchema } from '../../lib/lambda/events.js';

const context = {
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:config-rule',
} as Context;

describe('configRuleInput', () => {
  it('passes an event from our own account on with our own role', () => {
    const event = { accountId: '111111111111', invokingEvent: '{' };
    expect(configRuleInput(undefined)(event, context)).toEqual({
      ok: true,
      input: { event, target: {}, member: false },
    });
  });

  it("passes a malformed event that names no account on, for the use case's named outcome", () => {
    expect(configRuleInput(undefined)('not an event', context)).toMatchObject({ ok: true });
  });

  it('works in a member account through the configured member role', () => {
    const checked = configRuleInput('rds-tls-guard-member')({ accountId: '222222222222' }, context);
    expect(checked).toMatchObject({
      ok: true,
      input: {
        target: {
          accountId: '222222222222',
          roleArn: 'arn:aws:iam::222222222222:role/rds-tls-guard-member',
        },
        member: true,
      },
    });
  });

  it('rejects an event from a member account it has no role for', () => {
    expect(configRuleInput(undefined)({ accountId: '222222222222' }, context)).toMatchObject({
      ok: false,
      code: 'MEMBER_ROLE_UNKNOWN',
      response: { status: 'rejected' },
    });
  });
});

describe('event schemas', () => {
  it('read a scheduled event and let its other fields through', () => {
    const event = { id: 'e-1', time: '2025-01-15T12:00:00Z', account: '111111111111', detail: {} };
    expect(scheduledEventSchema.parse(event)).toEqual(event);
    expect(scheduledEventSchema.safeParse({ account: 'mine' }).success).toBe(false);
  });

  it('need an id and a body on every SQS record', () => {
    expect(sqsEventSchema.safeParse({ Records: [{ messageId: 'm-1', body: '{}' }] }).success).toBe(
      true,
    );
    expect(sqsEventSchema.safeParse({ Records: [{ messageId: 'm-1' }] }).success).toBe(false);
    expect(sqsEventSchema.safeParse({}).success).toBe(false);
  });

  it('read each SQS record’s receive count, and read attributes not as SQS writes them as unknown', () => {
    const parsed = sqsEventSchema.parse({
      Records: [
        { messageId: 'm-1', body: '{}', attributes: { ApproximateReceiveCount: '3' } },
        { messageId: 'm-2', body: '{}', attributes: { ApproximateReceiveCount: 3 } },
        { messageId: 'm-3', body: '{}', attributes: 'three' },
      ],
    });
    expect(parsed.Records.map((record) => record.attributes?.ApproximateReceiveCount)).toEqual([
      '3',
      undefined,
      undefined,
    ]);
    expect(parsed.Records.map((record) => record.messageId)).toEqual(['m-1', 'm-2', 'm-3']);
  });
});

import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScanTarget } from '../../lib/accounts/index.js';
import { databasesOf, parseMessage } from '../../lib/fanout/index.js';
import type { Inventory } from '../../lib/pipeline.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { runScheduledScan } from '../../lib/use-cases/scheduled-scan.js';
import { database } from './helpers.js';

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'eu-west-1' });
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/probe';
const ORDERING = new Date('2025-01-15T12:00:00.000Z');
const MEMBER: ScanTarget = {
  accountId: '222222222222',
  roleArn: 'arn:aws:iam::222222222222:role/rds-tls-guard-member',
};

function inventoryOf(accountId: string, count: number): Inventory {
  return {
    items: Array.from({ length: count }, (_, index) => ({
      resource: database(index, { accountId, identifier: `${accountId}-db-${index}` }),
      optionGroups: [],
      gaps: [],
    })),
    problems: [],
    regions: ['eu-west-1'],
  };
}

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input) => ({
    Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: e.Id })),
    Failed: [],
  }));
});

describe('runScheduledScan with a queue', () => {
  it('queues each account’s databases with that account’s role, and no result token', async () => {
    const collect = vi.fn(async (target: ScanTarget) =>
      inventoryOf(target.accountId ?? '111111111111', target.roleArn ? 30 : 2),
    );
    const outcome = await runScheduledScan({
      targets: [{ accountId: '111111111111' }, MEMBER],
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      collect,
      queue: { sqs, queueUrl: QUEUE_URL },
      orderingTimestamp: ORDERING,
    });
    expect(outcome).toEqual({
      mode: 'fanned-out',
      accounts: [
        { accountId: '111111111111', databases: 2, batches: 1, notSent: [] },
        { accountId: '222222222222', databases: 30, batches: 2, notSent: [] },
      ],
      problems: [],
    });
    const bodies = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => parseMessage(entry.MessageBody ?? ''));
    const messages = bodies.map((parsed) => (parsed.ok ? parsed.message : undefined));
    expect(messages.map((m) => [m?.accountId, m?.roleArn, m && databasesOf(m).length])).toEqual([
      ['111111111111', undefined, 2],
      ['222222222222', MEMBER.roleArn, 25],
      ['222222222222', MEMBER.roleArn, 5],
    ]);
    expect(messages.every((m) => m?.resultToken === undefined)).toBe(true);
    expect(messages[0]?.orderingTimestamp).toEqual(ORDERING);
  });

  it('keeps going when one account cannot be read, and says which', async () => {
    const outcome = await runScheduledScan({
      targets: [MEMBER, { accountId: '111111111111' }],
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      collect: async (target) => {
        if (target.roleArn) throw Object.assign(new Error('no'), { name: 'AccessDenied' });
        return inventoryOf('111111111111', 1);
      },
      queue: { sqs, queueUrl: QUEUE_URL },
      orderingTimestamp: ORDERING,
    });
    expect(outcome).toEqual({
      mode: 'fanned-out',
      accounts: [{ accountId: '111111111111', databases: 1, batches: 1, notSent: [] }],
      problems: [
        { scope: 'account:222222222222', code: 'ACCOUNT_UNREADABLE', message: 'AccessDenied' },
      ],
    });
  });
});

describe('runScheduledScan without a queue', () => {
  it('scans every account here, from configuration only', async () => {
    const outcome = await runScheduledScan({
      targets: [{ accountId: '111111111111' }, MEMBER],
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: true },
      collect: async (target) => inventoryOf(target.accountId ?? '', 2),
      orderingTimestamp: ORDERING,
    });
    expect(outcome.mode).toBe('in-process');
    if (outcome.mode !== 'in-process') return;
    expect(outcome.result.evaluations).toHaveLength(4);
    expect(outcome.result.ruleParameters.liveProbe).toBe(false);
    expect(outcome.result.evaluations.every((e) => e.liveFinding === undefined)).toBe(true);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

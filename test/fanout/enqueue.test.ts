import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  buildMessages,
  enqueueBatches,
  type FanoutMessage,
  fanOutItems,
  parseMessage,
  planCalls,
  SQS_MAX_MESSAGE_BYTES,
} from '../../lib/fanout/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { database, settled } from './helpers.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/rds-tls-guard-test-probe';
const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'eu-west-1' });
const noSleep = async () => {};

function messages(count: number): FanoutMessage[] {
  return buildMessages(
    {
      orderingTimestamp: new Date('2025-01-15T13:00:00.000Z'),
      ruleParameters: DEFAULT_RULE_PARAMETERS,
    },
    Array.from({ length: count }, (_, index) => settled(database(index))),
    { maxPerBatch: 1 },
  ).messages;
}

function entriesOf(call: number): { Id: string; MessageBody: string }[] {
  const input = sqsMock.commandCalls(SendMessageBatchCommand)[call]?.args[0].input;
  return (input?.Entries ?? []) as { Id: string; MessageBody: string }[];
}

beforeEach(() => {
  sqsMock.reset();
});

describe('enqueueBatches', () => {
  it('sends at most 10 entries per SendMessageBatch call', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => ({
      Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: `x-${e.Id}` })),
      Failed: [],
    }));
    const summary = await enqueueBatches(sqs, QUEUE_URL, messages(23), { sleep: noSleep });
    expect(summary).toEqual({ sent: 23, calls: 3, unsent: [] });
    expect([0, 1, 2].map((call) => entriesOf(call).length)).toEqual([10, 10, 3]);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(
      QUEUE_URL,
    );
    expect(parseMessage(entriesOf(0)[0]!.MessageBody).ok).toBe(true);
  });

  it('retries only the entries SQS reported as failed, then succeeds', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: 'm0', MessageId: 'a', MD5OfMessageBody: '' }],
        Failed: [
          { Id: 'm1', Code: 'InternalError', SenderFault: false },
          { Id: 'm2', Code: 'ServiceUnavailable', SenderFault: false },
        ],
      })
      .resolves({
        Successful: [
          { Id: 'm1', MessageId: 'b', MD5OfMessageBody: '' },
          { Id: 'm2', MessageId: 'c', MD5OfMessageBody: '' },
        ],
        Failed: [],
      });
    const delays: number[] = [];
    const summary = await enqueueBatches(sqs, QUEUE_URL, messages(3), {
      sleep: async (ms) => {
        delays.push(ms);
      },
      baseDelayMs: 100,
      random: () => 0.5,
    });
    expect(summary).toEqual({ sent: 3, calls: 2, unsent: [] });
    expect(entriesOf(1).map((entry) => entry.Id)).toEqual(['m1', 'm2']);
    // Half jitter around the first ceiling of 100 ms.
    expect(delays).toEqual([75]);
  });

  it('does not retry an entry SQS blames on the sender, and reports it', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: 'm0', MessageId: 'a', MD5OfMessageBody: '' }],
      Failed: [{ Id: 'm1', Code: 'InvalidMessageContents', SenderFault: true }],
    });
    const summary = await enqueueBatches(sqs, QUEUE_URL, messages(2), { sleep: noSleep });
    expect(summary).toEqual({
      sent: 1,
      calls: 1,
      unsent: [{ index: 1, code: 'InvalidMessageContents', databases: 1 }],
    });
  });

  it('gives up after maxAttempts and returns what is still unsent with the last error', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestThrottled' }));
    const summary = await enqueueBatches(sqs, QUEUE_URL, messages(2), {
      sleep: noSleep,
      maxAttempts: 3,
    });
    expect(summary).toEqual({
      sent: 0,
      calls: 3,
      unsent: [
        { index: 0, code: 'RequestThrottled', databases: 1 },
        { index: 1, code: 'RequestThrottled', databases: 1 },
      ],
    });
  });

  it('treats an entry missing from both Successful and Failed as not sent', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: 'm0', MessageId: 'a', MD5OfMessageBody: '' }],
        Failed: [],
      })
      .resolves({ Successful: [{ Id: 'm1', MessageId: 'b', MD5OfMessageBody: '' }], Failed: [] });
    const summary = await enqueueBatches(sqs, QUEUE_URL, messages(2), { sleep: noSleep });
    expect(summary).toEqual({ sent: 2, calls: 2, unsent: [] });
  });
});

describe('planCalls', () => {
  it('keeps the total payload of one call within 256 KiB', () => {
    const entries = Array.from({ length: 5 }, (_, index) => ({ index, bytes: 100_000 }));
    const calls = planCalls(entries);
    expect(calls.map((call) => call.map((entry) => entry.index))).toEqual([[0, 1], [2, 3], [4]]);
    for (const call of calls) {
      expect(call.reduce((sum, entry) => sum + entry.bytes, 0)).toBeLessThanOrEqual(
        SQS_MAX_MESSAGE_BYTES,
      );
    }
  });
});

describe('fanOutResources', () => {
  it('names the databases that did not reach the queue', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => ({
      Successful: [{ Id: input.Entries[0].Id, MessageId: 'a' }],
      Failed: input.Entries.slice(1).map((e: { Id: string }) => ({
        Id: e.Id,
        Code: 'InvalidParameterValue',
        SenderFault: true,
      })),
    }));
    const result = await fanOutItems(
      sqs,
      QUEUE_URL,
      {
        orderingTimestamp: new Date('2025-01-15T13:00:00.000Z'),
        ruleParameters: DEFAULT_RULE_PARAMETERS,
      },
      [database(1), database(2), database(3)].map((resource) => settled(resource)),
      { maxPerBatch: 2, sleep: noSleep },
    );
    expect(result.batches).toBe(1);
    expect(result.databases).toBe(2);
    expect(result.notSent.map((r) => r.identifier)).toEqual(['orders-3']);
    expect(result.unsent).toEqual([{ index: 1, code: 'InvalidParameterValue', databases: 1 }]);
  });
});

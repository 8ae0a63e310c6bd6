/**
 * Sending planned messages with SendMessageBatch: at most 10 entries and
 * 256 KiB of bodies per call. Entries SQS reports in `Failed` are retried
 * with backoff (lib/aws/retry.ts: exponential, half jitter) unless SQS
 * blames the request itself (SenderFault); what is
 * still unsent at the end comes back to the caller, never dropped silently.
 * Nothing here throws.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type BackoffOptions, backoff } from '../aws/retry.js';
import { errorName } from '../errors.js';
import { type FanoutMessage, serializeMessage } from './message.js';
import { SQS_MAX_MESSAGE_BYTES } from './plan.js';

export const MAX_ENTRIES_PER_CALL = 10;

/** Retries: calls per entry default 4, first wait about 200 ms. */
export type EnqueueOptions = BackoffOptions;

export interface UnsentMessage {
  /** Index of the message in the input. */
  index: number;
  /** SQS error code, or the SDK error name when the whole call failed. */
  code: string;
  databases: number;
}

export interface EnqueueSummary {
  sent: number;
  calls: number;
  unsent: UnsentMessage[];
}

interface PendingEntry {
  index: number;
  body: string;
  bytes: number;
}

/** Groups entries into calls of ≤ 10 entries and ≤ 256 KiB in total (other APIs: pass their limits). */
export function planCalls<T extends { bytes: number }>(
  entries: readonly T[],
  limits: { maxEntries: number; maxBytes: number } = {
    maxEntries: MAX_ENTRIES_PER_CALL,
    maxBytes: SQS_MAX_MESSAGE_BYTES,
  },
): T[][] {
  const calls: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (
      current.length > 0 &&
      (current.length >= limits.maxEntries || bytes + entry.bytes > limits.maxBytes)
    ) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

export async function enqueueBatches(
  sqsClient: SQSClient,
  queueUrl: string,
  batches: readonly FanoutMessage[],
  options: EnqueueOptions = {},
): Promise<EnqueueSummary> {
  const pacing = backoff(options, { attempts: 4, baseMs: 200 });
  const { maxAttempts } = pacing;

  let pending: PendingEntry[] = batches.map((message, index) => {
    const body = serializeMessage(message);
    return { index, body, bytes: Buffer.byteLength(body, 'utf8') };
  });
  const lastCode = new Map<number, string>();
  const unsent: UnsentMessage[] = [];
  let sent = 0;
  let calls = 0;

  for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt += 1) {
    await pacing.wait(attempt);
    const retry: PendingEntry[] = [];

    for (const call of planCalls(pending)) {
      calls += 1;
      const entries: SendMessageBatchRequestEntry[] = call.map((entry) => ({
        Id: `m${entry.index}`,
        MessageBody: entry.body,
      }));
      try {
        const response = await sqsClient.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        );
        const byId = new Map(call.map((entry) => [`m${entry.index}`, entry]));
        sent += response.Successful?.length ?? 0;
        const answered = new Set((response.Successful ?? []).map((ok) => ok.Id));
        for (const failure of response.Failed ?? []) {
          const entry = failure.Id ? byId.get(failure.Id) : undefined;
          if (!entry) continue;
          answered.add(failure.Id);
          const code = failure.Code ?? 'UNKNOWN';
          lastCode.set(entry.index, code);
          if (failure.SenderFault) unsent.push(unsentOf(entry, code, batches));
          else retry.push(entry);
        }
        // An entry SQS neither accepted nor rejected is treated as not sent.
        for (const entry of call) {
          if (!answered.has(`m${entry.index}`)) {
            lastCode.set(entry.index, 'NO_RESULT');
            retry.push(entry);
          }
        }
      } catch (error) {
        const code = errorName(error);
        for (const entry of call) {
          lastCode.set(entry.index, code);
          retry.push(entry);
        }
      }
    }
    pending = retry;
  }

  for (const entry of pending) {
    unsent.push(unsentOf(entry, lastCode.get(entry.index) ?? 'UNKNOWN', batches));
  }
  unsent.sort((a, b) => a.index - b.index);
  return { sent, calls, unsent };
}

function unsentOf(
  entry: PendingEntry,
  code: string,
  batches: readonly FanoutMessage[],
): UnsentMessage {
  return { index: entry.index, code, databases: batches[entry.index]?.items.length ?? 0 };
}

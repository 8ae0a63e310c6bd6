/**
 * Fan-out: a scanner lists databases and reads their settings once for the
 * whole run, then sends them in batches over SQS; probe workers inside the
 * VPC probe and report each batch. This spreads a large fleet's probes over
 * many short invocations without reading a shared group once per batch.
 */

import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FanOutRequest, InventoryItem } from '../pipeline.js';
import type { FindingFirstSeen } from '../report/asff.js';
import type { DatabaseResource } from '../types.js';
import { type EnqueueOptions, enqueueBatches, type UnsentMessage } from './enqueue.js';
import { databasesOf } from './message.js';
import { buildMessages, type MessageEnvelope } from './plan.js';

export {
  type EnqueueOptions,
  type EnqueueSummary,
  enqueueBatches,
  MAX_ENTRIES_PER_CALL,
  planCalls,
  type UnsentMessage,
} from './enqueue.js';
export { type GivenUpBatch, givenUpEvaluations, lastDeliveryAttempt } from './last-delivery.js';
export {
  databasesOf,
  FANOUT_MESSAGE_VERSION,
  type FanoutMessage,
  type FanoutMessageParseResult,
  fanoutMessageSchema,
  inventoryItemSchema,
  LEGACY_FANOUT_MESSAGE_VERSION,
  type LegacyFanoutMessage,
  type MessageHeader,
  parseMessage,
  type RunPart,
  serializeMessage,
} from './message.js';
export {
  type BatchPlan,
  buildMessages,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_PER_BATCH,
  jsonBytes,
  type MessageEnvelope,
  type MessagePlan,
  planBatches,
  SQS_MAX_MESSAGE_BYTES,
} from './plan.js';
export interface FanOutResult {
  /** Messages SQS accepted. */
  batches: number;
  /** The run parts of the messages SQS accepted (only with `run`). */
  parts: string[];
  /** The databases of each of those parts: a part that never reports is reported lost for them. */
  partDatabases: Record<string, DatabaseResource[]>;
  /** Databases in those messages. */
  databases: number;
  /** Databases that are not on the queue (too large, or SQS kept refusing): evaluate or report them. */
  notSent: DatabaseResource[];
  unsent: UnsentMessage[];
}

/** Plans and sends the messages for one account's databases, with their settings. */
export async function fanOutItems(
  sqs: SQSClient,
  queueUrl: string,
  envelope: MessageEnvelope,
  items: readonly InventoryItem[],
  options: EnqueueOptions & {
    maxPerBatch?: number;
    maxBytes?: number;
    firstSeen?: ReadonlyMap<string, FindingFirstSeen>;
    /** A scheduled run: each message becomes part `<partPrefix>-<n>` of it. */
    run?: { id: string; startedAt: Date; partPrefix: string };
  } = {},
): Promise<FanOutResult> {
  const { run } = options;
  // The run reference is part of the envelope, so its bytes count against each batch.
  const plan = buildMessages(
    run
      ? {
          ...envelope,
          run: { id: run.id, startedAt: run.startedAt, part: `${run.partPrefix}-00000` },
        }
      : envelope,
    items,
    options,
  );
  const messages = run
    ? plan.messages.map((message, index) => ({
        ...message,
        run: { id: run.id, startedAt: run.startedAt, part: `${run.partPrefix}-${index}` },
      }))
    : plan.messages;
  const summary = await enqueueBatches(sqs, queueUrl, messages, options);
  const unsentIndexes = new Set(summary.unsent.map((entry) => entry.index));
  let databases = 0;
  const notSent = plan.oversized.map((item) => item.resource);
  const parts: string[] = [];
  const partDatabases: Record<string, DatabaseResource[]> = {};
  messages.forEach((message, index) => {
    if (unsentIndexes.has(index)) notSent.push(...databasesOf(message));
    else {
      databases += message.items.length;
      if (message.run) {
        parts.push(message.run.part);
        partDatabases[message.run.part] = databasesOf(message);
      }
    }
  });
  return {
    batches: summary.sent,
    parts,
    partDatabases,
    databases,
    notSent,
    unsent: summary.unsent,
  };
}

/**
 * A fan-out for the Config rule's scheduled runs: every batch carries the
 * run's result token, so the workers report their evaluations themselves.
 */
export function createConfigRuleFanOut(options: {
  sqs: SQSClient;
  queueUrl: string;
  enqueue?: EnqueueOptions;
  /** An organization rule's member account: the workers report through its role. */
  account?: { accountId?: string; roleArn?: string };
}): (request: FanOutRequest) => Promise<FanOutResult> {
  const account = options.account ?? {};
  return (request) =>
    fanOutItems(
      options.sqs,
      options.queueUrl,
      {
        ...(account.accountId ? { accountId: account.accountId } : {}),
        ...(account.roleArn ? { roleArn: account.roleArn } : {}),
        resultToken: request.resultToken,
        configRuleName: request.configRuleName,
        ...(request.testMode ? { testMode: true } : {}),
        orderingTimestamp: request.orderingTimestamp,
        ruleParameters: request.ruleParameters,
      },
      request.inventory.items,
      options.enqueue,
    );
}

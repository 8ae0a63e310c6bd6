/**
 * Splitting a scan into SQS messages. Pure: sizes are measured on the JSON
 * the message will carry, settings included.
 *
 * SQS refuses a message over 256 KiB (262 144 bytes). Batches stay under a
 * lower budget so the envelope (rule parameters, result token) always fits,
 * and under a count that one worker invocation can probe within its timeout.
 */

import type { InventoryItem } from '../pipeline.js';
import { type FindingFirstSeen, findingId } from '../report/asff.js';
import {
  FANOUT_MESSAGE_VERSION,
  type FanoutMessage,
  type MessageHeader,
  serializeMessage,
} from './message.js';

export const SQS_MAX_MESSAGE_BYTES = 262_144;
export const DEFAULT_MAX_PER_BATCH = 25;
export const DEFAULT_MAX_BATCH_BYTES = 240_000;

export interface BatchPlan<T> {
  batches: T[][];
  /** Items that alone exceed the byte budget: they cannot travel and must be reported. */
  oversized: T[];
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * Groups items in order into batches of at most `maxPerBatch` items whose
 * JSON array form (`[a,b,…]`) is at most `maxBytes`.
 */
export function planBatches<T>(
  items: readonly T[],
  maxPerBatch = DEFAULT_MAX_PER_BATCH,
  maxBytes = DEFAULT_MAX_BATCH_BYTES,
  sizeOf: (item: T) => number = jsonBytes,
): BatchPlan<T> {
  const perBatch = Math.max(1, Math.floor(maxPerBatch));
  const batches: T[][] = [];
  const oversized: T[] = [];
  let current: T[] = [];
  // The brackets of the array, then each item plus the comma before it.
  let currentBytes = 2;

  for (const item of items) {
    const size = sizeOf(item);
    if (size + 2 > maxBytes) {
      oversized.push(item);
      continue;
    }
    const added = current.length === 0 ? size : size + 1;
    if (current.length >= perBatch || currentBytes + added > maxBytes) {
      batches.push(current);
      current = [];
      currentBytes = 2;
    }
    currentBytes += current.length === 0 ? size : size + 1;
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}

/** Everything in a message except its databases. */
export type MessageEnvelope = Omit<MessageHeader, 'region'>;

export interface MessagePlan {
  messages: FanoutMessage[];
  oversized: InventoryItem[];
}

/**
 * One message per region and batch. Databases of different regions never
 * share a message: the worker reads each batch with one regional client.
 */
export function buildMessages(
  envelope: MessageEnvelope,
  items: readonly InventoryItem[],
  options: {
    maxPerBatch?: number;
    maxBytes?: number;
    /** Security Hub's dates of existing findings, by finding Id: each message carries its own. */
    firstSeen?: ReadonlyMap<string, FindingFirstSeen>;
  } = {},
): MessagePlan {
  const { firstSeen } = options;
  const datesOf = (item: InventoryItem): [string, FindingFirstSeen] | undefined => {
    const accountId = item.resource.accountId ?? envelope.accountId;
    if (!firstSeen || !accountId) return undefined;
    const id = findingId(accountId, item.resource.region, item.resource.resourceId);
    const dates = firstSeen.get(id);
    return dates ? [id, dates] : undefined;
  };
  const maxBytes = Math.min(options.maxBytes ?? DEFAULT_MAX_BATCH_BYTES, SQS_MAX_MESSAGE_BYTES);
  const byRegion = new Map<string, InventoryItem[]>();
  for (const item of items) {
    const list = byRegion.get(item.resource.region) ?? [];
    list.push(item);
    byRegion.set(item.resource.region, list);
  }

  const messages: FanoutMessage[] = [];
  const oversized: InventoryItem[] = [];
  for (const [region, regionItems] of byRegion) {
    const shell: FanoutMessage = {
      version: FANOUT_MESSAGE_VERSION,
      ...envelope,
      region,
      ...(firstSeen ? { firstSeen: {} } : {}),
      items: [],
    };
    // The envelope's own bytes come off the budget; `[]` is counted by planBatches.
    const envelopeBytes = Buffer.byteLength(serializeMessage(shell), 'utf8') - 2;
    const plan = planBatches(
      regionItems,
      options.maxPerBatch ?? DEFAULT_MAX_PER_BATCH,
      maxBytes - envelopeBytes,
      // An item's dates travel beside it: `"<id>":{…},` counts against the same budget.
      (item) => {
        const dates = datesOf(item);
        return jsonBytes(item) + (dates ? jsonBytes(Object.fromEntries([dates])) : 0);
      },
    );
    oversized.push(...plan.oversized);
    for (const batch of plan.batches) {
      if (!firstSeen) messages.push({ ...shell, items: batch });
      else {
        const dates = batch.map(datesOf).filter((entry) => entry !== undefined);
        messages.push({ ...shell, firstSeen: Object.fromEntries(dates), items: batch });
      }
    }
  }
  return { messages, oversized };
}

/**
 * The `invokingEvent` of a Config rule event, parsed by its `messageType`:
 * a configuration item change, an oversized item's summary, or a scheduled
 * notification. Every failure is a named value; nothing here throws.
 */
import * as z from 'zod';
import { describeIssues } from '../errors.js';
import { quoteFragment } from '../text.js';
import {
  type ConfigurationItem,
  type ConfigurationItemSummary,
  completeItem,
  configurationItemSchema,
  configurationItemSummarySchema,
  type InvokingEventContext,
  isoTimestamp,
  nonEmpty,
  optionalText,
  parseJsonText,
} from './configuration-item.js';
import type { ConfigEventError } from './event.js';

// The developer guide's example change notification has no notificationCreationTime.
const changeNotificationSchema = z.object({
  messageType: z.literal('ConfigurationItemChangeNotification'),
  configurationItem: configurationItemSchema,
  notificationCreationTime: isoTimestamp.nullish(),
  recordVersion: optionalText,
});

const oversizedNotificationSchema = z.object({
  messageType: z.literal('OversizedConfigurationItemChangeNotification'),
  configurationItemSummary: configurationItemSummarySchema,
  notificationCreationTime: isoTimestamp.nullish(),
  recordVersion: optionalText,
});

const scheduledNotificationSchema = z.object({
  messageType: z.literal('ScheduledNotification'),
  awsAccountId: nonEmpty,
  notificationCreationTime: isoTimestamp,
  recordVersion: optionalText,
});

export interface ConfigurationItemChangeNotification {
  messageType: 'ConfigurationItemChangeNotification';
  configurationItem: ConfigurationItem;
  /** Absent in the developer guide's example event. */
  notificationCreationTime?: Date;
  recordVersion?: string;
}

export interface OversizedConfigurationItemChangeNotification {
  messageType: 'OversizedConfigurationItemChangeNotification';
  configurationItemSummary: ConfigurationItemSummary;
  notificationCreationTime?: Date;
  recordVersion?: string;
}

export interface ScheduledNotification {
  messageType: 'ScheduledNotification';
  awsAccountId: string;
  notificationCreationTime: Date;
  recordVersion?: string;
}

export type InvokingEvent =
  | ConfigurationItemChangeNotification
  | OversizedConfigurationItemChangeNotification
  | ScheduledNotification;

export type MessageType = InvokingEvent['messageType'];

export const MESSAGE_TYPES: readonly MessageType[] = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
];

type InvokingEventResult =
  | { ok: true; value: InvokingEvent }
  | { ok: false; error: ConfigEventError };

/** Parses the `invokingEvent` JSON string on its own. Never throws. */
export function parseInvokingEvent(
  text: string,
  context: InvokingEventContext = {},
): InvokingEventResult {
  const raw = parseJsonText(text);
  if (raw === undefined) {
    return {
      ok: false,
      error: { code: 'INVOKING_EVENT_NOT_JSON', message: 'invokingEvent is not valid JSON' },
    };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      error: { code: 'INVOKING_EVENT_INVALID', message: 'invokingEvent is not a JSON object' },
    };
  }

  const messageType: unknown = (raw as Record<string, unknown>).messageType;
  if (typeof messageType !== 'string') {
    return {
      ok: false,
      error: { code: 'INVOKING_EVENT_INVALID', message: 'invokingEvent has no messageType' },
    };
  }

  switch (messageType) {
    case 'ConfigurationItemChangeNotification':
      return itemNotification(
        messageType,
        raw,
        changeNotificationSchema,
        'configurationItem',
        context,
      );
    case 'OversizedConfigurationItemChangeNotification':
      return itemNotification(
        messageType,
        raw,
        oversizedNotificationSchema,
        'configurationItemSummary',
        context,
      );
    case 'ScheduledNotification': {
      const result = scheduledNotificationSchema.safeParse(raw);
      if (!result.success) return invalidInvokingEvent(messageType, result.error.issues);
      return { ok: true, value: result.data };
    }
    default:
      return {
        ok: false,
        error: {
          code: 'UNKNOWN_MESSAGE_TYPE',
          message: `invokingEvent messageType ${quoteFragment(messageType)} is not one this rule handles`,
        },
      };
  }
}

/**
 * A notification that carries an item (a change, or an oversized item's
 * summary): validated by its schema, the item completed by completeItem, the
 * notification's optional fields kept only where Config gave them.
 */
function itemNotification<
  M extends MessageType,
  K extends 'configurationItem' | 'configurationItemSummary',
  N extends Record<K, Parameters<typeof completeItem>[0]> & {
    notificationCreationTime?: Date | null | undefined;
    recordVersion?: string | undefined;
  },
>(
  messageType: M,
  raw: unknown,
  schema: z.ZodType<N>,
  key: K,
  context: InvokingEventContext,
):
  | {
      ok: true;
      value: { messageType: M } & Record<
        K,
        N[K] & { configurationItemCaptureTime: Date; awsAccountId: string }
      > & { notificationCreationTime?: Date; recordVersion?: string };
    }
  | { ok: false; error: ConfigEventError } {
  const result = schema.safeParse(raw);
  if (!result.success) return invalidInvokingEvent(messageType, result.error.issues);
  const { notificationCreationTime, recordVersion } = result.data;
  const item = completeItem(result.data[key], notificationCreationTime, context);
  if (!item.ok) return invalidInvokingEvent(messageType, item.missing);
  const completed = { [key]: item.value } as Record<K, typeof item.value>;
  const value = Object.assign({ messageType }, completed, {
    ...(notificationCreationTime ? { notificationCreationTime } : {}),
    ...(recordVersion !== undefined ? { recordVersion } : {}),
  });
  return { ok: true, value };
}

function invalidInvokingEvent(
  messageType: MessageType,
  issues: readonly z.core.$ZodIssue[] | string,
): { ok: false; error: ConfigEventError } {
  const detail = typeof issues === 'string' ? issues : describeIssues(issues);
  return {
    ok: false,
    error: {
      code: 'INVOKING_EVENT_INVALID',
      message: `invokingEvent (${messageType}) is invalid: ${detail}`,
    },
  };
}

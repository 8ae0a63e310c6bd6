/**
 * The event AWS Config sends a custom Lambda rule, parsed and validated.
 *
 * Config delivers `invokingEvent` and `ruleParameters` as JSON strings inside
 * the Lambda event, so validation happens in three steps: the envelope, then
 * the invoking event (by `messageType`), then the rule parameters. Every
 * failure is a named value; nothing here throws, whatever the input.
 */
import { z } from 'zod';
import type { RuleParameters } from '../types.js';
import { parseRuleParameters, type RuleParametersErrorCode } from './rule-parameters.js';
import { describeIssues, quoteFragment } from './safe-text.js';

export type ConfigEventErrorCode =
  | 'EVENT_INVALID'
  | 'INVOKING_EVENT_NOT_JSON'
  | 'INVOKING_EVENT_INVALID'
  | 'UNKNOWN_MESSAGE_TYPE'
  | RuleParametersErrorCode;

export interface ConfigEventError {
  code: ConfigEventErrorCode;
  /** Short and safe to log: never contains more than a capped fragment of the input. */
  message: string;
  /** For rule parameter errors: the keys at fault. */
  keys?: string[];
}

/** The statuses Config documents; others are kept as given rather than rejected. */
export type ConfigurationItemStatus =
  | 'OK'
  | 'ResourceDiscovered'
  | 'ResourceNotRecorded'
  | 'ResourceDeleted'
  | 'ResourceDeletedNotRecorded'
  | (string & {});

const isoTimestamp = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .refine((value) => !Number.isNaN(value.getTime()), 'Invalid timestamp');

const nonEmpty = z.string().min(1);
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);
const jsonRecord = z.record(z.string(), z.unknown());

/** Fields shared by a full configuration item and an oversized item's summary. */
const itemIdentityFields = {
  configurationItemVersion: optionalText,
  // Absent or null on some deleted items; the notification time stands in then.
  configurationItemCaptureTime: isoTimestamp.nullish(),
  configurationItemStatus: nonEmpty,
  awsAccountId: nonEmpty,
  awsRegion: nonEmpty,
  availabilityZone: optionalText,
  resourceType: nonEmpty,
  resourceId: nonEmpty,
  resourceName: optionalText,
  ARN: optionalText,
  configurationStateMd5Hash: optionalText,
};

const configurationItemSchema = z.object({
  ...itemIdentityFields,
  configuration: jsonRecord.nullish().transform((value) => value ?? null),
  supplementaryConfiguration: jsonRecord.nullish().transform((value) => value ?? {}),
  tags: z
    .record(z.string(), z.string())
    .nullish()
    .transform((value) => value ?? {}),
});

const configurationItemSummarySchema = z.object({
  ...itemIdentityFields,
  changeType: optionalText,
});

const changeNotificationSchema = z.object({
  messageType: z.literal('ConfigurationItemChangeNotification'),
  configurationItem: configurationItemSchema,
  notificationCreationTime: isoTimestamp,
  recordVersion: optionalText,
});

const oversizedNotificationSchema = z.object({
  messageType: z.literal('OversizedConfigurationItemChangeNotification'),
  configurationItemSummary: configurationItemSummarySchema,
  notificationCreationTime: isoTimestamp,
  recordVersion: optionalText,
});

const scheduledNotificationSchema = z.object({
  messageType: z.literal('ScheduledNotification'),
  awsAccountId: nonEmpty,
  notificationCreationTime: isoTimestamp,
  recordVersion: optionalText,
});

const envelopeSchema = z.object({
  version: optionalText,
  invokingEvent: z.string(),
  ruleParameters: optionalText,
  resultToken: nonEmpty,
  eventLeftScope: z
    .boolean()
    .nullish()
    .transform((value) => value ?? false),
  executionRoleArn: optionalText,
  configRuleArn: optionalText,
  configRuleName: nonEmpty,
  configRuleId: optionalText,
  accountId: nonEmpty,
  evaluationMode: optionalText,
});

/** One configuration item, in the lower camel case Config uses in change notifications. */
export interface ConfigurationItem {
  configurationItemVersion?: string;
  /** The notification time when Config leaves the capture time out. */
  configurationItemCaptureTime: Date;
  configurationItemStatus: ConfigurationItemStatus;
  awsAccountId: string;
  awsRegion: string;
  availabilityZone?: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  ARN?: string;
  configurationStateMd5Hash?: string;
  /** The RDS object with lower camel keys; null for deleted or unrecorded resources. */
  configuration: Record<string, unknown> | null;
  supplementaryConfiguration: Record<string, unknown>;
  tags: Record<string, string>;
}

export type ConfigurationItemSummary = Omit<
  ConfigurationItem,
  'configuration' | 'supplementaryConfiguration' | 'tags'
> & { changeType?: string };

export interface ConfigurationItemChangeNotification {
  messageType: 'ConfigurationItemChangeNotification';
  configurationItem: ConfigurationItem;
  notificationCreationTime: Date;
  recordVersion?: string;
}

export interface OversizedConfigurationItemChangeNotification {
  messageType: 'OversizedConfigurationItemChangeNotification';
  configurationItemSummary: ConfigurationItemSummary;
  notificationCreationTime: Date;
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

/** The envelope fields a handler needs even when the rest of the event is unusable. */
export interface ConfigEventEnvelope {
  version?: string;
  resultToken: string;
  eventLeftScope: boolean;
  executionRoleArn?: string;
  configRuleArn?: string;
  configRuleName: string;
  configRuleId?: string;
  accountId: string;
  /** `DETECTIVE` or `PROACTIVE` when Config says. */
  evaluationMode?: string;
}

export interface ParsedConfigEvent extends ConfigEventEnvelope {
  invokingEvent: InvokingEvent;
  ruleParameters: RuleParameters;
  /** Rule parameter keys that were ignored, as readable sentences. */
  ruleParameterWarnings: string[];
}

export type ConfigEventParseResult =
  | { ok: true; event: ParsedConfigEvent }
  | {
      ok: false;
      error: ConfigEventError;
      /** Present once the envelope parsed: enough to report against the result token. */
      envelope?: ConfigEventEnvelope;
      /** Present once the invoking event parsed (a rule parameter error came later). */
      invokingEvent?: InvokingEvent;
    };

/** Parses the Lambda event Config sends a custom rule. Never throws. */
export function parseConfigEvent(input: unknown): ConfigEventParseResult {
  try {
    return parseUnsafe(input);
  } catch {
    // A defect in a schema must still surface as a value, not crash the rule.
    return { ok: false, error: { code: 'EVENT_INVALID', message: 'event could not be parsed' } };
  }
}

function parseUnsafe(input: unknown): ConfigEventParseResult {
  const envelopeResult = envelopeSchema.safeParse(input);
  if (!envelopeResult.success) {
    return {
      ok: false,
      error: {
        code: 'EVENT_INVALID',
        message: `event is not a Config rule event: ${describeIssues(envelopeResult.error.issues)}`,
      },
    };
  }
  const {
    invokingEvent: invokingText,
    ruleParameters: parametersText,
    ...envelope
  } = envelopeResult.data;

  const invoking = parseInvokingEvent(invokingText);
  if (!invoking.ok) return { ok: false, error: invoking.error, envelope };

  const parameters = parseRuleParameters(parametersText);
  if (!parameters.ok) {
    return { ok: false, error: parameters.error, envelope, invokingEvent: invoking.value };
  }

  return {
    ok: true,
    event: {
      ...envelope,
      invokingEvent: invoking.value,
      ruleParameters: parameters.value,
      ruleParameterWarnings: parameters.warnings,
    },
  };
}

/** Parses the `invokingEvent` JSON string on its own. Never throws. */
export function parseInvokingEvent(
  text: string,
): { ok: true; value: InvokingEvent } | { ok: false; error: ConfigEventError } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
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
    case 'ConfigurationItemChangeNotification': {
      const result = changeNotificationSchema.safeParse(raw);
      if (!result.success) return invalidInvokingEvent(messageType, result.error.issues);
      const { configurationItem, ...rest } = result.data;
      return {
        ok: true,
        value: {
          ...rest,
          configurationItem: withCaptureTime(configurationItem, rest.notificationCreationTime),
        },
      };
    }
    case 'OversizedConfigurationItemChangeNotification': {
      const result = oversizedNotificationSchema.safeParse(raw);
      if (!result.success) return invalidInvokingEvent(messageType, result.error.issues);
      const { configurationItemSummary, ...rest } = result.data;
      return {
        ok: true,
        value: {
          ...rest,
          configurationItemSummary: withCaptureTime(
            configurationItemSummary,
            rest.notificationCreationTime,
          ),
        },
      };
    }
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

function withCaptureTime<T extends { configurationItemCaptureTime?: Date | null }>(
  item: T,
  fallback: Date,
): T & { configurationItemCaptureTime: Date } {
  return { ...item, configurationItemCaptureTime: item.configurationItemCaptureTime ?? fallback };
}

function invalidInvokingEvent(
  messageType: MessageType,
  issues: readonly z.core.$ZodIssue[],
): { ok: false; error: ConfigEventError } {
  return {
    ok: false,
    error: {
      code: 'INVOKING_EVENT_INVALID',
      message: `invokingEvent (${messageType}) is invalid: ${describeIssues(issues)}`,
    },
  };
}

/** True for the statuses Config uses once a resource is gone. */
export function isDeletedStatus(status: string): boolean {
  return status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded';
}

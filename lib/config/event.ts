/**
 * The event AWS Config sends a custom Lambda rule, parsed and validated.
 *
 * Config delivers `invokingEvent` and `ruleParameters` as JSON strings inside
 * the Lambda event, so validation happens in three steps: the envelope, then
 * the invoking event (by `messageType`), then the rule parameters. Every
 * failure is a named value; nothing here throws, whatever the input.
 */
import * as z from 'zod';
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

/** Items in the API shape (and the AWS Config RDK's example items) may carry epoch milliseconds. */
const captureTimestamp = z.union([
  isoTimestamp,
  z
    .number()
    .int()
    .positive()
    .transform((value) => new Date(value))
    .refine((value) => !Number.isNaN(value.getTime()), 'Invalid timestamp'),
]);

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
  configurationItemCaptureTime: captureTimestamp.nullish(),
  configurationItemStatus: nonEmpty,
  // The API shape's `accountId` is renamed before validation; the envelope's fills a gap.
  awsAccountId: optionalText,
  awsRegion: nonEmpty,
  availabilityZone: optionalText,
  resourceType: nonEmpty,
  resourceId: nonEmpty,
  resourceName: optionalText,
  ARN: optionalText,
  configurationStateMd5Hash: optionalText,
};

/**
 * The same item reaches the rule in two spellings: the change notification's
 * (`awsAccountId`, `ARN`, `configurationItemVersion`, `configuration` as an
 * object) and the API's, as GetResourceConfigHistory returns it and the AWS
 * Config RDK's example items use (`accountId`, `arn`, `version`,
 * `configurationItemMD5Hash`, `configuration` possibly a JSON string). The
 * API spelling is renamed to the notification's; where both are given the
 * notification's wins.
 */
const API_SHAPE_ALIASES: ReadonlyArray<readonly [api: string, notification: string]> = [
  ['accountId', 'awsAccountId'],
  ['arn', 'ARN'],
  ['version', 'configurationItemVersion'],
  ['configurationItemMD5Hash', 'configurationStateMd5Hash'],
];

export function normalizeItemShape(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const item: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [api, notification] of API_SHAPE_ALIASES) {
    if (item[notification] === undefined && item[api] !== undefined) item[notification] = item[api];
    delete item[api];
  }
  if (typeof item.configuration === 'string') {
    item.configuration = parseJsonText(item.configuration) ?? item.configuration;
  }
  return item;
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const configurationItemSchema = z.preprocess(
  normalizeItemShape,
  z.object({
    ...itemIdentityFields,
    configuration: jsonRecord.nullish().transform((value) => value ?? null),
    supplementaryConfiguration: jsonRecord.nullish().transform((value) => value ?? {}),
    tags: z
      .record(z.string(), z.string())
      .nullish()
      .transform((value) => value ?? {}),
  }),
);

const configurationItemSummarySchema = z.preprocess(
  normalizeItemShape,
  z.object({
    ...itemIdentityFields,
    changeType: optionalText,
  }),
);

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
  /** The envelope's accountId when the item leaves it out. */
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

  const invoking = parseInvokingEvent(invokingText, { accountId: envelope.accountId });
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

/** What the envelope lends the invoking event where an item leaves a field out. */
export interface InvokingEventContext {
  accountId?: string;
}

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
    case 'ConfigurationItemChangeNotification': {
      const result = changeNotificationSchema.safeParse(raw);
      if (!result.success) return invalidInvokingEvent(messageType, result.error.issues);
      const { configurationItem, notificationCreationTime, recordVersion } = result.data;
      const item = completeItem(configurationItem, notificationCreationTime, context);
      if (!item.ok) return invalidInvokingEvent(messageType, item.missing);
      return {
        ok: true,
        value: {
          messageType,
          configurationItem: item.value,
          ...(notificationCreationTime ? { notificationCreationTime } : {}),
          ...(recordVersion !== undefined ? { recordVersion } : {}),
        },
      };
    }
    case 'OversizedConfigurationItemChangeNotification': {
      const result = oversizedNotificationSchema.safeParse(raw);
      if (!result.success) return invalidInvokingEvent(messageType, result.error.issues);
      const { configurationItemSummary, notificationCreationTime, recordVersion } = result.data;
      const summary = completeItem(configurationItemSummary, notificationCreationTime, context);
      if (!summary.ok) return invalidInvokingEvent(messageType, summary.missing);
      return {
        ok: true,
        value: {
          messageType,
          configurationItemSummary: summary.value,
          ...(notificationCreationTime ? { notificationCreationTime } : {}),
          ...(recordVersion !== undefined ? { recordVersion } : {}),
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

/**
 * Fills what an item may leave out: the capture time (the notification time
 * stands in) and the account (the envelope's, then the ARN's). An item with
 * neither time cannot be ordered and is invalid.
 */
function completeItem<
  T extends {
    configurationItemCaptureTime?: Date | null;
    awsAccountId?: string | undefined;
    ARN?: string | undefined;
  },
>(
  item: T,
  notificationTime: Date | null | undefined,
  context: InvokingEventContext,
):
  | { ok: true; value: T & { configurationItemCaptureTime: Date; awsAccountId: string } }
  | { ok: false; missing: string } {
  const captureTime = item.configurationItemCaptureTime ?? notificationTime ?? undefined;
  if (captureTime === undefined) {
    return {
      ok: false,
      missing: 'configurationItemCaptureTime and notificationCreationTime missing',
    };
  }
  const accountId = item.awsAccountId ?? context.accountId ?? accountFromArn(item.ARN);
  if (accountId === undefined) return { ok: false, missing: 'awsAccountId missing' };
  return {
    ok: true,
    value: { ...item, configurationItemCaptureTime: captureTime, awsAccountId: accountId },
  };
}

function accountFromArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
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

/** True for the statuses Config uses once a resource is gone. */
export function isDeletedStatus(status: string): boolean {
  return status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded';
}

/** The resource a malformed event still names, and what to answer it with. */
export interface IdentifiedResource {
  resultToken: string;
  resourceType: string;
  resourceId: string;
  /** The item's capture time, when it could be read. */
  captureTime?: Date;
  configurationItemStatus?: string;
  eventLeftScope: boolean;
}

/**
 * Reads the resource type and id out of an event that did not parse, so the
 * rule can still tell the dashboard why that resource has no verdict. Only
 * values that parsed as JSON are read; a truncated invoking event names no
 * resource this can trust. Never throws.
 */
export function identifyResource(input: unknown): IdentifiedResource | undefined {
  try {
    if (!isRecord(input)) return undefined;
    const resultToken = input.resultToken;
    if (typeof resultToken !== 'string' || resultToken === '') return undefined;
    if (typeof input.invokingEvent !== 'string') return undefined;
    const invoking = parseJsonText(input.invokingEvent);
    if (!isRecord(invoking)) return undefined;
    const rawItem = invoking.configurationItem ?? invoking.configurationItemSummary;
    const item = normalizeItemShape(rawItem);
    if (!isRecord(item)) return undefined;
    const { resourceType, resourceId } = item;
    if (typeof resourceType !== 'string' || resourceType === '') return undefined;
    if (typeof resourceId !== 'string' || resourceId === '') return undefined;
    const identified: IdentifiedResource = {
      resultToken,
      resourceType,
      resourceId,
      eventLeftScope: input.eventLeftScope === true,
    };
    const captureTime = captureTimestamp.safeParse(item.configurationItemCaptureTime);
    if (captureTime.success) identified.captureTime = captureTime.data;
    if (typeof item.configurationItemStatus === 'string') {
      identified.configurationItemStatus = item.configurationItemStatus;
    }
    return identified;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

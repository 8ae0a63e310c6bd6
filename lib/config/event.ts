/**
 * The event AWS Config sends a custom Lambda rule, parsed and validated.
 *
 * Config delivers `invokingEvent` and `ruleParameters` as JSON strings inside
 * the Lambda event, so validation happens in three steps: the envelope, then
 * the invoking event (by `messageType`), then the rule parameters. Every
 * failure is a named value; nothing here throws, whatever the input.
 */
import * as z from 'zod';
import type { CodedError } from '../errors.js';
import { describeIssues } from '../errors.js';
import type { RuleParameters } from '../types.js';
import {
  captureTimestamp,
  isoTimestamp,
  nonEmpty,
  normalizeItemShape,
  optionalText,
  parseJsonText,
} from './configuration-item.js';
import { type InvokingEvent, parseInvokingEvent } from './invoking-event.js';
import { parseRuleParameters, RULE_PARAMETERS_ERROR_CODES } from './rule-parameters.js';

export const CONFIG_EVENT_ERROR_CODES = [
  'EVENT_INVALID',
  'INVOKING_EVENT_NOT_JSON',
  'INVOKING_EVENT_INVALID',
  'UNKNOWN_MESSAGE_TYPE',
  ...RULE_PARAMETERS_ERROR_CODES,
] as const;
export type ConfigEventErrorCode = (typeof CONFIG_EVENT_ERROR_CODES)[number];

/** The message is short and safe to log: never more than a capped fragment of the input. */
export interface ConfigEventError extends CodedError<ConfigEventErrorCode> {
  /** For rule parameter errors: the keys at fault. */
  keys?: string[];
}

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

/** The resource a malformed event still names, and what to answer it with. */
export interface IdentifiedResource {
  resultToken: string;
  resourceType: string;
  resourceId: string;
  /** The item's capture time, or the notification's time standing in for it, when either could be read. */
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
    // The notification time stands in for a capture time, as it does for a well-formed item.
    const captureTime = captureTimestamp.safeParse(item.configurationItemCaptureTime);
    const notificationTime = isoTimestamp.safeParse(invoking.notificationCreationTime);
    if (captureTime.success) identified.captureTime = captureTime.data;
    else if (notificationTime.success) identified.captureTime = notificationTime.data;
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

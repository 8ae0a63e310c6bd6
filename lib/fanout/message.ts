/**
 * The SQS message a scanner sends a probe worker: one batch of databases
 * with the settings already read for them (parameter groups merged with
 * engine defaults, option groups, CA, security groups), the rule parameters,
 * and where the results go (a Config result token, or the scheduled run's
 * sinks). Dates travel as ISO strings.
 *
 * The scanner reads every group once for the whole run and the worker makes
 * no RDS read of its own: a fanned-out run costs the same RDS calls as one
 * process scanning everything. Version 1 messages (bare databases, read by
 * the worker) are still accepted, so batches queued before an upgrade are
 * not lost.
 */

import * as z from 'zod';
import { type DatabaseResource, databaseResourceSchema, isoDate } from '../database-resource.js';
import {
  certificateAuthoritySchema,
  optionGroupSettingsSchema,
  parameterGroupSettingsSchema,
  securityGroupReadingSchema,
} from '../database-settings.js';
import type { InventoryItem } from '../pipeline.js';
import { ASFF_LIMITS, type FindingFirstSeen } from '../report/asff.js';
import { type RuleParameters, storedRuleParametersSchema } from '../types.js';

export const FANOUT_MESSAGE_VERSION = 2;
/** Bare databases; the worker reads their settings. */
export const LEGACY_FANOUT_MESSAGE_VERSION = 1;

/** One database with its settings as the scanner read them. */
export const inventoryItemSchema = z.object({
  resource: databaseResourceSchema,
  parameters: parameterGroupSettingsSchema.optional(),
  clusterParameters: parameterGroupSettingsSchema.optional(),
  optionGroups: z.array(optionGroupSettingsSchema),
  certificateAuthority: certificateAuthoritySchema.optional(),
  securityGroups: securityGroupReadingSchema.optional(),
  gaps: z.array(z.string()),
});

const envelopeSchema = z.object({
  /** Present when the batch belongs to a Config rule run: the worker reports to Config. */
  resultToken: z.string().min(1).optional(),
  configRuleName: z.string().min(1).optional(),
  testMode: z.boolean().optional(),
  orderingTimestamp: isoDate,
  ruleParameters: storedRuleParametersSchema,
  /** The region the batch's databases are in. */
  region: z.string().min(1),
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  /** Member account role to assume; absent: the worker's own account. */
  roleArn: z.string().min(1).optional(),
  /**
   * Security Hub's CreatedAt and FirstObservedAt of the batch's findings, by
   * finding Id, from the scanner's lookup: the worker's import keeps them.
   */
  firstSeen: z
    .record(
      // A finding Id is at most ASFF's 512 characters (lib/report/asff.ts fits longer ones).
      z.string().max(ASFF_LIMITS.id),
      z.object({ createdAt: z.iso.datetime(), firstObservedAt: z.iso.datetime() }),
    )
    .optional(),
  /** A scheduled run's batch: the worker archives its result as this part of the run. */
  run: z
    .object({
      id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/),
      startedAt: isoDate,
      part: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/),
    })
    .optional(),
});

export const fanoutMessageSchema = z.discriminatedUnion('version', [
  envelopeSchema.extend({
    version: z.literal(FANOUT_MESSAGE_VERSION),
    items: z.array(inventoryItemSchema).min(1),
  }),
  envelopeSchema.extend({
    version: z.literal(LEGACY_FANOUT_MESSAGE_VERSION),
    resources: z.array(databaseResourceSchema).min(1),
  }),
]);

/** Which scheduled run a batch belongs to, and its part of it. */
export interface RunPart {
  id: string;
  startedAt: Date;
  part: string;
}

/** Everything in a message except its databases. */
export interface MessageHeader {
  resultToken?: string;
  configRuleName?: string;
  testMode?: boolean;
  orderingTimestamp: Date;
  ruleParameters: RuleParameters;
  region: string;
  accountId?: string;
  roleArn?: string;
  firstSeen?: Record<string, FindingFirstSeen>;
  run?: RunPart;
}

/** A fan-out message as the code handles it (real Dates). */
export interface FanoutMessage extends MessageHeader {
  version: typeof FANOUT_MESSAGE_VERSION;
  items: InventoryItem[];
}

/** A message an earlier release queued: databases without their settings. */
export interface LegacyFanoutMessage extends MessageHeader {
  version: typeof LEGACY_FANOUT_MESSAGE_VERSION;
  resources: DatabaseResource[];
}

/** The databases a message carries, whichever version it is. */
export function databasesOf(message: FanoutMessage | LegacyFanoutMessage): DatabaseResource[] {
  return message.version === FANOUT_MESSAGE_VERSION
    ? message.items.map((item) => item.resource)
    : message.resources;
}

export const MESSAGE_ERROR_CODES = ['MESSAGE_NOT_JSON', 'MESSAGE_INVALID'] as const;
export type MessageErrorCode = (typeof MESSAGE_ERROR_CODES)[number];

export type FanoutMessageParseResult =
  | { ok: true; message: FanoutMessage | LegacyFanoutMessage }
  | { ok: false; code: MessageErrorCode; message: string };

/** JSON.stringify turns the Dates into ISO strings, the form the schema reads back. */
export function serializeMessage(message: FanoutMessage | LegacyFanoutMessage): string {
  return JSON.stringify(message);
}

/** Validates a message body. Never throws; the error names fields, never values. */
export function parseMessage(body: string): FanoutMessageParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, code: 'MESSAGE_NOT_JSON', message: 'message body is not JSON' };
  }
  const result = fanoutMessageSchema.safeParse(raw);
  if (!result.success) {
    const fields = [
      ...new Set(result.error.issues.map((issue) => issue.path.join('.') || '(root)')),
    ];
    return {
      ok: false,
      code: 'MESSAGE_INVALID',
      message: `message does not match schema v${FANOUT_MESSAGE_VERSION} at: ${fields.slice(0, 5).join(', ')}`,
    };
  }
  return { ok: true, message: result.data };
}

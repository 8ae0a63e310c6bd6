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
import type { InventoryItem } from '../pipeline.js';
import type { FindingFirstSeen } from '../report/asff.js';
import {
  type DatabaseResource,
  MAX_PROXY_AUTH_ENTRIES,
  MAX_PROXY_ENDPOINTS,
  MAX_PROXY_TARGETS,
  type RuleParameters,
} from '../types.js';

export const FANOUT_MESSAGE_VERSION = 2;
/** Bare databases; the worker reads their settings. */
export const LEGACY_FANOUT_MESSAGE_VERSION = 1;

const isoDate = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .refine((value) => !Number.isNaN(value.getTime()), 'Invalid timestamp');

const membership = z.object({ name: z.string().min(1), applyStatus: z.string().optional() });

const text = z.string().max(1024);

/** A proxy's TLS-relevant settings, with the inventory's own bounds. */
const proxySettingsSchema = z.object({
  requireTls: z.boolean().optional(),
  engineFamily: text,
  defaultAuthScheme: text.optional(),
  endpoints: z
    .array(
      z.object({
        name: text,
        address: text,
        port: z.number().int(),
        role: text,
        isDefault: z.boolean(),
        status: text.optional(),
      }),
    )
    .max(MAX_PROXY_ENDPOINTS),
  auth: z
    .array(
      z.object({
        userName: text.optional(),
        authScheme: text.optional(),
        secretArn: text.optional(),
        iamAuth: text.optional(),
      }),
    )
    .max(MAX_PROXY_AUTH_ENTRIES),
  targets: z
    .array(
      z.object({
        type: text,
        identifier: text,
        trackedClusterId: text.optional(),
        role: text.optional(),
      }),
    )
    .max(MAX_PROXY_TARGETS),
  truncated: z.boolean().optional(),
});

const frontingProxySchema = z.object({
  name: text,
  arn: text.optional(),
  requireTls: z.boolean().optional(),
});

export const databaseResourceSchema = z.object({
  resourceType: z.enum(['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::RDS::DBProxy']),
  resourceId: z.string().min(1),
  identifier: z.string().min(1),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  region: z.string().min(1),
  engine: z.string(),
  engineVersion: z.string(),
  status: z.string().optional(),
  endpoint: z.object({ address: z.string(), port: z.number().int() }).optional(),
  clusterIdentifier: z.string().optional(),
  parameterGroup: membership.optional(),
  clusterParameterGroup: membership.optional(),
  optionGroups: z.array(z.object({ name: z.string(), status: z.string().optional() })),
  caCertificateIdentifier: z.string().optional(),
  certificateValidTill: isoDate.optional(),
  pendingModifiedValues: z
    .object({
      caCertificateIdentifier: z.string().optional(),
      engineVersion: z.string().optional(),
    })
    .optional(),
  masterUsername: z.string().optional(),
  masterUserSecretArn: z.string().optional(),
  iamDatabaseAuthenticationEnabled: z.boolean(),
  publiclyAccessible: z.boolean().optional(),
  vpcSecurityGroupIds: z.array(z.string().min(1)).optional(),
  tags: z.record(z.string(), z.string()),
  proxy: proxySettingsSchema.optional(),
  frontingProxies: z.array(frontingProxySchema).max(50).optional(),
});

const resolvedParameter = z.object({
  name: z.string(),
  value: z.string().optional(),
  origin: z.enum(['parameter-group', 'engine-default']),
  applyType: z.string().optional(),
  rdsSource: z.string().optional(),
});

const parameterGroupSettings = z.object({
  groupName: z.string(),
  kind: z.enum(['instance', 'cluster']),
  family: z.string().optional(),
  parameters: z.record(z.string(), resolvedParameter),
});

const optionGroupSettings = z.object({
  name: z.string(),
  engineName: z.string().optional(),
  majorEngineVersion: z.string().optional(),
  options: z.array(
    z.object({
      name: z.string(),
      port: z.number().int().optional(),
      settings: z.record(z.string(), z.string()),
    }),
  ),
});

const ingressSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ipv4'), cidr: z.string() }),
  z.object({ kind: z.literal('ipv6'), cidr: z.string() }),
  z.object({ kind: z.literal('prefix-list'), prefixListId: z.string() }),
  z.object({
    kind: z.literal('security-group'),
    groupId: z.string(),
    userId: z.string().optional(),
  }),
]);

const securityGroupReading = z.object({
  groups: z.array(
    z.object({
      groupId: z.string(),
      groupName: z.string().optional(),
      vpcId: z.string().optional(),
      ingress: z.array(
        z.object({
          protocol: z.string(),
          fromPort: z.number().int().optional(),
          toPort: z.number().int().optional(),
          source: ingressSource,
        }),
      ),
    }),
  ),
  unread: z
    .object({ groupIds: z.array(z.string()), cause: z.string(), accessDenied: z.boolean() })
    .optional(),
});

/** One database with its settings as the scanner read them. */
export const inventoryItemSchema = z.object({
  resource: databaseResourceSchema,
  parameters: parameterGroupSettings.optional(),
  clusterParameters: parameterGroupSettings.optional(),
  optionGroups: z.array(optionGroupSettings),
  certificateAuthority: z
    .object({
      identifier: z.string(),
      validFrom: isoDate.optional(),
      validTill: isoDate.optional(),
    })
    .optional(),
  securityGroups: securityGroupReading.optional(),
  gaps: z.array(z.string()),
});

export const ruleParametersSchema = z.object({
  minTlsVersion: z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']),
  caExpiryDays: z.number().int().min(1),
  requireLiveProbe: z.boolean(),
  liveProbe: z.boolean(),
  secretTagKey: z.string().min(1),
  secretArns: z.record(z.string(), z.string()),
  mysqlPlaintextLogin: z.boolean().default(false),
  // Messages queued before this key existed carry no value: the rule's default.
  acceptNativeNetworkEncryption: z.boolean().default(false),
});

const envelopeSchema = z.object({
  /** Present when the batch belongs to a Config rule run: the worker reports to Config. */
  resultToken: z.string().min(1).optional(),
  configRuleName: z.string().min(1).optional(),
  testMode: z.boolean().optional(),
  orderingTimestamp: isoDate,
  ruleParameters: ruleParametersSchema,
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
      z.string().max(256),
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

export type FanoutMessageParseResult =
  | { ok: true; message: FanoutMessage | LegacyFanoutMessage }
  | { ok: false; code: 'MESSAGE_NOT_JSON' | 'MESSAGE_INVALID'; message: string };

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

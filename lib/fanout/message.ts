/**
 * The SQS message a scanner sends a probe worker: one batch of databases,
 * the rule parameters, and where the results go (a Config result token, or
 * metrics and logs only). Dates travel as ISO strings.
 */
import * as z from 'zod';
import type { DatabaseResource, RuleParameters } from '../types.js';

export const FANOUT_MESSAGE_VERSION = 1;

const isoDate = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .refine((value) => !Number.isNaN(value.getTime()), 'Invalid timestamp');

const membership = z.object({ name: z.string().min(1), applyStatus: z.string().optional() });

export const databaseResourceSchema = z.object({
  resourceType: z.enum(['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster']),
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
  masterUsername: z.string().optional(),
  masterUserSecretArn: z.string().optional(),
  iamDatabaseAuthenticationEnabled: z.boolean(),
  publiclyAccessible: z.boolean().optional(),
  vpcSecurityGroupIds: z.array(z.string().min(1)).optional(),
  tags: z.record(z.string(), z.string()),
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

export const fanoutMessageSchema = z.object({
  version: z.literal(FANOUT_MESSAGE_VERSION),
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
  /** A scheduled run's batch: the worker archives its result as this part of the run. */
  run: z
    .object({
      id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/),
      startedAt: isoDate,
      part: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/),
    })
    .optional(),
  resources: z.array(databaseResourceSchema).min(1),
});

/** Which scheduled run a batch belongs to, and its part of it. */
export interface RunPart {
  id: string;
  startedAt: Date;
  part: string;
}

/** A fan-out message as the code handles it (real Dates). */
export interface FanoutMessage {
  version: typeof FANOUT_MESSAGE_VERSION;
  resultToken?: string;
  configRuleName?: string;
  testMode?: boolean;
  orderingTimestamp: Date;
  ruleParameters: RuleParameters;
  region: string;
  accountId?: string;
  roleArn?: string;
  run?: RunPart;
  resources: DatabaseResource[];
}

export type FanoutMessageParseResult =
  | { ok: true; message: FanoutMessage }
  | { ok: false; code: 'MESSAGE_NOT_JSON' | 'MESSAGE_INVALID'; message: string };

/** JSON.stringify turns the Dates into ISO strings, the form the schema reads back. */
export function serializeMessage(message: FanoutMessage): string {
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

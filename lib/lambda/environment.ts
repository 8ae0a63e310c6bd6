/**
 * The deployed functions' environment, read once per container by one zod
 * schema: serverless.yml sets these variables, and every handler builds its
 * dependencies from the parsed value, never from `process.env` itself.
 *
 * Reading never fails at init: a variable that is unset, empty or unusable
 * falls back to what its function does without it, and invalid rule
 * parameters are kept as a named error that each invocation answers with.
 * An unusable PROBE_MAX_RECEIVE_COUNT is kept as a named error too, which
 * the worker logs at init before it runs without it.
 */
import * as z from 'zod';
import { parseRuleParameters } from '../config/rule-parameters.js';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Unset, empty or blank: absent. */
const optionalText = z
  .string()
  .optional()
  .transform((value) => value?.trim() || undefined);

/**
 * The probe queue's maxReceiveCount, which SQS takes from 1 to 1000: digits
 * only, so `0x3` or `1e1` are not read as numbers.
 */
const maxReceiveCount = z
  .string()
  .regex(/^\d{1,4}$/)
  .transform(Number)
  .pipe(z.number().int().min(1).max(1000));

export type MaxReceiveCountResult =
  | { ok: true; value: number | undefined }
  | { ok: false; error: { code: 'PROBE_MAX_RECEIVE_COUNT_INVALID'; message: string } };

/**
 * Unset: no delivery is known to be the last, and the worker gives up no
 * batch (sending could-not-judge on an earlier delivery would overwrite what
 * a retry may still judge); the dead-letter queue alarm is then the only word.
 */
function readMaxReceiveCount(text: string | undefined): MaxReceiveCountResult {
  if (text === undefined) return { ok: true, value: undefined };
  const parsed = maxReceiveCount.safeParse(text);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    error: {
      code: 'PROBE_MAX_RECEIVE_COUNT_INVALID',
      message:
        'PROBE_MAX_RECEIVE_COUNT must be a whole number from 1 to 1000 (the queue’s maxReceiveCount)',
    },
  };
}

/** Only the exact text `true` turns a switch on, as the template writes it. */
const flag = z
  .string()
  .optional()
  .transform((value) => value === 'true');

export const functionEnvironmentSchema = z
  .object({
    AWS_REGION: optionalText,
    /** Fall back to IAM database authentication when a database has no secret. */
    USE_IAM_AUTH: flag,
    /** The fan-out queue; absent: the function works without workers. */
    QUEUE_URL: optionalText,
    /** The report archive's bucket; absent: no archive. */
    REPORTS_BUCKET: optionalText,
    SECURITY_HUB_FINDINGS: flag,
    /** Member account roles to scan, as planScanTargets reads them. */
    MEMBER_ACCOUNT_ROLE_ARNS: optionalText,
    /** The role an organization rule assumes in a member account. */
    ORGANIZATION_MEMBER_ROLE_NAME: optionalText,
    /** Comma-separated; entries that are not region names are left out. */
    SCAN_REGIONS: optionalText,
    MIN_TLS_VERSION: optionalText,
    CA_EXPIRY_DAYS: optionalText,
    REQUIRE_LIVE_PROBE: optionalText,
    SECRET_TAG_KEY: optionalText,
    MYSQL_PLAINTEXT_LOGIN: optionalText,
    /** The probe queue's maxReceiveCount (the worker's), from the template's one value. */
    PROBE_MAX_RECEIVE_COUNT: optionalText,
  })
  .transform((env) => {
    const region = env.AWS_REGION ?? 'us-east-1';
    const scanRegions = (env.SCAN_REGIONS ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => REGION.test(entry));
    return {
      region,
      useIamAuth: env.USE_IAM_AUTH,
      queueUrl: env.QUEUE_URL,
      reportsBucket: env.REPORTS_BUCKET,
      securityHubFindings: env.SECURITY_HUB_FINDINGS,
      memberAccountRoleArns: env.MEMBER_ACCOUNT_ROLE_ARNS,
      organizationMemberRoleName: env.ORGANIZATION_MEMBER_ROLE_NAME,
      /** The listed regions, or the function's own region when none is listed. */
      scanRegions: scanRegions.length > 0 ? [...new Set(scanRegions)] : [region],
      probeMaxReceiveCount: readMaxReceiveCount(env.PROBE_MAX_RECEIVE_COUNT),
      /** The same keys as the Config rule's InputParameters. */
      ruleParameters: parseRuleParameters({
        ...(env.MIN_TLS_VERSION ? { minTlsVersion: env.MIN_TLS_VERSION } : {}),
        ...(env.CA_EXPIRY_DAYS ? { caExpiryDays: env.CA_EXPIRY_DAYS } : {}),
        ...(env.REQUIRE_LIVE_PROBE ? { requireLiveProbe: env.REQUIRE_LIVE_PROBE } : {}),
        ...(env.SECRET_TAG_KEY ? { secretTagKey: env.SECRET_TAG_KEY } : {}),
        ...(env.MYSQL_PLAINTEXT_LOGIN ? { mysqlPlaintextLogin: env.MYSQL_PLAINTEXT_LOGIN } : {}),
      }),
    };
  });

export type FunctionEnvironment = z.output<typeof functionEnvironmentSchema>;

/** Variables that are not strings cannot come from Lambda; they read as unset. */
export function readFunctionEnvironment(
  env: Record<string, string | undefined> = process.env,
): FunctionEnvironment {
  const strings = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  return functionEnvironmentSchema.parse(strings);
}

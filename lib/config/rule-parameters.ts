/**
 * The Config rule's `ruleParameters` → RuleParameters.
 *
 * Config rule InputParameters are a map of strings (the console and
 * CloudFormation both write `"30"`, `"true"`), while the CLI and the audit
 * invoke pass real JSON numbers and booleans; both forms are accepted. An
 * empty string means "not set" because templates often pass an empty
 * parameter through. Unknown keys are ignored with a warning so a rule
 * deployed with a newer parameter set keeps working. Each key is read by its
 * zod schema (z.stringbool for the string booleans, z.coerce for numbers).
 */
import * as z from 'zod';
import type { CodedError } from '../errors.js';
import { capMessage, quoteFragment } from '../text.js';
import {
  DEFAULT_RULE_PARAMETERS,
  type RuleParameters,
  type TlsVersion,
  tlsVersionSchema,
} from '../types.js';

export const RULE_PARAMETERS_ERROR_CODES = [
  'RULE_PARAMETERS_NOT_JSON',
  'RULE_PARAMETERS_INVALID',
] as const;
export type RuleParametersErrorCode = (typeof RULE_PARAMETERS_ERROR_CODES)[number];

/** The message names the keys at fault and what they accept; it never echoes a value. */
export interface RuleParametersError extends CodedError<RuleParametersErrorCode> {
  keys: string[];
}

export type RuleParametersResult =
  | { ok: true; value: RuleParameters; warnings: string[] }
  | { ok: false; error: RuleParametersError };

export const MAX_CA_EXPIRY_DAYS = 3650;
/** AWS tag keys are at most 128 characters. */
const MAX_TAG_KEY_LENGTH = 128;

const TLS_VERSIONS: Record<string, TlsVersion> = {
  tlsv1: 'TLSv1',
  'tlsv1.0': 'TLSv1',
  '1': 'TLSv1',
  '1.0': 'TLSv1',
  'tlsv1.1': 'TLSv1.1',
  '1.1': 'TLSv1.1',
  'tlsv1.2': 'TLSv1.2',
  '1.2': 'TLSv1.2',
  'tlsv1.3': 'TLSv1.3',
  '1.3': 'TLSv1.3',
};

/** `true` / `false` as JSON booleans or as the strings Config passes, in any case. */
const booleanParameter = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .pipe(z.stringbool({ truthy: ['true'], falsy: ['false'] })),
]);

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^\s,]+$/;
const DB_IDENTIFIER = /^[A-Za-z0-9-]{1,63}$/;

/** `id=arn,id=arn` (or JSON text) → the pairs, in order; repeats kept so they can be refused. */
function secretArnPairs(text: string): [string, unknown][] | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return isPlainObject(parsed) ? Object.entries(parsed) : undefined;
    } catch {
      return undefined;
    }
  }
  const pairs: [string, unknown][] = [];
  for (const entry of trimmed.split(',')) {
    if (entry.trim() === '') continue;
    const cut = entry.indexOf('=');
    if (cut < 0) return undefined;
    pairs.push([entry.slice(0, cut).trim(), entry.slice(cut + 1).trim()]);
  }
  return pairs;
}

const secretArnsParameter = z
  .union([
    z.string().transform(secretArnPairs),
    z.record(z.string(), z.unknown()).transform(Object.entries),
  ])
  .transform((pairs, context) => {
    if (!pairs) {
      context.addIssue({ code: 'custom', message: 'not a secret mapping' });
      return z.NEVER;
    }
    const arns: Record<string, string> = {};
    for (const [id, arn] of pairs) {
      // A repeated identifier would silently pick one secret over another.
      const valid =
        DB_IDENTIFIER.test(id) &&
        !Object.hasOwn(arns, id) &&
        typeof arn === 'string' &&
        SECRET_ARN.test(arn);
      if (!valid) {
        context.addIssue({ code: 'custom', message: 'invalid secret mapping' });
        return z.NEVER;
      }
      arns[id] = arn;
    }
    return arns;
  });

/**
 * One schema per key, with what it accepts in words: the error names the key
 * and this text, never the value given.
 */
const KEYS: {
  [K in keyof RuleParameters]-?: {
    schema: z.ZodType<NonNullable<RuleParameters[K]>>;
    expected: string;
  };
} = {
  minTlsVersion: {
    schema: z
      .string()
      .transform((value) => TLS_VERSIONS[value.trim().toLowerCase()])
      .pipe(tlsVersionSchema),
    expected: 'one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (or 1.0 to 1.3)',
  },
  caExpiryDays: {
    schema: z
      .union([z.number(), z.string().regex(/^\s*\d{1,6}\s*$/)])
      .pipe(z.coerce.number<string | number>().int().min(1).max(MAX_CA_EXPIRY_DAYS)),
    expected: `a whole number of days from 1 to ${MAX_CA_EXPIRY_DAYS}`,
  },
  requireLiveProbe: { schema: booleanParameter, expected: 'true or false' },
  liveProbe: { schema: booleanParameter, expected: 'true or false' },
  secretTagKey: {
    schema: z.string().trim().min(1).max(MAX_TAG_KEY_LENGTH),
    expected: `a tag key of 1 to ${MAX_TAG_KEY_LENGTH} characters`,
  },
  secretArns: {
    schema: secretArnsParameter,
    expected:
      'a JSON object or "id=arn,id=arn" mapping DB identifiers to Secrets Manager secret ARNs',
  },
  mysqlPlaintextLogin: { schema: booleanParameter, expected: 'true or false' },
  acceptNativeNetworkEncryption: { schema: booleanParameter, expected: 'true or false' },
};

function isRuleParameterKey(key: string): key is keyof RuleParameters {
  return Object.hasOwn(KEYS, key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads rule parameters from the `ruleParameters` JSON string, an already
 * parsed object, or nothing (all defaults). Never throws.
 */
export function parseRuleParameters(raw: unknown): RuleParametersResult {
  let input: unknown = raw;
  if (input === undefined || input === null) return defaults();
  if (typeof input === 'string') {
    if (input.trim() === '') return defaults();
    try {
      input = JSON.parse(input);
    } catch {
      return failure('RULE_PARAMETERS_NOT_JSON', 'ruleParameters is not valid JSON', []);
    }
  }
  if (!isPlainObject(input)) {
    return failure('RULE_PARAMETERS_INVALID', 'ruleParameters is not a JSON object', []);
  }

  const value: RuleParameters = { ...DEFAULT_RULE_PARAMETERS, secretArns: {} };
  const warnings: string[] = [];
  const problems: { key: string; expected: string }[] = [];
  for (const [key, given] of Object.entries(input)) {
    if (!isRuleParameterKey(key)) {
      warnings.push(`unknown rule parameter ${quoteFragment(key)} ignored`);
      continue;
    }
    if (given === null || (typeof given === 'string' && given.trim() === '')) continue;
    const parsed = KEYS[key].schema.safeParse(given);
    if (parsed.success) Object.assign(value, { [key]: parsed.data });
    else problems.push({ key, expected: KEYS[key].expected });
  }

  if (problems.length > 0) {
    const message = problems.map(({ key, expected }) => `${key}: expected ${expected}`).join('; ');
    return failure(
      'RULE_PARAMETERS_INVALID',
      `invalid rule parameters: ${message}`,
      problems.map(({ key }) => key),
    );
  }
  return { ok: true, value, warnings };
}

function defaults(): RuleParametersResult {
  return { ok: true, value: { ...DEFAULT_RULE_PARAMETERS, secretArns: {} }, warnings: [] };
}

function failure(
  code: RuleParametersErrorCode,
  message: string,
  keys: string[],
): RuleParametersResult {
  return { ok: false, error: { code, message: capMessage(message), keys } };
}

/**
 * The Config rule's `ruleParameters` → RuleParameters.
 *
 * Config rule InputParameters are a map of strings (the console and
 * CloudFormation both write `"30"`, `"true"`), while the CLI and the audit
 * invoke pass real JSON numbers and booleans; both forms are accepted. An
 * empty string means "not set" because templates often pass an empty
 * parameter through. Unknown keys are ignored with a warning so a rule
 * deployed with a newer parameter set keeps working.
 */
import { DEFAULT_RULE_PARAMETERS, type RuleParameters, type TlsVersion } from '../types.js';
import { capMessage, quoteFragment } from './safe-text.js';

export type RuleParametersErrorCode = 'RULE_PARAMETERS_NOT_JSON' | 'RULE_PARAMETERS_INVALID';

export interface RuleParametersError {
  code: RuleParametersErrorCode;
  /** Names the keys at fault and what they accept; never echoes a value. */
  message: string;
  keys: string[];
}

export type RuleParametersResult =
  | { ok: true; value: RuleParameters; warnings: string[] }
  | { ok: false; error: RuleParametersError };

export const MAX_CA_EXPIRY_DAYS = 3650;
/** AWS tag keys are at most 128 characters. */
const MAX_TAG_KEY_LENGTH = 128;

type KeyParser<T> = (value: unknown) => { ok: true; value: T } | { ok: false; expected: string };

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

const parseMinTlsVersion: KeyParser<TlsVersion> = (value) => {
  const version = typeof value === 'string' ? TLS_VERSIONS[value.trim().toLowerCase()] : undefined;
  return version
    ? { ok: true, value: version }
    : { ok: false, expected: 'one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (or 1.0 to 1.3)' };
};

const parseCaExpiryDays: KeyParser<number> = (value) => {
  let days: number | undefined;
  if (typeof value === 'number') days = value;
  else if (typeof value === 'string' && /^\s*\d{1,6}\s*$/.test(value)) days = Number(value);
  return days !== undefined && Number.isInteger(days) && days >= 1 && days <= MAX_CA_EXPIRY_DAYS
    ? { ok: true, value: days }
    : { ok: false, expected: `a whole number of days from 1 to ${MAX_CA_EXPIRY_DAYS}` };
};

const parseBoolean: KeyParser<boolean> = (value) => {
  if (typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return { ok: true, value: true };
    if (text === 'false') return { ok: true, value: false };
  }
  return { ok: false, expected: 'true or false' };
};

const parseSecretTagKey: KeyParser<string> = (value) => {
  const key = typeof value === 'string' ? value.trim() : '';
  return key.length > 0 && key.length <= MAX_TAG_KEY_LENGTH
    ? { ok: true, value: key }
    : { ok: false, expected: `a tag key of 1 to ${MAX_TAG_KEY_LENGTH} characters` };
};

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^\s,]+$/;
const DB_IDENTIFIER = /^[A-Za-z0-9-]{1,63}$/;
const SECRET_ARNS_EXPECTED =
  'a JSON object or "id=arn,id=arn" mapping DB identifiers to Secrets Manager secret ARNs';

const parseSecretArns: KeyParser<Record<string, string>> = (value) => {
  let pairs: [string, unknown][];
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (!isPlainObject(parsed)) return { ok: false, expected: SECRET_ARNS_EXPECTED };
        pairs = Object.entries(parsed);
      } catch {
        return { ok: false, expected: SECRET_ARNS_EXPECTED };
      }
    } else {
      pairs = [];
      for (const entry of text.split(',')) {
        if (entry.trim() === '') continue;
        const cut = entry.indexOf('=');
        if (cut < 0) return { ok: false, expected: SECRET_ARNS_EXPECTED };
        pairs.push([entry.slice(0, cut).trim(), entry.slice(cut + 1).trim()]);
      }
    }
  } else if (isPlainObject(value)) {
    pairs = Object.entries(value);
  } else {
    return { ok: false, expected: SECRET_ARNS_EXPECTED };
  }

  const arns: Record<string, string> = {};
  for (const [id, arn] of pairs) {
    // A repeated identifier would silently pick one secret over another.
    if (!DB_IDENTIFIER.test(id) || Object.hasOwn(arns, id)) {
      return { ok: false, expected: SECRET_ARNS_EXPECTED };
    }
    if (typeof arn !== 'string' || !SECRET_ARN.test(arn)) {
      return { ok: false, expected: SECRET_ARNS_EXPECTED };
    }
    arns[id] = arn;
  }
  return { ok: true, value: arns };
};

const KEY_PARSERS: { [K in keyof RuleParameters]-?: KeyParser<NonNullable<RuleParameters[K]>> } = {
  minTlsVersion: parseMinTlsVersion,
  caExpiryDays: parseCaExpiryDays,
  requireLiveProbe: parseBoolean,
  liveProbe: parseBoolean,
  secretTagKey: parseSecretTagKey,
  secretArns: parseSecretArns,
  mysqlPlaintextLogin: parseBoolean,
  acceptNativeNetworkEncryption: parseBoolean,
};

function isRuleParameterKey(key: string): key is keyof RuleParameters {
  return Object.hasOwn(KEY_PARSERS, key);
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
    const parsed = parseKey(key, given);
    if (parsed.ok) Object.assign(value, { [key]: parsed.value });
    else problems.push({ key, expected: parsed.expected });
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

function parseKey(
  key: keyof RuleParameters,
  given: unknown,
): { ok: true; value: unknown } | { ok: false; expected: string } {
  return KEY_PARSERS[key](given);
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

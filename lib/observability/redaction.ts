/**
 * The last line of defence between a credential and a log line. Values of
 * SecretValue already print as `[redacted]`; this also blanks any field whose
 * name says it holds a password, secret or token (whatever its type), and the
 * password part of a connection string that slipped into a message.
 */
import { SecretValue } from '../secret-value.js';

export const REDACTED = '[redacted]';

/**
 * Field names are compared lower-cased with separators removed, by suffix:
 * `password`, `masterUserPassword`, `client_secret`, `resultToken`,
 * `SecretString` are blanked; `secretArn` and `secretTagKey` name a secret
 * without holding it and are kept.
 */
const SENSITIVE_SUFFIXES = [
  'password',
  'passwd',
  'pwd',
  'secret',
  'secretstring',
  'secretvalue',
  'secretbinary',
  'secretaccesskey',
  'token',
  'authorization',
  'connectionstring',
];

export function isSensitiveKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SENSITIVE_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

/** `scheme://user:password@host` → `scheme://user:[redacted]@host`. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/\s]+@/gi;
/** `password=…` / `password: …` inside a libpq-style or free-text string. */
const INLINE_PASSWORD = /\b(password|passwd|pwd)(\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s;,'"]+)/gi;

export function redactText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1:${REDACTED}@`)
    .replace(INLINE_PASSWORD, `$1$2${REDACTED}`);
}

/** A JSON.stringify replacer applying the rules above; the logger runs it on every key. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (value instanceof SecretValue) return REDACTED;
  if (key !== '' && isSensitiveKey(key) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  return value;
}

/** A deep copy with the same rules applied, for sinks that are not the logger. */
export function redact<T>(value: T): unknown {
  const text = JSON.stringify(value, redactingReplacer);
  return text === undefined ? undefined : JSON.parse(text);
}

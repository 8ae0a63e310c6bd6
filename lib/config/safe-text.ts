/**
 * Error text built from untrusted events. Config events can be large and a
 * misrouted or hostile invoke can carry anything, so a message names where
 * the input is wrong and quotes at most a short, printable fragment of it.
 */
import type { z } from 'zod';

const MAX_FRAGMENT = 40;
const MAX_ISSUES = 3;
const MAX_MESSAGE = 300;

/** A capped, single-line, quoted rendering of an untrusted string. */
export function quoteFragment(value: string, max = MAX_FRAGMENT): string {
  // Control characters could forge log lines; replace them before quoting.
  const printable = value.replace(/\p{Cc}/gu, '?');
  const cut = printable.length > max ? `${printable.slice(0, max)}…` : printable;
  return JSON.stringify(cut);
}

/** `path: problem` for the first few issues, capped; zod's own messages do not echo input. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path.map((segment) => pathSegment(segment)).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  if (issues.length > MAX_ISSUES) parts.push(`and ${issues.length - MAX_ISSUES} more`);
  return capMessage(parts.join('; '));
}

/**
 * Caps an error message built from several parts (issues, rule parameter
 * keys): each part is short, but all of them together need not be.
 */
export function capMessage(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

function pathSegment(segment: PropertyKey): string {
  if (typeof segment === 'number') return String(segment);
  const text = String(segment);
  // Record keys come from the input; keep them short and printable like any fragment.
  return /^[A-Za-z0-9_$-]{1,40}$/.test(text) ? text : quoteFragment(text, 20);
}

/**
 * An error's name, code and HTTP status only: SDK and network messages are
 * not trusted not to echo request content such as a result token.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const details = error as Error & { code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const parts = [error.name];
  const code = details.code;
  if (typeof code === 'string' && code !== error.name && /^[A-Za-z0-9_.-]{1,40}$/.test(code)) {
    parts.push(`(${code})`);
  }
  const status = details.$metadata?.httpStatusCode;
  if (typeof status === 'number') parts.push(`HTTP ${status}`);
  return parts.join(' ');
}

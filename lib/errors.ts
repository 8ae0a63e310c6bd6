/**
 * The one place a thrown value becomes words. Only an error's name, its
 * system or driver code and its HTTP status are trusted to carry no request
 * or credential content; a message is quoted only where it may be the
 * server's own text, and then clipped (lib/text.ts).
 */
import type { z } from 'zod';
import { capMessage, clipServerText, quoteFragment } from './text.js';

/** An expected failure as a value: one of the module's codes and a message safe to log. */
export interface CodedError<Code extends string> {
  code: Code;
  message: string;
}

/**
 * The error's name (e.g. `AccessDenied`, `DBParameterGroupNotFoundFault`:
 * where AWS SDK v3 puts the service's error code), never its message; for a
 * thrown non-error, its type.
 */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  if (typeof error === 'object' && error !== null && 'name' in error) {
    const name = (error as { name: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return typeof error;
}

/** A system or driver code (`ECONNREFUSED`, `28P01`, 1045), when the error carries one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}

/** The code when there is one (`ECONNREFUSED`), else the name: a failure in one word. */
export function errorCodeOrName(error: unknown): string {
  return errorCode(error) ?? errorName(error);
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

/** An error's message, clipped: it may be a server's own text. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return clipServerText(error.message);
  return typeof error === 'string' ? clipServerText(error) : 'unknown error';
}

const MAX_ISSUES = 3;

/** `path: problem` for the first few issues, capped; zod's own messages do not echo input. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path.map((segment) => pathSegment(segment)).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  if (issues.length > MAX_ISSUES) parts.push(`and ${issues.length - MAX_ISSUES} more`);
  return capMessage(parts.join('; '));
}

function pathSegment(segment: PropertyKey): string {
  if (typeof segment === 'number') return String(segment);
  const text = String(segment);
  // Record keys come from the input; keep them short and printable like any fragment.
  return /^[A-Za-z0-9_$-]{1,40}$/.test(text) ? text : quoteFragment(text, 20);
}

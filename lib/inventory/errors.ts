/**
 * How a failed RDS read becomes a scan problem or a gap. Only the error's
 * name travels into problems and gaps: SDK and service messages are not
 * trusted not to echo request input.
 */
import type { ScanProblem } from '../types.js';

export type ReadFailureCode = 'ACCESS_DENIED' | 'THROTTLED' | 'NOT_FOUND' | 'READ_FAILED';

const ACCESS_DENIED_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
]);

const THROTTLED_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** The error's name (e.g. `AccessDenied`, `DBParameterGroupNotFoundFault`), never its message. */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  if (typeof error === 'object' && error !== null && 'name' in error) {
    const name = (error as { name: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return typeof error;
}

export function classifyReadFailure(error: unknown): ReadFailureCode {
  const name = errorName(error);
  if (ACCESS_DENIED_NAMES.has(name)) return 'ACCESS_DENIED';
  if (THROTTLED_NAMES.has(name)) return 'THROTTLED';
  if (/NotFound/.test(name)) return 'NOT_FOUND';
  return 'READ_FAILED';
}

/** A region whose listing failed: access denial keeps its own code, anything else is REGION_UNREADABLE. */
export function regionProblem(region: string, operation: string, error: unknown): ScanProblem {
  const code = classifyReadFailure(error);
  return {
    scope: `region:${region}`,
    code: code === 'ACCESS_DENIED' || code === 'THROTTLED' ? code : 'REGION_UNREADABLE',
    message: `${operation} failed in ${region}: ${errorName(error)}`,
  };
}

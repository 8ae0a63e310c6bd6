/**
 * How a failed RDS read becomes a scan problem or a gap. Only the error's
 * name, its system code (ECONNREFUSED) and HTTP status travel into problems
 * and gaps: SDK and service messages are not trusted not to echo request
 * input. Each problem ends with what to do next.
 */

import { describeError, errorName } from '../errors.js';
import type { ScanProblem } from '../types.js';

export const READ_FAILURE_CODES = [
  'ACCESS_DENIED',
  'THROTTLED',
  'NOT_FOUND',
  'READ_FAILED',
] as const;
export type ReadFailureCode = (typeof READ_FAILURE_CODES)[number];

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

/**
 * Why a read failed, for a gap: the error's name, and for an offline audit
 * the file the snapshot folder lacks (set by the snapshot client as
 * `missingSnapshotFile`, or `refusedSnapshotFile` for one there but not in
 * the AWS CLI's shape), so the report says what to add or save again, not
 * which permission to grant.
 */
export function readFailureReason(error: unknown): string {
  const name = errorName(error);
  const missing = snapshotFileNamed(error, 'missingSnapshotFile');
  if (missing !== undefined) return `${name}: not in snapshot: add ${missing}`;
  const refused = snapshotFileNamed(error, 'refusedSnapshotFile');
  if (refused !== undefined) {
    return `${name}: ${refused} is not what the AWS CLI prints (SNAPSHOT_FILE_INVALID): save it again`;
  }
  return name;
}

function snapshotFileNamed(
  error: unknown,
  key: 'missingSnapshotFile' | 'refusedSnapshotFile',
): string | undefined {
  const file =
    typeof error === 'object' && error !== null && key in error
      ? (error as Record<typeof key, unknown>)[key]
      : undefined;
  return typeof file === 'string' ? file : undefined;
}

export function classifyReadFailure(error: unknown): ReadFailureCode {
  const name = errorName(error);
  if (ACCESS_DENIED_NAMES.has(name)) return 'ACCESS_DENIED';
  if (THROTTLED_NAMES.has(name)) return 'THROTTLED';
  if (/NotFound/.test(name)) return 'NOT_FOUND';
  return 'READ_FAILED';
}

const MISSING_CREDENTIALS_NAMES = new Set(['CredentialsProviderError', 'TokenProviderError']);
const EXPIRED_NAMES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'UnauthorizedException',
]);
const BAD_KEY_NAMES = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function systemCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What to do about a failed AWS call, in one clause: log in again, pick a
 * profile, grant the IAM action (`rds:DescribeDBInstances` for the operation
 * `DescribeDBInstances ...`), check the network. Undefined when the error
 * says nothing a person can act on.
 */
export function nextStep(error: unknown, operation: string): string | undefined {
  const name = errorName(error);
  const code = systemCode(error);
  if (MISSING_CREDENTIALS_NAMES.has(name)) {
    return 'no AWS credentials found: run `aws sso login` or `aws configure`, or set AWS_PROFILE to a profile that has them (or audit offline with --snapshot)';
  }
  if (EXPIRED_NAMES.has(name) || EXPIRED_NAMES.has(code ?? '')) {
    return 'the AWS credentials have expired: run `aws sso login` (with the same AWS_PROFILE) or refresh them, then retry';
  }
  if (BAD_KEY_NAMES.has(name)) {
    return 'AWS rejected the access key: check AWS_PROFILE and AWS_ACCESS_KEY_ID, or that the region is enabled for the account';
  }
  if (ACCESS_DENIED_NAMES.has(name)) {
    const action = /^[A-Z][A-Za-z]+/.exec(operation)?.[0];
    return action
      ? `grant the IAM action rds:${action} to the identity running the scan (docs/deploy.md lists the whole policy)`
      : 'grant the identity running the scan the IAM actions in docs/deploy.md';
  }
  if (THROTTLED_NAMES.has(name)) {
    return 'RDS throttled the requests: scan with lower concurrency or retry later';
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return 'the RDS endpoint could not be reached: check the network, HTTPS_PROXY and the region name';
  }
  return undefined;
}

/** `ExpiredToken HTTP 403; the AWS credentials have expired: run ...`: the cause, then the next step. */
export function describeAwsFailure(error: unknown, operation: string): string {
  const step = nextStep(error, operation);
  return step ? `${describeError(error)}; ${step}` : describeError(error);
}

/** A region whose listing failed: access denial keeps its own code, anything else is REGION_UNREADABLE. */
export function regionProblem(region: string, operation: string, error: unknown): ScanProblem {
  const code = classifyReadFailure(error);
  return {
    scope: `region:${region}`,
    code: code === 'ACCESS_DENIED' || code === 'THROTTLED' ? code : 'REGION_UNREADABLE',
    message: `${operation} failed in ${region}: ${describeAwsFailure(error, operation)}`,
  };
}

/**
 * How a connection's failure reads, whichever driver raised it: certificate
 * problems a verify-full client refuses, protocol-version failures, network
 * problems. Server text is clipped (lib/text.ts) before anything here matches
 * it. Pure: no sockets here.
 */

import pg from 'pg';
import { errorCode, errorMessage } from '../errors.js';
import { READ_LIMIT_EXCEEDED } from './read-limit.js';
import type { ProbeReason } from './reasons.js';

const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

const NETWORK_REASONS: Record<string, ProbeReason> = {
  ECONNREFUSED: 'UNREACHABLE',
  EHOSTUNREACH: 'UNREACHABLE',
  ENETUNREACH: 'UNREACHABLE',
  ENOTFOUND: 'UNREACHABLE',
  EAI_AGAIN: 'UNREACHABLE',
  ETIMEDOUT: 'TIMEOUT',
  ECONNRESET: 'CONNECTION_RESET',
  EPIPE: 'CONNECTION_RESET',
};

/**
 * Node's certificate errors by code, and by message for drivers (mysql2) that
 * overwrite the code with their own.
 */
const CERTIFICATE_MESSAGES: readonly [RegExp, string][] = [
  [/certificate has expired/i, 'CERT_HAS_EXPIRED'],
  [/certificate is not yet valid/i, 'CERT_NOT_YET_VALID'],
  [/does not match certificate's altnames/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
  [/unable to verify the first certificate/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/self[- ]signed certificate in certificate chain/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/self[- ]signed certificate/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/unable to get local issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/unable to get issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT'],
  [/certificate signature failure/i, 'CERT_SIGNATURE_FAILURE'],
];

function certificateErrorCode(error: unknown): string | undefined {
  const code = errorCode(error);
  if (
    code === 'CERT_HAS_EXPIRED' ||
    code === 'CERT_NOT_YET_VALID' ||
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
    (code !== undefined && UNTRUSTED_CODES.has(code))
  ) {
    return code;
  }
  const message = errorMessage(error);
  return CERTIFICATE_MESSAGES.find(([pattern]) => pattern.test(message))?.[1];
}

/** A certificate a verify-full client refuses: the reason code and words for the annotation. */
export function certificateProblem(
  error: unknown,
): { reason: ProbeReason; detail: string } | undefined {
  const code = certificateErrorCode(error);
  if (code === undefined) return undefined;
  return (
    NAMED_CERTIFICATE_PROBLEMS.get(code) ?? {
      reason: 'TLS_VERIFY_FAILED_UNTRUSTED',
      detail: `server certificate not issued by a trusted CA (${code})`,
    }
  );
}

/** Node's certificate error codes that have a reason of their own; any other is an untrusted chain. */
const NAMED_CERTIFICATE_PROBLEMS = new Map<string, { reason: ProbeReason; detail: string }>([
  [
    'CERT_HAS_EXPIRED',
    { reason: 'TLS_VERIFY_FAILED_EXPIRED', detail: 'server certificate has expired' },
  ],
  [
    'CERT_NOT_YET_VALID',
    { reason: 'TLS_VERIFY_FAILED_NOT_YET_VALID', detail: 'server certificate not yet valid' },
  ],
  [
    'ERR_TLS_CERT_ALTNAME_INVALID',
    {
      reason: 'TLS_VERIFY_FAILED_HOSTNAME',
      detail: 'server certificate does not name the endpoint host',
    },
  ],
]);

/** The server and this client share no protocol version at or above the minimum. */
export function isProtocolVersionFailure(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  // OpenSSL's "wrong version number" is a record that is not TLS at all (a
  // server answering the ClientHello with anything else): garbage, not a version.
  return (
    code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' ||
    code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' ||
    // Over an upgraded socket Node reports the alert as EPROTO with OpenSSL's text.
    /alert protocol version|unsupported protocol/i.test(errorMessage(error))
  );
}

/** The local OpenSSL refused to offer the requested versions: nothing reached the server. */
export function isLocalProtocolRefusal(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  const message = errorMessage(error);
  return (
    code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' ||
    code === 'ERR_SSL_NO_CIPHERS_AVAILABLE' ||
    code === 'ERR_TLS_INVALID_PROTOCOL_VERSION' ||
    /no protocols available|no ciphers available/i.test(message)
  );
}

/** Connection-level failures: the server's answer, or its absence, says nothing about TLS. */
export function networkProblem(
  error: unknown,
): { reason: ProbeReason; detail: string } | undefined {
  // The server answered: its code and words are its own, whatever they say
  // ("idle-session timeout", a SQLSTATE field reading ETIMEDOUT).
  if (isServerAnswer(error)) return undefined;
  const code = errorCode(error);
  const message = errorMessage(error);
  if (code === READ_LIMIT_EXCEEDED) {
    return { reason: 'RESPONSE_TOO_LARGE', detail: message };
  }
  if (code !== undefined && NETWORK_REASONS[code]) {
    return { reason: NETWORK_REASONS[code], detail: `${code}` };
  }
  if (/timeout|timed out/i.test(message) || code === 'PROBE_TIMEOUT') {
    return { reason: 'TIMEOUT', detail: 'no answer before the timeout' };
  }
  if (/terminated unexpectedly|closed|ended by the other party|socket hang up/i.test(message)) {
    return { reason: 'CONNECTION_CLOSED', detail: 'server closed the connection' };
  }
  return undefined;
}

/**
 * An error the database server sent: a PostgreSQL ErrorResponse (pg's
 * DatabaseError) or a MySQL ERR packet (mysql2 sets `sqlMessage` only from
 * one). Its code and text are the server's, never this side's network state.
 */
export function isServerAnswer(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return true;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { sqlMessage?: unknown }).sqlMessage === 'string'
  );
}

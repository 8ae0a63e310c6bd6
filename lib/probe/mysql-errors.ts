/**
 * How a MySQL-family driver error reads: mysql2's fields taken from an
 * unknown value, and the verified session's failure as a named TLS step.
 * Pure: no sockets here.
 */

import { errorMessage } from '../errors.js';
import { shortServerText } from '../text.js';
import {
  certificateProblem,
  isProtocolVersionFailure,
  isServerAnswer,
  networkProblem,
} from './failures.js';
import type { TlsStep } from './model.js';
import { READ_LIMIT_EXCEEDED } from './read-limit.js';

export interface MysqlError {
  errno?: number;
  code?: string;
  sqlMessage?: string;
  message: string;
}

export function asMysqlError(error: unknown): MysqlError {
  if (typeof error !== 'object' || error === null) return { message: errorMessage(error) };
  const record = error as Record<string, unknown>;
  return {
    ...(typeof record.errno === 'number' ? { errno: record.errno } : {}),
    ...(typeof record.code === 'string' ? { code: record.code } : {}),
    ...(typeof record.sqlMessage === 'string' ? { sqlMessage: record.sqlMessage } : {}),
    message: errorMessage(error),
  };
}

export function classifyMysqlTlsError(error: unknown): TlsStep {
  const failure = asMysqlError(error);
  // A server's error text is its own words, matched by nothing that names a
  // TLS failure of this side (the certificate and version checks read
  // mysql2's message, which for a server error is that text).
  const fromServer = isServerAnswer(error);
  const certificate = fromServer ? undefined : certificateProblem(error);
  if (certificate) return { kind: 'rejected', ...certificate };
  if (failure.code === READ_LIMIT_EXCEEDED) {
    return { kind: 'inconclusive', reason: 'RESPONSE_TOO_LARGE', detail: failure.message };
  }
  if (failure.code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return { kind: 'rejected', reason: 'TLS_NOT_OFFERED', detail: 'server does not offer TLS' };
  }
  if (!fromServer && isProtocolVersionFailure(error)) {
    return {
      kind: 'rejected',
      reason: 'TLS_VERSION_BELOW_MINIMUM',
      detail: `no TLS version at or above the minimum negotiated (${failure.code})`,
    };
  }
  if (failure.errno === 1045) {
    // MySQL and MariaDB check the password first and a user's REQUIRE
    // X509/ISSUER/SUBJECT after it, and answer both with the same 1045.
    return {
      kind: 'inconclusive',
      reason: 'AUTH_FAILED',
      detail:
        'login over TLS refused (1045): a wrong password, or a user requirement the probe cannot meet (REQUIRE X509/ISSUER/SUBJECT: a client certificate); the server answers both alike',
    };
  }
  const network = networkProblem(error);
  if (network) return { kind: 'inconclusive', reason: network.reason, detail: network.detail };
  if (fromServer) {
    return {
      kind: 'inconclusive',
      reason: 'SERVER_ERROR',
      detail: `${failure.errno} ${shortServerText(failure.sqlMessage ?? failure.message, 80)}`,
    };
  }
  if (failure.code === 'PROTOCOL_CONNECTION_LOST') {
    return {
      kind: 'inconclusive',
      reason: 'CONNECTION_CLOSED',
      detail: 'server closed the connection',
    };
  }
  if (failure.code?.startsWith('ERR_SSL_')) {
    return { kind: 'inconclusive', reason: 'TLS_HANDSHAKE_FAILED', detail: failure.code };
  }
  return {
    kind: 'inconclusive',
    reason: 'PROTOCOL_ERROR',
    detail: `no usable MySQL answer: ${shortServerText(`${failure.code ?? ''} ${failure.message}`.trim(), 60)}`,
  };
}

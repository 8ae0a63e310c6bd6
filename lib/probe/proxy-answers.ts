/**
 * What a proxy answers a plaintext client, and what that proves about the
 * PROXY's own stance. Through a proxy endpoint the database's settings say
 * nothing about the client leg: the proxy terminates the client's
 * connection and opens its own to the database. So only the proxy's own
 * refusal of an unencrypted client counts as "TLS required"; an
 * authentication failure, or any other error, is "could not tell", never a
 * refusal. Pure: no sockets here.
 *
 * The attempt always logs in as a random identity with a throwaway password
 * (unless the opt-in mysqlPlaintextLogin sends the real one), so nothing
 * derived from the proxy's credentials travels in plaintext.
 *
 * RDS Proxy's answers, as the Amazon RDS User Guide records them
 * ("Troubleshooting for RDS Proxy", rds-proxy.troubleshooting.html, tables
 * "connecting to a MySQL proxy" and "connecting to a PostgreSQL proxy"):
 * - MySQL family, RequireTLS on, client with ssl-mode=DISABLED:
 *   `ERROR 3159 (HY000): This RDS Proxy requires TLS connections.`
 * - PostgreSQL, RequireTLS on, client with sslmode=disable:
 *   `This RDS Proxy requires TLS connections.` The SQLSTATE is not in the
 *   table; clients report it as 28000 (invalid authorization
 *   specification), e.g. asyncpg's InvalidAuthorizationSpecificationError.
 *   Both the SQLSTATE and the words are required here.
 * - PostgreSQL, IAM authentication over plaintext (whatever RequireTLS says):
 *   `IAM authentication is allowed only with SSL connections.` and
 *   `IAM is allowed only with SSL connections.` A refusal of IAM logins
 *   only: a proxy that does not require TLS still lets a password login
 *   through, so it is "could not tell".
 * - PostgreSQL, a role without a secret: `This RDS proxy has no credentials
 *   for the role <role>. ...`, a wrong password: `The password that was
 *   provided for the role <role> is wrong.` Authentication failures: they
 *   say nothing of TLS.
 * - MySQL family, a failed login: `ERROR 1045 (28000): Access denied for
 *   user ...`. An authentication failure: "could not tell".
 * RDS Proxy's messages are its own fixed English texts (it has no
 * lc_messages), so they are compared whole, on a clipped copy.
 *
 * PgBouncer (the stand-in for RDS Proxy in the tests and the demo) refuses a
 * plaintext client with `client_tls_sslmode=require` as `08P01 SSL required`
 * before authentication, and runs a SASL exchange for any user, known or
 * not, when it lets plaintext in.
 */

import { errorCode, errorMessage } from '../errors.js';
import { clipServerText, shortServerText } from '../text.js';
import { networkProblem } from './failures.js';
import type { PlaintextStep } from './model.js';
import { isUnsafeAuthRefusal } from './mysql-auth.js';
import { type PlaintextAnswer, readPlaintextAnswer } from './postgres-plaintext.js';
import { READ_LIMIT_EXCEEDED } from './read-limit.js';

/** RDS Proxy's refusal of an unencrypted client, both engine families (without the final period). */
export const RDS_PROXY_REQUIRES_TLS = 'This RDS Proxy requires TLS connections';
/** RDS Proxy (PostgreSQL) refusing IAM authentication over plaintext: about IAM, not TLS. */
export const RDS_PROXY_IAM_NEEDS_TLS = [
  'IAM authentication is allowed only with SSL connections',
  'IAM is allowed only with SSL connections',
] as const;
/** PgBouncer's refusal with client_tls_sslmode=require; it has no translations. */
export const PGBOUNCER_REQUIRES_TLS = 'SSL required';

/** MySQL's ER_SECURE_TRANSPORT_REQUIRED, the errno RDS Proxy uses for its refusal. */
const MYSQL_SECURE_TRANSPORT_REQUIRED = 3159;
const MYSQL_ACCESS_DENIED = 1045;

/** The reason for every answer that does not show the proxy's stance. */
export const PROXY_COULD_NOT_TELL = 'PROXY_PLAINTEXT_COULD_NOT_TELL' as const;

/** Whole-text comparison on a clipped copy, ignoring a final period and surrounding space. */
function sameText(message: string, expected: string): boolean {
  const text = clipServerText(message, 200).trim();
  return (text.endsWith('.') ? text.slice(0, -1) : text) === expected;
}

function couldNotTell(observed: string): PlaintextStep {
  return {
    kind: 'inconclusive',
    reason: PROXY_COULD_NOT_TELL,
    detail: `could not tell whether the proxy requires TLS: ${observed}`,
  };
}

/** A PostgreSQL proxy's answer to a plaintext login as a random role. */
export function classifyProxyPostgresPlaintext(answer: PlaintextAnswer): PlaintextStep {
  const read = readPlaintextAnswer(
    answer,
    'plaintext login accepted by the proxy for a random role without a valid password',
  );
  if ('step' in read) return read.step;
  const { error, message, sqlState, authenticationRequested } = read;
  const quoted = sqlState ? ` (${sqlState} ${shortServerText(message, 60)})` : '';
  if (authenticationRequested) {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      detail: `plaintext accepted by the proxy: it went on to authenticate a random role over plaintext${quoted}`,
    };
  }
  if (sqlState === '28000' && sameText(message, RDS_PROXY_REQUIRES_TLS)) {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: `plaintext refused by the proxy before authentication (28000 ${RDS_PROXY_REQUIRES_TLS})`,
    };
  }
  if (sqlState === '08P01' && sameText(message, PGBOUNCER_REQUIRES_TLS)) {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: `plaintext refused by the proxy before authentication (08P01 ${PGBOUNCER_REQUIRES_TLS})`,
    };
  }
  if (RDS_PROXY_IAM_NEEDS_TLS.some((text) => sameText(message, text))) {
    return couldNotTell(
      `it refused IAM authentication over plaintext${quoted}, which a proxy that does not require TLS does too`,
    );
  }
  const network = networkProblem(error);
  if (network) return { kind: 'inconclusive', reason: network.reason, detail: network.detail };
  return couldNotTell(
    sqlState
      ? `its answer${quoted} is not its refusal of unencrypted clients`
      : `no PostgreSQL answer (${shortServerText(message, 60)})`,
  );
}

/** A MySQL-family proxy's answer to a plaintext login (random user, or the opt-in real one). */
export function classifyProxyMysqlPlaintext(
  answer: { connected: true } | { error: unknown },
  who: string,
): PlaintextStep {
  if ('connected' in answer) {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      detail: `plaintext login ${who} accepted by the proxy`,
    };
  }
  const { error } = answer;
  if (errorCode(error) === READ_LIMIT_EXCEEDED) {
    return { kind: 'inconclusive', reason: 'RESPONSE_TOO_LARGE', detail: errorMessage(error) };
  }
  const record =
    typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const errno = typeof record.errno === 'number' ? record.errno : undefined;
  const message =
    typeof record.sqlMessage === 'string' ? clipServerText(record.sqlMessage) : errorMessage(error);
  if (errno === MYSQL_SECURE_TRANSPORT_REQUIRED) {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: `plaintext refused by the proxy ${who} (3159 ${shortServerText(message, 60)})`,
    };
  }
  // The plugin guard stopped a request for a password-exposing method: the
  // proxy went on to authentication over plaintext instead of refusing.
  if (isUnsafeAuthRefusal(error)) {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      detail: `plaintext accepted by the proxy: it went on to authenticate ${who} over plaintext (asked for a password-exposing method; nothing sent)`,
    };
  }
  if (errno === MYSQL_ACCESS_DENIED) {
    return couldNotTell(
      `plaintext login ${who} failed authentication (1045), which says nothing about TLS`,
    );
  }
  const network = networkProblem(error);
  if (network) return { kind: 'inconclusive', reason: network.reason, detail: network.detail };
  return couldNotTell(
    errno !== undefined && errno > 0
      ? `plaintext login ${who}: ${errno} ${shortServerText(message, 60)}`
      : `plaintext login ${who}: ${shortServerText(message, 60)}`,
  );
}

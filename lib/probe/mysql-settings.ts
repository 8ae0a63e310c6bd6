/**
 * What a MySQL-family server's own settings, read over a verified session,
 * say about plaintext, and how a plaintext login's answer is read with them.
 * Pure: no sockets here.
 */

import { clipServerText, shortServerText } from '../text.js';
import type { Evidence } from '../types.js';
import { networkProblem } from './failures.js';
import type { PlaintextStep } from './model.js';
import { isUnsafeAuthRefusal } from './mysql-auth.js';
import { asMysqlError } from './mysql-errors.js';
import { READ_LIMIT_EXCEEDED } from './read-limit.js';

export interface MysqlSessionFacts {
  /** `@@require_secure_transport`; undefined when the variables could not be read. */
  requireSecureTransport?: string;
  /** SHOW GLOBAL VARIABLES answered, so a missing require_secure_transport is absent from the server. */
  variablesRead?: boolean;
  variablesUnreadable?: string;
  tlsVersion?: string;
  haveSsl?: string;
  version?: string;
  sslVersion?: string;
  sslCipher?: string;
  /** The login's SSL requirement as mysql.user.ssl_type spells it ('' none, ANY, X509, SPECIFIED). */
  userSslType?: string;
  /** Where userSslType was read: mysql.user, or SHOW CREATE USER for a user who may not read mysql.user. */
  userSslTypeSource?: string;
  userSslTypeUnreadable?: string;
  /** Why the session status could not be read. */
  statusUnreadable?: string;
}

/**
 * The REQUIRE clause of SHOW CREATE USER, as mysql.user.ssl_type spells it.
 * The statement's text also holds the password hash: only the one word after
 * REQUIRE is kept, and the text is clipped and searched, never matched by a
 * pattern.
 */
export function requirementFromCreateUser(statement: string): string | undefined {
  const upper = clipServerText(statement, 2_048).toUpperCase();
  const at = upper.indexOf(' REQUIRE ');
  if (at < 0) return '';
  const word =
    upper
      .slice(at + 9)
      .trimStart()
      .split(/\s/, 1)[0] ?? '';
  if (word === 'NONE') return '';
  if (word === 'SSL') return 'ANY';
  if (word === 'X509') return 'X509';
  if (['ISSUER', 'SUBJECT', 'CIPHER'].includes(word)) return 'SPECIFIED';
  return undefined;
}

function isOn(value: string | undefined): boolean {
  return value !== undefined && ['ON', '1', 'TRUE'].includes(value.trim().toUpperCase());
}

/** The server requires TLS of every user: what the plaintext verdict rests on. */
export function requiresSecureTransport(facts: MysqlSessionFacts): boolean {
  return isOn(facts.requireSecureTransport);
}

function isOff(value: string | undefined): boolean {
  return value !== undefined && ['OFF', '0', 'FALSE'].includes(value.trim().toUpperCase());
}

/**
 * What the server's own settings, read over the verified session, say about
 * plaintext: require_secure_transport ON refuses it for everyone; OFF (or a
 * server without the variable) lets in every user without an SSL
 * requirement.
 */
export function judgeFromSettings(facts: MysqlSessionFacts, observed: string): PlaintextStep {
  const rst = `require_secure_transport=${facts.requireSecureTransport ?? 'absent'}`;
  if (isOn(facts.requireSecureTransport)) {
    return {
      kind: 'refused',
      reason: 'SERVER_REQUIRES_TLS',
      detail: `${rst} read over verified TLS; ${observed}`,
    };
  }
  const open =
    isOff(facts.requireSecureTransport) ||
    (facts.variablesRead === true && facts.requireSecureTransport === undefined);
  if (!open) {
    return {
      kind: 'inconclusive',
      reason: 'SERVER_SETTING_UNREADABLE',
      detail: `require_secure_transport ${facts.variablesUnreadable ? `unreadable (${facts.variablesUnreadable})` : `has an unknown value ${facts.requireSecureTransport ?? ''}`}; ${observed}`,
    };
  }
  const requirement = facts.userSslType;
  if (requirement !== undefined && requirement !== '') {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_REFUSED_PER_USER_ONLY',
      detail: `plaintext refused only because the user is REQUIRE ${requirement}; server ${rst} accepts plaintext for other users`,
    };
  }
  return {
    kind: 'accepted',
    reason: 'PLAINTEXT_ACCEPTED',
    detail:
      requirement === ''
        ? `server accepts plaintext: ${rst} and the user has no SSL requirement (read over verified TLS); ${observed}`
        : `server accepts plaintext for every user without REQUIRE SSL: ${rst} (read over verified TLS); ${observed}`,
  };
}

/** Who the plaintext attempt logged in as. */
export type PlaintextLogin = 'throwaway' | 'credentials';

/** The plaintext step's verdict, read together with what the TLS session showed. */
export function classifyMysqlPlaintext(
  answer: { connected: true } | { error: unknown },
  facts: MysqlSessionFacts,
  login: PlaintextLogin = 'credentials',
): PlaintextStep {
  const rst = `require_secure_transport=${facts.requireSecureTransport ?? 'absent'}`;
  const who = login === 'throwaway' ? 'as a random user' : 'with the probe credentials';
  if ('connected' in answer) {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      detail:
        login === 'throwaway'
          ? `plaintext login accepted for a random user name with a random password (an anonymous account; ${rst})`
          : `plaintext login accepted by server (${rst})`,
    };
  }
  const failure = asMysqlError(answer.error);
  if (failure.code === READ_LIMIT_EXCEEDED) {
    return { kind: 'inconclusive', reason: 'RESPONSE_TOO_LARGE', detail: failure.message };
  }
  if (failure.errno === 3159) {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: `plaintext refused by server ${who} (3159 insecure transport prohibited)`,
    };
  }
  if (failure.errno === 1045 && login === 'credentials' && isOn(facts.requireSecureTransport)) {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: `plaintext refused by server (1045 with the TLS-proven credentials; ${rst})`,
    };
  }
  let observed: string;
  if (isUnsafeAuthRefusal(answer.error)) {
    observed = `plaintext login ${who} stopped: the server asked for an auth method that exposes the password`;
  } else if (failure.errno !== undefined && failure.errno > 0) {
    observed = `plaintext login ${who}: ${failure.errno}`;
  } else {
    observed = `plaintext login ${who}: ${networkProblem(answer.error)?.detail ?? shortServerText(`${failure.code ?? ''} ${failure.message}`.trim(), 50)}`;
  }
  return judgeFromSettings(facts, observed);
}

export function factsEvidence(facts: MysqlSessionFacts | undefined): Evidence[] {
  if (!facts) return [];
  const evidence: Evidence[] = [];
  const add = (label: string, value: string | undefined): void => {
    if (value !== undefined) evidence.push({ source: 'server', label, value });
  };
  add(
    '@@require_secure_transport',
    facts.requireSecureTransport ??
      (facts.variablesRead
        ? '(not defined on this server)'
        : `unreadable (${facts.variablesUnreadable ?? 'unknown'})`),
  );
  add('@@tls_version', facts.tlsVersion);
  add('@@have_ssl', facts.haveSsl);
  add('@@version', facts.version);
  add('Ssl_version', facts.sslVersion);
  add('Ssl_cipher', facts.sslCipher);
  if (facts.statusUnreadable) add('session status', `unreadable (${facts.statusUnreadable})`);
  if (facts.userSslType !== undefined) {
    add(
      facts.userSslTypeSource === 'SHOW CREATE USER'
        ? 'user SSL requirement (SHOW CREATE USER)'
        : 'mysql.user.ssl_type',
      facts.userSslType,
    );
  } else if (facts.userSslTypeUnreadable) {
    add('mysql.user.ssl_type', `unreadable (${facts.userSslTypeUnreadable})`);
  }
  return evidence;
}

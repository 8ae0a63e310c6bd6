/**
 * The PostgreSQL verified session: verify-full TLS with the real
 * credentials, what the server says about the session and its TLS settings,
 * and how a failure to log in reads.
 */
import { TLSSocket } from 'node:tls';
import type pg from 'pg';
import { errorCode, errorMessage } from '../errors.js';
import { clipServerText, shortServerText } from '../text.js';
import type { Evidence } from '../types.js';
import {
  certificateProblem,
  isProtocolVersionFailure,
  isServerAnswer,
  networkProblem,
} from './failures.js';
import type { ProbeCredentials, ProbeTarget, TlsStep } from './model.js';
import { closeClient, newClient } from './postgres-client.js';
import { failureWithin, READ_LIMIT_EXCEEDED, readLimitError } from './read-limit.js';
import { verifiedTlsOptions } from './tls-context.js';

/** The second step's verdict from a verify-full connection error. */
export function classifyTlsError(error: unknown, authenticationRequested = true): TlsStep {
  // An ErrorResponse is the server's own text: words in it that read like a
  // failed handshake are not one, so only this client's errors are read so.
  const fromServer = isServerAnswer(error);
  const certificate = fromServer ? undefined : certificateProblem(error);
  if (certificate) return { kind: 'rejected', ...certificate };
  const message = errorMessage(error);
  const code = errorCode(error);
  if (!fromServer && code === READ_LIMIT_EXCEEDED) {
    return { kind: 'inconclusive', reason: 'RESPONSE_TOO_LARGE', detail: message };
  }
  if (!fromServer && /does not support SSL/i.test(message)) {
    return {
      kind: 'rejected',
      reason: 'TLS_NOT_OFFERED',
      detail: 'server declined TLS (SSLRequest answered N)',
    };
  }
  if (!fromServer && isProtocolVersionFailure(error)) {
    return {
      kind: 'rejected',
      reason: 'TLS_VERSION_BELOW_MINIMUM',
      detail: `no TLS version at or above the minimum negotiated (${code ?? 'protocol version'})`,
    };
  }
  if (code === '28P01') {
    return {
      kind: 'inconclusive',
      reason: 'AUTH_FAILED',
      detail: 'login over TLS failed with the probe credentials (28P01)',
    };
  }
  if (code === '28000' && !authenticationRequested) {
    // Refused before any password was asked for: a pg_hba rule for this user
    // and database over TLS, typically one that needs a client certificate.
    const certificateRule = message.includes('certificate');
    return {
      kind: 'inconclusive',
      reason: certificateRule ? 'CLIENT_CERTIFICATE_REQUIRED' : 'TLS_LOGIN_REFUSED',
      detail: certificateRule
        ? 'login over TLS refused before authentication: the server requires a client certificate (28000)'
        : `login over TLS refused before authentication by a pg_hba rule (28000 ${shortServerText(message, 70)})`,
    };
  }
  if (code === '28000') {
    return {
      kind: 'inconclusive',
      reason: 'LOGIN_NOT_PERMITTED',
      detail: `login over TLS refused after authentication (28000 ${shortServerText(message, 70)})`,
    };
  }
  const network = networkProblem(error);
  if (network) return { kind: 'inconclusive', reason: network.reason, detail: network.detail };
  if (code?.startsWith('ERR_SSL_')) {
    return { kind: 'inconclusive', reason: 'TLS_HANDSHAKE_FAILED', detail: code };
  }
  return {
    kind: 'inconclusive',
    reason: fromServer ? 'SERVER_ERROR' : 'PROTOCOL_ERROR',
    detail: shortServerText(`${code ?? ''} ${message}`.trim(), 80),
  };
}

export interface SessionFacts {
  ssl?: boolean;
  version?: string;
  cipher?: string;
  /** null: not defined on this server, or hidden from the probe role. */
  forceSsl?: string | null;
  minProtocol?: string | null;
  serverVersion?: string;
  /** Why the session facts could not be read at all. */
  unavailable?: string;
}

/**
 * Each setting is read from pg_settings, which leaves out a row the role may
 * not see instead of failing the whole query (current_setting raises 42501
 * for ssl_min_protocol_version without pg_read_all_settings).
 */
const SESSION_FACTS_QUERY = `select s.ssl, s.version, s.cipher,
        (select setting from pg_settings where name = 'rds.force_ssl') as force_ssl,
        (select setting from pg_settings where name = 'ssl_min_protocol_version') as min_protocol,
        current_setting('server_version') as server_version
   from (select 1) as one
   left join pg_stat_ssl s on s.pid = pg_backend_pid()`;

/** What this side's TLS socket negotiated: the fallback when the server's view is unreadable. */
function clientTlsStep(client: pg.Client): Extract<TlsStep, { kind: 'verified' }> | undefined {
  const stream: unknown = client.connection.stream;
  if (!(stream instanceof TLSSocket) || !stream.encrypted) return undefined;
  const cipher = stream.getCipher()?.name;
  return {
    kind: 'verified',
    protocol: stream.getProtocol() ?? 'TLS',
    ...(cipher ? { cipher } : {}),
  };
}

export async function verifiedSession(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  throughProxy = false,
): Promise<{ step: TlsStep; facts?: SessionFacts }> {
  const watched = newClient(
    {
      host: target.host,
      port: target.port,
      user: credentials.username,
      password: credentials.password.reveal(),
      database: credentials.database ?? 'postgres',
      ssl: verifiedTlsOptions(target),
      connectionTimeoutMillis: target.connectTimeoutMs,
      query_timeout: target.connectTimeoutMs,
      application_name: 'rds-tls-guard',
    },
    target.signal,
  );
  const { client } = watched;
  try {
    await client.connect();
  } catch (error) {
    closeClient(client);
    return {
      step: classifyTlsError(
        failureWithin(watched.budget, error),
        watched.authenticationRequested(),
      ),
    };
  }
  const ownView = clientTlsStep(client);
  try {
    // One round trip: the session's TLS facts and the server's TLS settings.
    const answer = await client.query<{
      ssl: boolean | null;
      version: string | null;
      cipher: string | null;
      force_ssl: string | null;
      min_protocol: string | null;
      server_version: string;
    }>(SESSION_FACTS_QUERY);
    const row = answer.rows[0];
    const facts: SessionFacts = {
      ...(typeof row?.ssl === 'boolean' ? { ssl: row.ssl } : {}),
      ...(row?.version ? { version: clipServerText(row.version, 40) } : {}),
      ...(row?.cipher ? { cipher: clipServerText(row.cipher, 80) } : {}),
      forceSsl: row?.force_ssl ? clipServerText(row.force_ssl, 40) : null,
      minProtocol: row?.min_protocol ? clipServerText(row.min_protocol, 40) : null,
      ...(row?.server_version ? { serverVersion: clipServerText(row.server_version, 80) } : {}),
    };
    // Through a proxy, pg_stat_ssl describes the proxy's own leg to the
    // database; the client's leg is this side's verified socket.
    if (throughProxy) {
      return ownView
        ? { step: ownView, facts }
        : { step: unverifiable('no TLS on this side of the proxy session'), facts };
    }
    if (row?.ssl === false) {
      // This side verified its TLS, yet the backend's own session is plaintext.
      return {
        step: ownView
          ? {
              kind: 'rejected',
              reason: 'TLS_ENDS_BEFORE_SERVER',
              detail: `verify-full ${ownView.protocol} on this side, but the server reports the session unencrypted (pg_stat_ssl.ssl=false): something between ends TLS`,
            }
          : {
              kind: 'rejected',
              reason: 'TLS_NOT_OFFERED',
              detail: 'server reports the session is not encrypted',
            },
        facts,
      };
    }
    if (row?.ssl === true) {
      // The step is what this side negotiated and verified; the server's view
      // stays in its own evidence (they differ when something between ends TLS).
      return {
        step: ownView ?? {
          kind: 'verified',
          protocol: facts.version ?? 'TLS',
          ...(facts.cipher ? { cipher: facts.cipher } : {}),
        },
        facts,
      };
    }
    // No pg_stat_ssl row for this backend: this side's verified socket still speaks.
    return ownView
      ? { step: ownView, facts: { ...facts, unavailable: 'no pg_stat_ssl row' } }
      : { step: unverifiable('no pg_stat_ssl row'), facts };
  } catch (error) {
    // Logged in over verified TLS but could not read the session view.
    if (watched.budget.exceeded) {
      return { step: classifyTlsError(readLimitError(watched.budget.limit)) };
    }
    const reason = errorCode(error) ?? 'query failed';
    return ownView
      ? { step: ownView, facts: { unavailable: reason } }
      : { step: unverifiable(reason), facts: { unavailable: reason } };
  } finally {
    // Terminate is sent; the server's close is not waited for, a round trip
    // the proof does not need. A server that never closes loses the socket
    // a second later.
    client.end().catch(() => closeClient(client));
    setTimeout(() => closeClient(client), 1_000).unref();
  }
}

function unverifiable(why: string): TlsStep {
  return {
    kind: 'inconclusive',
    reason: 'SESSION_FACTS_UNAVAILABLE',
    detail: `logged in, but neither the server nor this client could say the session is encrypted (${why})`,
  };
}

export function sessionEvidence(facts: SessionFacts | undefined, throughProxy = false): Evidence[] {
  if (!facts) return [];
  const evidence: Evidence[] = [];
  // Read through a proxy, these are the database's facts about the proxy's leg.
  const prefix = throughProxy ? 'database behind the proxy: ' : '';
  const add = (label: string, value: string | null | undefined): void => {
    if (value !== undefined && value !== null) {
      evidence.push({ source: 'server', label: `${prefix}${label}`, value });
    }
  };
  add('pg_stat_ssl.version', facts.version);
  add('pg_stat_ssl.cipher', facts.cipher);
  if (facts.forceSsl !== undefined) {
    add(
      'rds.force_ssl',
      facts.forceSsl ?? '(not defined on this server or hidden from the probe role)',
    );
  }
  if (facts.minProtocol !== undefined) {
    add('ssl_min_protocol_version', facts.minProtocol ?? '(hidden from the probe role)');
  }
  add('server_version', facts.serverVersion);
  if (facts.unavailable) {
    evidence.push({
      source: 'probe',
      label: 'session facts unavailable',
      value: facts.unavailable,
    });
  }
  return evidence;
}

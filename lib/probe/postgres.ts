/**
 * The live proof for PostgreSQL and Aurora PostgreSQL.
 *
 * 1. Plaintext logins with a random throwaway password, never the real one:
 *    as the probe user on its database, and as identities no pg_hba line can
 *    single out (a random role, a random database). pg_hba is checked before
 *    authentication, so an error with SQLSTATE 28000 before any
 *    authentication request is a refusal of the connection itself, and an
 *    authentication request (a password, SASL, or OK) means the server let a
 *    plaintext client through to log in. Only SQLSTATEs and message types are
 *    read, never the wording, which follows the server's lc_messages.
 * 2. verify-full TLS with the real credentials, reading what the server says
 *    about the session and its settings; the same user and database logging
 *    in over TLS shows the plaintext refusal was about encryption.
 * 3. A handshake offering only versions below the minimum (no login).
 */
import { randomBytes } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import pg from 'pg';
import type { Evidence } from '../types.js';
import { decide, legacyTlsEvidence, tlsEvidence } from './decision.js';
import {
  certificateProblem,
  clipServerText,
  errorCode,
  errorMessage,
  isProtocolVersionFailure,
  networkProblem,
  shortServerText,
} from './failures.js';
import { checkLegacyTls, postgresPreamble } from './legacy-tls.js';
import type {
  LegacyTlsStep,
  PlaintextStep,
  ProbeCredentials,
  ProbeOptions,
  ProbeTarget,
  TlsStep,
} from './model.js';
import {
  failureWithin,
  limitReads,
  READ_LIMIT_EXCEEDED,
  type ReadBudget,
  readLimitError,
} from './read-limit.js';
import { verifiedTlsOptions } from './tls-context.js';

/** What the server did with one plaintext login, before it is judged. */
export type PlaintextAnswer =
  | { connected: true }
  | {
      error: unknown;
      /** The server sent an authentication request (password, SASL, or OK) before its error. */
      authenticationRequested: boolean;
    };

/** PgBouncer's answer to a plaintext client when client TLS is required; it has no translations. */
const PGBOUNCER_REQUIRES_TLS = 'SSL required';

/** Words of the English server text worth quoting; matched on a clipped copy, never required. */
function hbaHint(message: string): string {
  const text = clipServerText(message);
  if (text.includes('no encryption')) return ': no encryption';
  if (text.includes('SSL off')) return ': SSL off';
  return '';
}

/** One plaintext attempt's verdict from what the server answered a throwaway-password login. */
export function classifyPlaintextAnswer(answer: PlaintextAnswer): PlaintextStep {
  if ('connected' in answer) {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      detail: 'plaintext login accepted by server without a valid password',
    };
  }
  const { error, authenticationRequested } = answer;
  const code = errorCode(error);
  if (code === READ_LIMIT_EXCEEDED) {
    return { kind: 'inconclusive', reason: 'RESPONSE_TOO_LARGE', detail: errorMessage(error) };
  }
  const sqlState = code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  if (authenticationRequested || sqlState === '28P01') {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      // The server's own words are quoted (never matched): for a proxy they are the only trace.
      detail: `plaintext accepted by server: it went on to authentication${sqlState ? ` (${sqlState} ${shortServerText(errorMessage(error), 60)})` : ''} instead of refusing`,
    };
  }
  if (sqlState === '28000') {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: `plaintext refused by server before authentication (28000 pg_hba${hbaHint(errorMessage(error))})`,
    };
  }
  // PgBouncer with client_tls_sslmode=require, standing in for RDS Proxy: its
  // fixed English refusal, under a SQLSTATE (08P01) that alone says nothing.
  if (sqlState === '08P01' && clipServerText(errorMessage(error)) === PGBOUNCER_REQUIRES_TLS) {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: `plaintext refused by proxy before authentication (08P01 ${PGBOUNCER_REQUIRES_TLS})`,
    };
  }
  const network = networkProblem(error);
  if (network) return { kind: 'inconclusive', reason: network.reason, detail: network.detail };
  if (sqlState) {
    return {
      kind: 'inconclusive',
      reason: 'PLAINTEXT_RESULT_AMBIGUOUS',
      detail: `plaintext answer ${sqlState} ${shortServerText(errorMessage(error))}`,
    };
  }
  return {
    kind: 'inconclusive',
    reason: 'PROTOCOL_ERROR',
    detail: `no PostgreSQL answer to plaintext: ${shortServerText(errorMessage(error), 60)}`,
  };
}

/** Who a plaintext attempt logs in as. */
export interface PlaintextIdentity {
  /** Names the attempt in evidence. */
  label: string;
  user: string;
  database: string;
  /** True for the secret's own user and database; false for a random stand-in. */
  real: { user: boolean; database: boolean };
}

/** The probe identity, and stand-ins no pg_hba line can name: a random role, a random database, both. */
export function plaintextIdentities(credentials: ProbeCredentials): {
  own: PlaintextIdentity;
  standIns: PlaintextIdentity[];
} {
  const user = credentials.username;
  const database = credentials.database ?? 'postgres';
  const randomRole = `rtg_${randomBytes(8).toString('hex')}`;
  const randomDatabase = `rtg_${randomBytes(8).toString('hex')}`;
  return {
    own: { label: 'probe user', user, database, real: { user: true, database: true } },
    standIns: [
      {
        label: 'random role',
        user: randomRole,
        database,
        real: { user: false, database: true },
      },
      {
        label: 'random database',
        user,
        database: randomDatabase,
        real: { user: true, database: false },
      },
      {
        label: 'random role and database',
        user: randomRole,
        database: randomDatabase,
        real: { user: false, database: false },
      },
    ],
  };
}

/**
 * Joins the attempts: plaintext is refused server-wide only when every
 * identity was refused. A stand-in let through means the refusal is scoped to
 * the probe's user or database, and everyone else logs in without TLS.
 */
export function joinPlaintextAttempts(
  attempts: readonly { identity: PlaintextIdentity; step: PlaintextStep }[],
): PlaintextStep {
  const [own, ...others] = attempts;
  if (!own) {
    return { kind: 'inconclusive', reason: 'PLAINTEXT_NOT_ATTEMPTED', detail: 'no attempt made' };
  }
  if (own.step.kind !== 'refused') return own.step;
  const letThrough = others.find((attempt) => attempt.step.kind === 'accepted');
  if (letThrough) {
    const reason = letThrough.identity.real.user
      ? 'PLAINTEXT_REFUSED_PER_DATABASE_ONLY'
      : 'PLAINTEXT_REFUSED_PER_USER_ONLY';
    return {
      kind: 'accepted',
      reason,
      detail: `plaintext refused only for the probe's own user and database: a ${letThrough.identity.label} went on to authentication without TLS`,
    };
  }
  const unsure = others.find((attempt) => attempt.step.kind !== 'refused');
  if (unsure) {
    return {
      kind: 'inconclusive',
      reason: unsure.step.reason,
      detail: `plaintext refused for the probe user, but the ${unsure.identity.label} attempt was inconclusive: ${unsure.step.detail}`,
    };
  }
  return {
    kind: 'refused',
    reason: 'PLAINTEXT_REFUSED',
    detail: `${own.step.detail}; also for a random role and database`,
  };
}

/** The second step's verdict from a verify-full connection error. */
export function classifyTlsError(error: unknown, authenticationRequested = true): TlsStep {
  const certificate = certificateProblem(error);
  if (certificate) return { kind: 'rejected', ...certificate };
  const message = errorMessage(error);
  const code = errorCode(error);
  if (code === READ_LIMIT_EXCEEDED) {
    return { kind: 'inconclusive', reason: 'RESPONSE_TOO_LARGE', detail: message };
  }
  if (/does not support SSL/i.test(message)) {
    return {
      kind: 'rejected',
      reason: 'TLS_NOT_OFFERED',
      detail: 'server declined TLS (SSLRequest answered N)',
    };
  }
  if (isProtocolVersionFailure(error)) {
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
    reason: code && /^[0-9A-Z]{5}$/.test(code) ? 'SERVER_ERROR' : 'PROTOCOL_ERROR',
    detail: shortServerText(`${code ?? ''} ${message}`.trim(), 80),
  };
}

const AUTHENTICATION_MESSAGES = [
  'authenticationOk',
  'authenticationCleartextPassword',
  'authenticationMD5Password',
  'authenticationSASL',
] as const;

/** A client that watches its own reads and notes whether the server asked it to authenticate. */
interface WatchedClient {
  client: pg.Client;
  budget: ReadBudget;
  authenticationRequested(): boolean;
}

function newClient(config: pg.ClientConfig): WatchedClient {
  const client = new pg.Client(config);
  // pg emits 'error' on the client for a broken connection; unhandled, it would crash the process.
  client.on('error', () => {});
  let requested = false;
  for (const name of AUTHENTICATION_MESSAGES) {
    client.connection.on(name, () => {
      requested = true;
    });
  }
  const budget = limitReads(client.connection);
  return { client, budget, authenticationRequested: () => requested };
}

function closeClient(client: pg.Client): void {
  client.connection.stream.destroy();
}

async function plaintextAttempt(
  target: ProbeTarget,
  identity: PlaintextIdentity,
): Promise<PlaintextStep> {
  const watched = newClient({
    host: target.host,
    port: target.port,
    user: identity.user,
    // Never the real password: pg_hba decides before authentication.
    password: randomBytes(24).toString('base64url'),
    database: identity.database,
    ssl: false,
    connectionTimeoutMillis: target.connectTimeoutMs,
    application_name: 'rds-tls-guard',
  });
  try {
    await watched.client.connect();
    return classifyPlaintextAnswer({ connected: true });
  } catch (error) {
    return classifyPlaintextAnswer({
      error: failureWithin(watched.budget, error),
      authenticationRequested: watched.authenticationRequested(),
    });
  } finally {
    closeClient(watched.client);
  }
}

interface SessionFacts {
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
function clientTlsStep(client: pg.Client): TlsStep | undefined {
  const stream: unknown = client.connection.stream;
  if (!(stream instanceof TLSSocket) || !stream.encrypted) return undefined;
  const cipher = stream.getCipher()?.name;
  return {
    kind: 'verified',
    protocol: stream.getProtocol() ?? 'TLS',
    ...(cipher ? { cipher } : {}),
  };
}

async function verifiedSession(
  target: ProbeTarget,
  credentials: ProbeCredentials,
): Promise<{ step: TlsStep; facts?: SessionFacts }> {
  const watched = newClient({
    host: target.host,
    port: target.port,
    user: credentials.username,
    password: credentials.password.reveal(),
    database: credentials.database ?? 'postgres',
    ssl: verifiedTlsOptions(target),
    connectionTimeoutMillis: target.connectTimeoutMs,
    query_timeout: target.connectTimeoutMs,
    application_name: 'rds-tls-guard',
  });
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
    if (row?.ssl === false) {
      return {
        step: {
          kind: 'rejected',
          reason: 'TLS_NOT_OFFERED',
          detail: 'server reports the session is not encrypted',
        },
        facts,
      };
    }
    if (row?.ssl === true) {
      return {
        step: {
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

function sessionEvidence(facts: SessionFacts | undefined): Evidence[] {
  if (!facts) return [];
  const evidence: Evidence[] = [];
  const add = (label: string, value: string | null | undefined): void => {
    if (value !== undefined && value !== null) evidence.push({ source: 'server', label, value });
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

export async function probePostgres(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  options: ProbeOptions,
): Promise<ReturnType<typeof decide>> {
  const { own: ownIdentity, standIns } = plaintextIdentities(credentials);
  const evidence: Evidence[] = [{ source: 'probe', label: 'protocol', value: 'postgres' }];
  const attemptEvidence = (identity: PlaintextIdentity, step: PlaintextStep): Evidence => ({
    source: 'probe',
    label: `plaintext attempt as ${identity.label} (throwaway password)`,
    value: step.detail,
  });
  const observation = (
    plaintext: PlaintextStep,
    tls: TlsStep,
    legacy: LegacyTlsStep,
  ): Parameters<typeof decide>[0] => ({
    protocol: 'postgres',
    plaintext,
    tls,
    legacy,
    minTlsVersion: target.minTlsVersion,
    requireLiveProbe: options.requireLiveProbe,
    evidence,
  });

  // The probe user's plaintext attempt, the verified session and the legacy
  // handshake are independent: all start at once. The stand-in logins only
  // matter once the probe user was refused; they start then, beside the
  // session, which takes longer than both plaintext rounds together.
  const ownAttempt = plaintextAttempt(target, ownIdentity);
  const session = verifiedSession(target, credentials).catch((error: unknown) => ({
    step: classifyTlsError(error),
    facts: undefined,
  }));
  const legacyAttempt = checkLegacyTls(target, postgresPreamble);
  const own = await ownAttempt;
  evidence.push(attemptEvidence(ownIdentity, own));
  const standInSteps =
    own.kind === 'refused'
      ? await Promise.all(standIns.map((identity) => plaintextAttempt(target, identity)))
      : [];
  const [{ step: tls, facts }, legacy] = await Promise.all([session, legacyAttempt]);
  const unreachable =
    own.kind === 'inconclusive' && ['UNREACHABLE', 'TIMEOUT'].includes(own.reason);
  if (unreachable) {
    return decide(
      observation(
        own,
        {
          kind: 'inconclusive',
          reason: own.reason,
          detail: 'not judged: the endpoint did not answer the plaintext attempt',
        },
        { kind: 'skipped', detail: 'endpoint not reachable' },
      ),
    );
  }
  const attempts = [
    { identity: ownIdentity, step: own },
    ...standInSteps.map((step, index) => ({
      identity: standIns[index] as PlaintextIdentity,
      step,
    })),
  ];
  for (const attempt of attempts.slice(1))
    evidence.push(attemptEvidence(attempt.identity, attempt.step));
  const plaintext = joinPlaintextAttempts(attempts);
  evidence.push(tlsEvidence(tls));
  evidence.push(...sessionEvidence(facts));
  evidence.push(legacyTlsEvidence(legacy));
  return decide(observation(plaintext, tls, legacy));
}

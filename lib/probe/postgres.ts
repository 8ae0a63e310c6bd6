/**
 * The live proof for PostgreSQL and Aurora PostgreSQL.
 *
 * 1. Plaintext with the real user name and a random throwaway password:
 *    pg_hba is checked before authentication, so a `no encryption` rejection
 *    proves TLS is enforced and `password authentication failed` proves the
 *    server would have let a plaintext client log in. The real password is
 *    never sent without TLS.
 * 2. verify-full TLS with the real credentials, reading what the server says
 *    about the session and its settings.
 * 3. A handshake offering only versions below the minimum (no login).
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { type ConnectionOptions, checkServerIdentity } from 'node:tls';
import pg from 'pg';
import type { Evidence } from '../types.js';
import { legacyEvidence, postgresPreamble, probeLegacyTls } from './legacy-tls.js';
import {
  certificateProblem,
  decide,
  errorCode,
  errorMessage,
  isProtocolVersionFailure,
  type LegacyTlsStep,
  networkProblem,
  type PlaintextStep,
  type ProbeCredentials,
  type ProbeTarget,
  shortServerText,
  type TlsStep,
} from './outcome.js';

const HBA_NO_ENCRYPTION =
  /(no pg_hba\.conf entry .*(no encryption|SSL off))|(pg_hba\.conf rejects connection .*(no encryption|SSL off))/;

/** The first step's verdict from the server's answer to a throwaway-password plaintext login. */
export function classifyPlaintextAnswer(
  answer: { connected: true } | { error: unknown },
): PlaintextStep {
  if ('connected' in answer) {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      detail: 'plaintext login accepted by server without a valid password',
    };
  }
  const { error } = answer;
  const code = errorCode(error);
  const message = errorMessage(error);
  if (code === '28000' && HBA_NO_ENCRYPTION.test(message)) {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: `plaintext refused by server (28000 pg_hba: ${/SSL off/.test(message) ? 'SSL off' : 'no encryption'})`,
    };
  }
  if (code === '28P01') {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      detail: 'plaintext accepted by server: it asked for the password (28P01) instead of refusing',
    };
  }
  if (code === '28000') {
    return {
      kind: 'inconclusive',
      reason: 'PLAINTEXT_RESULT_AMBIGUOUS',
      detail: `plaintext answer not about encryption: 28000 ${shortServerText(message)}`,
    };
  }
  const network = networkProblem(error);
  if (network) return { kind: 'inconclusive', reason: network.reason, detail: network.detail };
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    return {
      kind: 'inconclusive',
      reason: 'PLAINTEXT_RESULT_AMBIGUOUS',
      detail: `plaintext answer ${code} ${shortServerText(message)}`,
    };
  }
  return {
    kind: 'inconclusive',
    reason: 'PROTOCOL_ERROR',
    detail: `no PostgreSQL answer to plaintext: ${shortServerText(message, 60)}`,
  };
}

/** The second step's verdict from a verify-full connection error. */
export function classifyTlsError(error: unknown): TlsStep {
  const certificate = certificateProblem(error);
  if (certificate) return { kind: 'rejected', ...certificate };
  const message = errorMessage(error);
  const code = errorCode(error);
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
  if (code === '28000') {
    return {
      kind: 'inconclusive',
      reason: 'TLS_LOGIN_REFUSED',
      detail: `28000 ${shortServerText(message)}`,
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

function newClient(config: pg.ClientConfig): pg.Client {
  const client = new pg.Client(config);
  // pg emits 'error' on the client for a broken connection; unhandled, it would crash the process.
  client.on('error', () => {});
  return client;
}

function closeClient(client: pg.Client): void {
  client.connection.stream.destroy();
}

async function plaintextAttempt(
  target: ProbeTarget,
  credentials: ProbeCredentials,
): Promise<PlaintextStep> {
  const client = newClient({
    host: target.host,
    port: target.port,
    user: credentials.username,
    // Never the real password: pg_hba decides before authentication.
    password: randomBytes(24).toString('base64url'),
    database: credentials.database ?? 'postgres',
    ssl: false,
    connectionTimeoutMillis: target.connectTimeoutMs,
    application_name: 'rds-tls-guard',
  });
  try {
    await client.connect();
    return classifyPlaintextAnswer({ connected: true });
  } catch (error) {
    return classifyPlaintextAnswer({ error });
  } finally {
    closeClient(client);
  }
}

export function tlsOptions(target: ProbeTarget): ConnectionOptions {
  return {
    ca: target.ca,
    rejectUnauthorized: true,
    minVersion: target.minTlsVersion,
    ...(isIP(target.servername) === 0 ? { servername: target.servername } : {}),
    // Always against the endpoint name, even when the socket goes to another address.
    checkServerIdentity: (_host, certificate) =>
      checkServerIdentity(target.servername, certificate),
  };
}

interface SessionFacts {
  ssl?: boolean;
  version?: string;
  cipher?: string;
  forceSsl?: string | null;
  minProtocol?: string | null;
  serverVersion?: string;
}

async function verifiedSession(
  target: ProbeTarget,
  credentials: ProbeCredentials,
): Promise<{ step: TlsStep; facts?: SessionFacts }> {
  const client = newClient({
    host: target.host,
    port: target.port,
    user: credentials.username,
    password: credentials.password.reveal(),
    database: credentials.database ?? 'postgres',
    ssl: tlsOptions(target),
    connectionTimeoutMillis: target.connectTimeoutMs,
    query_timeout: target.connectTimeoutMs,
    application_name: 'rds-tls-guard',
  });
  try {
    await client.connect();
  } catch (error) {
    closeClient(client);
    return { step: classifyTlsError(error) };
  }
  try {
    // One round trip: the session's TLS facts and the server's TLS settings.
    const answer = await client.query<{
      ssl: boolean | null;
      version: string | null;
      cipher: string | null;
      force_ssl: string | null;
      min_protocol: string | null;
      server_version: string;
    }>(
      `select s.ssl, s.version, s.cipher,
              current_setting('rds.force_ssl', true) as force_ssl,
              current_setting('ssl_min_protocol_version', true) as min_protocol,
              current_setting('server_version') as server_version
         from (select 1) as one
         left join pg_stat_ssl s on s.pid = pg_backend_pid()`,
    );
    const row = answer.rows[0];
    const setting = row;
    const facts: SessionFacts = {
      ...(row?.ssl !== null && row?.ssl !== undefined ? { ssl: row.ssl } : {}),
      ...(row?.version ? { version: row.version } : {}),
      ...(row?.cipher ? { cipher: row.cipher } : {}),
      forceSsl: setting?.force_ssl ?? null,
      minProtocol: setting?.min_protocol ?? null,
      ...(setting?.server_version ? { serverVersion: setting.server_version } : {}),
    };
    if (row?.ssl !== true) {
      return {
        step: {
          kind: 'rejected',
          reason: 'TLS_NOT_OFFERED',
          detail: 'server reports the session is not encrypted',
        },
        facts,
      };
    }
    return {
      step: {
        kind: 'verified',
        protocol: row.version ?? 'TLS',
        ...(row.cipher ? { cipher: row.cipher } : {}),
      },
      facts,
    };
  } catch (error) {
    // Logged in over verified TLS but could not read the session view: TLS itself is proven.
    const code = errorCode(error) ?? 'query failed';
    return {
      step: { kind: 'verified', protocol: 'TLS' },
      facts: { serverVersion: `session facts unavailable (${code})` },
    };
  } finally {
    await client.end().catch(() => closeClient(client));
  }
}

function sessionEvidence(facts: SessionFacts | undefined): Evidence[] {
  if (!facts) return [];
  const evidence: Evidence[] = [];
  const add = (label: string, value: string | null | undefined): void => {
    if (value !== undefined && value !== null) evidence.push({ source: 'server', label, value });
  };
  add('pg_stat_ssl.version', facts.version);
  add('pg_stat_ssl.cipher', facts.cipher);
  if (facts.forceSsl !== undefined)
    add('rds.force_ssl', facts.forceSsl ?? '(not defined on this server)');
  add('ssl_min_protocol_version', facts.minProtocol);
  add('server_version', facts.serverVersion);
  return evidence;
}

export async function probePostgres(
  target: ProbeTarget,
  credentials: ProbeCredentials,
): Promise<ReturnType<typeof decide>> {
  const plaintext = await plaintextAttempt(target, credentials);
  const evidence: Evidence[] = [
    { source: 'probe', label: 'protocol', value: 'postgres' },
    { source: 'probe', label: 'plaintext attempt (throwaway password)', value: plaintext.detail },
  ];
  const unreachable =
    plaintext.kind === 'inconclusive' && ['UNREACHABLE', 'TIMEOUT'].includes(plaintext.reason);
  if (unreachable) {
    return decide({
      protocol: 'postgres',
      plaintext,
      tls: {
        kind: 'inconclusive',
        reason: plaintext.reason,
        detail: 'not attempted: the endpoint did not answer the plaintext attempt',
      },
      legacy: { kind: 'skipped', detail: 'endpoint not reachable' },
      minTlsVersion: target.minTlsVersion,
      evidence,
    });
  }
  // The verified session and the legacy handshake are independent: run them
  // side by side so the probe costs about what two plain connects cost.
  const [{ step: tls, facts }, legacy] = await Promise.all([
    verifiedSession(target, credentials),
    probeLegacyTls(target, postgresPreamble).catch(
      (): LegacyTlsStep => ({ kind: 'skipped', detail: 'legacy attempt failed to run' }),
    ),
  ]);
  evidence.push({
    source: 'probe',
    label: 'verify-full TLS',
    value:
      tls.kind === 'verified'
        ? `${tls.protocol} ${tls.cipher ?? ''}`.trim()
        : `${tls.reason}: ${tls.detail}`,
  });
  evidence.push(...sessionEvidence(facts));
  evidence.push({ source: 'probe', label: 'legacy TLS attempt', value: legacyEvidence(legacy) });
  return decide({
    protocol: 'postgres',
    plaintext,
    tls,
    legacy,
    minTlsVersion: target.minTlsVersion,
    evidence,
  });
}

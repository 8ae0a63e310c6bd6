/**
 * The live proof for MySQL, MariaDB and Aurora MySQL.
 *
 * MySQL-family servers answer 1045 to a wrong password whether or not TLS is
 * required, so a throwaway password proves nothing. Instead:
 * 1. A verify-full TLS session with the real credentials reads what the
 *    server enforces (`require_secure_transport`, `tls_version`, the user's
 *    `ssl_type`, the session's `Ssl_version`).
 * 2. Only then a plaintext login with the same credentials, restricted to
 *    challenge-response authentication: any request for a plugin that would
 *    put the password on the wire (cleartext, PAM dialog, RSA with a key the
 *    server supplies) is refused on this side before anything is sent.
 * 3. A handshake offering only versions below the minimum (no login).
 */
import { createHash } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { checkServerIdentity, type PeerCertificate, TLSSocket } from 'node:tls';
import mysql from 'mysql2';
import type { Evidence } from '../types.js';
import { legacyEvidence, mysqlPreamble, probeLegacyTls } from './legacy-tls.js';
import {
  certificateProblem,
  decide,
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

/** Set on the error when this side refused an authentication method that would expose the password. */
export const UNSAFE_AUTH_REFUSED = 'UNSAFE_AUTH_REFUSED';

/** Plugins that would send the password (or something equivalent) over an unencrypted connection. */
export const UNSAFE_PLAINTEXT_AUTH_PLUGINS = [
  'mysql_clear_password',
  'sha256_password',
  'dialog',
  'auth_gssapi_client',
  'client_ed25519',
  'authentication_ldap_sasl_client',
  'authentication_kerberos_client',
  'authentication_openid_connect_client',
] as const;

type AuthPlugin = NonNullable<mysql.ConnectionOptions['authPlugins']>[string];

function refusal(plugin: string): Error {
  return Object.assign(
    new Error(
      `refused to answer ${plugin} over an unencrypted connection (it would expose the password)`,
    ),
    { code: UNSAFE_AUTH_REFUSED, plugin },
  );
}

function sha256(...parts: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** caching_sha2_password's scramble: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce). */
export function cachingSha2Scramble(password: string, nonce: Buffer): Buffer {
  const stage1 = sha256(Buffer.from(password, 'utf8'));
  const stage2 = sha256(stage1);
  const mix = sha256(stage2, nonce);
  const out = Buffer.alloc(stage1.length);
  for (let i = 0; i < stage1.length; i++) out[i] = (stage1[i] ?? 0) ^ (mix[i] ?? 0);
  return out;
}

const FAST_AUTH_SUCCESS = 0x03;

/**
 * The auth plugins for a plaintext attempt: caching_sha2_password limited to
 * its fast (scramble) path, every password-revealing plugin refused. The
 * refusal is an async rejection so the driver reports it as a connection error.
 */
export function plaintextAuthPlugins(password: string): Record<string, AuthPlugin> {
  const plugins: Record<string, AuthPlugin> = {};
  for (const name of UNSAFE_PLAINTEXT_AUTH_PLUGINS) {
    plugins[name] = () => async () => {
      throw refusal(name);
    };
  }
  plugins.caching_sha2_password = () => {
    let scrambled = false;
    return (data: Buffer) => {
      if (!scrambled) {
        scrambled = true;
        return cachingSha2Scramble(password, data.subarray(0, 20));
      }
      // null: nothing to send, the server's OK packet follows.
      if (data[0] === FAST_AUTH_SUCCESS) return null;
      // "Perform full authentication": the next step sends the password, RSA-encrypted
      // with a key the (unauthenticated) server supplies. Not over plaintext.
      return Promise.reject<Buffer>(refusal('caching_sha2_password full authentication'));
    };
  };
  return plugins;
}

interface MysqlError {
  errno?: number;
  code?: string;
  sqlMessage?: string;
  message: string;
}

function asMysqlError(error: unknown): MysqlError {
  if (typeof error !== 'object' || error === null) return { message: errorMessage(error) };
  const record = error as Record<string, unknown>;
  return {
    ...(typeof record.errno === 'number' ? { errno: record.errno } : {}),
    ...(typeof record.code === 'string' ? { code: record.code } : {}),
    ...(typeof record.sqlMessage === 'string' ? { sqlMessage: record.sqlMessage } : {}),
    message: errorMessage(error),
  };
}

type Connection = mysql.Connection;

function open(
  options: mysql.ConnectionOptions,
): Promise<{ connection: Connection } | { error: unknown }> {
  return new Promise((resolve) => {
    const connection = mysql.createConnection(options);
    // The driver emits 'error' on a broken connection; unhandled it would crash the process.
    connection.on('error', () => {});
    connection.connect((error) => {
      if (error) {
        connection.destroy();
        resolve({ error });
      } else {
        resolve({ connection });
      }
    });
  });
}

function query<T>(connection: Connection, sql: string, timeout: number): Promise<T[]> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, timeout }, (error, rows) => {
      if (error) reject(error);
      else resolve(rows as T[]);
    });
  });
}

function close(connection: Connection): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      connection.destroy();
      resolve();
    }, 1_000);
    connection.end(() => {
      clearTimeout(timer);
      connection.destroy();
      resolve();
    });
  });
}

function baseOptions(target: ProbeTarget, credentials: ProbeCredentials): mysql.ConnectionOptions {
  return {
    // mysql2 verifies the certificate against `host`; the socket itself goes to target.host.
    host: target.servername,
    port: target.port,
    stream: () => netConnect(target.port, target.host),
    user: credentials.username,
    password: credentials.password.reveal(),
    ...(credentials.database ? { database: credentials.database } : {}),
    connectTimeout: target.connectTimeoutMs,
  };
}

export interface MysqlSessionFacts {
  requireSecureTransport?: string;
  tlsVersion?: string;
  haveSsl?: string;
  version?: string;
  sslVersion?: string;
  sslCipher?: string;
  /** mysql.user.ssl_type of the login, or why it could not be read. */
  userSslType?: string;
  userSslTypeUnreadable?: string;
}

export function classifyMysqlTlsError(error: unknown): TlsStep {
  const certificate = certificateProblem(error);
  if (certificate) return { kind: 'rejected', ...certificate };
  const failure = asMysqlError(error);
  if (failure.code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return { kind: 'rejected', reason: 'TLS_NOT_OFFERED', detail: 'server does not offer TLS' };
  }
  if (isProtocolVersionFailure(error)) {
    return {
      kind: 'rejected',
      reason: 'TLS_VERSION_BELOW_MINIMUM',
      detail: `no TLS version at or above the minimum negotiated (${failure.code})`,
    };
  }
  if (failure.errno === 1045) {
    return {
      kind: 'inconclusive',
      reason: 'AUTH_FAILED',
      detail: `login over TLS failed with the probe credentials (1045 ${shortServerText(failure.sqlMessage ?? '', 70)})`,
    };
  }
  const network = networkProblem(error);
  if (network) return { kind: 'inconclusive', reason: network.reason, detail: network.detail };
  // Negative errno values are the OS's (ECONNREFUSED is -111); server errors are positive.
  if (failure.errno !== undefined && failure.errno > 0) {
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

function peerCertificate(connection: Connection): PeerCertificate | undefined {
  const stream: unknown = (connection as unknown as { stream?: unknown }).stream;
  return stream instanceof TLSSocket ? stream.getPeerCertificate() : undefined;
}

async function verifiedSession(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  /** Called once the TLS login succeeded and the server's name was checked. */
  onVerified: () => void = () => {},
): Promise<{ step: TlsStep; facts?: MysqlSessionFacts }> {
  const opened = await open({
    ...baseOptions(target, credentials),
    ssl: {
      ca: target.ca,
      rejectUnauthorized: true,
      verifyIdentity: true,
      minVersion: target.minTlsVersion,
    },
    // IAM tokens travel as cleartext passwords; allowed here only because TLS was verified first.
    enableCleartextPlugin: true,
  });
  if ('error' in opened) return { step: classifyMysqlTlsError(opened.error) };
  const { connection } = opened;
  try {
    // mysql2 skips the name check when `host` is an IP address; do it ourselves in every case.
    const certificate = peerCertificate(connection);
    if (!certificate) {
      return {
        step: { kind: 'rejected', reason: 'TLS_NOT_OFFERED', detail: 'session is not encrypted' },
      };
    }
    const identity = checkServerIdentity(target.servername, certificate);
    if (identity) return { step: classifyMysqlTlsError(identity) };
    onVerified();

    const timeout = target.connectTimeoutMs;
    const facts: MysqlSessionFacts = {};
    const variables = await query<{ Variable_name: string; Value: string }>(
      connection,
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('require_secure_transport', 'tls_version', 'have_ssl', 'version')",
      timeout,
    );
    for (const row of variables) {
      if (row.Variable_name === 'require_secure_transport')
        facts.requireSecureTransport = row.Value;
      if (row.Variable_name === 'tls_version') facts.tlsVersion = row.Value;
      if (row.Variable_name === 'have_ssl') facts.haveSsl = row.Value;
      if (row.Variable_name === 'version') facts.version = row.Value;
    }
    const status = await query<{ Variable_name: string; Value: string }>(
      connection,
      "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')",
      timeout,
    );
    for (const row of status) {
      if (row.Variable_name === 'Ssl_version') facts.sslVersion = row.Value;
      if (row.Variable_name === 'Ssl_cipher') facts.sslCipher = row.Value;
    }
    try {
      const users = await query<{ ssl_type: string | null }>(
        connection,
        "SELECT ssl_type FROM mysql.user WHERE CONCAT(user, '@', host) = CURRENT_USER()",
        timeout,
      );
      facts.userSslType = users[0]?.ssl_type ?? '';
    } catch (error) {
      facts.userSslTypeUnreadable = asMysqlError(error).code ?? 'unreadable';
    }
    if (!facts.sslVersion) {
      return {
        step: {
          kind: 'rejected',
          reason: 'TLS_NOT_OFFERED',
          detail: 'server reports no TLS on the session',
        },
        facts,
      };
    }
    return {
      step: {
        kind: 'verified',
        protocol: facts.sslVersion,
        ...(facts.sslCipher ? { cipher: facts.sslCipher } : {}),
      },
      facts,
    };
  } catch (error) {
    const failure = asMysqlError(error);
    return {
      step: { kind: 'verified', protocol: 'TLS' },
      facts: {
        userSslTypeUnreadable: `session facts unavailable (${failure.code ?? 'query failed'})`,
      },
    };
  } finally {
    await close(connection);
  }
}

function isOn(value: string | undefined): boolean {
  return value !== undefined && ['ON', '1', 'TRUE'].includes(value.trim().toUpperCase());
}

/** The plaintext step's verdict, read together with what the TLS session showed. */
export function classifyMysqlPlaintext(
  answer: { connected: true } | { error: unknown },
  facts: MysqlSessionFacts,
): PlaintextStep {
  const enforced = isOn(facts.requireSecureTransport);
  const rst = `require_secure_transport=${facts.requireSecureTransport ?? 'absent'}`;
  if ('connected' in answer) {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      detail: `plaintext login accepted by server (${rst})`,
    };
  }
  const failure = asMysqlError(answer.error);
  if (failure.errno === 3159) {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: 'plaintext refused by server (3159 insecure transport prohibited)',
    };
  }
  const perUser = facts.userSslType !== undefined && facts.userSslType !== '';
  if (failure.errno === 1045) {
    if (enforced) {
      return {
        kind: 'refused',
        reason: 'PLAINTEXT_REFUSED',
        detail: `plaintext refused by server (1045 with the TLS-proven credentials; ${rst})`,
      };
    }
    if (perUser) {
      return {
        kind: 'accepted',
        reason: 'PLAINTEXT_REFUSED_PER_USER_ONLY',
        detail: `plaintext refused only because the user is REQUIRE ${facts.userSslType}; server ${rst} accepts plaintext for other users`,
      };
    }
    return {
      kind: 'inconclusive',
      reason: 'PLAINTEXT_RESULT_AMBIGUOUS',
      detail: `plaintext 1045 although ${rst} and the user has no ssl_type`,
    };
  }
  if (failure.code === UNSAFE_AUTH_REFUSED || /refused to answer/.test(failure.message)) {
    if (enforced) {
      return {
        kind: 'refused',
        reason: 'SERVER_REQUIRES_TLS',
        detail: `${rst} (plaintext login not completed: server asked for an auth method that exposes the password)`,
      };
    }
    return {
      kind: 'inconclusive',
      reason: 'PLAINTEXT_AUTH_UNSAFE',
      detail: `plaintext login not attempted: server asked for an auth method that exposes the password; ${rst}`,
    };
  }
  const network = networkProblem(answer.error);
  if (network) return { kind: 'inconclusive', reason: network.reason, detail: network.detail };
  return {
    kind: 'inconclusive',
    reason: failure.errno !== undefined ? 'SERVER_ERROR' : 'PROTOCOL_ERROR',
    detail:
      `plaintext answer ${failure.errno ?? failure.code ?? ''} ${shortServerText(failure.sqlMessage ?? failure.message, 70)}`.trim(),
  };
}

/** Step 2 alone; exported so the auth guard can be tested against an impostor server. */
export async function attemptPlaintextLogin(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  facts: MysqlSessionFacts,
): Promise<PlaintextStep> {
  return classifyMysqlPlaintext(await plaintextAnswer(target, credentials), facts);
}

type PlaintextAnswer = Parameters<typeof classifyMysqlPlaintext>[0];

/** The server's answer to a challenge-response-only plaintext login, not yet judged. */
async function plaintextAnswer(
  target: ProbeTarget,
  credentials: ProbeCredentials,
): Promise<PlaintextAnswer> {
  const opened = await open({
    ...baseOptions(target, credentials),
    authPlugins: plaintextAuthPlugins(credentials.password.reveal()),
    enableCleartextPlugin: false,
  });
  if ('error' in opened) return { error: opened.error };
  await close(opened.connection);
  return { connected: true };
}

function factsEvidence(facts: MysqlSessionFacts | undefined): Evidence[] {
  if (!facts) return [];
  const evidence: Evidence[] = [];
  const add = (label: string, value: string | undefined): void => {
    if (value !== undefined) evidence.push({ source: 'server', label, value });
  };
  add('@@require_secure_transport', facts.requireSecureTransport ?? '(not defined on this server)');
  add('@@tls_version', facts.tlsVersion);
  add('@@have_ssl', facts.haveSsl);
  add('@@version', facts.version);
  add('Ssl_version', facts.sslVersion);
  add('Ssl_cipher', facts.sslCipher);
  add(
    'mysql.user.ssl_type',
    facts.userSslType ??
      (facts.userSslTypeUnreadable ? `unreadable (${facts.userSslTypeUnreadable})` : undefined),
  );
  return evidence;
}

export async function probeMysql(
  target: ProbeTarget,
  credentials: ProbeCredentials,
): Promise<ReturnType<typeof decide>> {
  const evidence: Evidence[] = [{ source: 'probe', label: 'protocol', value: 'mysql' }];
  // The legacy handshake sends no credentials and depends on nothing else:
  // it runs beside the TLS login and the plaintext attempt that follows it.
  const legacyAttempt = probeLegacyTls(target, mysqlPreamble).catch(
    (): LegacyTlsStep => ({ kind: 'skipped', detail: 'legacy attempt failed to run' }),
  );
  // The plaintext attempt starts as soon as the credentials have proven
  // themselves over verified TLS, beside the session queries; it is judged
  // once those queries have told what the server enforces.
  let plaintextAttempt: Promise<PlaintextAnswer> | undefined;
  const { step: tls, facts } = await verifiedSession(target, credentials, () => {
    // Caught at once: it settles while the session queries still run.
    plaintextAttempt = plaintextAnswer(target, credentials).catch((error: unknown) => ({ error }));
  });
  const answered = plaintextAttempt ? await plaintextAttempt : undefined;
  evidence.push({
    source: 'probe',
    label: 'verify-full TLS',
    value:
      tls.kind === 'verified'
        ? `${tls.protocol} ${tls.cipher ?? ''}`.trim()
        : `${tls.reason}: ${tls.detail}`,
  });
  evidence.push(...factsEvidence(facts));

  let plaintext: PlaintextStep;
  if (tls.kind === 'verified' && facts) {
    plaintext = classifyMysqlPlaintext(
      answered ?? (await plaintextAnswer(target, credentials)),
      facts,
    );
  } else {
    // Without a TLS login with these credentials a plaintext 1045 could not be read either way.
    plaintext = {
      kind: 'inconclusive',
      reason: tls.kind === 'inconclusive' ? tls.reason : 'PLAINTEXT_NOT_ATTEMPTED',
      detail: 'plaintext not attempted (no verified TLS login to compare with)',
    };
  }
  evidence.push({
    source: 'probe',
    label: 'plaintext attempt (challenge-response only)',
    value: plaintext.detail,
  });

  const reachable = !(
    tls.kind === 'inconclusive' && ['UNREACHABLE', 'TIMEOUT'].includes(tls.reason)
  );
  const legacyResult = await legacyAttempt;
  const legacy: LegacyTlsStep = reachable
    ? legacyResult
    : { kind: 'skipped', detail: 'endpoint not reachable' };
  evidence.push({ source: 'probe', label: 'legacy TLS attempt', value: legacyEvidence(legacy) });
  return decide({
    protocol: 'mysql',
    plaintext,
    tls,
    legacy,
    minTlsVersion: target.minTlsVersion,
    evidence,
  });
}

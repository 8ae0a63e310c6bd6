/**
 * The live proof for MySQL, MariaDB and Aurora MySQL.
 *
 * MySQL 8.0/8.4 and MariaDB check require_secure_transport only after the
 * credentials were accepted, and answer 1045 to a wrong password or unknown
 * user whether or not TLS is required; a throwaway identity over plaintext
 * therefore cannot show the setting. The proof is the server's own word,
 * read over a verified session:
 * 1. A verify-full TLS session with the real credentials reads what the
 *    server enforces (`require_secure_transport`, `tls_version`, the user's
 *    SSL requirement, the session's `Ssl_version`).
 * 2. A plaintext login as a random user with a random password: nothing
 *    derived from the real credentials. It catches an anonymous account that
 *    lets anyone in without TLS, and a server or proxy that refuses plaintext
 *    before credentials (3159).
 *    Only with the opt-in rule parameter `mysqlPlaintextLogin` is the real
 *    user tried over plaintext, limited to challenge-response authentication:
 *    any request for a plugin that would put the password on the wire
 *    (cleartext, PAM dialog, RSA with a key the server supplies) is refused on
 *    this side before anything is sent, but the scramble itself is sent.
 * 3. A handshake offering only versions below the minimum (no login).
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { checkServerIdentity, type PeerCertificate, TLSSocket } from 'node:tls';
import mysql from 'mysql2';
import { SecretValue } from '../secret-value.js';
import type { Evidence } from '../types.js';
import { checkLegacyTls, legacyEvidence, mysqlPreamble } from './legacy-tls.js';
import { plaintextAuthPlugins } from './mysql-auth.js';
import {
  asMysqlError,
  classifyMysqlPlaintext,
  factsEvidence,
  type MysqlSessionFacts,
  type PlaintextLogin,
  requirementFromCreateUser,
} from './mysql-settings.js';
import {
  certificateProblem,
  clipServerText,
  decide,
  isProtocolVersionFailure,
  type LegacyTlsStep,
  networkProblem,
  type PlaintextStep,
  type ProbeCredentials,
  type ProbeOptions,
  type ProbeTarget,
  shortServerText,
  type TlsStep,
} from './outcome.js';
import { limitReads, READ_LIMIT_BYTES, READ_LIMIT_EXCEEDED, readLimitError } from './read-limit.js';

export {
  cachingSha2Scramble,
  plaintextAuthPlugins,
  UNSAFE_AUTH_REFUSED,
  UNSAFE_PLAINTEXT_AUTH_PLUGINS,
} from './mysql-auth.js';
export {
  classifyMysqlPlaintext,
  judgeFromSettings,
  type MysqlSessionFacts,
  type PlaintextLogin,
  requirementFromCreateUser,
} from './mysql-settings.js';

type Connection = mysql.Connection;

function open(
  options: mysql.ConnectionOptions,
): Promise<{ connection: Connection; readLimitExceeded: () => boolean } | { error: unknown }> {
  return new Promise((resolve) => {
    const connection = mysql.createConnection(options);
    const budget = limitReads(connection);
    // The driver emits 'error' on a broken connection; unhandled it would crash the process.
    connection.on('error', () => {});
    connection.connect((error) => {
      if (error) {
        connection.destroy();
        resolve({ error: budget.exceeded ? readLimitError(budget.limit) : error });
      } else {
        resolve({ connection, readLimitExceeded: () => budget.exceeded });
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

export function classifyMysqlTlsError(error: unknown): TlsStep {
  const certificate = certificateProblem(error);
  if (certificate) return { kind: 'rejected', ...certificate };
  const failure = asMysqlError(error);
  if (failure.code === READ_LIMIT_EXCEEDED) {
    return { kind: 'inconclusive', reason: 'RESPONSE_TOO_LARGE', detail: failure.message };
  }
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

/**
 * The server's certificate as the TLS socket holds it. mysql2 keeps the
 * socket in a `stream` field it does not document; test/probe/mysql.test.ts
 * fails if an upgrade of the driver removes it.
 */
export function peerCertificate(connection: Connection): PeerCertificate | undefined {
  const stream: unknown = (connection as unknown as { stream?: unknown }).stream;
  return stream instanceof TLSSocket ? stream.getPeerCertificate() : undefined;
}

type Row = Record<string, unknown>;

function text(value: unknown, max = 80): string | undefined {
  if (typeof value === 'string') return clipServerText(value, max);
  if (Buffer.isBuffer(value)) return clipServerText(value.subarray(0, max).toString('utf8'), max);
  if (typeof value === 'number') return String(value);
  return undefined;
}

const VARIABLES_SQL =
  "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('require_secure_transport', 'tls_version', 'have_ssl', 'version')";
const STATUS_SQL = "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')";
const USER_SQL = "SELECT ssl_type FROM mysql.user WHERE CONCAT(user, '@', host) = CURRENT_USER()";

function applyVariables(facts: MysqlSessionFacts, variables: Row[]): void {
  facts.variablesRead = true;
  for (const row of variables) {
    const value = text(row.Value);
    if (row.Variable_name === 'require_secure_transport') facts.requireSecureTransport = value;
    if (row.Variable_name === 'tls_version') facts.tlsVersion = value;
    if (row.Variable_name === 'have_ssl') facts.haveSsl = value;
    if (row.Variable_name === 'version') facts.version = value;
  }
}

function applyStatus(facts: MysqlSessionFacts, status: Row[]): void {
  for (const row of status) {
    if (row.Variable_name === 'Ssl_version') facts.sslVersion = text(row.Value, 20);
    if (row.Variable_name === 'Ssl_cipher') facts.sslCipher = text(row.Value);
  }
}

function applyUser(facts: MysqlSessionFacts, users: Row[]): void {
  facts.userSslType = text(users[0]?.ssl_type, 20) ?? '';
  facts.userSslTypeSource = 'mysql.user.ssl_type';
}

/** A user without SELECT on mysql.user may still show its own account. */
async function readUserFromCreateUser(
  connection: Connection,
  timeout: number,
  facts: MysqlSessionFacts,
): Promise<void> {
  try {
    const rows = await query<Row>(connection, 'SHOW CREATE USER CURRENT_USER()', timeout);
    const statement = rows[0] ? text(Object.values(rows[0])[0], 2_048) : undefined;
    const requirement = statement === undefined ? undefined : requirementFromCreateUser(statement);
    if (requirement !== undefined) {
      facts.userSslType = requirement;
      facts.userSslTypeSource = 'SHOW CREATE USER';
      delete facts.userSslTypeUnreadable;
    }
  } catch (error) {
    facts.userSslTypeUnreadable = `${facts.userSslTypeUnreadable}, ${asMysqlError(error).code ?? 'unreadable'}`;
  }
}

/**
 * Several statements in one round trip (the connection allows multiple
 * statements). The server answers them in order and stops at the first it
 * refuses: the rows of each statement that answered, and that statement's
 * index and error.
 */
function queryBatch(
  connection: Connection,
  statements: readonly string[],
  timeout: number,
): Promise<{ rows: Row[][]; failed?: { index: number; error: unknown } }> {
  return new Promise((resolve) => {
    const rows: Row[][] = [];
    const running = connection.query({ sql: statements.join(';\n'), timeout });
    // Each statement that answers sends its column definitions first, rows or not.
    running.on('fields', () => rows.push([]));
    running.on('result', (row: unknown) => {
      if (typeof row === 'object' && row !== null) rows[rows.length - 1]?.push(row as Row);
    });
    running.on('error', (error: unknown) =>
      resolve({ rows, failed: { index: rows.length, error } }),
    );
    running.on('end', () => resolve({ rows }));
  });
}

/**
 * Each read stands alone: one the user may not make loses only its own fact.
 * All three go in one round trip; after a refusal, those the server did not
 * reach are asked one by one.
 */
async function readSessionFacts(
  connection: Connection,
  timeout: number,
): Promise<MysqlSessionFacts> {
  const facts: MysqlSessionFacts = {};
  const reads = [
    {
      sql: VARIABLES_SQL,
      apply: (rows: Row[]) => applyVariables(facts, rows),
      refused: (error: unknown) => {
        facts.variablesUnreadable = asMysqlError(error).code ?? 'unreadable';
      },
    },
    {
      sql: STATUS_SQL,
      apply: (rows: Row[]) => applyStatus(facts, rows),
      refused: (error: unknown) => {
        facts.statusUnreadable = asMysqlError(error).code ?? 'unreadable';
      },
    },
    {
      sql: USER_SQL,
      apply: (rows: Row[]) => applyUser(facts, rows),
      refused: async (error: unknown) => {
        facts.userSslTypeUnreadable = asMysqlError(error).code ?? 'unreadable';
        await readUserFromCreateUser(connection, timeout, facts);
      },
    },
  ];
  const batch = await queryBatch(
    connection,
    reads.map((read) => read.sql),
    timeout,
  );
  for (const [index, read] of reads.entries()) {
    const answered = batch.rows[index];
    if (!batch.failed || index < batch.failed.index) {
      read.apply(answered ?? []);
    } else if (index === batch.failed.index) {
      await read.refused(batch.failed.error);
    } else {
      try {
        read.apply(await query<Row>(connection, read.sql, timeout));
      } catch (error) {
        await read.refused(error);
      }
    }
  }
  return facts;
}

async function verifiedSession(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  /** Called once the TLS login succeeded and the server's name was checked. */
  onVerified: () => void = () => {},
): Promise<{ step: TlsStep; facts?: MysqlSessionFacts }> {
  const opened = await open({
    ...baseOptions(target, credentials),
    // A fresh object per connection on purpose: mysql2 keys both its secure
    // context cache and TLS session resumption on it, and a resumed session
    // skips the certificate check this proof rests on.
    ssl: {
      ca: target.ca,
      rejectUnauthorized: true,
      verifyIdentity: true,
      minVersion: target.minTlsVersion,
    },
    // IAM tokens travel as cleartext passwords; allowed here only because TLS was verified first.
    enableCleartextPlugin: true,
    // The session facts are read in one round trip (constant statements, no input in them).
    multipleStatements: true,
  });
  if ('error' in opened) return { step: classifyMysqlTlsError(opened.error) };
  const { connection, readLimitExceeded } = opened;
  try {
    // mysql2 skips the name check when `host` is an IP address; do it ourselves in every case.
    const certificate = peerCertificate(connection);
    if (!certificate) {
      // mysql2 fails the connect when TLS was asked for and not given, so
      // this means the driver no longer keeps its socket where it did.
      return {
        step: {
          kind: 'inconclusive',
          reason: 'PEER_CERTIFICATE_UNAVAILABLE',
          detail: 'logged in over TLS, but the driver did not expose the server certificate',
        },
      };
    }
    const identity = checkServerIdentity(target.servername, certificate);
    if (identity) return { step: classifyMysqlTlsError(identity) };
    onVerified();

    const facts = await readSessionFacts(connection, target.connectTimeoutMs);
    if (readLimitExceeded()) {
      return { step: classifyMysqlTlsError(readLimitError(READ_LIMIT_BYTES)) };
    }
    if (!facts.sslVersion) {
      // The server's status was unreadable or empty: this side's verified socket still speaks.
      const stream = (connection as unknown as { stream?: unknown }).stream as TLSSocket;
      const protocol = stream.getProtocol();
      if (facts.statusUnreadable && protocol) {
        return { step: { kind: 'verified', protocol }, facts };
      }
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
  } finally {
    await close(connection);
  }
}

/** Step 2 alone; exported so the auth guard can be tested against an impostor server. */
export async function attemptPlaintextLogin(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  facts: MysqlSessionFacts,
  login: PlaintextLogin = 'credentials',
): Promise<PlaintextStep> {
  const answer = await plaintextAnswer(
    target,
    login === 'credentials' ? credentials : throwawayCredentials(),
  );
  return classifyMysqlPlaintext(answer, facts, login);
}

type PlaintextAnswer = Parameters<typeof classifyMysqlPlaintext>[0];

/** A random user and password: nothing in them comes from the real credentials. */
function throwawayCredentials(): ProbeCredentials {
  return {
    username: `rtg_${randomBytes(8).toString('hex')}`,
    password: new SecretValue(randomBytes(24).toString('base64url')),
  };
}

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

export async function probeMysql(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  options: ProbeOptions,
): Promise<ReturnType<typeof decide>> {
  const evidence: Evidence[] = [{ source: 'probe', label: 'protocol', value: 'mysql' }];
  const login: PlaintextLogin = options.mysqlPlaintextLogin ? 'credentials' : 'throwaway';
  // The legacy handshake sends no credentials and depends on nothing else:
  // it runs beside the TLS login and the plaintext attempt.
  const legacyAttempt = checkLegacyTls(target, mysqlPreamble);
  // A throwaway login carries nothing secret and starts at once; the real
  // credentials go over plaintext (opt-in only) once they have proven
  // themselves over verified TLS. Either is judged once the session queries
  // have told what the server enforces.
  const startPlaintext = (): Promise<PlaintextAnswer> =>
    plaintextAnswer(target, login === 'credentials' ? credentials : throwawayCredentials()).catch(
      (error: unknown) => ({ error }),
    );
  let plaintextAttempt: Promise<PlaintextAnswer> | undefined =
    login === 'throwaway' ? startPlaintext() : undefined;
  const { step: tls, facts } = await verifiedSession(target, credentials, () => {
    plaintextAttempt ??= startPlaintext();
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
  if (tls.kind === 'verified' && facts && answered) {
    plaintext = classifyMysqlPlaintext(answered, facts, login);
  } else if (answered && 'connected' in answered) {
    plaintext = classifyMysqlPlaintext(answered, facts ?? {}, login);
  } else {
    // Without a verified session the server's settings are unknown, and a plaintext 1045 says nothing.
    plaintext = {
      kind: 'inconclusive',
      reason: tls.kind === 'inconclusive' ? tls.reason : 'PLAINTEXT_NOT_ATTEMPTED',
      detail: 'plaintext not judged (no verified TLS session to read the server settings from)',
    };
  }
  evidence.push({
    source: 'probe',
    label:
      login === 'credentials'
        ? 'plaintext attempt (real credentials, challenge-response only)'
        : 'plaintext attempt (random user and password)',
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
    requireLiveProbe: options.requireLiveProbe,
    evidence,
  });
}

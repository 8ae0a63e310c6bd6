/**
 * The MySQL-family verified session: a verify-full TLS login with the real
 * credentials, and what the server says over it about its own settings
 * (require_secure_transport, tls_version, the session's Ssl_version, the
 * user's SSL requirement).
 */
import { TLSSocket } from 'node:tls';
import { clipServerText } from '../text.js';
import type { ProbeCredentials, ProbeTarget, TlsStep } from './model.js';
import {
  type Connection,
  close,
  connectionOptions,
  open,
  query,
  queryBatch,
  type Row,
} from './mysql-connection.js';
import { asMysqlError, classifyMysqlTlsError } from './mysql-errors.js';
import {
  type MysqlSessionFacts,
  requirementFromCreateUser,
  requiresSecureTransport,
} from './mysql-settings.js';
import { READ_LIMIT_BYTES, readLimitError } from './read-limit.js';

function text(value: unknown, max = 80): string | undefined {
  if (typeof value === 'string') return clipServerText(value, max);
  if (Buffer.isBuffer(value)) return clipServerText(value.subarray(0, max).toString('utf8'), max);
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** The server settings read over the verified session. */
export const TLS_VARIABLES = ['require_secure_transport', 'tls_version', 'version'] as const;

/** ER_UNKNOWN_SYSTEM_VARIABLE: SELECT @@ names a variable this server does not define. */
const UNKNOWN_SYSTEM_VARIABLE = 1193;

/**
 * The variables as one row. About a tenth of SHOW GLOBAL VARIABLES's server
 * time (which filters every variable the server has), but it fails as a
 * whole when one of them is not defined: then SHOW, which leaves it out.
 * require_secure_transport reads 0/1 here; it is spelled OFF/ON as SHOW does.
 */
function variablesSelect(names: readonly string[]): string {
  const columns = names.map((name) =>
    name === 'require_secure_transport'
      ? `IF(@@GLOBAL.${name}, 'ON', 'OFF') AS ${name}`
      : `@@GLOBAL.${name} AS ${name}`,
  );
  return `SELECT ${columns.join(', ')}`;
}

function variablesShow(names: readonly string[]): string {
  return `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${names.map((name) => `'${name}'`).join(', ')})`;
}
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
  let versionRow = false;
  for (const row of status) {
    if (row.Variable_name === 'Ssl_version') {
      versionRow = true;
      facts.sslVersion = text(row.Value, 20);
    }
    if (row.Variable_name === 'Ssl_cipher') facts.sslCipher = text(row.Value);
  }
  // Only a present, empty Ssl_version is the server reporting no TLS. A status
  // the user is not shown (or one served from a disabled performance_schema)
  // has no row at all: the server's view is then unknown.
  if (facts.sslVersion === undefined) {
    facts.statusUnreadable = versionRow ? 'Ssl_version not text' : 'no Ssl_version row';
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

/** One fact read: a statement, what its rows set, and what its refusal sets. */
interface FactRead {
  sql: string;
  apply(rows: Row[]): void;
  refused(error: unknown): void | Promise<void>;
}

/**
 * Each read stands alone: one the user may not make loses only its own fact.
 * All go in one round trip; after a refusal, those the server did not reach
 * are asked one by one.
 */
async function runReads(
  connection: Connection,
  reads: readonly FactRead[],
  timeout: number,
): Promise<void> {
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
}

/** What the server says over the verified session; `variables` differ only in tests. */
export async function readSessionFacts(
  connection: Connection,
  timeout: number,
  variables: readonly string[] = TLS_VARIABLES,
): Promise<MysqlSessionFacts> {
  const facts: MysqlSessionFacts = {};
  await runReads(
    connection,
    [
      {
        sql: variablesSelect(variables),
        apply: (rows) =>
          applyVariables(
            facts,
            Object.entries(rows[0] ?? {}).map(([name, value]) => ({
              Variable_name: name,
              Value: value,
            })),
          ),
        refused: async (error) => {
          if (asMysqlError(error).errno !== UNKNOWN_SYSTEM_VARIABLE) {
            facts.variablesUnreadable = asMysqlError(error).code ?? 'unreadable';
            return;
          }
          try {
            applyVariables(facts, await query<Row>(connection, variablesShow(variables), timeout));
          } catch (shown) {
            facts.variablesUnreadable = asMysqlError(shown).code ?? 'unreadable';
          }
        },
      },
      {
        sql: STATUS_SQL,
        apply: (rows) => applyStatus(facts, rows),
        refused: (error) => {
          facts.statusUnreadable = asMysqlError(error).code ?? 'unreadable';
        },
      },
    ],
    timeout,
  );
  // The user's own SSL requirement changes the verdict only where the server
  // does not require TLS of everyone: read (a second round trip) only there.
  if (!requiresSecureTransport(facts)) {
    await runReads(
      connection,
      [
        {
          sql: USER_SQL,
          apply: (rows) => applyUser(facts, rows),
          refused: async (error) => {
            facts.userSslTypeUnreadable = asMysqlError(error).code ?? 'unreadable';
            await readUserFromCreateUser(connection, timeout, facts);
          },
        },
      ],
      timeout,
    );
  }
  return facts;
}

/** The verify-full TLS login with the real credentials, and what the server says over it. */
export async function verifiedSession(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  /** Called once the TLS login succeeded: the chain and the server's name were checked in the handshake. */
  onVerified: () => void = () => {},
  /**
   * Through a proxy, Ssl_version is the database's view of the proxy's own
   * leg; the client's leg is this side's verified socket.
   */
  throughProxy = false,
): Promise<{ step: TlsStep; facts?: MysqlSessionFacts }> {
  const opened = await open(
    {
      ...connectionOptions(target, credentials),
      // What mysql2 would verify with, were it to upgrade the socket itself:
      // a fresh object, so that it would not resume a session either.
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
    },
    target,
  );
  if ('error' in opened) return { step: classifyMysqlTlsError(opened.error) };
  const { connection, readLimitExceeded, verifiedUpgrade } = opened;
  try {
    const stream: unknown = (connection as unknown as { stream?: unknown }).stream;
    if (!verifiedUpgrade() || !(stream instanceof TLSSocket) || !stream.authorized) {
      // mysql2 fails the connect when TLS was asked for and not given, so
      // this means the driver no longer upgrades the socket the way it did.
      return {
        step: {
          kind: 'inconclusive',
          reason: 'TLS_UPGRADE_NOT_VERIFIED',
          detail: "logged in over TLS, but not through the probe's verified upgrade",
        },
      };
    }
    onVerified();

    const facts = await readSessionFacts(connection, target.connectTimeoutMs);
    if (readLimitExceeded()) {
      return { step: classifyMysqlTlsError(readLimitError(READ_LIMIT_BYTES)) };
    }
    const protocol = stream.getProtocol();
    const cipher = stream.getCipher()?.name;
    const ownView: TlsStep | undefined = protocol
      ? { kind: 'verified', protocol, ...(cipher ? { cipher } : {}) }
      : undefined;
    if (throughProxy || facts.sslVersion === undefined) {
      // Through a proxy, or with the server's status unreadable: this side's verified socket speaks.
      return {
        step: ownView ?? {
          kind: 'inconclusive',
          reason: 'SESSION_FACTS_UNAVAILABLE',
          detail: throughProxy
            ? 'logged in, but this side of the proxy session shows no TLS version'
            : 'logged in, but neither the server nor this client could say the session is encrypted',
        },
        facts,
      };
    }
    if (facts.sslVersion === '') {
      // This side's upgrade was verified, yet the server's own session is plaintext.
      return {
        step: {
          kind: 'rejected',
          reason: 'TLS_ENDS_BEFORE_SERVER',
          detail: `verify-full ${protocol ?? 'TLS'} on this side, but the server reports no TLS on the session (Ssl_version empty): something between ends TLS`,
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
    close(connection);
  }
}

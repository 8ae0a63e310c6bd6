/**
 * One mysql2 connection for the probe: bounded reads, errors as values,
 * queries as promises, and the TLS upgrade done here instead of by mysql2.
 *
 * mysql2 builds a secure context per `ssl` object (parsing the whole CA
 * bundle) and keeps TLS sessions per `ssl` object to resume them; a resumed
 * session skips the certificate check this proof rests on. The probe's
 * upgrade uses the shared, already parsed context, is never handed a
 * session, and checks the endpoint's name in the handshake, before the
 * credentials are sent.
 */
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import mysql from 'mysql2';
import { onAbort } from '../deadline.js';
import type { ProbeCredentials, ProbeTarget } from './model.js';
import { failureWithin, limitReads } from './read-limit.js';
import { verifiedTlsOptions } from './tls-context.js';

export type Connection = mysql.Connection;

export type Row = Record<string, unknown>;

/**
 * The parts of a mysql2 connection the upgrade replaces or feeds. mysql2
 * does not document them; test/probe/mysql.test.ts fails if an upgrade of
 * the driver stops calling `startTLS` or moves the socket out of `stream`.
 */
interface UpgradableConnection {
  stream: Duplex;
  packetParser: { execute(data: Buffer): void };
  _handleNetworkError(error: Error): void;
  startTLS(onSecure: (error?: Error) => void): void;
}

/** Replaces mysql2's TLS upgrade on this one connection with the verified one; returns whether it ran. */
export function useVerifiedTls(connection: Connection, target: ProbeTarget): () => boolean {
  const internals = connection as unknown as UpgradableConnection;
  let upgraded = false;
  internals.startTLS = (onSecure) => {
    upgraded = true;
    const plain = internals.stream;
    plain.removeAllListeners('data');
    let established = false;
    let secure: TLSSocket;
    try {
      secure = tlsConnect({ socket: plain, ...verifiedTlsOptions(target) }, () => {
        established = true;
        onSecure();
      });
    } catch (error) {
      // Thrown here, inside mysql2's packet handler, it would end the process; it fails the connect instead.
      onSecure(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    secure.on('error', (error: Error) => {
      if (established) internals._handleNetworkError(error);
      else onSecure(error);
    });
    secure.on('data', (data: Buffer) => internals.packetParser.execute(data));
    internals.stream = secure;
  };
  return () => upgraded;
}

export interface OpenConnection {
  connection: Connection;
  readLimitExceeded(): boolean;
  /** True when the probe's own verified upgrade made the connection's TLS. */
  verifiedUpgrade(): boolean;
}

/** Connects; with `ssl` set, through the verified upgrade. A failure is a value, not a throw. */
export function open(
  options: mysql.ConnectionOptions,
  target: ProbeTarget,
): Promise<OpenConnection | { error: unknown }> {
  return new Promise((resolve) => {
    const connection = mysql.createConnection(options);
    const budget = limitReads(connection);
    const verifiedUpgrade = options.ssl ? useVerifiedTls(connection, target) : () => false;
    // The driver emits 'error' on a broken connection; unhandled it would crash the process.
    connection.on('error', () => {});
    onAbort(target.signal, () => connection.destroy());
    connection.connect((error) => {
      if (error) {
        connection.destroy();
        resolve({ error: failureWithin(budget, error) });
      } else {
        resolve({ connection, readLimitExceeded: () => budget.exceeded, verifiedUpgrade });
      }
    });
  });
}

export function connectionOptions(
  target: ProbeTarget,
  credentials: ProbeCredentials,
): mysql.ConnectionOptions {
  return {
    // mysql2 names the endpoint in `host`; the socket itself goes to target.host.
    host: target.servername,
    port: target.port,
    stream: () => netConnect(target.port, target.host),
    user: credentials.username,
    password: credentials.password.reveal(),
    ...(credentials.database ? { database: credentials.database } : {}),
    connectTimeout: target.connectTimeoutMs,
    // mysql2 allocates its prepared-statement cache up front, sized by this
    // (16,000 entries by default: about 1 ms of CPU per connection); the
    // probe prepares nothing.
    maxPreparedStatements: 1,
  };
}

export function query<T>(connection: Connection, sql: string, timeout: number): Promise<T[]> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, timeout }, (error, rows) => {
      if (error) reject(error);
      else resolve(rows as T[]);
    });
  });
}

/**
 * Several statements in one round trip (the connection allows multiple
 * statements). The server answers them in order and stops at the first it
 * refuses: the rows of each statement that answered, and that statement's
 * index and error.
 */
export function queryBatch(
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
 * Sends COM_QUIT and does not wait for the server's close: a round trip the
 * proof does not need. A server that never closes loses the socket a second
 * later.
 */
export function close(connection: Connection): void {
  const timer = setTimeout(() => connection.destroy(), 1_000);
  timer.unref();
  connection.end(() => {
    clearTimeout(timer);
    connection.destroy();
  });
}

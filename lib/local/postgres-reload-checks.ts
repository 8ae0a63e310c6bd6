/**
 * What a client sees of a local PostgreSQL from outside: the certificate it
 * presents and how it answers a plaintext login. A reload is asynchronous
 * (SIGHUP), so the handle's setters poll these until the server shows the
 * new state.
 */
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import pg from 'pg';

/** The SHA-256 fingerprint of the certificate the server presents after an SSLRequest. */
export function presentedCertificate(port: number): Promise<string | undefined> {
  const socket = new Socket();
  return new Promise((resolve) => {
    const finish = (value: string | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.on('error', () => finish(undefined));
    socket.setTimeout(2_000, () => finish(undefined));
    socket.connect(port, '127.0.0.1', () => {
      const sslRequest = Buffer.alloc(8);
      sslRequest.writeInt32BE(8, 0);
      sslRequest.writeInt32BE(80877103, 4);
      socket.write(sslRequest);
      socket.once('data', (answer) => {
        if (answer[0] !== 0x53) return finish(undefined);
        const tls = tlsConnect(
          { socket, rejectUnauthorized: false, servername: 'localhost' },
          () => {
            const seen = tls.getPeerX509Certificate()?.fingerprint256;
            tls.destroy();
            finish(seen);
          },
        );
        tls.on('error', () => finish(undefined));
      });
    });
  });
}

/**
 * The SQLSTATE a plaintext login with a wrong password gets (28000: pg_hba
 * rejects it before authentication; 28P01: the password was asked for), or
 * `connected`.
 */
export async function plaintextOutcome(port: number, user: string): Promise<string | undefined> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user,
    password: randomBytes(12).toString('hex'),
    database: 'postgres',
    ssl: false,
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return 'connected';
  } catch (error) {
    return pgErrorCode(error);
  } finally {
    await client.end().catch(() => {});
  }
}

function pgErrorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/**
 * Broken and hostile database servers on 127.0.0.1 for the failure matrix.
 * Each one listens on a port of its own and misbehaves in one named way; the
 * PostgreSQL-speaking ones answer the SSLRequest and a plaintext startup the
 * way a TLS-only server would, so the fault under test is the only fault.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type SecureVersion, TLSSocket } from 'node:tls';
import { freePort } from '../../lib/local/index.js';

export interface HostileServer {
  port: number;
  /** Connections accepted so far. */
  connections: () => number;
  /** Connections still open on the server's side. */
  open: () => number;
  close(): Promise<void>;
}

export type HostileBehaviour =
  /** Accepts and never sends a byte. */
  | { kind: 'hang' }
  /** Accepts and closes at once. */
  | { kind: 'close' }
  /** Answers anything with bytes that are no database protocol. */
  | { kind: 'garbage' }
  /**
   * Speaks enough PostgreSQL to be a TLS-only server: refuses plaintext
   * startups with the pg_hba error, answers SSLRequest with `S` and does the
   * TLS handshake with the given certificate and protocol versions.
   */
  | {
      kind: 'postgres-tls';
      cert: string;
      key: string;
      minVersion?: SecureVersion;
      maxVersion?: SecureVersion;
      ciphers?: string;
    }
  /** Answers SSLRequest with `S`, then drops the connection mid-handshake. */
  | { kind: 'dies-in-handshake' }
  /** Refuses plaintext like a TLS-only server, answers SSLRequest with `S`, then never speaks TLS. */
  | { kind: 'stalls-in-handshake' }
  /**
   * A password thief: over plaintext and over TLS (with a certificate the
   * client trusts) it asks for the password in cleartext, records what it
   * gets, and answers with an error message that quotes it back.
   */
  | { kind: 'postgres-echo'; cert: string; key: string; received: ReceivedPassword[] };

export interface ReceivedPassword {
  overTls: boolean;
  password: string;
}

const SSL_REQUEST_CODE = 80877103;

/** A port nothing listens on: found free, then left closed. */
export async function refusedPort(): Promise<number> {
  return freePort();
}

export async function startHostile(behaviour: HostileBehaviour): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    serve(socket, behaviour);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('no port'));
    });
  });
  return {
    port,
    connections: () => accepted,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function serve(socket: Socket, behaviour: HostileBehaviour): void {
  switch (behaviour.kind) {
    case 'hang':
      return;
    case 'close':
      socket.destroy();
      return;
    case 'garbage':
      // MySQL clients wait for the server to speak first; PostgreSQL clients speak first.
      socket.write(Buffer.from('\u00ff\u00fe garbage, not a database \r\n\u0000\u0007'));
      socket.on('data', () => {
        socket.write(Buffer.from('Zq\u0000\u0000\u0000\u0001?HTTP/1.1 418\r\n\r\n'));
      });
      return;
    case 'dies-in-handshake':
      socket.once('data', () => {
        socket.write('S');
        socket.once('data', () => socket.destroy());
      });
      return;
    case 'postgres-tls':
      socket.once('data', (first) => answerPostgres(socket, first, behaviour));
      return;
    case 'stalls-in-handshake':
      socket.once('data', (first) => {
        if (first.length >= 8 && first.readInt32BE(4) === SSL_REQUEST_CODE) socket.write('S');
        else socket.end(postgresError('28000', 'no pg_hba.conf entry, no encryption'));
      });
      return;
    case 'postgres-echo':
      socket.once('data', (first) => {
        if (first.length >= 8 && first.readInt32BE(4) === SSL_REQUEST_CODE) {
          socket.write('S');
          const secure = new TLSSocket(socket, {
            isServer: true,
            cert: behaviour.cert,
            key: behaviour.key,
          });
          secure.on('error', () => socket.destroy());
          askForPassword(secure, true, behaviour.received);
          return;
        }
        askForPassword(socket, false, behaviour.received, first);
      });
      return;
  }
}

/** After a startup message: AuthenticationCleartextPassword, then quote the password back. */
function askForPassword(
  stream: Socket,
  overTls: boolean,
  received: ReceivedPassword[],
  startup?: Buffer,
): void {
  let buffered = Buffer.alloc(0);
  let askedForPassword = false;
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    if (!askedForPassword) {
      if (buffered.length < 4 || buffered.length < buffered.readInt32BE(0)) return;
      buffered = buffered.subarray(buffered.readInt32BE(0));
      askedForPassword = true;
      const ask = Buffer.alloc(9);
      ask.write('R', 0);
      ask.writeInt32BE(8, 1);
      ask.writeInt32BE(3, 5);
      stream.write(ask);
    }
    if (buffered.length < 5 || buffered.length < 1 + buffered.readInt32BE(1)) return;
    const password = buffered.subarray(5, buffered.readInt32BE(1)).toString('utf8');
    received.push({ overTls, password });
    stream.end(
      postgresError('28P01', `password authentication failed: you sent "${password}" in the clear`),
    );
    stream.off('data', onData);
  };
  stream.on('data', onData);
  if (startup) onData(startup);
}

function answerPostgres(
  socket: Socket,
  first: Buffer,
  tls: Extract<HostileBehaviour, { kind: 'postgres-tls' }>,
): void {
  if (first.length >= 8 && first.readInt32BE(4) === SSL_REQUEST_CODE) {
    socket.write('S');
    const secure = new TLSSocket(socket, {
      isServer: true,
      cert: tls.cert,
      key: tls.key,
      ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
      ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
      ...(tls.ciphers ? { ciphers: tls.ciphers } : {}),
    });
    secure.on('error', () => socket.destroy());
    // A client that got this far would send its startup; nobody should, so end there.
    secure.on('data', () => secure.destroy());
    return;
  }
  socket.end(
    postgresError(
      '28000',
      'no pg_hba.conf entry for host "127.0.0.1", user "probe", database "postgres", no encryption',
    ),
  );
}

/** A PostgreSQL ErrorResponse message: severity, SQLSTATE, message. */
function postgresError(code: string, message: string): Buffer {
  const fields = Buffer.concat([
    field('S', 'FATAL'),
    field('V', 'FATAL'),
    field('C', code),
    field('M', message),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

function field(type: string, value: string): Buffer {
  return Buffer.concat([Buffer.from(type), Buffer.from(value), Buffer.from([0])]);
}

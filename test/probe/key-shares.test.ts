/**
 * The PostgreSQL probe's TLS hello against a server that, like PostgreSQL up
 * to 17 with its default `ssl_ecdh_curve = prime256v1`, accepts only P-256.
 * Node's default hello carries X25519MLKEM768 and X25519 key shares only, so
 * such a server answers with a HelloRetryRequest and the client must send a
 * second hello: one more round trip on every probe. Real OpenSSL on both
 * sides; a relay in between counts the client's hellos.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createTcpServer, type Server, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateSet, generateCertificates } from '../../lib/local/index.js';
import { verifiedTlsOptions } from '../../lib/probe/tls-context.js';

const TLS_HANDSHAKE_RECORD = 0x16;
const CLIENT_HELLO = 0x01;

let certificates: CertificateSet;
let dir: string;
const servers: Server[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-key-shares-'));
  certificates = await generateCertificates(dir);
});

afterAll(async () => {
  for (const server of servers) server.close();
  await rm(dir, { recursive: true, force: true });
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * ClientHello records in one write from the client. A second hello follows a
 * change_cipher_spec record in the same write (TLS 1.3 middlebox
 * compatibility), so every record is looked at.
 */
function clientHellosIn(chunk: Buffer): number {
  let count = 0;
  for (let offset = 0; offset + 5 < chunk.length; offset += 5 + chunk.readUInt16BE(offset + 3)) {
    if (chunk[offset] === TLS_HANDSHAKE_RECORD && chunk[offset + 5] === CLIENT_HELLO) count += 1;
  }
  return count;
}

/** A P-256-only TLS server behind a relay that counts ClientHello records from the client. */
async function p256OnlyServer(): Promise<{ port: number; clientHellos: () => number }> {
  const { certPem, keyPem } = certificates.servers.valid;
  const tlsPort = await listen(
    createTlsServer({ cert: certPem, key: keyPem, ecdhCurve: 'prime256v1' }, (socket) =>
      socket.end(),
    ),
  );
  let hellos = 0;
  const port = await listen(
    createTcpServer((client) => {
      const upstream = tcpConnect(tlsPort, '127.0.0.1');
      client.on('data', (chunk: Buffer) => {
        hellos += clientHellosIn(chunk);
        upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    }),
  );
  return { port, clientHellos: () => hellos };
}

function handshake(port: number, options: object): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ...options }, () => resolve(socket));
    socket.on('error', reject);
  });
}

describe('the PostgreSQL probe TLS hello', () => {
  it('is answered by a P-256-only server without a second hello, and the session uses P-256', async () => {
    const server = await p256OnlyServer();
    const socket = await handshake(
      server.port,
      verifiedTlsOptions({
        host: '127.0.0.1',
        port: server.port,
        servername: 'localhost',
        ca: certificates.caPem,
        minTlsVersion: 'TLSv1.2',
        connectTimeoutMs: 5_000,
      }),
    );
    const keyExchange = socket.getEphemeralKeyInfo();
    socket.destroy();
    expect(server.clientHellos()).toBe(1);
    expect(keyExchange).toMatchObject({ name: 'prime256v1' });
  });

  it("takes a second hello with Node's default key shares (the round trip the probe saves)", async () => {
    const server = await p256OnlyServer();
    const socket = await handshake(server.port, {
      ca: certificates.caPem,
      servername: 'localhost',
    });
    socket.destroy();
    expect(server.clientHellos()).toBe(2);
  });
});

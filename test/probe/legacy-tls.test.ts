import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateSet, generateCertificates } from '../../lib/local/index.js';
import { mysqlPreamble, probeLegacyTls } from '../../lib/probe/legacy-tls.js';
import { ENDPOINT_HOST } from '../fixtures/servers.js';
import { tls10ServerWithoutRenegotiationInfo } from '../fixtures/tls10-server.js';

let certificates: CertificateSet;
let certDir: string;

beforeAll(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-legacy-'));
  certificates = await generateCertificates(certDir);
});

afterAll(async () => {
  await rm(certDir, { recursive: true, force: true });
});

describe('the TLS downgrade attempt', () => {
  it('sees TLS 1.0 accepted by a server whose ServerHello has no renegotiation_info extension (the refusal would be this side, not the server)', async () => {
    const server = await tls10ServerWithoutRenegotiationInfo(certificates.servers.valid);
    try {
      const step = await probeLegacyTls(
        {
          host: '127.0.0.1',
          port: server.port,
          servername: ENDPOINT_HOST,
          ca: certificates.caPem,
          minTlsVersion: 'TLSv1.2',
          connectTimeoutMs: 10_000,
        },
        mysqlPreamble,
      );
      expect(step).toEqual({ kind: 'accepted', offered: 'TLSv1.1', protocol: 'TLSv1' });
      expect(server.handshakes()).toBe(1);
    } finally {
      await server.close();
    }
  });
});

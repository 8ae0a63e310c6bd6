/**
 * The live probe against real PostgreSQL servers of several majors, as RDS
 * runs them side by side. The default run covers the newest major (Debian's
 * server is covered by postgres.test.ts); `npm run test:matrix` runs 13 to 18.
 * PostgreSQL 17 added direct TLS negotiation; the probe's SSLRequest path
 * must reach the same verdicts there.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateSet,
  generateCertificates,
  type LocalPostgres,
  startPostgres,
} from '../../lib/local/index.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { postgresMajors } from '../fixtures/postgres-majors.js';
import {
  databaseItem,
  ENDPOINT_HOST,
  fixedCredentials,
  REAL_SERVER_CONNECT_TIMEOUT_MS,
} from '../fixtures/servers.js';

let workDir: string;
let certificates: CertificateSet;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pg-majors-'));
  certificates = await generateCertificates(workDir);
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function probe(server: LocalPostgres) {
  const prober = createLiveProber({
    credentials: fixedCredentials(server.masterUser, server.masterPassword),
    caBundle: server.ca,
    hostOverride: server.host,
    connectTimeoutMs: REAL_SERVER_CONNECT_TIMEOUT_MS,
  });
  return prober.probe(databaseItem('postgres', server.port), DEFAULT_RULE_PARAMETERS);
}

/** Whether the server completes a direct TLS handshake (no SSLRequest), as PostgreSQL 17 allows. */
function directTlsAccepted(port: number, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      servername: ENDPOINT_HOST,
      ca,
      ALPNProtocols: ['postgresql'],
    });
    socket.setTimeout(3_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe.each(postgresMajors())('PostgreSQL $major (embedded binaries)', ({ major, binDir }) => {
  let server: LocalPostgres;

  beforeAll(async () => {
    server = await startPostgres({ binDir, certificates, forceSsl: true });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('is COMPLIANT PLAINTEXT_REFUSED with force_ssl on, on a server of that major', async () => {
    const finding = await probe(server);
    expect(finding?.verdict).toBe('COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_REFUSED');
    // PostgreSQL 13 and older end the pg_hba refusal in `SSL off`, 14 and later in `no encryption`.
    expect(finding?.annotation).toContain(
      major <= 13 ? '28000 pg_hba: SSL off' : '28000 pg_hba: no encryption',
    );
    const version = finding?.evidence.find((entry) => entry.label === 'server_version');
    expect(version?.value).toMatch(new RegExp(`^${major}\\.`));
  });

  it('is NON_COMPLIANT PLAINTEXT_ACCEPTED with force_ssl off', async () => {
    await server.setForceSsl(false);
    try {
      const finding = await probe(server);
      expect(finding?.verdict).toBe('NON_COMPLIANT');
      expect(finding?.reason).toBe('PLAINTEXT_ACCEPTED');
    } finally {
      await server.setForceSsl(true);
    }
  });

  it.runIf(major >= 17)(
    'accepts direct TLS too, and the probe still concludes through SSLRequest',
    async () => {
      expect(await directTlsAccepted(server.port, server.ca)).toBe(true);
      const finding = await probe(server);
      expect(finding?.reason).toBe('PLAINTEXT_REFUSED');
    },
  );
});

describe('a real PostgreSQL that accepts only TLS 1.0/1.1 (OpenSSL 1.1 build)', () => {
  let server: LocalPostgres;
  const newest = postgresMajors().at(-1);

  beforeAll(async () => {
    if (!newest) throw new Error('no PostgreSQL major available');
    server = await startPostgres({
      binDir: newest.binDir,
      certificates,
      forceSsl: true,
      sslMinProtocolVersion: 'TLSv1',
      sslMaxProtocolVersion: 'TLSv1.1',
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('is NON_COMPLIANT TLS_VERSION_BELOW_MINIMUM: the legacy handshake completes', async () => {
    const finding = await probe(server);
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('TLS_VERSION_BELOW_MINIMUM');
    expect(finding?.evidence).toContainEqual(
      expect.objectContaining({
        label: 'legacy TLS attempt',
        value: expect.stringContaining('TLSv1.1'),
      }),
    );
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateSet, freePort, generateCertificates } from '../../lib/local/index.js';
import { createLiveProber, type ProbeTarget } from '../../lib/probe/index.js';
import { mysqlPreamble, postgresPreamble, probeLegacyTls } from '../../lib/probe/legacy-tls.js';
import { attemptPlaintextLogin } from '../../lib/probe/mysql.js';
import { SecretValue } from '../../lib/secret-value.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import {
  authSwitchingMysql,
  closingServer,
  garbageServer,
  hangingServer,
  passwordRecordingPostgres,
  pgErrorResponse,
  postgresTlsFront,
  sawSecret,
} from '../fixtures/hostile.js';
import { scriptedMysql, scriptedPostgres } from '../fixtures/scripted-servers.js';
import {
  databaseItem,
  ENDPOINT_HOST,
  fixedCredentials,
  localProxyItem,
} from '../fixtures/servers.js';
import { tls10ServerWithoutRenegotiationInfo } from '../fixtures/tls10-server.js';

const CANARY = 'canary-Real-Passw0rd-7f3a9c';
let certificates: CertificateSet;
let certDir: string;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-hostile-'));
  certificates = await generateCertificates(certDir);
});

afterAll(async () => {
  await Promise.all(opened.map((server) => server.close()));
  await rm(certDir, { recursive: true, force: true });
});

async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const started = await server;
  opened.push(started);
  return started;
}

/**
 * Timeouts long enough that a loaded machine never turns an answering server's
 * outcome into TIMEOUT; only the test about a silent server shortens them.
 */
const CONNECT_TIMEOUT_MS = 10_000;
const PROBE_TIMEOUT_MS = 20_000;
/** How far past its timeout a probe may end on a busy machine. */
const TIMER_SLACK_MS = 2_000;
/** Per-step timeout of the direct plaintext-login and legacy-TLS checks. */
const STEP_TIMEOUT_MS = 10_000;

/** A direct step's target: the server on 127.0.0.1, its certificate checked against the endpoint name. */
function stepTarget(port: number): ProbeTarget {
  return {
    host: '127.0.0.1',
    port,
    servername: ENDPOINT_HOST,
    ca: certificates.caPem,
    minTlsVersion: 'TLSv1.2',
    connectTimeoutMs: STEP_TIMEOUT_MS,
  };
}

function probe(engine: string, port: number, connectTimeoutMs = CONNECT_TIMEOUT_MS) {
  const prober = createLiveProber({
    credentials: fixedCredentials('probe', CANARY),
    caBundle: certificates.caPem,
    hostOverride: '127.0.0.1',
    connectTimeoutMs,
    probeTimeoutMs: PROBE_TIMEOUT_MS,
  });
  return prober.probe(databaseItem(engine, port), DEFAULT_RULE_PARAMETERS);
}

describe.each(['postgres', 'mariadb'])('%s probe against broken servers', (engine) => {
  it('reports a refused port as INSUFFICIENT_DATA UNREACHABLE', async () => {
    const finding = await probe(engine, await freePort());
    expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding?.reason).toBe('UNREACHABLE');
  });

  it('reports a server that never answers as INSUFFICIENT_DATA TIMEOUT within the connect timeout', async () => {
    const server = await track(hangingServer());
    const started = Date.now();
    const connectTimeoutMs = 300;
    const finding = await probe(engine, server.port, connectTimeoutMs);
    expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding?.reason).toBe('TIMEOUT');
    // Ended by the connect timeout, long before the probe deadline.
    expect(Date.now() - started).toBeLessThan(connectTimeoutMs + TIMER_SLACK_MS);
  });

  it('reports a server that closes at once as INSUFFICIENT_DATA, never COMPLIANT', async () => {
    const server = await track(closingServer());
    const finding = await probe(engine, server.port);
    expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(['CONNECTION_CLOSED', 'CONNECTION_RESET']).toContain(finding?.reason);
  });

  it('reports a server that sends garbage as INSUFFICIENT_DATA, never COMPLIANT', async () => {
    const server = await track(garbageServer());
    // Garbage never completes a handshake: any outcome it gets is INSUFFICIENT_DATA,
    // so a short timeout ends it without changing what the test proves.
    const finding = await probe(engine, server.port, 500);
    expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(JSON.stringify(finding)).not.toContain(CANARY);
  });
});

/** A MySQL ERR packet; sequence 3 answers a login after the SSL request, 2 a plaintext login. */
function mysqlError(errno: number, message: string, sequence = 3): Buffer {
  const payload = Buffer.concat([
    Buffer.from([0xff, errno & 0xff, errno >> 8]),
    Buffer.from(`#HY000${message}`, 'utf8'),
  ]);
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence;
  return Buffer.concat([header, payload]);
}

describe('PostgreSQL server error text over the verified session', () => {
  it.each([
    'server does not support SSL',
    'certificate has expired',
    'tlsv1 alert protocol version',
    'terminating connection due to idle-session timeout',
    'server closed the connection unexpectedly',
  ])(
    'is a server error, not a TLS failure of this side, when a server answers the login with "%s"',
    async (message) => {
      const server = await track(
        scriptedPostgres(
          'after-tls',
          { kind: 'bytes', bytes: pgErrorResponse('08006', message) },
          certificates.servers.valid,
        ),
      );
      const finding = await probe('postgres', server.port);
      expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
      expect(finding?.reason).toBe('SERVER_ERROR');
    },
  );
});

describe('PostgreSQL server error codes and text are its own words', () => {
  it.each(['ETIMEDOUT', 'ECONNREFUSED', 'PROBE_TIMEOUT'])(
    'reads an ErrorResponse whose SQLSTATE field says "%s" as a server error, not as this side\'s network',
    async (code) => {
      const server = await track(
        scriptedPostgres(
          'after-tls',
          { kind: 'bytes', bytes: pgErrorResponse(code, 'no such thing') },
          certificates.servers.valid,
        ),
      );
      const finding = await probe('postgres', server.port);
      expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
      expect(finding?.reason).toBe('SERVER_ERROR');
    },
  );

  it('quotes a plaintext answer 57P05 "idle-session timeout" as the server\'s answer, not as no answer', async () => {
    const server = await track(
      scriptedPostgres(
        'startup-answer',
        {
          kind: 'bytes',
          bytes: pgErrorResponse('57P05', 'terminating connection due to idle-session timeout'),
        },
        certificates.servers.valid,
      ),
    );
    const finding = await probe('postgres', server.port);
    expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
    const plaintext = finding?.evidence.find((entry) =>
      entry.label.startsWith('plaintext attempt'),
    );
    expect(plaintext?.value).toContain('57P05');
    expect(plaintext?.value).not.toContain('no answer before the timeout');
  });
});

describe('MySQL server error text over the verified session', () => {
  it.each([
    'certificate has expired',
    "Hostname/IP does not match certificate's altnames",
    'unsupported protocol',
    'Lock wait timeout exceeded; try restarting transaction',
    'Connection closed by the other party',
  ])(
    'is a server error, not a TLS failure of this side, when a server answers the login with "%s"',
    async (message) => {
      const server = await track(
        scriptedMysql(
          'after-tls',
          { kind: 'bytes', bytes: mysqlError(1105, message) },
          certificates.servers.valid,
        ),
      );
      const finding = await probe('mariadb', server.port);
      expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
      expect(finding?.reason).toBe('SERVER_ERROR');
    },
  );
});

describe('the TLS downgrade attempt against an older TLS stack', () => {
  it('sees TLS 1.0 accepted by a server whose ServerHello has no renegotiation_info extension (the refusal would be this side, not the server)', async () => {
    const server = await track(tls10ServerWithoutRenegotiationInfo(certificates.servers.valid));
    const step = await probeLegacyTls(stepTarget(server.port), mysqlPreamble);
    expect(step).toEqual({ kind: 'accepted', offered: 'TLSv1.1', protocol: 'TLSv1' });
    expect(server.handshakes()).toBe(1);
  });
});

describe('MySQL proxy endpoint answering a plaintext login with an error', () => {
  it('reads a server error whose text says "refused to answer" as that error, not as the probe refusing a password-exposing method', async () => {
    const server = await track(
      scriptedMysql(
        'after-login',
        {
          kind: 'bytes',
          bytes: mysqlError(1105, 'refused to answer mysql_clear_password over plaintext', 2),
        },
        certificates.servers.valid,
      ),
    );
    const prober = createLiveProber({
      credentials: fixedCredentials('probe', CANARY),
      caBundle: certificates.caPem,
      hostOverride: '127.0.0.1',
      // The scripted server never answers the login over TLS: that step ends at this timeout.
      connectTimeoutMs: 1_000,
      probeTimeoutMs: PROBE_TIMEOUT_MS,
    });
    const finding = await prober.probe(
      localProxyItem({
        engineFamily: 'MYSQL',
        identifier: 'orders-mysql-proxy',
        resourceId: 'prx-0hostile000000000000',
        port: server.port,
        requireTls: true,
        target: 'local-mariadb',
      }),
      DEFAULT_RULE_PARAMETERS,
    );
    expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
    const plaintext = finding?.evidence.find((entry) =>
      entry.label.startsWith('plaintext attempt'),
    );
    expect(plaintext?.value).toContain('could not tell whether the proxy requires TLS');
  });
});

describe('PostgreSQL probe against TLS servers a verify-full client must reject', () => {
  it.each([
    ['untrusted', 'TLS_VERIFY_FAILED_UNTRUSTED'],
    ['expired', 'TLS_VERIFY_FAILED_EXPIRED'],
    ['wrong-host', 'TLS_VERIFY_FAILED_HOSTNAME'],
  ] as const)(
    'is NON_COMPLIANT for the %s certificate although plaintext is refused (%s)',
    async (kind, reason) => {
      const server = await track(postgresTlsFront({ certificate: certificates.servers[kind] }));
      const finding = await probe('postgres', server.port);
      expect(finding?.verdict).toBe('NON_COMPLIANT');
      expect(finding?.reason).toBe(reason);
      expect(sawSecret(server, CANARY)).toBe(false);
    },
  );

  it('is NON_COMPLIANT for a server that speaks only TLS 1.0/1.1 (TLS_VERSION_BELOW_MINIMUM)', async () => {
    const server = await track(
      postgresTlsFront({
        certificate: certificates.servers.valid,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
      }),
    );
    const finding = await probe('postgres', server.port);
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('TLS_VERSION_BELOW_MINIMUM');
  });

  it('sees the TLS 1.1 handshake accepted by a TLS 1.0/1.1-only server (the client can offer old versions)', async () => {
    const server = await track(
      postgresTlsFront({
        certificate: certificates.servers.valid,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
      }),
    );
    const legacy = await probeLegacyTls(stepTarget(server.port), postgresPreamble);
    expect(legacy).toEqual({ kind: 'accepted', offered: 'TLSv1.1', protocol: 'TLSv1.1' });
  });
});

describe('the real password never leaves over plaintext', () => {
  it('PostgreSQL plaintext probe sends a random throwaway password, and TLS-only steps send nothing to a server without TLS', async () => {
    const server = await track(passwordRecordingPostgres());
    const finding = await probe('postgres', server.port);
    expect(server.passwords).toHaveLength(1);
    const sent = server.passwords[0]?.password ?? '';
    expect(sent).not.toBe(CANARY);
    expect(sent.length).toBeGreaterThanOrEqual(24);
    expect(sawSecret(server, CANARY)).toBe(false);
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_ACCEPTED');
    expect(JSON.stringify(finding)).not.toContain(CANARY);
  });

  it('uses a different throwaway password on every probe', async () => {
    const server = await track(passwordRecordingPostgres());
    await probe('postgres', server.port);
    await probe('postgres', server.port);
    const [first, second] = server.passwords.map((entry) => entry.password);
    expect(first).toBeDefined();
    expect(first).not.toBe(second);
  });

  it.each(['mysql_clear_password', 'dialog', 'sha256_password', 'caching_sha2_password'])(
    'MySQL opt-in plaintext login refuses an auth switch to %s without sending the password, and a server known open from its settings is still NON_COMPLIANT',
    async (plugin) => {
      const server = await track(authSwitchingMysql(plugin));
      const step = await attemptPlaintextLogin(
        stepTarget(server.port),
        { username: 'probe', password: new SecretValue(CANARY) },
        { requireSecureTransport: 'OFF', userSslType: '' },
      );
      expect(step).toMatchObject({ kind: 'accepted', reason: 'PLAINTEXT_ACCEPTED' });
      expect(step.detail).toContain(
        'stopped: the server asked for an auth method that exposes the password',
      );
      expect(sawSecret(server, CANARY)).toBe(false);
    },
  );

  it('reads a refused unsafe auth switch as SERVER_REQUIRES_TLS when the verified session showed require_secure_transport=ON', async () => {
    const server = await track(authSwitchingMysql('mysql_clear_password'));
    const step = await attemptPlaintextLogin(
      stepTarget(server.port),
      { username: 'probe', password: new SecretValue(CANARY) },
      { requireSecureTransport: 'ON', userSslType: '' },
    );
    expect(step).toMatchObject({ kind: 'refused', reason: 'SERVER_REQUIRES_TLS' });
  });
});

import { X509Certificate } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMariadb } from '../../lib/local/index.js';
import type { ProbeTarget } from '../../lib/probe/index.js';
import { createLiveProber } from '../../lib/probe/index.js';
import {
  type Connection,
  connectionOptions,
  type OpenConnection,
  open,
} from '../../lib/probe/mysql-connection.js';
import { readSessionFacts } from '../../lib/probe/mysql-session.js';
import { SecretValue } from '../../lib/secret-value.js';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters } from '../../lib/types.js';
import { credentialDerivedBytes } from '../fixtures/credential-bytes.js';
import { mysqlGreetingNonce, recordingRelay } from '../fixtures/hostile.js';
import {
  databaseItem,
  fixedCredentials,
  REAL_SERVER_CONNECT_TIMEOUT_MS,
  useMariadb,
} from '../fixtures/servers.js';

let server: LocalMariadb;
const usageUser = { username: 'guard_usage_only', password: new SecretValue('usage-Only-pw-4d2') };
const usageSslUser = {
  username: 'guard_usage_ssl',
  password: new SecretValue('usage-Ssl-pw-9e1'),
};
const x509User = { username: 'guard_x509', password: new SecretValue('x509-User-pw-77b') };

beforeAll(async () => {
  server = useMariadb();
  for (const [user, requirement] of [
    [usageUser, ''],
    [usageSslUser, ' REQUIRE SSL'],
    [x509User, ' REQUIRE X509'],
  ] as const) {
    await server.admin(`DROP USER IF EXISTS '${user.username}'@'%'`);
    await server.admin(
      `CREATE USER '${user.username}'@'%' IDENTIFIED BY '${user.password.reveal()}'${requirement}`,
    );
  }
});

afterAll(async () => {
  await server.setRequireSecureTransport(false);
  await server.setCertificate('valid');
});

function probe(
  username = server.masterUser,
  password: SecretValue = server.masterPassword,
  parameters: Partial<RuleParameters> = {},
  port = server.port,
) {
  const prober = createLiveProber({
    credentials: fixedCredentials(username, password),
    caBundle: server.ca,
    hostOverride: server.host,
    connectTimeoutMs: REAL_SERVER_CONNECT_TIMEOUT_MS,
  });
  return prober.probe(databaseItem('mariadb', port), {
    ...DEFAULT_RULE_PARAMETERS,
    ...parameters,
  });
}

describe('MariaDB live probe against a real server (default: nothing credential-derived over plaintext)', () => {
  it('is COMPLIANT with SERVER_REQUIRES_TLS when require_secure_transport is ON, read over verified TLS', async () => {
    await server.setRequireSecureTransport(true);
    try {
      const finding = await probe();
      expect(finding?.verdict).toBe('COMPLIANT');
      expect(finding?.reason).toBe('SERVER_REQUIRES_TLS');
      expect(finding?.annotation).toContain('require_secure_transport=ON read over verified TLS');
      expect(finding?.evidence).toContainEqual({
        source: 'server',
        label: 'Ssl_version',
        value: 'TLSv1.3',
      });
      expect(finding?.evidence).toContainEqual({
        source: 'server',
        label: '@@require_secure_transport',
        value: 'ON',
      });
      expect(finding?.evidence.map((item) => item.label)).toContain(
        'plaintext attempt (random user and password)',
      );
    } finally {
      await server.setRequireSecureTransport(false);
    }
  });

  it('is NON_COMPLIANT with PLAINTEXT_ACCEPTED when require_secure_transport is OFF and the user has no SSL requirement', async () => {
    await server.setRequireSecureTransport(false);
    const finding = await probe();
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_ACCEPTED');
    expect(finding?.annotation).toContain(
      'server accepts plaintext: require_secure_transport=OFF and the user has no SSL requirement',
    );
  });

  it('is NON_COMPLIANT with PLAINTEXT_REFUSED_PER_USER_ONLY for a REQUIRE SSL user while the server is OFF', async () => {
    await server.setRequireSecureTransport(false);
    const finding = await probe(server.sslUser.username, server.sslUser.password);
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_REFUSED_PER_USER_ONLY');
    expect(finding?.evidence).toContainEqual({
      source: 'server',
      label: 'mysql.user.ssl_type',
      value: 'ANY',
    });
  });

  it('is COMPLIANT for a REQUIRE SSL user once the server is ON', async () => {
    await server.setRequireSecureTransport(true);
    try {
      const finding = await probe(server.sslUser.username, server.sslUser.password);
      expect(finding?.verdict).toBe('COMPLIANT');
      expect(finding?.reason).toBe('SERVER_REQUIRES_TLS');
    } finally {
      await server.setRequireSecureTransport(false);
    }
  });

  it('sends nothing derived from the password over plaintext: an observer on the path sees neither it nor a scramble', async () => {
    const relay = await recordingRelay(server.port);
    try {
      await probe(server.masterUser, server.masterPassword, {}, relay.port);
      expect(relay.connections.length).toBeGreaterThanOrEqual(2);
      for (const connection of relay.connections) {
        const sent = Buffer.concat(connection.fromClient);
        const nonce = mysqlGreetingNonce(connection.fromServer);
        for (const secret of credentialDerivedBytes(server.masterPassword.reveal(), nonce)) {
          expect(sent.includes(secret)).toBe(false);
        }
      }
    } finally {
      await relay.close();
    }
  });
});

describe('MariaDB live probe with the opt-in credentialed plaintext login (mysqlPlaintextLogin)', () => {
  it('is NON_COMPLIANT with the plaintext login accepted when require_secure_transport is OFF', async () => {
    await server.setRequireSecureTransport(false);
    const finding = await probe(server.masterUser, server.masterPassword, {
      mysqlPlaintextLogin: true,
    });
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_ACCEPTED');
    expect(finding?.annotation).toContain(
      'plaintext login accepted by server (require_secure_transport=OFF)',
    );
  });

  it('is COMPLIANT PLAINTEXT_REFUSED when require_secure_transport is ON (1045 for credentials proven over TLS)', async () => {
    await server.setRequireSecureTransport(true);
    try {
      const finding = await probe(server.masterUser, server.masterPassword, {
        mysqlPlaintextLogin: true,
      });
      expect(finding?.verdict).toBe('COMPLIANT');
      expect(finding?.reason).toBe('PLAINTEXT_REFUSED');
    } finally {
      await server.setRequireSecureTransport(false);
    }
  });

  it('does put the scramble on the wire, which is why it is opt-in (the observer check above can fail)', async () => {
    await server.setRequireSecureTransport(true);
    const relay = await recordingRelay(server.port);
    try {
      await probe(
        server.masterUser,
        server.masterPassword,
        { mysqlPlaintextLogin: true },
        relay.port,
      );
      const exposed = relay.connections.some((connection) => {
        const sent = Buffer.concat(connection.fromClient);
        const nonce = mysqlGreetingNonce(connection.fromServer);
        return credentialDerivedBytes(server.masterPassword.reveal(), nonce).some((secret) =>
          sent.includes(secret),
        );
      });
      expect(exposed).toBe(true);
      // The password itself still never crosses.
      const all = Buffer.concat(relay.connections.flatMap((connection) => connection.fromClient));
      expect(all.includes(Buffer.from(server.masterPassword.reveal()))).toBe(false);
    } finally {
      await relay.close();
      await server.setRequireSecureTransport(false);
    }
  });
});

describe('MariaDB probe users with least privilege and user requirements', () => {
  it('a USAGE-only user (no SELECT on mysql.user) still yields the verdict, its SSL requirement read from SHOW CREATE USER', async () => {
    await server.setRequireSecureTransport(false);
    const open = await probe(usageUser.username, usageUser.password);
    expect(open?.verdict).toBe('NON_COMPLIANT');
    expect(open?.reason).toBe('PLAINTEXT_ACCEPTED');
    expect(open?.evidence).toContainEqual({
      source: 'server',
      label: 'user SSL requirement (SHOW CREATE USER)',
      value: '',
    });
    const perUser = await probe(usageSslUser.username, usageSslUser.password);
    expect(perUser?.reason).toBe('PLAINTEXT_REFUSED_PER_USER_ONLY');
    await server.setRequireSecureTransport(true);
    try {
      const closed = await probe(usageUser.username, usageUser.password);
      expect(closed?.verdict).toBe('COMPLIANT');
      expect(closed?.reason).toBe('SERVER_REQUIRES_TLS');
    } finally {
      await server.setRequireSecureTransport(false);
    }
  });

  it('a REQUIRE X509 user refused over TLS is named with the user requirement, not only as a bad password', async () => {
    const finding = await probe(x509User.username, x509User.password);
    expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding?.reason).toBe('AUTH_FAILED');
    expect(finding?.annotation).toContain('REQUIRE X509');
  });

  it.each([
    ['expired', 'TLS_VERIFY_FAILED_EXPIRED'],
    ['wrong-host', 'TLS_VERIFY_FAILED_HOSTNAME'],
    ['untrusted', 'TLS_VERIFY_FAILED_UNTRUSTED'],
  ] as const)(
    'is NON_COMPLIANT when the server presents the %s certificate (%s)',
    async (kind, reason) => {
      await server.setCertificate(kind);
      try {
        const finding = await probe();
        expect(finding?.verdict).toBe('NON_COMPLIANT');
        expect(finding?.reason).toBe(reason);
      } finally {
        await server.setCertificate('valid');
      }
    },
  );

  it('never returns the real password in any text of the finding', async () => {
    const finding = await probe();
    expect(JSON.stringify(finding)).not.toContain(server.masterPassword.reveal());
  });
});

/** A verify-full login as the master user through the probe's own connection code. */
async function connectOverTls(): Promise<OpenConnection> {
  const target: ProbeTarget = {
    host: server.host,
    port: server.port,
    servername: 'localhost',
    ca: server.ca,
    minTlsVersion: 'TLSv1.2',
    connectTimeoutMs: REAL_SERVER_CONNECT_TIMEOUT_MS,
  };
  const opened = await open(
    {
      ...connectionOptions(target, {
        username: server.masterUser,
        password: server.masterPassword,
      }),
      ssl: { ca: server.ca, rejectUnauthorized: true },
      multipleStatements: true,
    },
    target,
  );
  if ('error' in opened) throw opened.error;
  return opened;
}

describe('mysql2 internals the probe relies on', () => {
  it('upgrades through connection.startTLS, which the probe replaces, and keeps the TLS socket in connection.stream', async () => {
    const opened = await connectOverTls();
    try {
      expect(opened.verifiedUpgrade()).toBe(true);
      const stream: unknown = (opened.connection as unknown as { stream?: unknown }).stream;
      expect(stream).toBeInstanceOf(TLSSocket);
      const expected = new X509Certificate(server.certificates.servers.valid.certPem);
      expect((stream as TLSSocket).getPeerCertificate().fingerprint256).toBe(
        expected.fingerprint256,
      );
    } finally {
      opened.connection.destroy();
    }
  });

  it('never resumes a TLS session: every connection to the same server is verified in full', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const opened = await connectOverTls();
      try {
        const stream = (opened.connection as unknown as { stream: TLSSocket }).stream;
        expect(stream.isSessionReused()).toBe(false);
        expect(stream.authorized).toBe(true);
      } finally {
        opened.connection.destroy();
      }
    }
  });
});

describe('MariaDB session facts read over the verified session', () => {
  async function withSession<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    const opened = await connectOverTls();
    try {
      return await work(opened.connection);
    } finally {
      opened.connection.destroy();
    }
  }

  it('reads the variables in one SELECT, require_secure_transport spelled ON/OFF as SHOW does', async () => {
    await server.setRequireSecureTransport(true);
    try {
      const facts = await withSession((connection) =>
        readSessionFacts(connection, REAL_SERVER_CONNECT_TIMEOUT_MS),
      );
      expect(facts.requireSecureTransport).toBe('ON');
      expect(facts.variablesRead).toBe(true);
      expect(facts.tlsVersion).toMatch(/TLSv1\.2/);
      expect(facts.version).toMatch(/MariaDB/);
      expect(facts.sslVersion).toBe('TLSv1.3');
      // Not read where the server requires TLS of everyone: it cannot change the verdict.
      expect(facts.userSslType).toBeUndefined();
    } finally {
      await server.setRequireSecureTransport(false);
    }
  });

  it('falls back to SHOW GLOBAL VARIABLES where a variable is not defined, which then reads as absent', async () => {
    const facts = await withSession((connection) =>
      readSessionFacts(connection, REAL_SERVER_CONNECT_TIMEOUT_MS, [
        'tls_version',
        'version',
        'rtg_not_a_variable',
      ]),
    );
    expect(facts.variablesUnreadable).toBeUndefined();
    expect(facts.variablesRead).toBe(true);
    expect(facts.requireSecureTransport).toBeUndefined();
    expect(facts.version).toMatch(/MariaDB/);
    expect(facts.sslVersion).toBe('TLSv1.3');
    expect(facts.userSslType).toBe('');
  });
});

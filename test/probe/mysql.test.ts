import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMariadb } from '../../lib/local/index.js';
import { createLiveProber } from '../../lib/probe/index.js';
import type { SecretValue } from '../../lib/secret-value.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { databaseItem, fixedCredentials, useMariadb } from '../fixtures/servers.js';

let server: LocalMariadb;

beforeAll(() => {
  server = useMariadb();
});

afterAll(async () => {
  await server.setRequireSecureTransport(false);
  await server.setCertificate('valid');
});

function probe(username = server.masterUser, password: SecretValue = server.masterPassword) {
  const prober = createLiveProber({
    credentials: fixedCredentials(username, password),
    caBundle: server.ca,
    hostOverride: server.host,
    connectTimeoutMs: 2_000,
  });
  return prober.probe(databaseItem('mariadb', server.port), DEFAULT_RULE_PARAMETERS);
}

describe('MariaDB live probe against a real server', () => {
  it('is COMPLIANT with PLAINTEXT_REFUSED when require_secure_transport is ON', async () => {
    await server.setRequireSecureTransport(true);
    try {
      const finding = await probe();
      expect(finding?.verdict).toBe('COMPLIANT');
      expect(finding?.reason).toBe('PLAINTEXT_REFUSED');
      expect(finding?.annotation).toContain('require_secure_transport=ON');
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
    } finally {
      await server.setRequireSecureTransport(false);
    }
  });

  it('is NON_COMPLIANT with PLAINTEXT_ACCEPTED when require_secure_transport is OFF', async () => {
    await server.setRequireSecureTransport(false);
    const finding = await probe();
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_ACCEPTED');
    expect(finding?.annotation).toContain(
      'plaintext login accepted by server (require_secure_transport=OFF)',
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
      expect(finding?.reason).toBe('PLAINTEXT_REFUSED');
    } finally {
      await server.setRequireSecureTransport(false);
    }
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

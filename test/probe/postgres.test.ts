import { TLSSocket } from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPostgres } from '../../lib/local/index.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { tlsTerminatingPostgresRelay } from '../fixtures/hostile.js';
import {
  databaseItem,
  fixedCredentials,
  REAL_SERVER_CONNECT_TIMEOUT_MS,
  usePostgres,
} from '../fixtures/servers.js';

let server: LocalPostgres;

beforeAll(() => {
  server = usePostgres();
});

afterAll(async () => {
  await server.setForceSsl(true);
  await server.setCertificate('valid');
  await server.setSslMinProtocolVersion('TLSv1.2');
});

function probe(password = server.masterPassword, port = server.port) {
  const prober = createLiveProber({
    credentials: fixedCredentials(server.masterUser, password),
    caBundle: server.ca,
    hostOverride: server.host,
    connectTimeoutMs: REAL_SERVER_CONNECT_TIMEOUT_MS,
  });
  return prober.probe(databaseItem('postgres', port), DEFAULT_RULE_PARAMETERS);
}

describe('PostgreSQL live probe against a real server', () => {
  it('is COMPLIANT with PLAINTEXT_REFUSED when force_ssl is on, quoting the pg_hba refusal', async () => {
    await server.setForceSsl(true);
    const finding = await probe();
    expect(finding?.verdict).toBe('COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_REFUSED');
    expect(finding?.annotation).toContain('28000 pg_hba: no encryption');
    expect(finding?.annotation).toContain('verify-full TLSv1.3 ok');
    expect(finding?.evidence).toContainEqual({
      source: 'server',
      label: 'pg_stat_ssl.version',
      value: 'TLSv1.3',
    });
    expect(finding?.evidence).toContainEqual({
      source: 'server',
      label: 'ssl_min_protocol_version',
      value: 'TLSv1.2',
    });
  });

  it('is NON_COMPLIANT with PLAINTEXT_ACCEPTED when force_ssl is off (28P01 for the throwaway password)', async () => {
    await server.setForceSsl(false);
    try {
      const finding = await probe();
      expect(finding?.verdict).toBe('NON_COMPLIANT');
      expect(finding?.reason).toBe('PLAINTEXT_ACCEPTED');
      expect(finding?.annotation).toContain('28P01');
    } finally {
      await server.setForceSsl(true);
    }
  });

  it('is NON_COMPLIANT with LEGACY_TLS_ACCEPTED when the server accepts TLS 1.1', async () => {
    await server.setSslMinProtocolVersion('TLSv1');
    try {
      const finding = await probe();
      expect(finding?.verdict).toBe('NON_COMPLIANT');
      expect(finding?.reason).toBe('LEGACY_TLS_ACCEPTED');
      expect(finding?.annotation).toContain('server accepted TLSv1.1');
    } finally {
      await server.setSslMinProtocolVersion('TLSv1.2');
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

  it('is INSUFFICIENT_DATA with AUTH_FAILED when the secret holds a wrong password, never COMPLIANT', async () => {
    const finding = await probe(
      new (await import('../../lib/secret-value.js')).SecretValue('not-the-password'),
    );
    expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding?.reason).toBe('AUTH_FAILED');
  });

  it("records the TLS this side negotiated as the verify-full step, and the server's pg_stat_ssl apart, when a relay between them ends TLS", async () => {
    const relay = await tlsTerminatingPostgresRelay(
      server.port,
      server.certificates.servers.valid,
      'TLSv1.2',
    );
    try {
      const finding = await probe(server.masterPassword, relay.port);
      expect(finding?.evidence).toContainEqual({
        source: 'server',
        label: 'pg_stat_ssl.version',
        value: 'TLSv1.3',
      });
      const step = finding?.evidence.find((item) => item.label === 'verify-full TLS');
      expect(step?.value).toMatch(/^TLSv1\.2 /);
      expect(finding?.annotation).toContain('verify-full TLSv1.2 ok');
    } finally {
      await relay.close();
    }
  });

  it('is NON_COMPLIANT with TLS_ENDS_BEFORE_SERVER when a front ends the verified TLS and forwards in plaintext to a server that reports its session unencrypted', async () => {
    await server.setForceSsl(false);
    const relay = await tlsTerminatingPostgresRelay(
      server.port,
      server.certificates.servers.valid,
      'TLSv1.3',
      'plaintext',
    );
    try {
      const finding = await probe(server.masterPassword, relay.port);
      expect(finding?.verdict).toBe('NON_COMPLIANT');
      expect(finding?.reason).toBe('TLS_ENDS_BEFORE_SERVER');
      expect(finding?.annotation).toContain('pg_stat_ssl.ssl=false');
      expect(finding?.annotation).toContain('plaintext refused by server before authentication');
      expect(finding?.remediation).toContain('ends TLS and forwards the connection in plaintext');
    } finally {
      await relay.close();
      await server.setForceSsl(true);
    }
  });

  it('never returns the real password in any text of the finding', async () => {
    const finding = await probe();
    expect(JSON.stringify(finding)).not.toContain(server.masterPassword.reveal());
  });
});

describe('pg internals the probe relies on', () => {
  it('keeps the socket in client.connection.stream and swaps in the TLS socket there, where the read limit watches', async () => {
    const client = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.masterUser,
      password: server.masterPassword.reveal(),
      database: 'postgres',
      ssl: { ca: server.ca, rejectUnauthorized: false },
    });
    client.on('error', () => {});
    const before: unknown = client.connection.stream;
    await client.connect();
    try {
      expect(before).not.toBeInstanceOf(TLSSocket);
      expect(client.connection.stream).toBeInstanceOf(TLSSocket);
    } finally {
      await client.end();
    }
  });
});

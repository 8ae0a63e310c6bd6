/**
 * The PostgreSQL probe against pg_hba files that refuse plaintext for some
 * identities only, on a real server that speaks German (lc_messages
 * de_DE.UTF-8): the probe reads SQLSTATEs and message types, never words.
 * The server is this file's own, so it also takes settings the shared server
 * must not (ssl_ciphers for the downgrade attempt).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalPostgres, startPostgres } from '../../lib/local/index.js';
import type { CredentialResolver } from '../../lib/pipeline.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { SecretValue } from '../../lib/secret-value.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { databaseItem, REAL_SERVER_CONNECT_TIMEOUT_MS } from '../fixtures/servers.js';

let server: LocalPostgres;
const probeUser = 'guard_probe';
const probePassword = new SecretValue('probe-Passw0rd-for-hba-tests');
const plainUser = 'guard_plain';
const plainPassword = new SecretValue('plain-Passw0rd-least-privilege');
const certUser = 'guard_cert';
const appDatabase = 'appdb';

const RDS_HBA = [
  'local all all scram-sha-256',
  'hostssl all all 127.0.0.1/32 scram-sha-256',
  'hostnossl all all 0.0.0.0/0 reject',
];

async function asMaster(sql: string): Promise<unknown[]> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.masterUser,
    password: server.masterPassword.reveal(),
    database: 'postgres',
    ssl: { ca: server.ca, rejectUnauthorized: false },
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** What the server answers a plaintext login, to show the test's premise (German text). */
async function plaintextMessage(user: string, database: string): Promise<string> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user,
    password: 'not-a-password',
    database,
    ssl: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return 'connected';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

beforeAll(async () => {
  server = await startPostgres({ lcMessages: 'de_DE.UTF-8' });
  await asMaster(`create role ${probeUser} login password '${probePassword.reveal()}'`);
  await asMaster(`create role ${plainUser} login password '${plainPassword.reveal()}'`);
  await asMaster(`create role ${certUser} login password 'cert-user-password'`);
  await asMaster(`create database ${appDatabase}`);
});

afterAll(async () => {
  await server?.stop();
});

function credentials(
  username: string,
  password: SecretValue,
  database?: string,
): CredentialResolver {
  return {
    resolve: async () => ({
      kind: 'resolved',
      credentials: {
        username,
        password,
        origin: 'test',
        reference: 'test:hba',
        ...(database ? { database } : {}),
      },
    }),
  };
}

function probe(
  resolver = credentials(probeUser, probePassword),
  parameters = DEFAULT_RULE_PARAMETERS,
) {
  const prober = createLiveProber({
    credentials: resolver,
    caBundle: server.ca,
    hostOverride: server.host,
    connectTimeoutMs: REAL_SERVER_CONNECT_TIMEOUT_MS,
  });
  return prober.probe(databaseItem('postgres', server.port), parameters);
}

describe('PostgreSQL probe: plaintext refused for everyone, or only for some', () => {
  it('the server under test answers in German (the premise of these tests)', async () => {
    await server.setHbaLines(RDS_HBA);
    expect(await plaintextMessage(probeUser, 'postgres')).toContain('keine Verschlüsselung');
  });

  it('is COMPLIANT PLAINTEXT_REFUSED when pg_hba refuses plaintext for every role and database, read from SQLSTATE 28000 alone', async () => {
    await server.setHbaLines(RDS_HBA);
    const finding = await probe();
    expect(finding?.verdict).toBe('COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_REFUSED');
    expect(finding?.annotation).toContain('refused by server before authentication (28000 pg_hba)');
    expect(finding?.annotation).toContain('also for a random role and database');
    const attempts = finding?.evidence.filter((item) => item.label.startsWith('plaintext attempt'));
    expect(attempts?.map((item) => item.label)).toEqual([
      'plaintext attempt as probe user (throwaway password)',
      'plaintext attempt as random role (throwaway password)',
      'plaintext attempt as random database (throwaway password)',
      'plaintext attempt as random role on the database of its own name (throwaway password)',
    ]);
  });

  it('is NON_COMPLIANT PLAINTEXT_REFUSED_PER_USER_ONLY when pg_hba rejects plaintext only for the probe role', async () => {
    await server.setHbaLines([
      'local all all scram-sha-256',
      `hostnossl all ${probeUser} 127.0.0.1/32 reject`,
      'hostssl all all 127.0.0.1/32 scram-sha-256',
      'host all all 127.0.0.1/32 scram-sha-256',
    ]);
    const finding = await probe();
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_REFUSED_PER_USER_ONLY');
    expect(finding?.annotation).toContain('random role went on to authentication without TLS');
  });

  it('is NON_COMPLIANT PLAINTEXT_REFUSED_PER_DATABASE_ONLY when pg_hba rejects plaintext only for the probe database', async () => {
    await server.setHbaLines([
      'local all all scram-sha-256',
      `hostnossl ${appDatabase} all 127.0.0.1/32 reject`,
      'hostssl all all 127.0.0.1/32 scram-sha-256',
      'host all all 127.0.0.1/32 scram-sha-256',
    ]);
    const finding = await probe(credentials(probeUser, probePassword, appDatabase));
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_REFUSED_PER_DATABASE_ONLY');
  });

  it('counts a trust line that lets a random role through to "role does not exist" (28000 after AuthenticationOk) as plaintext accepted', async () => {
    await server.setHbaLines([
      'local all all scram-sha-256',
      `hostnossl all ${probeUser} 127.0.0.1/32 reject`,
      'hostssl all all 127.0.0.1/32 scram-sha-256',
      'host all all 127.0.0.1/32 trust',
    ]);
    const finding = await probe();
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_REFUSED_PER_USER_ONLY');
  });

  it('is NON_COMPLIANT PLAINTEXT_ACCEPTED when plaintext is open to everyone', async () => {
    await server.setHbaLines([
      'local all all scram-sha-256',
      'host all all 127.0.0.1/32 scram-sha-256',
    ]);
    const finding = await probe();
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_ACCEPTED');
  });

  it('never sends the real password over plaintext in any of the attempts', async () => {
    await server.setHbaLines(['local all all scram-sha-256', 'host all all 127.0.0.1/32 password']);
    // With `password` authentication the server asks for the password in
    // clear text; the probe must answer with a throwaway one. It then reads
    // the login as accepted (28P01 after a password request).
    const finding = await probe();
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('PLAINTEXT_ACCEPTED');
    expect(JSON.stringify(finding)).not.toContain(probePassword.reveal());
  });
});

describe('PostgreSQL probe: least privilege and user requirements', () => {
  it('a plain LOGIN role (no pg_read_all_settings) loses only the hidden setting, not the TLS evidence', async () => {
    await server.setHbaLines(RDS_HBA);
    const finding = await probe(credentials(plainUser, plainPassword));
    expect(finding?.verdict).toBe('COMPLIANT');
    expect(finding?.evidence).toContainEqual({
      source: 'server',
      label: 'pg_stat_ssl.version',
      value: 'TLSv1.3',
    });
    expect(finding?.evidence).toContainEqual({
      source: 'server',
      label: 'ssl_min_protocol_version',
      value: '(hidden from the probe role)',
    });
    expect(finding?.evidence.map((item) => item.label)).toContain('server_version');
  });

  it('a role pg_hba refuses over TLS before authentication (as a client-certificate rule does) is named so, not as a bad password', async () => {
    // A `cert` line needs ssl_ca_file, which the local server has not; a
    // reject line answers the same way: 28000 before any password request.
    await server.setHbaLines([
      'local all all scram-sha-256',
      `hostssl all ${certUser} 127.0.0.1/32 reject`,
      'hostssl all all 127.0.0.1/32 scram-sha-256',
      'hostnossl all all 0.0.0.0/0 reject',
    ]);
    const finding = await probe(credentials(certUser, new SecretValue('cert-user-password')));
    expect(finding?.verdict).toBe('INSUFFICIENT_DATA');
    // German server text: the reason comes from SQLSTATE 28000 with no authentication request.
    expect(finding?.reason).toBe('TLS_LOGIN_REFUSED');
    expect(finding?.annotation).toContain('login over TLS refused before authentication');
  });
});

describe('PostgreSQL probe: pg_hba lines that admit plaintext without an authentication request, or only by how names relate', () => {
  // ident asks the client host's identd, never the client: with no identd here
  // the login fails (28000) without an authentication request, yet a client
  // whose host answers for the user logs in without TLS. gss sends a request
  // pg does not speak. sameuser admits a role to the database of its own name.
  it.each([
    ['ident', 'host all all 127.0.0.1/32 ident', 'it went on to authentication'],
    ['gss', 'host all all 127.0.0.1/32 gss', 'it went on to authentication'],
    [
      'sameuser',
      'host sameuser all 127.0.0.1/32 scram-sha-256',
      'a random role on the database of its own name went on to authentication without TLS',
    ],
  ])(
    'is NON_COMPLIANT PLAINTEXT_ACCEPTED when a plaintext line uses %s',
    async (_kind, line, words) => {
      await server.setHbaLines([
        'local all all scram-sha-256',
        'hostssl all all 127.0.0.1/32 scram-sha-256',
        line,
      ]);
      const finding = await probe();
      expect(finding?.verdict).toBe('NON_COMPLIANT');
      expect(finding?.reason).toBe('PLAINTEXT_ACCEPTED');
      expect(finding?.annotation).toContain(words);
    },
  );
});

describe('PostgreSQL probe: the downgrade attempt against a server that takes TLS 1.1 with uncommon ciphers', () => {
  it("is NON_COMPLIANT LEGACY_TLS_ACCEPTED when TLS 1.0/1.1 is allowed with Camellia ciphers only, outside OpenSSL's DEFAULT list", async () => {
    await server.setHbaLines(RDS_HBA);
    await server.setSslMinProtocolVersion('TLSv1');
    const ciphers = 'CAMELLIA:@SECLEVEL=0';
    await asMaster(`alter system set ssl_ciphers = '${ciphers}'`);
    await asMaster('select pg_reload_conf()');
    await expect
      .poll(async () => JSON.stringify(await asMaster('show ssl_ciphers')))
      .toContain(ciphers);
    try {
      const finding = await probe();
      expect(finding?.verdict).toBe('NON_COMPLIANT');
      expect(finding?.reason).toBe('LEGACY_TLS_ACCEPTED');
    } finally {
      await asMaster('alter system reset ssl_ciphers');
      await server.setSslMinProtocolVersion('TLSv1.2');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { decide } from '../../lib/probe/decision.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { highestVersionBelow } from '../../lib/probe/model.js';
import {
  classifyMysqlPlaintext,
  requirementFromCreateUser,
  UNSAFE_AUTH_REFUSED,
} from '../../lib/probe/mysql.js';
import { classifyPlaintextAnswer } from '../../lib/probe/postgres-plaintext.js';
import { classifyTlsError } from '../../lib/probe/postgres-session.js';
import { scrubFinding } from '../../lib/probe/scrub.js';
import { MAX_FINDING_TEXT } from '../../lib/text.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { databaseItem, fixedCredentials } from '../fixtures/servers.js';

const pgError = (code: string, message: string, authenticationRequested = false) => ({
  error: Object.assign(new Error(message), { code }),
  authenticationRequested,
});

describe('PostgreSQL plaintext answers', () => {
  it.each([
    'no pg_hba.conf entry for host "10.0.0.5", user "app", database "app", no encryption',
    'pg_hba.conf rejects connection for host "10.0.0.5", user "app", database "app", no encryption',
    'no pg_hba.conf entry for host "10.0.0.5", user "app", database "app", SSL off',
  ])('28000 "%s" is a refusal', (message) => {
    expect(classifyPlaintextAnswer(pgError('28000', message)).kind).toBe('refused');
  });

  it('28P01 means the server accepted plaintext and asked for the password', () => {
    expect(
      classifyPlaintextAnswer(pgError('28P01', 'password authentication failed for user "app"')),
    ).toMatchObject({
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
    });
  });

  it('28000 in any language before any authentication request is a refusal: the words are not read', () => {
    expect(
      classifyPlaintextAnswer(
        pgError(
          '28000',
          'pg_hba.conf lehnt Verbindung ab für Host »10.0.0.5«, Benutzer »app«, keine Verschlüsselung',
        ),
      ),
    ).toMatchObject({ kind: 'refused', reason: 'PLAINTEXT_REFUSED' });
  });

  it('28000 after the server asked to authenticate (a trust line, then "role does not exist") is plaintext accepted', () => {
    expect(
      classifyPlaintextAnswer(pgError('28000', 'role "rtg_0a1b" does not exist', true)),
    ).toMatchObject({ kind: 'accepted', reason: 'PLAINTEXT_ACCEPTED' });
  });

  it('another SQLSTATE before authentication is inconclusive', () => {
    expect(classifyPlaintextAnswer(pgError('53300', 'too many connections'))).toMatchObject({
      kind: 'inconclusive',
      reason: 'PLAINTEXT_RESULT_AMBIGUOUS',
    });
  });
});

describe('PostgreSQL TLS login answers', () => {
  it('28000 before authentication naming a client certificate is CLIENT_CERTIFICATE_REQUIRED', () => {
    const error = Object.assign(new Error('connection requires a valid client certificate'), {
      code: '28000',
    });
    expect(classifyTlsError(error, false)).toMatchObject({
      kind: 'inconclusive',
      reason: 'CLIENT_CERTIFICATE_REQUIRED',
    });
  });

  it('28000 before authentication in another language is TLS_LOGIN_REFUSED, never AUTH_FAILED', () => {
    const error = Object.assign(new Error('Verbindung erfordert ein gültiges Client-Zertifikat'), {
      code: '28000',
    });
    expect(classifyTlsError(error, false)).toMatchObject({ reason: 'TLS_LOGIN_REFUSED' });
  });
});

describe('MySQL plaintext answers read with the verified session', () => {
  const error = (errno: number) => ({
    error: Object.assign(new Error('denied'), { errno, sqlMessage: 'denied' }),
  });

  it('3159 is a refusal whatever the settings say', () => {
    expect(classifyMysqlPlaintext(error(3159), { requireSecureTransport: 'OFF' }).kind).toBe(
      'refused',
    );
  });

  it('1045 for a random user says nothing: require_secure_transport=ON read over TLS decides (SERVER_REQUIRES_TLS)', () => {
    expect(
      classifyMysqlPlaintext(
        error(1045),
        { requireSecureTransport: 'ON', userSslType: '' },
        'throwaway',
      ),
    ).toMatchObject({ kind: 'refused', reason: 'SERVER_REQUIRES_TLS' });
  });

  it('require_secure_transport=OFF and no user requirement is NON_COMPLIANT whatever the plaintext login answered', () => {
    expect(
      classifyMysqlPlaintext(error(1045), { requireSecureTransport: 'OFF', userSslType: '' }),
    ).toMatchObject({ kind: 'accepted', reason: 'PLAINTEXT_ACCEPTED' });
    const unsafe = {
      error: Object.assign(new Error('refused to answer mysql_clear_password'), {
        code: UNSAFE_AUTH_REFUSED,
      }),
    };
    expect(
      classifyMysqlPlaintext(unsafe, { requireSecureTransport: 'OFF', userSslType: '' }),
    ).toMatchObject({ kind: 'accepted', reason: 'PLAINTEXT_ACCEPTED' });
  });

  it('a server without require_secure_transport (the variables were read) accepts plaintext', () => {
    expect(
      classifyMysqlPlaintext(error(1045), { variablesRead: true, userSslType: '' }, 'throwaway'),
    ).toMatchObject({ kind: 'accepted', reason: 'PLAINTEXT_ACCEPTED' });
  });

  it('variables that could not be read leave the plaintext step inconclusive', () => {
    expect(
      classifyMysqlPlaintext(
        error(1045),
        { variablesUnreadable: 'ER_SPECIFIC_ACCESS_DENIED_ERROR' },
        'throwaway',
      ),
    ).toMatchObject({ kind: 'inconclusive', reason: 'SERVER_SETTING_UNREADABLE' });
  });

  it('a random user let in over plaintext is an anonymous account: PLAINTEXT_ACCEPTED even with require_secure_transport=ON', () => {
    expect(
      classifyMysqlPlaintext({ connected: true }, { requireSecureTransport: 'ON' }, 'throwaway'),
    ).toMatchObject({ kind: 'accepted', reason: 'PLAINTEXT_ACCEPTED' });
  });

  it.each([
    ["CREATE USER `u`@`%` IDENTIFIED BY PASSWORD '*ABC' REQUIRE SSL", 'ANY'],
    ['CREATE USER `u`@`%` REQUIRE X509 PASSWORD EXPIRE DEFAULT', 'X509'],
    ["CREATE USER `u`@`%` REQUIRE ISSUER '/CN=ca' SUBJECT '/CN=u'", 'SPECIFIED'],
    ['CREATE USER `u`@`%` IDENTIFIED WITH caching_sha2_password REQUIRE NONE', ''],
    ["CREATE USER `u`@`%` IDENTIFIED BY PASSWORD '*ABC'", ''],
  ])('SHOW CREATE USER "%s" is ssl_type %j', (statement, expected) => {
    expect(requirementFromCreateUser(statement)).toBe(expected);
  });
});

describe('joining the steps', () => {
  const refused = {
    kind: 'refused',
    reason: 'PLAINTEXT_REFUSED',
    detail: 'plaintext refused',
  } as const;
  const verified = { kind: 'verified', protocol: 'TLSv1.3' } as const;

  it('an untestable legacy attempt does not block COMPLIANT but is noted', () => {
    const finding = decide({
      protocol: 'postgres',
      plaintext: refused,
      tls: verified,
      legacy: { kind: 'untestable', offered: 'TLSv1.1', detail: 'no protocols' },
      minTlsVersion: 'TLSv1.2',
      requireLiveProbe: false,
      evidence: [],
    });
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.annotation).toMatch(
      /^TLS downgrade check below TLSv1.2 did not run \(untestable \(≤TLSv1.1\): no protocols\)/,
    );
  });

  it.each([
    { kind: 'failed', detail: 'legacy attempt failed to run (TypeError)' },
    { kind: 'inconclusive', offered: 'TLSv1.1', detail: 'no answer before the timeout' },
    { kind: 'untestable', offered: 'TLSv1.1', detail: 'no protocols' },
  ] as const)(
    'a downgrade check that did not run ($kind) is named, and INSUFFICIENT_DATA LEGACY_TLS_UNCHECKED with requireLiveProbe',
    (legacy) => {
      const observation = {
        protocol: 'postgres' as const,
        plaintext: refused,
        tls: verified,
        legacy,
        minTlsVersion: 'TLSv1.2' as const,
        evidence: [],
      };
      const noted = decide({ ...observation, requireLiveProbe: false });
      expect(noted.verdict).toBe('COMPLIANT');
      expect(noted.annotation).toMatch(/^TLS downgrade check below TLSv1.2 did not run/);
      const required = decide({ ...observation, requireLiveProbe: true });
      expect(required.verdict).toBe('INSUFFICIENT_DATA');
      expect(required.reason).toBe('LEGACY_TLS_UNCHECKED');
    },
  );

  it('plaintext refused but TLS inconclusive is INSUFFICIENT_DATA with the TLS reason', () => {
    const finding = decide({
      protocol: 'postgres',
      plaintext: refused,
      tls: { kind: 'inconclusive', reason: 'AUTH_FAILED', detail: 'login failed' },
      legacy: { kind: 'skipped', detail: '' },
      minTlsVersion: 'TLSv1.2',
      requireLiveProbe: false,
      evidence: [],
    });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('AUTH_FAILED');
  });

  it('the legacy attempt offers the newest version below the minimum', () => {
    expect(highestVersionBelow('TLSv1.2')).toBe('TLSv1.1');
    expect(highestVersionBelow('TLSv1.3')).toBe('TLSv1.2');
    expect(highestVersionBelow('TLSv1')).toBeUndefined();
  });

  it('the final scrub removes a secret from every text field and keeps the annotation within 256', () => {
    const secret = 'hunter2-secret';
    const scrubbed = scrubFinding(
      {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'X',
        annotation: `a ${secret} ${'x'.repeat(2000)}`,
        remediation: secret,
        evidence: [{ source: 'server', label: secret, value: secret }],
      },
      [secret],
    );
    expect(JSON.stringify(scrubbed)).not.toContain(secret);
    // Bounded, but not to Config's 256: reports show the probe's words whole.
    expect(scrubbed.annotation.length).toBe(MAX_FINDING_TEXT);
  });
});

describe('probe annotations', () => {
  it('keep text longer than the Config limit whole: only the Config sink cuts to 256', () => {
    const long = `server said: ${'y'.repeat(400)}`;
    const kept = scrubFinding(
      {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'X',
        annotation: long,
        remediation: '',
        evidence: [],
      },
      [],
    );
    expect(kept.annotation).toBe(long);
  });
});

describe('createLiveProber', () => {
  const prober = createLiveProber({ credentials: fixedCredentials('u', 'p') });

  it('has no probe for engines without one (SQL Server)', async () => {
    expect(
      await prober.probe(databaseItem('sqlserver-se', 1433), DEFAULT_RULE_PARAMETERS),
    ).toBeUndefined();
  });

  it('reports a database without an endpoint as INSUFFICIENT_DATA NO_ENDPOINT', async () => {
    const item = databaseItem('postgres', 5432);
    delete item.resource.endpoint;
    const finding = await prober.probe(item, DEFAULT_RULE_PARAMETERS);
    expect(finding).toMatchObject({ verdict: 'INSUFFICIENT_DATA', reason: 'NO_ENDPOINT' });
  });

  // DB instance status stopped/stopping
  // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Status.html):
  // nothing answers on the endpoint, so a connection would only time out.
  it.each(['stopped', 'stopping', ' Stopped '])(
    'does not connect to a database whose status is %j: DATABASE_STOPPED, not attempted',
    async (status) => {
      const resolved: string[] = [];
      const watching = createLiveProber({
        credentials: {
          resolve: async (resource) => {
            resolved.push(resource.identifier);
            return fixedCredentials('u', 'p').resolve(resource, DEFAULT_RULE_PARAMETERS);
          },
        },
        connectTimeoutMs: 200,
      });
      const item = databaseItem('postgres', 9);
      item.resource.status = status;
      const finding = await watching.probe(item, DEFAULT_RULE_PARAMETERS);
      expect(finding).toMatchObject({
        verdict: 'INSUFFICIENT_DATA',
        reason: 'DATABASE_STOPPED',
        annotation: `live probe not attempted: the database is stopped (status ${status.trim()})`,
      });
      expect(resolved).toEqual([]);
    },
  );

  // DBClusterMembers / IsClusterWriter and EngineMode as DescribeDBClusters
  // returns them (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html):
  // a cluster without a writer instance has nothing behind its endpoint, while
  // an Aurora Serverless v1 cluster (EngineMode serverless) has no instances
  // and answers itself.
  it('does not connect to a cluster with no writer instance, and does to a serverless v1 one', async () => {
    const resolved: string[] = [];
    const watching = createLiveProber({
      credentials: {
        resolve: async (resource) => {
          resolved.push(resource.identifier);
          return { kind: 'unavailable', reason: 'NO_SECRET_CONFIGURED', message: 'none' };
        },
      },
      connectTimeoutMs: 200,
    });
    const clusterItem = (
      engineMode: string,
      members: { identifier: string; writer: boolean }[],
    ) => {
      const item = databaseItem('aurora-postgresql', 9);
      item.resource = {
        ...item.resource,
        resourceType: 'AWS::RDS::DBCluster',
        identifier: `ledger-${engineMode}-${members.length}`,
        engineMode,
        clusterMembers: members,
      };
      return item;
    };
    const headless = await watching.probe(clusterItem('provisioned', []), DEFAULT_RULE_PARAMETERS);
    expect(headless).toMatchObject({
      verdict: 'INSUFFICIENT_DATA',
      reason: 'NO_WRITER_INSTANCE',
      annotation:
        'live probe not attempted: the cluster has no DB instances, so nothing answers on its endpoint',
      evidence: [],
    });
    const readersOnly = await watching.probe(
      clusterItem('provisioned', [{ identifier: 'ledger-eu-1', writer: false }]),
      DEFAULT_RULE_PARAMETERS,
    );
    expect(readersOnly).toMatchObject({ reason: 'NO_WRITER_INSTANCE' });
    expect(resolved).toEqual([]);

    const serverless = await watching.probe(clusterItem('serverless', []), DEFAULT_RULE_PARAMETERS);
    expect(serverless).toMatchObject({ reason: 'NO_SECRET_CONFIGURED' });
    expect(resolved).toEqual(['ledger-serverless-0']);
  });

  it("passes the resolver's reason through when credentials are unavailable", async () => {
    const noSecret = createLiveProber({
      credentials: {
        resolve: async () => ({
          kind: 'unavailable',
          reason: 'SECRET_NOT_FOUND',
          message: 'secret arn:x not found',
        }),
      },
    });
    const finding = await noSecret.probe(
      databaseItem('aurora-mysql', 3306),
      DEFAULT_RULE_PARAMETERS,
    );
    expect(finding).toMatchObject({ verdict: 'INSUFFICIENT_DATA', reason: 'SECRET_NOT_FOUND' });
    expect(finding?.annotation).toContain('secret arn:x not found');
  });
});

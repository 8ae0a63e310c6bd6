import { describe, expect, it } from 'vitest';
import { createLiveProber } from '../../lib/probe/index.js';
import { classifyMysqlPlaintext } from '../../lib/probe/mysql.js';
import { decide, highestVersionBelow, scrubFinding } from '../../lib/probe/outcome.js';
import { classifyPlaintextAnswer } from '../../lib/probe/postgres.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { databaseItem, fixedCredentials } from '../fixtures/servers.js';

const pgError = (code: string, message: string) => ({
  error: Object.assign(new Error(message), { code }),
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

  it('28000 about something else (a missing role) is inconclusive, not a refusal', () => {
    expect(classifyPlaintextAnswer(pgError('28000', 'role "app" does not exist'))).toMatchObject({
      kind: 'inconclusive',
      reason: 'PLAINTEXT_RESULT_AMBIGUOUS',
    });
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

  it('1045 with require_secure_transport OFF and no ssl_type is ambiguous', () => {
    expect(
      classifyMysqlPlaintext(error(1045), { requireSecureTransport: 'OFF', userSslType: '' }),
    ).toMatchObject({
      kind: 'inconclusive',
      reason: 'PLAINTEXT_RESULT_AMBIGUOUS',
    });
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
      evidence: [],
    });
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.annotation).toContain('≤TLSv1.1 untestable here');
  });

  it('plaintext refused but TLS inconclusive is INSUFFICIENT_DATA with the TLS reason', () => {
    const finding = decide({
      protocol: 'postgres',
      plaintext: refused,
      tls: { kind: 'inconclusive', reason: 'AUTH_FAILED', detail: 'login failed' },
      legacy: { kind: 'skipped', detail: '' },
      minTlsVersion: 'TLSv1.2',
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
        annotation: `a ${secret} ${'x'.repeat(300)}`,
        remediation: secret,
        evidence: [{ source: 'server', label: secret, value: secret }],
      },
      [secret],
    );
    expect(JSON.stringify(scrubbed)).not.toContain(secret);
    expect(scrubbed.annotation.length).toBeLessThanOrEqual(256);
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

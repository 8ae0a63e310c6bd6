import { describe, expect, it } from 'vitest';
import { certificateFindings, evaluateStatic } from '../../lib/rules/index.js';
import { daysFromNow, instanceInput, withRule } from './builders.js';

function compliantPostgres(
  resource: Parameters<typeof instanceInput>[0]['resource'],
  extra: { ca?: { identifier: string; validTill?: Date }; caExpiryDays?: number } = {},
) {
  const input = instanceInput({
    engine: 'postgres',
    engineVersion: '16.1',
    group: 'pg16-app',
    parameters: { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' },
    resource,
  });
  if (extra.ca) input.certificateAuthority = extra.ca;
  if (extra.caExpiryDays !== undefined) {
    input.ruleParameters = withRule({ caExpiryDays: extra.caExpiryDays });
  }
  return input;
}

describe('certificate authority', () => {
  it.each(['rds-ca-2019', 'rds-ca-2015'])('reports CA_DEPRECATED for %s', (identifier) => {
    const finding = evaluateStatic(compliantPostgres({ caCertificateIdentifier: identifier }));
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('CA_DEPRECATED');
    expect(finding.annotation).toBe(`CA ${identifier} is deprecated`);
    expect(finding.remediation).toContain(
      'aws rds modify-db-instance --db-instance-identifier app-db --ca-certificate-identifier rds-ca-rsa2048-g1 --apply-immediately',
    );
  });

  it('reports CA_EXPIRING when the CA expires in 10 days with a 30-day window', () => {
    const finding = evaluateStatic(
      compliantPostgres(
        { caCertificateIdentifier: 'rds-ca-rsa2048-g1' },
        { ca: { identifier: 'rds-ca-rsa2048-g1', validTill: daysFromNow(10) } },
      ),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('CA_EXPIRING');
    expect(finding.annotation).toBe(
      'CA rds-ca-rsa2048-g1 expires 2026-03-11 (in 10 days, limit 30)',
    );
  });

  it('reports CA_EXPIRING when the server certificate expires within the window', () => {
    const finding = evaluateStatic(compliantPostgres({ certificateValidTill: daysFromNow(3) }));
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('CA_EXPIRING');
    expect(finding.annotation).toBe('server certificate expires 2026-03-04 (in 3 days, limit 30)');
  });

  it('reports CA_EXPIRED for a certificate past its end date', () => {
    const finding = evaluateStatic(
      compliantPostgres(
        { caCertificateIdentifier: 'rds-ca-rsa2048-g1' },
        { ca: { identifier: 'rds-ca-rsa2048-g1', validTill: daysFromNow(-1) } },
      ),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('CA_EXPIRED');
    expect(finding.annotation).toBe('CA rds-ca-rsa2048-g1 expired 2026-02-28');
  });

  it('respects a shorter expiry window from the rule parameters', () => {
    const finding = evaluateStatic(
      compliantPostgres(
        { caCertificateIdentifier: 'rds-ca-rsa2048-g1' },
        { ca: { identifier: 'rds-ca-rsa2048-g1', validTill: daysFromNow(10) }, caExpiryDays: 7 },
      ),
    );
    expect(finding.verdict).toBe('COMPLIANT');
  });

  it('is fine with a current CA far from expiry and records it as evidence', () => {
    const finding = evaluateStatic(
      compliantPostgres(
        { caCertificateIdentifier: 'rds-ca-rsa2048-g1', certificateValidTill: daysFromNow(300) },
        { ca: { identifier: 'rds-ca-rsa2048-g1', validTill: new Date('2061-05-20T00:00:00Z') } },
      ),
    );
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.reason).toBe('TLS_ENFORCED');
    expect(finding.evidence).toContainEqual({
      source: 'certificate',
      label: 'CA rds-ca-rsa2048-g1 valid till',
      value: '2061-05-20T00:00:00.000Z',
    });
  });

  it('does not fail when no CA information is available', () => {
    const finding = evaluateStatic(compliantPostgres({ caCertificateIdentifier: undefined }));
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.evidence.some((entry) => entry.label.startsWith('CA'))).toBe(false);
  });

  it('puts the TLS failure first and the CA failure after it', () => {
    const input = compliantPostgres({ caCertificateIdentifier: 'rds-ca-2019' });
    input.parameters!.parameters['rds.force_ssl'] = {
      name: 'rds.force_ssl',
      value: '0',
      origin: 'parameter-group',
    };
    const finding = evaluateStatic(input);
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toBe(
      'rds.force_ssl=0 in parameter group pg16-app (postgres 16.1): plaintext connections allowed; +1 more: CA rds-ca-2019 is deprecated',
    );
  });

  it('offers the certificate findings on their own for the verdict stage', () => {
    const input = compliantPostgres({ caCertificateIdentifier: 'rds-ca-2019' });
    const findings = certificateFindings(input);
    expect(findings.map((finding) => [finding.verdict, finding.reason])).toEqual([
      ['NON_COMPLIANT', 'CA_DEPRECATED'],
    ]);
  });
});

describe('remediation that fits the certificate case', () => {
  it('an expired server certificate under a current CA: rotate the certificate, not switch to the same CA', () => {
    const finding = evaluateStatic(
      compliantPostgres(
        { caCertificateIdentifier: 'rds-ca-rsa2048-g1', certificateValidTill: daysFromNow(-2) },
        { ca: { identifier: 'rds-ca-rsa2048-g1', validTill: daysFromNow(9000) } },
      ),
    );
    expect(finding.reason).toBe('CA_EXPIRED');
    expect(finding.remediation).toBe(
      'Rotate the server certificate under the same CA (restarts the database): aws rds modify-db-instance --db-instance-identifier app-db --ca-certificate-identifier rds-ca-rsa2048-g1 --certificate-rotation-restart --apply-immediately',
    );
  });

  it('a deprecated CA with a change to a current CA already pending: apply the pending change, shown in evidence', () => {
    const finding = evaluateStatic(
      compliantPostgres({
        caCertificateIdentifier: 'rds-ca-2019',
        pendingModifiedValues: { caCertificateIdentifier: 'rds-ca-rsa4096-g1' },
      }),
    );
    expect(finding.reason).toBe('CA_DEPRECATED');
    expect(finding.remediation).toContain('A change to CA rds-ca-rsa4096-g1 is already pending');
    expect(finding.remediation).toContain(
      '--ca-certificate-identifier rds-ca-rsa4096-g1 --apply-immediately',
    );
    expect(finding.evidence).toContainEqual({
      source: 'rds-api',
      label: 'pending CA change (PendingModifiedValues)',
      value: 'rds-ca-rsa4096-g1',
    });
  });
});

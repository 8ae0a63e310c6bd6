import { describe, expect, it } from 'vitest';
import { evaluateStatic } from '../../lib/rules/index.js';
import { instanceInput, type ParameterSpec, unset } from './builders.js';

const SECURE = { 'rds.force_ssl': '1', 'rds.tls10': 'disabled', 'rds.tls11': 'disabled' };

function sqlserver(
  parameters: Record<string, ParameterSpec>,
  extra: { applyStatus?: string; minTlsVersion?: 'TLSv1.2' | 'TLSv1.3'; engine?: string } = {},
) {
  return evaluateStatic(
    instanceInput({
      engine: extra.engine ?? 'sqlserver-se',
      engineVersion: '15.00.4345.5.v1',
      group: 'mssql-app',
      applyType: 'static',
      parameters,
      ...(extra.applyStatus === undefined ? {} : { applyStatus: extra.applyStatus }),
      rule: extra.minTlsVersion === undefined ? {} : { minTlsVersion: extra.minTlsVersion },
    }),
  );
}

describe('SQL Server', () => {
  it.each(['sqlserver-ee', 'sqlserver-se', 'sqlserver-ex', 'sqlserver-web'])(
    'is compliant on %s with rds.force_ssl=1 and TLS 1.0/1.1 disabled',
    (engine) => {
      const finding = sqlserver(SECURE, { engine });
      expect(finding.verdict).toBe('COMPLIANT');
      expect(finding.reason).toBe('TLS_ENFORCED');
    },
  );

  it('is non-compliant with FORCE_SSL_OFF at rds.force_ssl=0', () => {
    const finding = sqlserver({ ...SECURE, 'rds.force_ssl': '0' });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toBe(
      'rds.force_ssl=0 in parameter group mssql-app (sqlserver-se 15.00.4345.5.v1): plaintext connections allowed',
    );
    expect(finding.remediation).toBe(
      'aws rds modify-db-parameter-group --db-parameter-group-name mssql-app --parameters ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=pending-reboot then aws rds reboot-db-instance --db-instance-identifier app-db',
    );
  });

  it('applies the default 0 when rds.force_ssl is unset', () => {
    const finding = sqlserver({ ...SECURE, 'rds.force_ssl': unset('static') });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toContain(
      'rds.force_ssl unset in parameter group mssql-app → assumed 0 (documented default for this version)',
    );
  });

  it.each(['default', 'enabled'])('counts rds.tls10=%s as TLS 1.0 allowed', (value) => {
    const finding = sqlserver({ ...SECURE, 'rds.tls10': value });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_VERSION_ALLOWS_LEGACY');
    expect(finding.annotation).toBe(
      `rds.tls10=${value} in parameter group mssql-app: TLSv1 allowed`,
    );
  });

  it('counts an unset rds.tls11 as the engine default, which allows TLS 1.1', () => {
    const finding = sqlserver({ 'rds.force_ssl': '1', 'rds.tls10': 'disabled' });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_VERSION_ALLOWS_LEGACY');
    expect(finding.annotation).toBe(
      "rds.tls11 unset in parameter group mssql-app → 'default' (left to Windows): TLSv1.1 allowed",
    );
  });

  it('reports both legacy switches, the first as primary', () => {
    const finding = sqlserver({
      'rds.force_ssl': '1',
      'rds.tls10': 'enabled',
      'rds.tls11': 'enabled',
    });
    expect(finding.reason).toBe('TLS_VERSION_ALLOWS_LEGACY');
    expect(finding.annotation).toBe(
      'rds.tls10=enabled in parameter group mssql-app: TLSv1 allowed; +1 more: rds.tls11=enabled in parameter group mssql-app: TLSv1.1 allowed',
    );
  });

  it('requires rds.tls12=disabled too for a TLSv1.3 minimum', () => {
    const finding = sqlserver(SECURE, { minTlsVersion: 'TLSv1.3' });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_VERSION_ALLOWS_LEGACY');
    expect(finding.annotation).toContain('rds.tls12 unset');
  });

  it('treats rds.force_ssl=1 awaiting reboot as not in effect (static parameter)', () => {
    const finding = sqlserver(SECURE, { applyStatus: 'pending-reboot' });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('PENDING_REBOOT');
    expect(finding.annotation).toContain(
      'rds.force_ssl=1 configured in parameter group mssql-app but not in effect until reboot',
    );
    expect(finding.remediation).toBe('aws rds reboot-db-instance --db-instance-identifier app-db');
  });

  it('treats SQL Server parameters as static even when the apply type is not reported', () => {
    const finding = sqlserver(
      {
        'rds.force_ssl': { value: '1', origin: 'parameter-group' },
        'rds.tls10': { value: 'disabled', origin: 'parameter-group' },
        'rds.tls11': { value: 'disabled', origin: 'parameter-group' },
      },
      { applyStatus: 'pending-reboot' },
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('PENDING_REBOOT');
  });

  it('reports INSUFFICIENT_DATA PARAMETERS_APPLYING while applying', () => {
    const finding = sqlserver(SECURE, { applyStatus: 'applying' });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETERS_APPLYING');
  });

  it('reports an unknown rds.tls10 value as INSUFFICIENT_DATA', () => {
    const finding = sqlserver({ ...SECURE, 'rds.tls10': 'maybe' });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
  });
});

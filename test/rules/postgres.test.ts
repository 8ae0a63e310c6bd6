import { describe, expect, it } from 'vitest';
import { evaluateStatic } from '../../lib/rules/index.js';
import { instanceInput, type ParameterSpec, unset } from './builders.js';

function postgres(
  engineVersion: string,
  parameters: Record<string, ParameterSpec>,
  extra: { group?: string; applyStatus?: string; minTlsVersion?: 'TLSv1.2' | 'TLSv1.3' } = {},
) {
  return evaluateStatic(
    instanceInput({
      engine: 'postgres',
      engineVersion,
      group: extra.group ?? 'pg-app',
      parameters,
      ...(extra.applyStatus === undefined ? {} : { applyStatus: extra.applyStatus }),
      rule: extra.minTlsVersion === undefined ? {} : { minTlsVersion: extra.minTlsVersion },
    }),
  );
}

describe('PostgreSQL rds.force_ssl', () => {
  it('is compliant when the group sets rds.force_ssl=1', () => {
    const finding = postgres('14.9', { 'rds.force_ssl': '1' }, { group: 'pg14-app' });
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.reason).toBe('TLS_ENFORCED');
    expect(finding.annotation).toContain(
      'rds.force_ssl=1 in parameter group pg14-app (postgres 14.9)',
    );
  });

  it('is non-compliant with FORCE_SSL_OFF when the group sets rds.force_ssl=0', () => {
    const finding = postgres('14.9', { 'rds.force_ssl': '0' }, { group: 'pg14-app' });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toBe(
      'rds.force_ssl=0 in parameter group pg14-app (postgres 14.9): plaintext connections allowed',
    );
    expect(finding.remediation).toContain(
      'aws rds modify-db-parameter-group --db-parameter-group-name pg14-app --parameters ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=immediate',
    );
  });

  it.each([
    ['ON', 'COMPLIANT', 'TLS_ENFORCED'],
    [' true ', 'COMPLIANT', 'TLS_ENFORCED'],
    ['off', 'NON_COMPLIANT', 'FORCE_SSL_OFF'],
    ['FALSE', 'NON_COMPLIANT', 'FORCE_SSL_OFF'],
  ])('reads rds.force_ssl=%j case-insensitively and trimmed', (value, verdict, reason) => {
    const finding = postgres('16.1', { 'rds.force_ssl': value });
    expect(finding.verdict).toBe(verdict);
    expect(finding.reason).toBe(reason);
  });

  it.each(['yes', '2', '{TLSv1}'])('never calls the unknown value %j compliant', (value) => {
    const finding = postgres('16.1', { 'rds.force_ssl': value });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
    expect(finding.annotation).toContain(`rds.force_ssl="${value}"`);
  });

  it('applies the default 0 on PostgreSQL 14 when the group does not set rds.force_ssl', () => {
    const finding = postgres('14.9', { 'rds.force_ssl': unset() }, { group: 'default.postgres14' });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toContain(
      'rds.force_ssl unset in parameter group default.postgres14 → assumed 0 (documented default for this version) (postgres 14.9)',
    );
    expect(finding.evidence).toContainEqual({
      source: 'built-in',
      label: 'rds.force_ssl (assumed from built-in knowledge: documented default for this version)',
      value: '0',
    });
  });

  it('applies the default 0 on PostgreSQL 9.6 when rds.force_ssl is missing from the group entirely', () => {
    const finding = postgres('9.6.24', {});
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toContain(
      'assumed 0 (documented default for this version) (postgres 9.6.24)',
    );
  });

  it.each(['15.4', '16.1'])(
    'applies the default 1 on PostgreSQL %s when the group does not set rds.force_ssl',
    (version) => {
      const finding = postgres(version, { 'rds.force_ssl': unset() });
      expect(finding.verdict).toBe('COMPLIANT');
      expect(finding.reason).toBe('TLS_ENFORCED');
      expect(finding.annotation).toContain(
        `rds.force_ssl unset in parameter group pg-app → assumed 1 (documented default for this version) (postgres ${version})`,
      );
    },
  );

  it('uses an engine default the inventory resolved rather than the version rule', () => {
    const finding = postgres('15.4', {
      'rds.force_ssl': { value: '0', origin: 'engine-default', rdsSource: 'engine-default' },
    });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.evidence).toContainEqual({
      source: 'engine-default',
      label: 'rds.force_ssl (read from engine defaults)',
      value: '0',
    });
    expect(finding.annotation).toContain(
      'rds.force_ssl unset in parameter group pg-app → engine default 0 (read)',
    );
  });

  it('describes a group entry without a value as unset, not as set by the group', () => {
    const finding = postgres('14.9', {
      'rds.force_ssl': { origin: 'parameter-group', rdsSource: 'system', applyType: 'dynamic' },
    });
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toContain('rds.force_ssl unset in parameter group pg-app');
    expect(finding.evidence).toContainEqual({
      source: 'built-in',
      label: 'rds.force_ssl (assumed from built-in knowledge: documented default for this version)',
      value: '0',
    });
  });

  it('evaluates a version it cannot parse with the conservative assumption, named in the annotation', () => {
    const finding = postgres('latest', {});
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toContain(
      'rds.force_ssl unset in parameter group pg-app → assumed 0 (version not understood: TLS assumed not required)',
    );
  });
});

describe('PostgreSQL ssl_min_protocol_version', () => {
  it.each(['TLSv1', 'TLSv1.1'])('is non-compliant with TLS_MIN_VERSION_TOO_LOW at %s', (value) => {
    const finding = postgres('15.4', { 'rds.force_ssl': '1', ssl_min_protocol_version: value });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_MIN_VERSION_TOO_LOW');
    expect(finding.annotation).toBe(
      `ssl_min_protocol_version=${value} in parameter group pg-app: below TLSv1.2`,
    );
  });

  it('is compliant at TLSv1.2 and TLSv1.3 with a TLSv1.2 minimum', () => {
    expect(postgres('15.4', { ssl_min_protocol_version: 'TLSv1.2' }).verdict).toBe('COMPLIANT');
    expect(postgres('15.4', { ssl_min_protocol_version: 'TLSv1.3' }).verdict).toBe('COMPLIANT');
  });

  it('assumes the engine default TLSv1.2 when unset and says so', () => {
    const finding = postgres('15.4', { 'rds.force_ssl': '1' });
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.annotation).toContain(
      'ssl_min_protocol_version unset in parameter group pg-app → assumed TLSv1.2 (documented default for this version)',
    );
  });

  it('fails a TLSv1.3 minimum against a group allowing TLSv1.2', () => {
    const finding = postgres(
      '16.1',
      { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' },
      { minTlsVersion: 'TLSv1.3' },
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_MIN_VERSION_TOO_LOW');
    expect(finding.annotation).toContain('below TLSv1.3');
  });

  it('fails a TLSv1.3 minimum when the parameter is unset (default TLSv1.2)', () => {
    const finding = postgres('16.1', { 'rds.force_ssl': '1' }, { minTlsVersion: 'TLSv1.3' });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_MIN_VERSION_TOO_LOW');
  });

  it('passes a TLSv1.3 minimum when the group sets TLSv1.3', () => {
    const finding = postgres(
      '16.1',
      { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.3' },
      { minTlsVersion: 'TLSv1.3' },
    );
    expect(finding.verdict).toBe('COMPLIANT');
  });

  it('treats an unset minimum on PostgreSQL 12 as the upstream default TLSv1', () => {
    const finding = postgres('12.19', { 'rds.force_ssl': '1' });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_MIN_VERSION_TOO_LOW');
    expect(finding.annotation).toContain('assumed TLSv1 (documented default for this version)');
  });

  it('reports an unknown protocol name as INSUFFICIENT_DATA', () => {
    const finding = postgres('15.4', { 'rds.force_ssl': '1', ssl_min_protocol_version: 'SSLv3' });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
  });

  it('leads with force_ssl and counts the minimum-version failure as one more', () => {
    const finding = postgres(
      '14.9',
      { 'rds.force_ssl': '0', ssl_min_protocol_version: 'TLSv1' },
      { group: 'pg14-app' },
    );
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toBe(
      'rds.force_ssl=0 in parameter group pg14-app (postgres 14.9): plaintext connections allowed; ' +
        '+1 more: ssl_min_protocol_version=TLSv1 in parameter group pg14-app: below TLSv1.2',
    );
    expect(finding.remediation.split('\n')).toEqual([
      'aws rds modify-db-parameter-group --db-parameter-group-name pg14-app --parameters ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=immediate',
      'aws rds modify-db-parameter-group --db-parameter-group-name pg14-app --parameters ParameterName=ssl_min_protocol_version,ParameterValue=TLSv1.2,ApplyMethod=immediate',
    ]);
  });
});

describe('PostgreSQL parameter group apply status', () => {
  it('does not call a dynamic rds.force_ssl=1 compliant while the group is pending-reboot', () => {
    const finding = postgres(
      '14.9',
      { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' },
      { applyStatus: 'pending-reboot', group: 'pg14-new' },
    );
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PENDING_REBOOT');
    expect(finding.annotation).toContain(
      'rds.force_ssl=1 configured in parameter group pg14-new but group is pending-reboot',
    );
    expect(finding.remediation).toContain(
      'aws rds reboot-db-instance --db-instance-identifier app-db',
    );
    expect(finding.evidence).toContainEqual({
      source: 'rds-api',
      label: 'apply status (pg14-new)',
      value: 'pending-reboot',
    });
  });

  it('reports NON_COMPLIANT PENDING_REBOOT when a static parameter is not in effect', () => {
    const finding = postgres(
      '15.4',
      {
        'rds.force_ssl': { value: '1', origin: 'parameter-group', applyType: 'static' },
        ssl_min_protocol_version: 'TLSv1.2',
      },
      { applyStatus: 'pending-reboot' },
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('PENDING_REBOOT');
    expect(finding.annotation).toContain('not in effect until reboot');
  });

  it('keeps a configured rds.force_ssl=0 as FORCE_SSL_OFF whatever the apply status', () => {
    const finding = postgres('14.9', { 'rds.force_ssl': '0' }, { applyStatus: 'pending-reboot' });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
  });

  it('reports INSUFFICIENT_DATA PARAMETERS_APPLYING while the group is applying', () => {
    const finding = postgres(
      '15.4',
      { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' },
      { applyStatus: 'applying' },
    );
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETERS_APPLYING');
  });
});

import { describe, expect, it } from 'vitest';
import { evaluateStatic } from '../../lib/rules/index.js';
import { instanceInput, type ParameterSpec, resource, ruleInput, unset } from './builders.js';

function mysql(
  engine: 'mysql' | 'mariadb',
  parameters: Record<string, ParameterSpec>,
  extra: { applyStatus?: string; minTlsVersion?: 'TLSv1.2' | 'TLSv1.3'; group?: string } = {},
) {
  return evaluateStatic(
    instanceInput({
      engine,
      engineVersion: engine === 'mysql' ? '8.0.35' : '10.11.6',
      group: extra.group ?? `${engine}-app`,
      parameters,
      ...(extra.applyStatus === undefined ? {} : { applyStatus: extra.applyStatus }),
      rule: extra.minTlsVersion === undefined ? {} : { minTlsVersion: extra.minTlsVersion },
    }),
  );
}

describe.each(['mysql', 'mariadb'] as const)('%s require_secure_transport', (engine) => {
  it.each(['1', 'ON', 'true'])('is compliant at %j', (value) => {
    const finding = mysql(engine, { require_secure_transport: value });
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.reason).toBe('TLS_ENFORCED');
  });

  it.each(['0', 'OFF', 'false'])('is non-compliant at %j', (value) => {
    const finding = mysql(engine, { require_secure_transport: value });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('REQUIRE_SECURE_TRANSPORT_OFF');
    expect(finding.annotation).toContain(
      `require_secure_transport=${value} in parameter group ${engine}-app`,
    );
    expect(finding.annotation).toContain('plaintext connections allowed');
  });

  it('applies the default OFF when the group does not set it', () => {
    const finding = mysql(engine, { require_secure_transport: unset() });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('REQUIRE_SECURE_TRANSPORT_OFF');
    expect(finding.annotation).toContain(
      `require_secure_transport unset in parameter group ${engine}-app → assumed 0 (documented default for this version)`,
    );
  });

  it('reports an unknown value as INSUFFICIENT_DATA', () => {
    const finding = mysql(engine, { require_secure_transport: 'REQUIRED' });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
  });
});

describe('MySQL tls_version', () => {
  it('is compliant with TLSv1.2,TLSv1.3', () => {
    const finding = mysql('mysql', {
      require_secure_transport: '1',
      tls_version: 'TLSv1.2,TLSv1.3',
    });
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.annotation).toContain(
      'tls_version=TLSv1.2,TLSv1.3 in parameter group mysql-app',
    );
  });

  it('is non-compliant with TLS_VERSION_ALLOWS_LEGACY when the list includes TLSv1 and TLSv1.1', () => {
    const finding = mysql('mysql', {
      require_secure_transport: '1',
      tls_version: 'TLSv1,TLSv1.1,TLSv1.2',
    });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_VERSION_ALLOWS_LEGACY');
    expect(finding.annotation).toBe(
      'tls_version=TLSv1,TLSv1.1,TLSv1.2 in parameter group mysql-app: allows TLSv1, TLSv1.1 (minimum TLSv1.2)',
    );
    expect(finding.remediation).toContain(
      `--parameters '[{"ParameterName":"tls_version","ParameterValue":"TLSv1.2,TLSv1.3","ApplyMethod":"pending-reboot"}]'`,
    );
  });

  it('does not fail on an unset tls_version but notes the engine default', () => {
    const finding = mysql('mariadb', { require_secure_transport: 'ON', tls_version: unset() });
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.annotation).toContain(
      'tls_version unset in parameter group mariadb-app → engine default (not checked)',
    );
  });

  it('fails an unset tls_version on MySQL 5.7, whose default RDS documents as allowing TLS 1.0 and 1.1', () => {
    const finding = evaluateStatic(
      instanceInput({
        engine: 'mysql',
        engineVersion: '5.7.44',
        group: 'mysql57-app',
        parameters: { require_secure_transport: '1', tls_version: unset('static') },
      }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_VERSION_ALLOWS_LEGACY');
    expect(finding.annotation).toBe(
      'tls_version unset in parameter group mysql57-app → assumed TLSv1,TLSv1.1,TLSv1.2 (documented default for this version): allows TLSv1, TLSv1.1 (minimum TLSv1.2)',
    );
    expect(finding.evidence).toContainEqual(
      expect.objectContaining({ source: 'built-in', value: 'TLSv1,TLSv1.1,TLSv1.2' }),
    );
  });

  // RDS for MariaDB supports TLS 1.0 and 1.1 on some minor versions of 10.4,
  // 10.5 and 10.6, on none from 10.11 (10.4 cannot require TLS at all)
  // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MariaDB.Concepts.SSLSupport.html).
  it.each(['10.5.25', '10.6.14'])(
    'does not pass an unset tls_version on MariaDB %s, whose default may allow TLS 1.0 and 1.1',
    (engineVersion) => {
      const finding = evaluateStatic(
        instanceInput({
          engine: 'mariadb',
          engineVersion,
          group: 'mariadb-app',
          parameters: { require_secure_transport: 'ON', tls_version: unset('static') },
        }),
      );
      expect(finding.verdict).toBe('INSUFFICIENT_DATA');
      expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
      expect(finding.annotation).toBe(
        `tls_version unset in parameter group mariadb-app: the engine default allows TLS below TLSv1.2 on some minor versions of mariadb ${engineVersion}`,
      );
      expect(finding.remediation).toContain(
        '"ParameterName":"tls_version","ParameterValue":"TLSv1.2,TLSv1.3"',
      );
    },
  );

  it('passes an unset tls_version on MariaDB 10.6 when the rule allows TLS 1.0', () => {
    const finding = evaluateStatic(
      instanceInput({
        engine: 'mariadb',
        engineVersion: '10.6.14',
        group: 'mariadb-app',
        parameters: { require_secure_transport: 'ON', tls_version: unset('static') },
        rule: { minTlsVersion: 'TLSv1' },
      }),
    );
    expect(finding.verdict).toBe('COMPLIANT');
  });

  it('cannot meet a TLSv1.3 minimum with an unset tls_version', () => {
    const finding = mysql('mysql', { require_secure_transport: '1' }, { minTlsVersion: 'TLSv1.3' });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
  });

  it('fails TLSv1.2 in the list against a TLSv1.3 minimum', () => {
    const finding = mysql(
      'mysql',
      { require_secure_transport: '1', tls_version: 'TLSv1.2,TLSv1.3' },
      { minTlsVersion: 'TLSv1.3' },
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_VERSION_ALLOWS_LEGACY');
  });

  it('reports an unknown token in tls_version as INSUFFICIENT_DATA', () => {
    const finding = mysql('mysql', { require_secure_transport: '1', tls_version: 'TLSv1.2,SSLv3' });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
    expect(finding.annotation).toContain('SSLv3 not understood');
  });

  it('reports NON_COMPLIANT PENDING_REBOOT for a static tls_version awaiting reboot', () => {
    const finding = mysql(
      'mysql',
      {
        require_secure_transport: '1',
        tls_version: { value: 'TLSv1.2', origin: 'parameter-group', applyType: 'static' },
      },
      { applyStatus: 'pending-reboot' },
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('PENDING_REBOOT');
    expect(finding.annotation).toContain(
      'tls_version=TLSv1.2 configured in parameter group mysql-app but not in effect until reboot',
    );
  });
});

describe('instance parameter group missing', () => {
  it('reports PARAMETER_GROUP_UNREADABLE with the gap text', () => {
    const finding = evaluateStatic(
      ruleInput({
        resource: resource({
          engine: 'mysql',
          engineVersion: '8.0.35',
          parameterGroup: { name: 'mysql-app', applyStatus: 'in-sync' },
        }),
        gaps: ['parameter group mysql-app: ThrottlingException after 5 attempts'],
      }),
    );
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_GROUP_UNREADABLE');
    expect(finding.annotation).toBe(
      'parameter group mysql-app (mysql 8.0.35) not read: parameter group mysql-app: ThrottlingException after 5 attempts',
    );
  });
});

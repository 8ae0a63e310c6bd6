/**
 * Built-in defaults per engine and version, each from the AWS page cited in
 * lib/rules/engine-defaults.ts; used only when neither the group nor the
 * engine defaults give a value, and always named as assumed.
 */
import { describe, expect, it } from 'vitest';
import { builtInDefault, tableVersion } from '../../lib/rules/engine-defaults.js';
import { evaluateStatic } from '../../lib/rules/index.js';
import { instanceInput } from './builders.js';

function unsetGroup(engine: string, engineVersion: string) {
  return evaluateStatic(
    instanceInput({ engine, engineVersion, group: `${engine}-app`, parameters: {} }),
  );
}

describe('require_secure_transport defaults by engine and version', () => {
  it.each([
    ['mariadb', '10.5.27', 'REQUIRE_SECURE_TRANSPORT_OFF'],
    ['mariadb', '11.4.5', 'REQUIRE_SECURE_TRANSPORT_OFF'],
    ['mysql', '5.7.44', 'REQUIRE_SECURE_TRANSPORT_OFF'],
    ['mysql', '8.0.39', 'REQUIRE_SECURE_TRANSPORT_OFF'],
    ['mysql', '8.4.3', 'REQUIRE_SECURE_TRANSPORT_OFF'],
  ])('%s %s leaves TLS optional by default', (engine, version, reason) => {
    const finding = unsetGroup(engine, version);
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe(reason);
    expect(finding.annotation).toContain('assumed 0 (documented default for this version)');
  });

  it.each([
    ['mariadb', '11.8.3'],
    ['mysql', '9.7.0'],
  ])('%s %s requires TLS by default (AWS documents ON)', (engine, version) => {
    const finding = evaluateStatic(
      instanceInput({
        engine,
        engineVersion: version,
        group: `${engine}-app`,
        parameters: { tls_version: 'TLSv1.2,TLSv1.3' },
      }),
    );
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.annotation).toContain(
      `require_secure_transport unset in parameter group ${engine}-app → assumed 1 (documented default for this version) (${engine} ${version}): TLS required`,
    );
    expect(finding.evidence[0]).toMatchObject({ source: 'built-in', value: '1' });
  });

  it('MySQL 9.1 has no documented default: evaluated as OFF, and the annotation says it was assumed', () => {
    const finding = unsetGroup('mysql', '9.1.0');
    expect(finding.reason).toBe('REQUIRE_SECURE_TRANSPORT_OFF');
    expect(finding.annotation).toContain(
      'assumed 0 (no documented default: TLS assumed not required)',
    );
  });

  it.each(['9.8.0', '10.0.1'])(
    'MySQL %s is past the one version AWS documents as ON (9.7): assumed OFF, and said so',
    (version) => {
      const finding = unsetGroup('mysql', version);
      expect(finding.verdict).toBe('NON_COMPLIANT');
      expect(finding.reason).toBe('REQUIRE_SECURE_TRANSPORT_OFF');
      expect(finding.annotation).toContain(
        'assumed 0 (no documented default: TLS assumed not required)',
      );
    },
  );

  it.each([
    ['mysql', '5.6.51'],
    ['mariadb', '10.4.34'],
  ])(
    '%s %s has no require_secure_transport: NON_COMPLIANT with an upgrade, not the parameter',
    (engine, version) => {
      const finding = unsetGroup(engine, version);
      expect(finding.verdict).toBe('NON_COMPLIANT');
      expect(finding.reason).toBe('TLS_ENFORCEMENT_UNSUPPORTED');
      expect(finding.annotation).toContain(
        `require_secure_transport does not exist in ${engine} ${version}`,
      );
      expect(finding.remediation).toContain('--allow-major-version-upgrade');
      expect(finding.remediation).not.toContain('modify-db-parameter-group');
    },
  );
});

describe('the table', () => {
  it('reads Aurora MySQL versions by their Aurora major', () => {
    expect(tableVersion('aurora-mysql', '8.0.mysql_aurora.3.05.2')).toEqual([3, 5]);
    expect(tableVersion('aurora-mysql', '5.7.mysql_aurora.2.11.5')).toEqual([2, 11]);
    expect(tableVersion('aurora-mysql', '5.6.10a')).toEqual([1, 0]);
    expect(builtInDefault('aurora-mysql', 'require_secure_transport', '5.6.10a')?.value).toBeNull();
    expect(
      builtInDefault('aurora-mysql', 'require_secure_transport', '8.0.mysql_aurora.3.08.0'),
    ).toMatchObject({
      value: 'OFF',
      assumed: false,
    });
  });

  it('switches RDS PostgreSQL rds.force_ssl to 1 at major 15', () => {
    expect(builtInDefault('postgres', 'rds.force_ssl', '14.13')?.value).toBe('0');
    expect(builtInDefault('postgres', 'rds.force_ssl', '15.2')?.value).toBe('1');
    expect(builtInDefault('aurora-postgresql', 'rds.force_ssl', '16.4')?.value).toBe('0');
    expect(builtInDefault('sqlserver', 'rds.force_ssl', '16.00.4165.4.v1')?.value).toBe('0');
  });

  it('cites an AWS or engine documentation page for every documented value', () => {
    const cases: Array<[Parameters<typeof builtInDefault>[0], string, string]> = [
      ['postgres', 'rds.force_ssl', '16.1'],
      ['aurora-postgresql', 'rds.force_ssl', '15.4'],
      ['postgres', 'ssl_min_protocol_version', '13.4'],
      ['mysql', 'require_secure_transport', '8.0.39'],
      ['mariadb', 'require_secure_transport', '11.8.3'],
      ['aurora-mysql', 'require_secure_transport', '8.0.mysql_aurora.3.05.2'],
      ['sqlserver', 'rds.force_ssl', '15.00.4345.5.v1'],
    ];
    for (const [family, parameter, version] of cases) {
      expect(builtInDefault(family, parameter, version)?.source).toMatch(
        /^https:\/\/(docs\.aws\.amazon\.com|repost\.aws|www\.postgresql\.org|dev\.mysql\.com)\//,
      );
    }
  });
});

describe('a pending upgrade shapes the MySQL 5.6 remediation', () => {
  it('names the pending engine version in evidence and applies it, instead of a placeholder', () => {
    const finding = evaluateStatic(
      instanceInput({
        engine: 'mysql',
        engineVersion: '5.6.51',
        group: 'mysql56-app',
        parameters: {},
        resource: {
          identifier: 'legacy-mysql',
          pendingModifiedValues: { engineVersion: '8.0.39' },
        },
      }),
    );
    expect(finding.reason).toBe('TLS_ENFORCEMENT_UNSUPPORTED');
    expect(finding.remediation).toContain('an upgrade to 8.0.39 is already pending');
    expect(finding.remediation).toContain(
      'aws rds modify-db-instance --db-instance-identifier legacy-mysql --engine-version 8.0.39 --allow-major-version-upgrade --apply-immediately',
    );
    expect(finding.evidence).toContainEqual({
      source: 'rds-api',
      label: 'pending engine version (PendingModifiedValues)',
      value: '8.0.39',
    });
  });
});

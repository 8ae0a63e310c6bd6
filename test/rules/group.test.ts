/**
 * What a parameter group's entries mean before any engine rule judges them:
 * an empty value, and a group RDS says the database cannot run with.
 */
import { describe, expect, it } from 'vitest';
import { evaluateStatic } from '../../lib/rules/index.js';
import { instanceInput, type ParameterSpec } from './builders.js';

/**
 * DescribeDBParameters leaves ParameterValue out for a parameter the group
 * does not set (API reference, Parameter: ParameterValue is optional); an
 * empty string is a value the group carries, which RDS does not document as
 * "unset" (MySQL reads an empty tls_version as no TLS protocol at all:
 * https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_tls_version).
 */
describe('an empty parameter value is a value not understood, never the engine default', () => {
  const cases: {
    engine: string;
    engineVersion: string;
    parameters: Record<string, ParameterSpec>;
    shown: string;
  }[] = [
    // PostgreSQL 15 documents rds.force_ssl=1 and TLSv1.2: an empty value passed as both.
    {
      engine: 'postgres',
      engineVersion: '15.4',
      parameters: { 'rds.force_ssl': '', ssl_min_protocol_version: 'TLSv1.2' },
      shown: 'rds.force_ssl=""',
    },
    {
      engine: 'postgres',
      engineVersion: '15.4',
      parameters: { 'rds.force_ssl': '1', ssl_min_protocol_version: '  ' },
      shown: 'ssl_min_protocol_version=""',
    },
    // MySQL 9.7 and MariaDB 11.8 document require_secure_transport ON.
    {
      engine: 'mysql',
      engineVersion: '9.7.0',
      parameters: { require_secure_transport: '', tls_version: 'TLSv1.2,TLSv1.3' },
      shown: 'require_secure_transport=""',
    },
    {
      engine: 'mariadb',
      engineVersion: '11.8.2',
      parameters: { require_secure_transport: '', tls_version: 'TLSv1.2,TLSv1.3' },
      shown: 'require_secure_transport=""',
    },
    // An unset tls_version on MySQL 8.0 passes unchecked; an empty one must not.
    {
      engine: 'mysql',
      engineVersion: '8.0.39',
      parameters: { require_secure_transport: '1', tls_version: '' },
      shown: 'tls_version=""',
    },
  ];

  it.each(cases)(
    '$engine $engineVersion with $shown',
    ({ engine, engineVersion, parameters, shown }) => {
      const finding = evaluateStatic(
        instanceInput({ engine, engineVersion, group: 'app-params', parameters }),
      );
      expect(finding.verdict).toBe('INSUFFICIENT_DATA');
      expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
      expect(finding.annotation).toContain(`${shown} in parameter group app-params`);
      expect(finding.annotation).toContain('not understood');
      expect(finding.annotation).not.toContain('unset');
    },
  );

  it('reads an empty SQL Server rds.tls10 as not understood, not as the Windows default', () => {
    const finding = evaluateStatic(
      instanceInput({
        engine: 'sqlserver-se',
        engineVersion: '15.00.4345.5.v1',
        group: 'mssql-app',
        applyType: 'static',
        parameters: { 'rds.force_ssl': '1', 'rds.tls10': '', 'rds.tls11': 'disabled' },
      }),
    );
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
    expect(finding.annotation).toBe(
      'rds.tls10="" in parameter group mssql-app: value not understood',
    );
  });

  it('treats an empty engine default as no default, so the documented one stands', () => {
    const finding = evaluateStatic(
      instanceInput({
        engine: 'postgres',
        engineVersion: '14.9',
        group: 'pg14-app',
        parameters: {
          'rds.force_ssl': { value: '', origin: 'engine-default', rdsSource: 'engine-default' },
        },
      }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toContain(
      'rds.force_ssl unset in parameter group pg14-app → assumed 0 (documented default for this version)',
    );
  });
});

/**
 * DB instance status (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Status.html):
 * `incompatible-parameters` means RDS can't start the instance with the
 * parameters of its group, so what the group says is not what the server
 * runs; the group's apply status still reads in-sync.
 */
describe('a database RDS reports incompatible with its parameter group', () => {
  const PG15_TLS = { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' };
  const withStatus = (
    status: string,
    spec: { engine: string; engineVersion: string; group: string },
    parameters: Record<string, ParameterSpec>,
  ) => evaluateStatic(instanceInput({ ...spec, parameters, resource: { status } }));
  const pg15 = { engine: 'postgres', engineVersion: '15.4', group: 'pg15-app' };

  it('is not called TLS-only from the group it cannot run with', () => {
    const finding = withStatus('incompatible-parameters', pg15, PG15_TLS);
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('INSTANCE_STATUS_INCOMPATIBLE');
    expect(finding.annotation).toContain(
      'rds.force_ssl=1 configured in parameter group pg15-app, but the instance status is incompatible-parameters: not in effect',
    );
    expect(finding.evidence).toContainEqual({
      source: 'rds-api',
      label: 'instance status',
      value: 'incompatible-parameters',
    });
    expect(finding.remediation).toContain(
      'aws rds reboot-db-instance --db-instance-identifier app-db',
    );
  });

  it('keeps a group that allows plaintext NON_COMPLIANT', () => {
    const finding = withStatus(
      'incompatible-parameters',
      { engine: 'mysql', engineVersion: '8.0.39', group: 'mysql-app' },
      { require_secure_transport: '0' },
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('REQUIRE_SECURE_TRANSPORT_OFF');
  });

  it.each(['available', 'storage-full', 'stopped'])(
    'judges the group of a database whose status is %s as usual',
    (status) => {
      expect(withStatus(status, pg15, PG15_TLS).verdict).toBe('COMPLIANT');
    },
  );
});

describe('a database RDS lists without the group its engine reads', () => {
  it('says RDS named no group, instead of asking for a permission on an unknown one', () => {
    const input = instanceInput({
      engine: 'postgres',
      engineVersion: '15.4',
      group: 'unused',
      parameters: {},
    });
    delete input.resource.parameterGroup;
    delete input.parameters;
    const finding = evaluateStatic(input);
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_GROUP_UNREADABLE');
    expect(finding.annotation).toBe(
      'RDS lists no parameter group for app-db (postgres 15.4): TLS settings unknown',
    );
    expect(finding.remediation).toBe(
      'Check that RDS lists a parameter group for the database (aws rds describe-db-instances --db-instance-identifier app-db), then rescan.',
    );
  });
});

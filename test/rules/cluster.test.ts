import { describe, expect, it } from 'vitest';
import { evaluateStatic } from '../../lib/rules/index.js';
import { clusterInput, resource, ruleInput, unset } from './builders.js';

describe('Aurora PostgreSQL reads the cluster parameter group', () => {
  it('is compliant with rds.force_ssl=1 in the cluster group', () => {
    const finding = evaluateStatic(
      clusterInput({
        engine: 'aurora-postgresql',
        engineVersion: '15.4',
        group: 'apg15-prod',
        parameters: { 'rds.force_ssl': '1' },
      }),
    );
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.reason).toBe('TLS_ENFORCED');
    expect(finding.annotation).toContain(
      'rds.force_ssl=1 in cluster parameter group apg15-prod (aurora-postgresql 15.4)',
    );
  });

  it('applies the Aurora default 0 when the cluster group does not set rds.force_ssl, even on 16', () => {
    const finding = evaluateStatic(
      clusterInput({
        engine: 'aurora-postgresql',
        engineVersion: '16.1',
        group: 'default.aurora-postgresql16',
        parameters: { 'rds.force_ssl': unset() },
      }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toContain(
      'rds.force_ssl unset in cluster parameter group default.aurora-postgresql16 → assumed 0 (documented default for this version)',
    );
  });

  it('ignores the instance group of an Aurora instance and reads the cluster group', () => {
    const finding = evaluateStatic(
      clusterInput({
        resourceType: 'AWS::RDS::DBInstance',
        engine: 'aurora-postgresql',
        engineVersion: '15.4',
        group: 'apg15-prod',
        parameters: { 'rds.force_ssl': '0' },
        instanceParameters: { 'rds.force_ssl': '1' },
      }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toContain('cluster parameter group apg15-prod');
    expect(finding.evidence.map((entry) => entry.label)).not.toContain(
      'rds.force_ssl (instance-group)',
    );
  });

  it('reports PARAMETER_GROUP_UNREADABLE with the gap text when the cluster group is missing', () => {
    const input = clusterInput({
      resourceType: 'AWS::RDS::DBInstance',
      engine: 'aurora-postgresql',
      engineVersion: '15.4',
      group: 'apg15-prod',
      parameters: {},
      instanceParameters: { 'rds.force_ssl': '1' },
    });
    delete input.clusterParameters;
    input.gaps = ['DescribeDBClusterParameters apg15-prod: AccessDeniedException'];
    const finding = evaluateStatic(input);
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_GROUP_UNREADABLE');
    expect(finding.annotation).toBe(
      'cluster parameter group apg15-prod (aurora-postgresql 15.4) not read: DescribeDBClusterParameters apg15-prod: AccessDeniedException',
    );
    expect(finding.remediation).toContain('rds:DescribeDBClusterParameters');
  });

  it('reports NON_COMPLIANT PENDING_REBOOT for a static cluster parameter awaiting reboot', () => {
    const finding = evaluateStatic(
      clusterInput({
        engine: 'aurora-postgresql',
        engineVersion: '15.4',
        group: 'apg15-prod',
        applyStatus: 'pending-reboot',
        applyType: 'static',
        parameters: { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' },
      }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('PENDING_REBOOT');
    expect(finding.remediation).toContain('reboot each instance of cluster app-cluster');
  });

  it('uses the cluster group apply status, not the instance group one', () => {
    const input = clusterInput({
      resourceType: 'AWS::RDS::DBInstance',
      engine: 'aurora-postgresql',
      engineVersion: '15.4',
      group: 'apg15-prod',
      applyStatus: 'applying',
      parameters: { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' },
    });
    const finding = evaluateStatic(input);
    expect(input.resource.parameterGroup?.applyStatus).toBe('in-sync');
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETERS_APPLYING');
  });
});

describe('Aurora MySQL reads the cluster parameter group', () => {
  it('is compliant with require_secure_transport=ON in the cluster group', () => {
    const finding = evaluateStatic(
      clusterInput({
        engine: 'aurora-mysql',
        engineVersion: '8.0.mysql_aurora.3.05.2',
        group: 'ams8-prod',
        parameters: { require_secure_transport: 'ON', tls_version: 'TLSv1.2,TLSv1.3' },
      }),
    );
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.reason).toBe('TLS_ENFORCED');
  });

  it('applies the default OFF when the cluster group does not set require_secure_transport', () => {
    const finding = evaluateStatic(
      clusterInput({
        engine: 'aurora-mysql',
        engineVersion: '8.0.mysql_aurora.3.05.2',
        group: 'default.aurora-mysql8.0',
        family: 'aurora-mysql8.0',
        parameters: { require_secure_transport: unset() },
      }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('REQUIRE_SECURE_TRANSPORT_OFF');
    expect(finding.annotation).toContain(
      'require_secure_transport unset in cluster parameter group default.aurora-mysql8.0 → assumed OFF (documented default for this version)',
    );
    expect(finding.remediation).toContain(
      'Default group default.aurora-mysql8.0 cannot be modified',
    );
    expect(finding.remediation).toContain(
      'aws rds create-db-cluster-parameter-group --db-cluster-parameter-group-name app-cluster-tls --db-parameter-group-family aurora-mysql8.0',
    );
    expect(finding.remediation).toContain(
      'ParameterName=require_secure_transport,ParameterValue=ON',
    );
  });

  it('classifies the legacy engine name aurora (MySQL 5.6) as Aurora MySQL', () => {
    const finding = evaluateStatic(
      clusterInput({
        engine: 'aurora',
        engineVersion: '5.6.10a',
        group: 'aurora56',
        parameters: { require_secure_transport: 'OFF' },
      }),
    );
    expect(finding.reason).toBe('REQUIRE_SECURE_TRANSPORT_OFF');
    expect(finding.annotation).toContain('cluster parameter group aurora56');
  });
});

describe('Multi-AZ DB clusters read the cluster parameter group', () => {
  it('reads rds.force_ssl of a postgres Multi-AZ DB cluster from its cluster group', () => {
    const finding = evaluateStatic(
      clusterInput({
        engine: 'postgres',
        engineVersion: '14.9',
        group: 'maz-pg14',
        parameters: { 'rds.force_ssl': '0' },
      }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation).toContain('rds.force_ssl=0 in cluster parameter group maz-pg14');
    expect(finding.remediation).toContain(
      'aws rds modify-db-cluster-parameter-group --db-cluster-parameter-group-name maz-pg14',
    );
  });

  it('applies the PostgreSQL 16 default 1 to a Multi-AZ DB cluster', () => {
    const finding = evaluateStatic(
      clusterInput({
        engine: 'postgres',
        engineVersion: '16.1',
        group: 'maz-pg16',
        parameters: {},
      }),
    );
    expect(finding.verdict).toBe('COMPLIANT');
  });

  it('reads require_secure_transport of a mysql Multi-AZ DB cluster from its cluster group', () => {
    const finding = evaluateStatic(
      clusterInput({
        engine: 'mysql',
        engineVersion: '8.0.35',
        group: 'maz-mysql8',
        parameters: { require_secure_transport: '1' },
        instanceParameters: { require_secure_transport: '0' },
      }),
    );
    expect(finding.verdict).toBe('COMPLIANT');
  });

  it('reports PARAMETER_GROUP_UNREADABLE when a Multi-AZ DB cluster has no cluster group settings', () => {
    const finding = evaluateStatic(
      ruleInput({
        resource: resource({
          resourceType: 'AWS::RDS::DBCluster',
          engine: 'postgres',
          engineVersion: '15.4',
          clusterParameterGroup: { name: 'maz-pg15' },
        }),
        gaps: [],
      }),
    );
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_GROUP_UNREADABLE');
    expect(finding.annotation).toBe(
      'cluster parameter group maz-pg15 (postgres 15.4) not read: no settings provided',
    );
  });
});

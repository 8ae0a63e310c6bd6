import { describe, expect, it } from 'vitest';
import { resourceFromCluster, resourceFromInstance } from '../../lib/inventory/index.js';
import { ACCOUNT, auroraCluster, auroraMember, postgresInstance } from './rds-samples.js';

describe('resourceFromInstance', () => {
  it('keys the resource on DbiResourceId, never on the DB instance identifier', () => {
    const resource = resourceFromInstance(postgresInstance(), 'eu-west-1');
    expect(resource.resourceId).toBe('db-ABCDEFGHIJKLMNOPQRSTUVWXY0');
    expect(resource.identifier).toBe('orders-db');
  });

  it('maps every field the rules and the probe read', () => {
    expect(resourceFromInstance(postgresInstance(), 'eu-west-1')).toEqual({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      identifier: 'orders-db',
      arn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:orders-db`,
      accountId: ACCOUNT,
      region: 'eu-west-1',
      engine: 'postgres',
      engineVersion: '15.4',
      status: 'available',
      endpoint: { address: 'orders-db.c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
      parameterGroup: { name: 'pg15-secure', applyStatus: 'in-sync' },
      optionGroups: [{ name: 'default:postgres-15', status: 'in-sync' }],
      caCertificateIdentifier: 'rds-ca-rsa2048-g1',
      certificateValidTill: new Date('2026-03-01T10:00:00Z'),
      masterUsername: 'postgres',
      masterUserSecretArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:rds!db-1234-AbCdEf`,
      iamDatabaseAuthenticationEnabled: false,
      publiclyAccessible: false,
      tags: { team: 'payments', env: 'prod' },
    });
  });

  it('prefers the account id it is given over the one in the ARN', () => {
    expect(resourceFromInstance(postgresInstance(), 'eu-west-1', '999988887777').accountId).toBe(
      '999988887777',
    );
  });

  it('takes the CA from CertificateDetails when CACertificateIdentifier is absent', () => {
    const resource = resourceFromInstance(
      postgresInstance({
        CACertificateIdentifier: undefined,
        CertificateDetails: { CAIdentifier: 'rds-ca-ecc384-g1' },
      }),
      'eu-west-1',
    );
    expect(resource.caCertificateIdentifier).toBe('rds-ca-ecc384-g1');
    expect(resource.certificateValidTill).toBeUndefined();
  });

  it('records the cluster of an Aurora member', () => {
    const resource = resourceFromInstance(auroraMember('ledger-1'), 'eu-west-1');
    expect(resource.clusterIdentifier).toBe('ledger');
    expect(resource.parameterGroup).toEqual({
      name: 'default.aurora-postgresql15',
      applyStatus: 'in-sync',
    });
  });

  it('treats missing IAMDatabaseAuthenticationEnabled as disabled and a tag without value as empty', () => {
    const resource = resourceFromInstance(
      postgresInstance({
        IAMDatabaseAuthenticationEnabled: undefined,
        TagList: [{ Key: 'owner' }],
      }),
      'eu-west-1',
    );
    expect(resource.iamDatabaseAuthenticationEnabled).toBe(false);
    expect(resource.tags).toEqual({ owner: '' });
  });

  it('rejects an instance without DbiResourceId rather than keying it on its name', () => {
    expect(() =>
      resourceFromInstance(postgresInstance({ DbiResourceId: undefined }), 'eu-west-1'),
    ).toThrow(/DbiResourceId/);
  });
});

describe('resourceFromCluster', () => {
  it('keys the resource on DbClusterResourceId and takes the status of a member not in sync', () => {
    expect(resourceFromCluster(auroraCluster(), 'eu-west-1')).toEqual({
      resourceType: 'AWS::RDS::DBCluster',
      resourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      identifier: 'ledger',
      arn: `arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:ledger`,
      accountId: ACCOUNT,
      region: 'eu-west-1',
      engine: 'aurora-postgresql',
      engineVersion: '15.4',
      status: 'available',
      endpoint: { address: 'ledger.cluster-c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
      clusterParameterGroup: {
        name: 'apg15-tls',
        applyStatus: 'pending-reboot',
        applyStatusMember: 'ledger-2',
      },
      optionGroups: [],
      masterUsername: 'ledger_admin',
      masterUserSecretArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:rds!cluster-99-XyZ`,
      iamDatabaseAuthenticationEnabled: true,
      clusterEndpoints: {
        reader: 'ledger.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com',
        custom: [],
      },
      clusterMembers: [
        { identifier: 'ledger-1', writer: true },
        { identifier: 'ledger-2', writer: false },
      ],
      tags: { team: 'ledger' },
    });
  });

  it('takes the writer’s status when every member is in sync', () => {
    const cluster = auroraCluster();
    const members = (cluster.DBClusterMembers ?? []).map((member) => ({
      ...member,
      DBClusterParameterGroupStatus: 'in-sync',
    }));
    const resource = resourceFromCluster({ ...cluster, DBClusterMembers: members }, 'eu-west-1');
    expect(resource.clusterParameterGroup).toEqual({ name: 'apg15-tls', applyStatus: 'in-sync' });
  });

  // DBClusterMembers and EngineMode of the DBCluster data type
  // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html).
  it('keeps an empty DBClusterMembers as a cluster RDS lists no instances for, apart from a record without the list', () => {
    const empty = resourceFromCluster(
      auroraCluster({ DBClusterMembers: [], EngineMode: 'provisioned' }),
      'eu-west-1',
    );
    expect(empty).toMatchObject({ clusterMembers: [], engineMode: 'provisioned' });
    const unlisted = resourceFromCluster(
      auroraCluster({ DBClusterMembers: undefined }),
      'eu-west-1',
    );
    expect(unlisted.clusterMembers).toBeUndefined();
    expect(unlisted.engineMode).toBeUndefined();
  });

  it('lists the writer first, so the bound on members never cuts it', () => {
    const readers = Array.from({ length: 70 }, (_, index) => ({
      DBInstanceIdentifier: `ledger-r${index}`,
      IsClusterWriter: false,
    }));
    const resource = resourceFromCluster(
      auroraCluster({
        DBClusterMembers: [...readers, { DBInstanceIdentifier: 'ledger-w', IsClusterWriter: true }],
      }),
      'eu-west-1',
    );
    expect(resource.clusterMembers).toHaveLength(64);
    expect(resource.clusterMembers?.[0]).toEqual({ identifier: 'ledger-w', writer: true });
    expect(resource.clusterMembers?.[1]).toEqual({ identifier: 'ledger-r0', writer: false });
  });

  it('leaves the apply status out when the cluster has no writer yet', () => {
    const resource = resourceFromCluster(auroraCluster({ DBClusterMembers: [] }), 'eu-west-1');
    expect(resource.clusterParameterGroup).toEqual({ name: 'apg15-tls' });
  });
});

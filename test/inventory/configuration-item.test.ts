import { describe, expect, it } from 'vitest';
import { resourceFromConfigurationItem } from '../../lib/inventory/index.js';
import type { DatabaseResource } from '../../lib/types.js';

const instanceCamel = {
  configurationItemCaptureTime: '2025-05-01T08:00:00.000Z',
  configurationItemStatus: 'OK',
  awsAccountId: '123456789012',
  awsRegion: 'eu-west-1',
  resourceType: 'AWS::RDS::DBInstance',
  resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
  resourceName: 'orders-db',
  ARN: 'arn:aws:rds:eu-west-1:123456789012:db:orders-db',
  tags: { env: 'prod' },
  configuration: {
    dBInstanceIdentifier: 'orders-db',
    dbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    engine: 'postgres',
    engineVersion: '14.9',
    dBInstanceStatus: 'available',
    endpoint: { address: 'orders-db.c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
    dBParameterGroups: [
      { dBParameterGroupName: 'pg14-app', parameterApplyStatus: 'pending-reboot' },
    ],
    optionGroupMemberships: [{ optionGroupName: 'default:postgres-14', status: 'in-sync' }],
    caCertificateIdentifier: 'rds-ca-rsa2048-g1',
    certificateDetails: {
      cAIdentifier: 'rds-ca-rsa2048-g1',
      validTill: '2026-01-15T00:00:00.000Z',
    },
    masterUsername: 'app',
    masterUserSecret: {
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1',
    },
    iAMDatabaseAuthenticationEnabled: true,
    publiclyAccessible: false,
    tagList: [{ key: 'team', value: 'payments' }],
  },
  supplementaryConfiguration: {},
};

const instancePascal = {
  ...instanceCamel,
  configuration: {
    DBInstanceIdentifier: 'orders-db',
    DbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    Engine: 'postgres',
    EngineVersion: '14.9',
    DBInstanceStatus: 'available',
    Endpoint: { Address: 'orders-db.c9akciq32.eu-west-1.rds.amazonaws.com', Port: 5432 },
    DBParameterGroups: [
      { DBParameterGroupName: 'pg14-app', ParameterApplyStatus: 'pending-reboot' },
    ],
    OptionGroupMemberships: [{ OptionGroupName: 'default:postgres-14', Status: 'in-sync' }],
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    CertificateDetails: {
      CAIdentifier: 'rds-ca-rsa2048-g1',
      ValidTill: '2026-01-15T00:00:00.000Z',
    },
    MasterUsername: 'app',
    MasterUserSecret: {
      SecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1',
    },
    IAMDatabaseAuthenticationEnabled: true,
    PubliclyAccessible: false,
    TagList: [{ Key: 'team', Value: 'payments' }],
  },
};

const expectedInstance: DatabaseResource = {
  resourceType: 'AWS::RDS::DBInstance',
  resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
  identifier: 'orders-db',
  arn: 'arn:aws:rds:eu-west-1:123456789012:db:orders-db',
  accountId: '123456789012',
  region: 'eu-west-1',
  engine: 'postgres',
  engineVersion: '14.9',
  status: 'available',
  endpoint: { address: 'orders-db.c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
  parameterGroup: { name: 'pg14-app', applyStatus: 'pending-reboot' },
  optionGroups: [{ name: 'default:postgres-14', status: 'in-sync' }],
  caCertificateIdentifier: 'rds-ca-rsa2048-g1',
  certificateValidTill: new Date('2026-01-15T00:00:00.000Z'),
  masterUsername: 'app',
  masterUserSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1',
  iamDatabaseAuthenticationEnabled: true,
  publiclyAccessible: false,
  tags: { team: 'payments', env: 'prod' },
};

describe('resourceFromConfigurationItem', () => {
  it('reads an instance item with Config’s lower camel case keys', () => {
    expect(resourceFromConfigurationItem(instanceCamel)).toEqual({
      ok: true,
      resource: expectedInstance,
    });
  });

  it('reads the same instance when the configuration uses the API’s PascalCase keys', () => {
    expect(resourceFromConfigurationItem(instancePascal)).toEqual({
      ok: true,
      resource: expectedInstance,
    });
  });

  it('keys the resource on the item’s resourceId (DbiResourceId), not the identifier', () => {
    const result = resourceFromConfigurationItem({ ...instanceCamel, resourceId: 'db-OTHER' });
    expect(result.ok && result.resource.resourceId).toBe('db-OTHER');
  });

  it('reads a cluster item: cluster group with the writer’s status, host name endpoint and port', () => {
    const result = resourceFromConfigurationItem({
      awsAccountId: '123456789012',
      awsRegion: 'eu-west-1',
      resourceType: 'AWS::RDS::DBCluster',
      resourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      resourceName: 'ledger',
      ARN: 'arn:aws:rds:eu-west-1:123456789012:cluster:ledger',
      configurationItemStatus: 'OK',
      configuration: {
        dBClusterIdentifier: 'ledger',
        dbClusterResourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
        engine: 'aurora-mysql',
        engineVersion: '8.0.mysql_aurora.3.05.2',
        status: 'available',
        endpoint: 'ledger.cluster-c9akciq32.eu-west-1.rds.amazonaws.com',
        port: 3306,
        dBClusterParameterGroup: 'aurora-mysql8-tls',
        dBClusterMembers: [
          {
            dBInstanceIdentifier: 'ledger-2',
            isClusterWriter: false,
            dBClusterParameterGroupStatus: 'in-sync',
          },
          {
            dBInstanceIdentifier: 'ledger-1',
            isClusterWriter: true,
            dBClusterParameterGroupStatus: 'pending-reboot',
          },
        ],
        iAMDatabaseAuthenticationEnabled: false,
      },
    });
    expect(result).toEqual({
      ok: true,
      resource: {
        resourceType: 'AWS::RDS::DBCluster',
        resourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
        identifier: 'ledger',
        arn: 'arn:aws:rds:eu-west-1:123456789012:cluster:ledger',
        accountId: '123456789012',
        region: 'eu-west-1',
        engine: 'aurora-mysql',
        engineVersion: '8.0.mysql_aurora.3.05.2',
        status: 'available',
        endpoint: { address: 'ledger.cluster-c9akciq32.eu-west-1.rds.amazonaws.com', port: 3306 },
        clusterParameterGroup: { name: 'aurora-mysql8-tls', applyStatus: 'pending-reboot' },
        optionGroups: [],
        iamDatabaseAuthenticationEnabled: false,
        tags: {},
      },
    });
  });

  it('records an Aurora member’s cluster from dBClusterIdentifier', () => {
    const result = resourceFromConfigurationItem({
      ...instanceCamel,
      configuration: { ...instanceCamel.configuration, dBClusterIdentifier: 'ledger' },
    });
    expect(result.ok && result.resource.clusterIdentifier).toBe('ledger');
  });

  it('returns CONFIGURATION_ITEM_INCOMPLETE naming what is missing instead of throwing', () => {
    const { engine: _engine, ...withoutEngine } = instanceCamel.configuration;
    expect(
      resourceFromConfigurationItem({
        ...instanceCamel,
        awsRegion: undefined,
        configuration: withoutEngine,
      }),
    ).toEqual({
      ok: false,
      error: {
        code: 'CONFIGURATION_ITEM_INCOMPLETE',
        message:
          'configuration item AWS::RDS::DBInstance db-ABCDEFGHIJKLMNOPQRSTUVWXY0 lacks awsRegion, engine',
      },
    });
  });

  it('returns CONFIGURATION_ITEM_INCOMPLETE for a deleted resource whose configuration is null', () => {
    const result = resourceFromConfigurationItem({
      ...instanceCamel,
      configurationItemStatus: 'ResourceDeleted',
      configuration: null,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('CONFIGURATION_ITEM_INCOMPLETE');
  });

  it('returns CONFIGURATION_ITEM_UNSUPPORTED_TYPE for a resource that is not RDS', () => {
    const result = resourceFromConfigurationItem({
      ...instanceCamel,
      resourceType: 'AWS::S3::Bucket',
    });
    expect(!result.ok && result.error.code).toBe('CONFIGURATION_ITEM_UNSUPPORTED_TYPE');
  });

  it('returns an error value for input that is not an object', () => {
    expect(resourceFromConfigurationItem('not an item').ok).toBe(false);
  });
});

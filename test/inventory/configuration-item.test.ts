import { describe, expect, it } from 'vitest';
import { resourceFromConfigurationItem } from '../../lib/inventory/index.js';
import type { DatabaseResource } from '../../lib/types.js';

/**
 * An RDS PostgreSQL instance as AWS Config records it: the notification shape of
 * the developer guide's "Example Configuration Item Change Notifications", with
 * the keys Config writes for an RDS `DBInstance` (`dBInstanceIdentifier`,
 * `dbiResourceId`, `cACertificateIdentifier`, `certificateDetails.cAIdentifier`,
 * `iAMDatabaseAuthenticationEnabled`, `dBParameterGroups[].dBParameterGroupName`,
 * `dBSubnetGroup`, `vpcSecurityGroups[].vpcSecurityGroupId`). Values are made up.
 * Sources: events/README.md, "Other fixtures built from published shapes".
 */
const instanceRecorded = {
  configurationItemVersion: '1.3',
  configurationItemCaptureTime: '2025-05-01T08:00:00.000Z',
  configurationStateId: 1746086400000,
  configurationItemStatus: 'OK',
  awsAccountId: '123456789012',
  awsRegion: 'eu-west-1',
  availabilityZone: 'eu-west-1b',
  resourceType: 'AWS::RDS::DBInstance',
  resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
  resourceName: 'orders-db',
  ARN: 'arn:aws:rds:eu-west-1:123456789012:db:orders-db',
  resourceCreationTime: '2024-09-12T10:31:09.118Z',
  tags: { env: 'prod' },
  relatedEvents: [],
  relationships: [
    {
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0c4d5e6f708192a3b',
      relationshipName: 'Is associated with SecurityGroup',
    },
  ],
  configuration: {
    dBInstanceIdentifier: 'orders-db',
    dBInstanceClass: 'db.r6g.large',
    engine: 'postgres',
    engineVersion: '14.9',
    dBInstanceStatus: 'available',
    masterUsername: 'app',
    endpoint: {
      address: 'orders-db.c9akciq32.eu-west-1.rds.amazonaws.com',
      port: 5432,
      hostedZoneId: 'Z29XKXDKYMONMX',
    },
    dBSecurityGroups: [],
    vpcSecurityGroups: [
      { vpcSecurityGroupId: 'sg-0c4d5e6f708192a3b', status: 'active' },
      { vpcSecurityGroupId: 'sg-01a2b3c4d5e6f7081', status: 'active' },
    ],
    dBParameterGroups: [
      { dBParameterGroupName: 'pg14-app', parameterApplyStatus: 'pending-reboot' },
    ],
    dBSubnetGroup: {
      dBSubnetGroupName: 'orders-private',
      dBSubnetGroupDescription: 'private subnets',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetGroupStatus: 'Complete',
      subnets: [
        {
          subnetIdentifier: 'subnet-0a1b2c3d4e5f60719',
          subnetAvailabilityZone: { name: 'eu-west-1b' },
          subnetStatus: 'Active',
        },
      ],
    },
    pendingModifiedValues: {},
    multiAZ: false,
    optionGroupMemberships: [{ optionGroupName: 'default:postgres-14', status: 'in-sync' }],
    publiclyAccessible: false,
    storageEncrypted: true,
    dbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    cACertificateIdentifier: 'rds-ca-rsa2048-g1',
    certificateDetails: {
      cAIdentifier: 'rds-ca-rsa2048-g1',
      validTill: '2026-01-15T00:00:00.000Z',
    },
    dBInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders-db',
    iAMDatabaseAuthenticationEnabled: true,
    masterUserSecret: {
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1',
      secretStatus: 'active',
    },
    tagList: [{ key: 'team', value: 'payments' }],
  },
  supplementaryConfiguration: {},
};

/**
 * The same instance with its configuration copied from `aws rds
 * describe-db-instances` (the SDK's PascalCase): not what Config records, but
 * what a hand-made event often carries; it must read the same.
 */
const instancePascal = {
  ...instanceRecorded,
  configuration: {
    DBInstanceIdentifier: 'orders-db',
    DbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    Engine: 'postgres',
    EngineVersion: '14.9',
    DBInstanceStatus: 'available',
    Endpoint: { Address: 'orders-db.c9akciq32.eu-west-1.rds.amazonaws.com', Port: 5432 },
    VpcSecurityGroups: [
      { VpcSecurityGroupId: 'sg-0c4d5e6f708192a3b', Status: 'active' },
      { VpcSecurityGroupId: 'sg-01a2b3c4d5e6f7081', Status: 'active' },
    ],
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
  vpcSecurityGroupIds: ['sg-0c4d5e6f708192a3b', 'sg-01a2b3c4d5e6f7081'],
  tags: { team: 'payments', env: 'prod' },
};

/** A copy of the item with each dotted path set to its value, or removed where the value is undefined. */
/** The Aurora MySQL cluster `ledger` as a Config item, with its members' group statuses. */
function ledgerClusterItem(
  members: ReadonlyArray<{ id: string; writer: boolean; status: string }>,
) {
  return {
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
      dBClusterMembers: members.map((member) => ({
        dBInstanceIdentifier: member.id,
        isClusterWriter: member.writer,
        dBClusterParameterGroupStatus: member.status,
      })),
      iAMDatabaseAuthenticationEnabled: false,
    },
  };
}

function withChanges(item: object, changes: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(item) as Record<string, unknown>;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    let target = copy;
    for (const key of keys) target = target[key] as Record<string, unknown>;
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
  return copy;
}

describe('resourceFromConfigurationItem', () => {
  it('reads an instance item in the spellings Config records (cACertificateIdentifier, dBParameterGroups, …)', () => {
    expect(resourceFromConfigurationItem(instanceRecorded)).toEqual({
      ok: true,
      resource: expectedInstance,
    });
  });

  // Each recorded spelling is the one read: changing the value under it changes the resource.
  it.each<[string, Record<string, unknown>, (resource: DatabaseResource) => unknown, unknown]>([
    [
      'dBInstanceIdentifier',
      { 'configuration.dBInstanceIdentifier': 'orders-db-2' },
      (r) => r.identifier,
      'orders-db-2',
    ],
    [
      'dbiResourceId (item without resourceId)',
      { 'configuration.dbiResourceId': 'db-ZYXWVUTSRQPONMLKJIHGFEDCB9', resourceId: undefined },
      (r) => r.resourceId,
      'db-ZYXWVUTSRQPONMLKJIHGFEDCB9',
    ],
    [
      'cACertificateIdentifier (no certificateDetails)',
      {
        'configuration.cACertificateIdentifier': 'rds-ca-ecc384-g1',
        'configuration.certificateDetails': undefined,
      },
      (r) => r.caCertificateIdentifier,
      'rds-ca-ecc384-g1',
    ],
    [
      'certificateDetails.cAIdentifier (no cACertificateIdentifier)',
      {
        'configuration.cACertificateIdentifier': undefined,
        'configuration.certificateDetails.cAIdentifier': 'rds-ca-rsa4096-g1',
      },
      (r) => r.caCertificateIdentifier,
      'rds-ca-rsa4096-g1',
    ],
    [
      'certificateDetails.validTill',
      { 'configuration.certificateDetails.validTill': '2024-08-22T17:08:50.000Z' },
      (r) => r.certificateValidTill,
      new Date('2024-08-22T17:08:50.000Z'),
    ],
    [
      'dBParameterGroups[].dBParameterGroupName',
      { 'configuration.dBParameterGroups.0.dBParameterGroupName': 'pg14-hardened' },
      (r) => r.parameterGroup?.name,
      'pg14-hardened',
    ],
    [
      'iAMDatabaseAuthenticationEnabled',
      { 'configuration.iAMDatabaseAuthenticationEnabled': false },
      (r) => r.iamDatabaseAuthenticationEnabled,
      false,
    ],
    [
      'vpcSecurityGroups[].vpcSecurityGroupId',
      { 'configuration.vpcSecurityGroups.1.vpcSecurityGroupId': 'sg-0fedcba9876543210' },
      (r) => r.vpcSecurityGroupIds,
      ['sg-0c4d5e6f708192a3b', 'sg-0fedcba9876543210'],
    ],
    [
      'pendingModifiedValues.cACertificateIdentifier',
      { 'configuration.pendingModifiedValues.cACertificateIdentifier': 'rds-ca-rsa4096-g1' },
      (r) => r.pendingModifiedValues?.caCertificateIdentifier,
      'rds-ca-rsa4096-g1',
    ],
    [
      'masterUserSecret.secretArn',
      {
        'configuration.masterUserSecret.secretArn':
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-2',
      },
      (r) => r.masterUserSecretArn,
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-2',
    ],
  ])('reads %s from the recorded item', (_key, changes, read, expected) => {
    const before = resourceFromConfigurationItem(instanceRecorded);
    const after = resourceFromConfigurationItem(withChanges(instanceRecorded, changes));
    if (!before.ok || !after.ok) throw new Error('the recorded item no longer maps');
    expect(read(before.resource)).not.toEqual(expected);
    expect(read(after.resource)).toEqual(expected);
  });

  it('reads the same instance when the configuration uses the API’s PascalCase keys', () => {
    expect(resourceFromConfigurationItem(instancePascal)).toEqual({
      ok: true,
      resource: expectedInstance,
    });
  });

  it('keys the resource on the item’s resourceId (DbiResourceId), not the identifier', () => {
    const result = resourceFromConfigurationItem({ ...instanceRecorded, resourceId: 'db-OTHER' });
    expect(result.ok && result.resource.resourceId).toBe('db-OTHER');
  });

  it('reads a cluster item: cluster group with the writer’s status, host name endpoint and port', () => {
    const result = resourceFromConfigurationItem(
      ledgerClusterItem([
        { id: 'ledger-2', writer: false, status: 'in-sync' },
        { id: 'ledger-1', writer: true, status: 'pending-reboot' },
      ]),
    );
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
        clusterMembers: [
          { identifier: 'ledger-1', writer: true },
          { identifier: 'ledger-2', writer: false },
        ],
      },
    });
  });

  it('takes a reader’s cluster group status when the writer is in sync and the reader is not', () => {
    const result = resourceFromConfigurationItem(
      ledgerClusterItem([
        { id: 'ledger-1', writer: true, status: 'in-sync' },
        { id: 'ledger-2', writer: false, status: 'pending-reboot' },
      ]),
    );
    expect(result.ok && result.resource.clusterParameterGroup).toEqual({
      name: 'aurora-mysql8-tls',
      applyStatus: 'pending-reboot',
      applyStatusMember: 'ledger-2',
    });
  });

  it('reads an older cluster item in the API shape with all-lower-case keys (dbclusterParameterGroup, …)', () => {
    // The shape of the AWS Config RDK's example item AWS_RDS_DBCluster.json
    // (awslabs/aws-config-rdk): `arn` and `accountId`, epoch-millisecond
    // `clusterCreateTime`, and `dbcluster…`/`iamdatabase…` keys. Values made up.
    const item = {
      version: '1.3',
      accountId: '210987654321',
      configurationItemCaptureTime: '2024-11-04T07:12:44.503Z',
      configurationItemStatus: 'ResourceDiscovered',
      configurationStateId: '1730704364503',
      configurationItemMD5Hash: '',
      arn: 'arn:aws:rds:us-east-2:210987654321:cluster:billing',
      resourceType: 'AWS::RDS::DBCluster',
      resourceId: 'cluster-QRSTUVWXYZABCDEFGHIJKLMNOP',
      resourceName: 'billing',
      awsRegion: 'us-east-2',
      availabilityZone: 'Multiple Availability Zones',
      tags: {},
      relatedEvents: [],
      relationships: [],
      configuration: {
        status: 'available',
        endpoint: 'billing.cluster-c7xq2mw9ab.us-east-2.rds.amazonaws.com',
        readerEndpoint: 'billing.cluster-ro-c7xq2mw9ab.us-east-2.rds.amazonaws.com',
        engine: 'aurora-mysql',
        engineVersion: '5.7.mysql_aurora.2.11.5',
        port: 3306,
        masterUsername: 'billing_admin',
        vpcSecurityGroups: [{ vpcSecurityGroupId: 'sg-0aa11bb22cc33dd44', status: 'active' }],
        dbClusterResourceId: 'cluster-QRSTUVWXYZABCDEFGHIJKLMNOP',
        clusterCreateTime: 1730704290118,
        engineMode: 'provisioned',
        tagList: [],
        dbclusterIdentifier: 'billing',
        iamdatabaseAuthenticationEnabled: true,
        dbsubnetGroup: 'billing-private',
        dbclusterOptionGroupMemberships: [],
        dbclusterParameterGroup: 'aurora57-billing-tls',
        dbclusterMembers: [
          {
            isClusterWriter: false,
            promotionTier: 1,
            dbinstanceIdentifier: 'billing-2',
            clusterWriter: false,
            dbclusterParameterGroupStatus: 'in-sync',
          },
          {
            isClusterWriter: true,
            promotionTier: 1,
            dbinstanceIdentifier: 'billing-1',
            clusterWriter: true,
            dbclusterParameterGroupStatus: 'pending-reboot',
          },
        ],
        dbclusterArn: 'arn:aws:rds:us-east-2:210987654321:cluster:billing',
      },
      supplementaryConfiguration: { Tags: [] },
      resourceTransitionStatus: 'None',
    };
    expect(resourceFromConfigurationItem(item)).toEqual({
      ok: true,
      resource: {
        resourceType: 'AWS::RDS::DBCluster',
        resourceId: 'cluster-QRSTUVWXYZABCDEFGHIJKLMNOP',
        identifier: 'billing',
        arn: 'arn:aws:rds:us-east-2:210987654321:cluster:billing',
        accountId: '210987654321',
        region: 'us-east-2',
        engine: 'aurora-mysql',
        engineVersion: '5.7.mysql_aurora.2.11.5',
        status: 'available',
        endpoint: { address: 'billing.cluster-c7xq2mw9ab.us-east-2.rds.amazonaws.com', port: 3306 },
        clusterParameterGroup: { name: 'aurora57-billing-tls', applyStatus: 'pending-reboot' },
        optionGroups: [],
        masterUsername: 'billing_admin',
        iamDatabaseAuthenticationEnabled: true,
        vpcSecurityGroupIds: ['sg-0aa11bb22cc33dd44'],
        tags: {},
        engineMode: 'provisioned',
        clusterMembers: [
          { identifier: 'billing-1', writer: true },
          { identifier: 'billing-2', writer: false },
        ],
      },
    });
  });

  it('records an Aurora member’s cluster from dBClusterIdentifier', () => {
    const result = resourceFromConfigurationItem({
      ...instanceRecorded,
      configuration: { ...instanceRecorded.configuration, dBClusterIdentifier: 'ledger' },
    });
    expect(result.ok && result.resource.clusterIdentifier).toBe('ledger');
  });

  it('returns CONFIGURATION_ITEM_INCOMPLETE naming what is missing instead of throwing', () => {
    const { engine: _engine, ...withoutEngine } = instanceRecorded.configuration;
    expect(
      resourceFromConfigurationItem({
        ...instanceRecorded,
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
      ...instanceRecorded,
      configurationItemStatus: 'ResourceDeleted',
      configuration: null,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('CONFIGURATION_ITEM_INCOMPLETE');
  });

  it('returns CONFIGURATION_ITEM_UNSUPPORTED_TYPE for a resource that is not RDS', () => {
    const result = resourceFromConfigurationItem({
      ...instanceRecorded,
      resourceType: 'AWS::S3::Bucket',
    });
    expect(!result.ok && result.error.code).toBe('CONFIGURATION_ITEM_UNSUPPORTED_TYPE');
  });

  it('returns an error value for input that is not an object', () => {
    expect(resourceFromConfigurationItem('not an item').ok).toBe(false);
  });
});

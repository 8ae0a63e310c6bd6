/** SDK-shaped DescribeDBInstances / DescribeDBClusters records for inventory tests. */
import type {
  DBCluster,
  DBClusterEndpoint,
  DBInstance,
  DBProxy,
  DBProxyEndpoint,
  DBProxyTarget,
  Parameter,
} from '@aws-sdk/client-rds';

export const ACCOUNT = '123456789012';

export function postgresInstance(overrides: Partial<DBInstance> = {}): DBInstance {
  const identifier = overrides.DBInstanceIdentifier ?? 'orders-db';
  const region = overrides.DBInstanceArn?.split(':')[3] ?? 'eu-west-1';
  return {
    DBInstanceIdentifier: identifier,
    DbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    DBInstanceArn: `arn:aws:rds:${region}:${ACCOUNT}:db:${identifier}`,
    Engine: 'postgres',
    EngineVersion: '15.4',
    DBInstanceStatus: 'available',
    Endpoint: {
      Address: `${identifier}.c9akciq32.${region}.rds.amazonaws.com`,
      Port: 5432,
      HostedZoneId: 'Z29XKXDKYMONMX',
    },
    DBParameterGroups: [{ DBParameterGroupName: 'pg15-secure', ParameterApplyStatus: 'in-sync' }],
    OptionGroupMemberships: [{ OptionGroupName: 'default:postgres-15', Status: 'in-sync' }],
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    CertificateDetails: {
      CAIdentifier: 'rds-ca-rsa2048-g1',
      ValidTill: new Date('2026-03-01T10:00:00Z'),
    },
    MasterUsername: 'postgres',
    MasterUserSecret: {
      SecretArn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:rds!db-1234-AbCdEf`,
      SecretStatus: 'active',
    },
    IAMDatabaseAuthenticationEnabled: false,
    PubliclyAccessible: false,
    TagList: [
      { Key: 'team', Value: 'payments' },
      { Key: 'env', Value: 'prod' },
    ],
    ...overrides,
  };
}

export function auroraCluster(overrides: Partial<DBCluster> = {}): DBCluster {
  const identifier = overrides.DBClusterIdentifier ?? 'ledger';
  return {
    DBClusterIdentifier: identifier,
    DbClusterResourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    DBClusterArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:${identifier}`,
    Engine: 'aurora-postgresql',
    EngineVersion: '15.4',
    Status: 'available',
    Endpoint: `${identifier}.cluster-c9akciq32.eu-west-1.rds.amazonaws.com`,
    ReaderEndpoint: `${identifier}.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com`,
    Port: 5432,
    DBClusterParameterGroup: 'apg15-tls',
    DBClusterMembers: [
      {
        DBInstanceIdentifier: `${identifier}-1`,
        IsClusterWriter: true,
        DBClusterParameterGroupStatus: 'in-sync',
      },
      {
        DBInstanceIdentifier: `${identifier}-2`,
        IsClusterWriter: false,
        DBClusterParameterGroupStatus: 'pending-reboot',
      },
    ],
    MasterUsername: 'ledger_admin',
    MasterUserSecret: {
      SecretArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:rds!cluster-99-XyZ`,
    },
    IAMDatabaseAuthenticationEnabled: true,
    TagList: [{ Key: 'team', Value: 'ledger' }],
    ...overrides,
  };
}

export function auroraMember(identifier: string, clusterIdentifier = 'ledger'): DBInstance {
  return postgresInstance({
    DBInstanceIdentifier: identifier,
    DbiResourceId: `db-${identifier.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    DBInstanceArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:${identifier}`,
    Engine: 'aurora-postgresql',
    DBClusterIdentifier: clusterIdentifier,
    DBParameterGroups: [
      { DBParameterGroupName: 'default.aurora-postgresql15', ParameterApplyStatus: 'in-sync' },
    ],
    OptionGroupMemberships: [],
    TagList: [{ Key: 'team', Value: 'ledger' }],
  });
}

/**
 * A DBClusterEndpoint as DescribeDBClusterEndpoints returns it
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBClusterEndpoint.html):
 * a custom endpoint unless EndpointType says otherwise.
 */
export function clusterEndpointRecord(
  name: string,
  clusterIdentifier = 'ledger',
  overrides: Partial<DBClusterEndpoint> = {},
): DBClusterEndpoint {
  return {
    DBClusterEndpointIdentifier: name,
    DBClusterIdentifier: clusterIdentifier,
    DBClusterEndpointResourceIdentifier: `cluster-endpoint-${name.toUpperCase()}`,
    Endpoint: `${name}.cluster-custom-c9akciq32.eu-west-1.rds.amazonaws.com`,
    Status: 'available',
    EndpointType: 'CUSTOM',
    CustomEndpointType: 'READER',
    StaticMembers: [],
    ExcludedMembers: [],
    DBClusterEndpointArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:cluster-endpoint:${name}`,
    ...overrides,
  };
}

/** A parameter as DescribeDBParameters reports it; omit value for one the group does not set. */
export function parameter(name: string, value?: string, applyType = 'dynamic'): Parameter {
  return {
    ParameterName: name,
    ...(value !== undefined ? { ParameterValue: value } : {}),
    Source: value !== undefined ? 'user' : 'engine-default',
    ApplyType: applyType,
    DataType: 'string',
    IsModifiable: true,
  };
}

/**
 * An RDS Proxy as DescribeDBProxies reports it (shape: the DBProxy type of
 * @aws-sdk/client-rds and the DescribeDBProxies API reference).
 */
export function proxyRecord(overrides: Partial<DBProxy> = {}): DBProxy {
  const name = overrides.DBProxyName ?? 'orders-proxy';
  return {
    DBProxyName: name,
    DBProxyArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db-proxy:prx-${name.replace(/[^a-z0-9]/g, '')}0123`,
    Status: 'available',
    EngineFamily: 'POSTGRESQL',
    VpcId: 'vpc-0f1e2d3c4b5a69788',
    VpcSecurityGroupIds: ['sg-0a1b2c3d4e5f67890'],
    VpcSubnetIds: ['subnet-0a1b2c3d4e5f67890'],
    Auth: [
      {
        AuthScheme: 'SECRETS',
        SecretArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-app-AbCdEf`,
        IAMAuth: 'DISABLED',
        ClientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
      },
    ],
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/${name}-secrets`,
    Endpoint: `${name}.proxy-c9akciq32.eu-west-1.rds.amazonaws.com`,
    RequireTLS: true,
    IdleClientTimeout: 1800,
    DebugLogging: false,
    ...overrides,
  };
}

/** A custom proxy endpoint as DescribeDBProxyEndpoints reports it. */
export function proxyEndpointRecord(
  proxyName: string,
  name: string,
  role: 'READ_WRITE' | 'READ_ONLY',
): DBProxyEndpoint {
  return {
    DBProxyEndpointName: name,
    DBProxyEndpointArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db-proxy-endpoint:prx-endpoint-${name}`,
    DBProxyName: proxyName,
    Status: 'available',
    VpcId: 'vpc-0f1e2d3c4b5a69788',
    Endpoint: `${name}.endpoint.proxy-c9akciq32.eu-west-1.rds.amazonaws.com`,
    TargetRole: role,
    IsDefault: false,
  };
}

/** A proxy target as DescribeDBProxyTargets reports it. */
export function proxyTargetRecord(
  type: 'RDS_INSTANCE' | 'TRACKED_CLUSTER',
  identifier: string,
  trackedClusterId?: string,
): DBProxyTarget {
  return {
    ...(type === 'RDS_INSTANCE'
      ? { TargetArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:${identifier}` }
      : {}),
    Endpoint: `${identifier}.c9akciq32.eu-west-1.rds.amazonaws.com`,
    RdsResourceId: identifier,
    ...(trackedClusterId ? { TrackedClusterId: trackedClusterId } : {}),
    Port: 5432,
    Type: type,
    ...(type === 'RDS_INSTANCE' ? { Role: 'READ_WRITE' as const } : {}),
  };
}

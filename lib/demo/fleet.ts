/**
 * The local demo's "AWS account": an RDS-shaped inventory, in the JSON the
 * AWS CLI prints, whose endpoints are real local servers, and the
 * Secrets Manager secrets that hold their master credentials. The scan reads
 * it through the same RDS and Secrets Manager clients it uses against AWS.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { serveInProcess, serviceError } from '../aws/in-process.js';
import type { JsonObject, RdsSnapshot } from '../inventory/index.js';
import type { SecretValue } from '../secret-value.js';

export const DEMO_REGION = 'eu-west-1';
export const DEMO_ACCOUNT = '123456789012';

/** A local server standing in for one RDS DB instance. */
export interface DemoDatabase {
  identifier: string;
  engine: 'postgres' | 'mariadb';
  engineVersion: string;
  port: number;
  masterUser: string;
  masterPassword: SecretValue;
  /** What the instance's parameter group says about TLS. */
  enforcesTls: boolean;
}

/** A local PgBouncer standing in for one RDS Proxy in front of a demo database. */
export interface DemoProxy {
  name: string;
  /** The demo database it connects to. */
  target: string;
  requireTls: boolean;
  /** The login its clients use (its Secrets Manager auth entry). */
  user: string;
  password: SecretValue;
}

export interface DemoFleet {
  snapshot: RdsSnapshot;
  /** Secrets Manager, answered from the demo's secrets. */
  secretsClient: SecretsManagerClient;
}

const CA_VALID_TILL = '2061-05-21T22:23:00Z';

/**
 * Builds the fleet: the local databases, plus two configuration-only
 * instances (SQL Server waiting for a reboot, Oracle without the SSL option)
 * that show the static rules for engines no local server stands in for, and
 * the RDS Proxies (local PgBouncers) in front of some of the databases.
 */
export function buildDemoFleet(
  databases: DemoDatabase[],
  endpointHost: string,
  proxies: DemoProxy[] = [],
): DemoFleet {
  const secrets = new Map<string, { masterUser: string; masterPassword: SecretValue }>();
  const instances: JsonObject[] = [];
  const parameters: Record<string, JsonObject> = {};

  databases.forEach((database, index) => {
    const secretArn = `arn:aws:secretsmanager:${DEMO_REGION}:${DEMO_ACCOUNT}:secret:rds!db-demo-${index}-${database.identifier}`;
    secrets.set(secretArn, database);
    const group = `${database.identifier}-params`;
    const family = database.engine === 'postgres' ? 'postgres16' : 'mariadb10.11';
    const parameterName =
      database.engine === 'postgres' ? 'rds.force_ssl' : 'require_secure_transport';
    parameters[group] = {
      Parameters: [
        parameter(parameterName, database.enforcesTls ? '1' : '0'),
        ...(database.engine === 'postgres'
          ? [parameter('ssl_min_protocol_version', 'TLSv1.2')]
          : [parameter('tls_version', 'TLSv1.2,TLSv1.3')]),
      ],
    };
    instances.push(
      instance({
        identifier: database.identifier,
        index,
        engine: database.engine,
        engineVersion: database.engineVersion,
        group,
        family,
        endpoint: { Address: endpointHost, Port: database.port },
        masterUser: database.masterUser,
        secretArn,
      }),
    );
  });

  instances.push(
    instance({
      identifier: 'reporting-mssql',
      index: 90,
      engine: 'sqlserver-se',
      engineVersion: '15.00.4365.2.v1',
      group: 'reporting-mssql-params',
      family: 'sqlserver-se-15.0',
      applyStatus: 'pending-reboot',
    }),
    instance({
      identifier: 'ledger-oracle',
      index: 91,
      engine: 'oracle-ee',
      engineVersion: '19.0.0.0.ru-2024-04.rur-2024-04.r1',
      group: 'default.oracle-ee-19',
      family: 'oracle-ee-19',
      optionGroup: 'ledger-oracle-options',
    }),
  );
  parameters['reporting-mssql-params'] = {
    Parameters: [
      { ...parameter('rds.force_ssl', '1'), ApplyType: 'static' },
      { ...parameter('rds.tls10', 'disabled'), ApplyType: 'static' },
      { ...parameter('rds.tls11', 'disabled'), ApplyType: 'static' },
    ],
  };
  parameters['default.oracle-ee-19'] = { Parameters: [] };

  const proxyRecords = proxies.map((proxy, index) => {
    const secretArn = `arn:aws:secretsmanager:${DEMO_REGION}:${DEMO_ACCOUNT}:secret:${proxy.name}-app-${index}`;
    secrets.set(secretArn, { masterUser: proxy.user, masterPassword: proxy.password });
    return proxyShape(proxy, secretArn, endpointHost, index);
  });

  const snapshot: RdsSnapshot = {
    instances: { DBInstances: instances },
    clusters: { DBClusters: [] },
    proxies: { DBProxies: proxyRecords.map((record) => record.proxy) },
    proxyEndpoints: { DBProxyEndpoints: proxyRecords.flatMap((record) => record.endpoints) },
    proxyTargets: Object.fromEntries(
      proxyRecords.map((record, index) => [proxies[index]?.name ?? '', record.targets]),
    ),
    parameters,
    engineDefaults: {
      postgres16: engineDefaults('postgres16', [parameter('rds.force_ssl', '1', 'engine-default')]),
      'mariadb10.11': engineDefaults('mariadb10.11', [
        parameter('require_secure_transport', '0', 'engine-default'),
      ]),
      'sqlserver-se-15.0': engineDefaults('sqlserver-se-15.0', []),
      'oracle-ee-19': engineDefaults('oracle-ee-19', []),
    },
    optionGroups: {
      OptionGroupsList: [
        {
          OptionGroupName: 'ledger-oracle-options',
          EngineName: 'oracle-ee',
          MajorEngineVersion: '19',
          Options: [{ OptionName: 'Timezone', OptionSettings: [] }],
        },
      ],
    },
    certificates: {
      Certificates: [
        {
          CertificateIdentifier: 'rds-ca-rsa2048-g1',
          CertificateType: 'CA',
          ValidFrom: '2021-05-25T23:34:57Z',
          ValidTill: CA_VALID_TILL,
        },
      ],
    },
  };

  const secretsClient = serveInProcess(
    new SecretsManagerClient({
      region: DEMO_REGION,
      credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
    }),
    (commandName, input) => {
      const secretId = (input as { SecretId?: string }).SecretId ?? '';
      const database = secrets.get(secretId);
      if (commandName !== 'GetSecretValueCommand' || !database) {
        throw serviceError(
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret.",
        );
      }
      return {
        ARN: secretId,
        Name: secretId.split(':secret:')[1],
        SecretString: JSON.stringify({
          username: database.masterUser,
          password: database.masterPassword.reveal(),
        }),
      };
    },
  );

  return { snapshot, secretsClient };
}

/** DescribeDBProxies / DescribeDBProxyEndpoints / DescribeDBProxyTargets records for one proxy. */
function proxyShape(
  proxy: DemoProxy,
  secretArn: string,
  endpointHost: string,
  index: number,
): { proxy: JsonObject; endpoints: JsonObject[]; targets: JsonObject } {
  const id = `prx-0demo${String(index).padStart(2, '0')}${proxy.name.replace(/[^a-z0-9]/gi, '')}`;
  return {
    proxy: {
      DBProxyName: proxy.name,
      DBProxyArn: `arn:aws:rds:${DEMO_REGION}:${DEMO_ACCOUNT}:db-proxy:${id}`,
      Status: 'available',
      EngineFamily: 'POSTGRESQL',
      Auth: [
        {
          AuthScheme: 'SECRETS',
          SecretArn: secretArn,
          IAMAuth: 'DISABLED',
          ClientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
        },
      ],
      Endpoint: endpointHost,
      RequireTLS: proxy.requireTls,
      IdleClientTimeout: 1800,
    },
    endpoints: [
      {
        DBProxyEndpointName: `${proxy.name}-reports`,
        DBProxyEndpointArn: `arn:aws:rds:${DEMO_REGION}:${DEMO_ACCOUNT}:db-proxy-endpoint:prx-endpoint-demo${index}`,
        DBProxyName: proxy.name,
        Status: 'available',
        Endpoint: endpointHost,
        TargetRole: 'READ_ONLY',
        IsDefault: false,
      },
    ],
    targets: {
      Targets: [
        {
          TargetArn: `arn:aws:rds:${DEMO_REGION}:${DEMO_ACCOUNT}:db:${proxy.target}`,
          Endpoint: endpointHost,
          RdsResourceId: proxy.target,
          Type: 'RDS_INSTANCE',
          Role: 'READ_WRITE',
          TargetHealth: { State: 'AVAILABLE' },
        },
      ],
    },
  };
}

function parameter(name: string, value: string, source = 'user'): JsonObject {
  return {
    ParameterName: name,
    ParameterValue: value,
    Source: source,
    ApplyType: 'dynamic',
    DataType: 'string',
    IsModifiable: true,
  };
}

function engineDefaults(family: string, parameters: JsonObject[]): JsonObject {
  return { EngineDefaults: { DBParameterGroupFamily: family, Parameters: parameters } };
}

interface InstanceShape {
  identifier: string;
  index: number;
  engine: string;
  engineVersion: string;
  group: string;
  family: string;
  applyStatus?: string;
  endpoint?: { Address: string; Port: number };
  masterUser?: string;
  secretArn?: string;
  optionGroup?: string;
}

function instance(shape: InstanceShape): JsonObject {
  const resourceId = `db-DEMO${String(shape.index).padStart(2, '0')}${shape.identifier
    .replace(/[^a-z0-9]/gi, '')
    .toUpperCase()}`.slice(0, 29);
  return {
    DBInstanceIdentifier: shape.identifier,
    DBInstanceClass: 'db.t4g.medium',
    Engine: shape.engine,
    EngineVersion: shape.engineVersion,
    DBInstanceStatus: 'available',
    MasterUsername: shape.masterUser ?? 'admin',
    DbiResourceId: resourceId,
    DBInstanceArn: `arn:aws:rds:${DEMO_REGION}:${DEMO_ACCOUNT}:db:${shape.identifier}`,
    ...(shape.endpoint ? { Endpoint: shape.endpoint } : {}),
    DBParameterGroups: [
      {
        DBParameterGroupName: shape.group,
        ParameterApplyStatus: shape.applyStatus ?? 'in-sync',
      },
    ],
    OptionGroupMemberships: [
      { OptionGroupName: shape.optionGroup ?? `default:${shape.engine}`, Status: 'in-sync' },
    ],
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    CertificateDetails: { CAIdentifier: 'rds-ca-rsa2048-g1', ValidTill: CA_VALID_TILL },
    ...(shape.secretArn
      ? { MasterUserSecret: { SecretArn: shape.secretArn, SecretStatus: 'active' } }
      : {}),
    IAMDatabaseAuthenticationEnabled: false,
    PubliclyAccessible: false,
    TagList: [{ Key: 'environment', Value: 'demo' }],
  };
}

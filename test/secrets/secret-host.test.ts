/**
 * A rotation-style secret's `host` says which database it was written for.
 * When that host is an RDS endpoint name of another database, the secret is
 * refused; a host that is no RDS name cannot be judged and is allowed.
 */
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCredentialResolver } from '../../lib/secrets/index.js';
import { checkSecretHost } from '../../lib/secrets/secret-host.js';
import type { DatabaseResource } from '../../lib/types.js';
import { CANARY, cluster, instance, ruleParameters, secretArn } from './sample-resources.js';

const REFERENCE = secretArn('prod/app-user');
const SUFFIX = 'c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com';

/** orders-db: an instance that is a member of Aurora cluster orders-cluster, with proxy orders-proxy in front. */
const member = instance({
  engine: 'aurora-postgresql',
  clusterIdentifier: 'orders-cluster',
  frontingProxies: [{ name: 'orders-proxy' }],
});
const plain = instance();

const ordersCluster = cluster({
  identifier: 'orders-cluster',
  endpoint: { address: `orders-cluster.cluster-${SUFFIX}`, port: 5432 },
  clusterEndpoints: {
    reader: `orders-cluster.cluster-ro-${SUFFIX}`,
    custom: [{ name: 'orders-reports', address: `orders-reports.cluster-custom-${SUFFIX}` }],
  },
  clusterMembers: [
    { identifier: 'orders-db', writer: true },
    { identifier: 'orders-db-2', writer: false },
  ],
});

const ordersProxy = instance({
  resourceType: 'AWS::RDS::DBProxy',
  identifier: 'orders-proxy',
  engine: 'POSTGRESQL',
  endpoint: { address: `orders-proxy.proxy-${SUFFIX}`, port: 5432 },
  proxy: {
    engineFamily: 'POSTGRESQL',
    endpoints: [
      {
        name: 'default',
        address: `orders-proxy.proxy-${SUFFIX}`,
        port: 5432,
        role: 'READ_WRITE',
        isDefault: true,
      },
      {
        name: 'orders-ro',
        address: `orders-ro.endpoint.proxy-${SUFFIX}`,
        port: 5432,
        role: 'READ_ONLY',
        isDefault: false,
      },
    ],
    auth: [],
    targets: [
      { type: 'TRACKED_CLUSTER', identifier: 'orders-cluster' },
      { type: 'RDS_INSTANCE', identifier: 'orders-db', trackedClusterId: 'orders-cluster' },
    ],
  },
});

const refused = (host: string, target: string) => ({
  kind: 'failure',
  reason: 'SECRET_FOR_OTHER_DATABASE',
  message: `secret ${REFERENCE} belongs to the database at ${host}, not ${target}; credentials not sent`,
});

describe('checkSecretHost on an instance', () => {
  it.each([
    ['its own endpoint', `orders-db.${SUFFIX}`],
    ['its own endpoint in capitals with a trailing dot', `ORDERS-DB.${SUFFIX.toUpperCase()}.`],
    ['its cluster’s writer endpoint', `orders-cluster.cluster-${SUFFIX}`],
    ['its cluster’s reader endpoint', `orders-cluster.cluster-ro-${SUFFIX}`],
    ['a proxy in front of it', `orders-proxy.proxy-${SUFFIX}`],
    ['a name outside RDS, which cannot be judged', 'orders.db.internal.example.com'],
  ])('allows %s', (_what, host) => {
    expect(checkSecretHost(REFERENCE, host, member)).toBeUndefined();
  });

  it('refuses another instance’s endpoint', () => {
    const host = `payments-db.${SUFFIX}`;
    expect(checkSecretHost(REFERENCE, host, plain)).toEqual(refused(host, 'DB instance orders-db'));
  });

  it('refuses an instance of the same name in another region', () => {
    const host = 'orders-db.c9z8y7x6w5v4.us-east-1.rds.amazonaws.com';
    expect(checkSecretHost(REFERENCE, host, plain)).toEqual(refused(host, 'DB instance orders-db'));
  });

  it('refuses another cluster’s endpoint, and any cluster endpoint for an instance outside a cluster', () => {
    expect(checkSecretHost(REFERENCE, `billing.cluster-${SUFFIX}`, member)?.reason).toBe(
      'SECRET_FOR_OTHER_DATABASE',
    );
    expect(checkSecretHost(REFERENCE, `orders-cluster.cluster-${SUFFIX}`, plain)?.reason).toBe(
      'SECRET_FOR_OTHER_DATABASE',
    );
  });

  it('refuses a custom cluster endpoint, which an instance cannot show to be its cluster’s', () => {
    expect(
      checkSecretHost(REFERENCE, `orders-reports.cluster-custom-${SUFFIX}`, member)?.reason,
    ).toBe('SECRET_FOR_OTHER_DATABASE');
  });

  it.each([
    ['China', 'cn-north-1', 'rds.cn-north-1.amazonaws.com.cn'],
    ['China, older names', 'cn-north-1', 'cn-north-1.rds.amazonaws.com.cn'],
    ['GovCloud', 'us-gov-west-1', 'rds.us-gov-west-1.amazonaws.com'],
    ['ISO', 'us-iso-east-1', 'rds.us-iso-east-1.c2s.ic.gov'],
  ])('judges %s endpoint names the same way', (_partition, region, zone) => {
    const database = instance({
      region,
      endpoint: { address: `orders-db.c1a2b3c4d5e6.${zone}`, port: 5432 },
      clusterIdentifier: 'orders-cluster',
    });
    expect(
      checkSecretHost(REFERENCE, `orders-cluster.cluster-ro-c1a2b3c4d5e6.${zone}`, database),
    ).toBeUndefined();
    expect(checkSecretHost(REFERENCE, `payments-db.c1a2b3c4d5e6.${zone}`, database)?.reason).toBe(
      'SECRET_FOR_OTHER_DATABASE',
    );
  });

  it('leaves a name of another AWS service alone, as it cannot be judged', () => {
    expect(
      checkSecretHost(REFERENCE, 'orders-nlb-0123456789.elb.eu-west-1.amazonaws.com', plain),
    ).toBeUndefined();
  });

  it('refuses a malformed name under the RDS domain without quoting it', () => {
    const outcome = checkSecretHost(REFERENCE, 'orders_db<script>.x.rds.amazonaws.com', plain);
    expect(outcome).toEqual({
      kind: 'failure',
      reason: 'SECRET_FOR_OTHER_DATABASE',
      message: `secret ${REFERENCE} belongs to a database at a malformed RDS endpoint name, not DB instance orders-db; credentials not sent`,
    });
  });
});

describe('checkSecretHost on a cluster', () => {
  it.each([
    ['its writer endpoint', `orders-cluster.cluster-${SUFFIX}`],
    ['its reader endpoint', `orders-cluster.cluster-ro-${SUFFIX}`],
    ['its custom endpoint', `orders-reports.cluster-custom-${SUFFIX}`],
    ['a member instance', `orders-db-2.${SUFFIX}`],
  ])('allows %s', (_what, host) => {
    expect(checkSecretHost(REFERENCE, host, ordersCluster)).toBeUndefined();
  });

  it.each([
    ['another cluster', `billing.cluster-ro-${SUFFIX}`],
    ['another cluster’s custom endpoint', `billing-reports.cluster-custom-${SUFFIX}`],
    ['an instance that is not a member', `payments-db.${SUFFIX}`],
  ])('refuses %s', (_what, host) => {
    expect(checkSecretHost(REFERENCE, host, ordersCluster)).toEqual(
      refused(host, 'DB cluster orders-cluster'),
    );
  });
});

describe('checkSecretHost on a proxy', () => {
  it.each([
    ['its default endpoint', `orders-proxy.proxy-${SUFFIX}`],
    ['its custom endpoint', `orders-ro.endpoint.proxy-${SUFFIX}`],
    ['a target cluster', `orders-cluster.cluster-${SUFFIX}`],
    ['a target instance', `orders-db.${SUFFIX}`],
  ])('allows %s', (_what, host) => {
    expect(checkSecretHost(REFERENCE, host, ordersProxy)).toBeUndefined();
  });

  it.each([
    ['another proxy', `payments-proxy.proxy-${SUFFIX}`],
    ['a database it does not front', `payments-db.${SUFFIX}`],
  ])('refuses %s', (_what, host) => {
    expect(checkSecretHost(REFERENCE, host, ordersProxy)).toEqual(
      refused(host, 'a database behind proxy orders-proxy'),
    );
  });
});

describe('the host a secret declares, through the resolver', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  beforeEach(() => secretsManager.reset());

  /** A rotation-style secret (Secrets Manager User Guide, "JSON structure of database secrets"). */
  function rotationSecret(host: string, port = 5432): GetSecretValueCommandOutput {
    return {
      $metadata: { httpStatusCode: 200 },
      ARN: REFERENCE,
      Name: 'prod/app-user',
      SecretString: JSON.stringify({
        engine: 'postgres',
        host,
        port,
        username: 'app',
        password: CANARY,
        dbname: 'orders',
      }),
      VersionStages: ['AWSCURRENT'],
    };
  }

  async function resolveTagged(resource: DatabaseResource) {
    const resolver = createCredentialResolver({
      secretsClientFor: (region) => new SecretsManagerClient({ region }),
      cacheTtlMs: 0,
    });
    return resolver.resolve(
      { ...resource, tags: { 'rds-tls-guard:secret-arn': REFERENCE } },
      ruleParameters(),
    );
  }

  it('refuses a secret written for another database’s endpoint, though it names no identifier', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(rotationSecret(`payments-db.${SUFFIX}`));
    const outcome = await resolveTagged(plain);
    expect(outcome).toEqual({
      kind: 'unavailable',
      reason: 'SECRET_FOR_OTHER_DATABASE',
      message: `secret ${REFERENCE} belongs to the database at payments-db.${SUFFIX}, not DB instance orders-db; credentials not sent`,
    });
    expect(JSON.stringify(outcome)).not.toContain(CANARY);
  });

  it('does not refuse for a port other than the endpoint’s', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(rotationSecret(`orders-db.${SUFFIX}`, 6432));
    expect(await resolveTagged(plain)).toMatchObject({ kind: 'resolved' });
  });

  it('allows a host that is no RDS name, and says in the credentials that it was not checked', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(rotationSecret('orders.db.example.com'));
    expect(await resolveTagged(plain)).toMatchObject({
      kind: 'resolved',
      credentials: {
        note: 'the secret’s host is not an RDS endpoint name, so it was not checked against this database',
      },
    });
  });
});

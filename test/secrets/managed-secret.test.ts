/**
 * An RDS-managed master user secret (`rds!db-…`, `rds!cluster-…`) is sent to
 * its own database only, however it is named. The role may read every such
 * secret, so whoever may tag a database could otherwise point the probe at
 * another database's master password.
 */
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CredentialOutcome } from '../../lib/pipeline.js';
import { createCredentialResolver } from '../../lib/secrets/index.js';
import { checkManagedSecretBinding } from '../../lib/secrets/managed-secret.js';
import type { DatabaseResource } from '../../lib/types.js';
import { CANARY, cluster, instance, ruleParameters, secretArn } from './sample-resources.js';

const secretsManager = mockClient(SecretsManagerClient);
const TAG = 'rds-tls-guard:secret-arn';

/** Production database A's master secret, and developer database B's own. */
const PROD_NAME = 'rds!db-7c1e4b2a-9d3f-4e8a-b6c5-0f1a2b3c4d5e';
const PROD_MASTER = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${PROD_NAME}-Pq8sTu`;
const DEV_NAME = 'rds!db-2b8d6f0e-4a1c-4b3e-9d7f-5e6a7b8c9d0e';
const DEV_MASTER = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${DEV_NAME}-Zx3cVb`;
const CLUSTER_MASTER =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-5c0d9e1f-2a3b-4c5d-8e9f-0a1b2c3d4e5f-Kq7LmN';

/** B: a real instance its owner administers and may tag. */
function devDatabase(overrides: Partial<DatabaseResource> = {}): DatabaseResource {
  return instance({
    identifier: 'dev-b',
    endpoint: { address: 'dev-b.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com', port: 5432 },
    masterUserSecretArn: DEV_MASTER,
    ...overrides,
  });
}

/** GetSecretValue response (Secrets Manager API Reference, GetSecretValue): ARN, Name, SecretString. */
function masterSecretResponse(arn: string): GetSecretValueCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    ARN: arn,
    Name: arn.split(':')[6]?.slice(0, -7),
    VersionId: 'b2c3d4e5-6789-01ab-cdef-EXAMPLE22222',
    SecretString: JSON.stringify({ username: 'postgres', password: CANARY }),
    VersionStages: ['AWSCURRENT'],
    CreatedDate: new Date('2025-03-01T10:00:00Z'),
  };
}

function serveEverySecret(): void {
  for (const arn of [PROD_MASTER, DEV_MASTER, CLUSTER_MASTER]) {
    const name = arn.split(':')[6]?.slice(0, -7) ?? '';
    for (const id of [arn, arn.slice(0, -7), name]) {
      secretsManager
        .on(GetSecretValueCommand, { SecretId: id })
        .resolves(masterSecretResponse(arn));
    }
  }
}

async function resolve(
  resource: DatabaseResource,
  parameters = ruleParameters(),
): Promise<CredentialOutcome> {
  const resolver = createCredentialResolver({
    secretsClientFor: (region) => new SecretsManagerClient({ region }),
    cacheTtlMs: 0,
  });
  return resolver.resolve(resource, parameters);
}

function secretIdsRead(): string[] {
  return secretsManager
    .commandCalls(GetSecretValueCommand)
    .map((call) => call.args[0].input.SecretId ?? '');
}

const refusedFor = (reference: string, database: string) => ({
  kind: 'unavailable',
  reason: 'SECRET_FOR_OTHER_DATABASE',
  message: `secret ${reference} is an RDS-managed master user secret that is not ${database}'s own: a managed master secret is only used for its own database; credentials not sent`,
});

beforeEach(() => {
  secretsManager.reset();
  serveEverySecret();
});

describe('another database’s RDS-managed master secret named by a tag', () => {
  it('is refused by full ARN before it is read: SECRET_FOR_OTHER_DATABASE', async () => {
    const outcome = await resolve(devDatabase({ tags: { [TAG]: PROD_MASTER } }));

    expect(outcome).toEqual(refusedFor(PROD_MASTER, 'DB instance dev-b'));
    expect(secretIdsRead()).toEqual([]);
    expect(JSON.stringify(outcome)).not.toContain(CANARY);
  });

  it('is refused by partial ARN and by name alike', async () => {
    const partial = PROD_MASTER.slice(0, -7);
    expect(await resolve(devDatabase({ tags: { [TAG]: partial } }))).toEqual(
      refusedFor(partial, 'DB instance dev-b'),
    );
    expect(await resolve(devDatabase({ tags: { [TAG]: PROD_NAME } }))).toEqual(
      refusedFor(PROD_NAME, 'DB instance dev-b'),
    );
    expect(secretIdsRead()).toEqual([]);
  });

  it('is refused on a database that has no master secret of its own', async () => {
    const outcome = await resolve(
      devDatabase({ masterUserSecretArn: undefined, tags: { [TAG]: PROD_MASTER } }),
    );
    expect(outcome).toEqual(refusedFor(PROD_MASTER, 'DB instance dev-b'));
  });
});

describe('the database’s own RDS-managed master secret named by a tag', () => {
  it.each([
    ['full ARN', DEV_MASTER],
    ['partial ARN', DEV_MASTER.slice(0, -7)],
    ['name', DEV_NAME],
  ])('is used when named by its %s', async (_form, reference) => {
    const outcome = await resolve(devDatabase({ tags: { [TAG]: reference } }));
    expect(outcome).toMatchObject({
      kind: 'resolved',
      credentials: { username: 'postgres', origin: 'tag', reference: DEV_MASTER },
    });
  });

  it('is refused when the secret read under its name is not the ARN the inventory holds (recreated, or a stale inventory)', async () => {
    const recreated = `${DEV_MASTER.slice(0, -7)}-Nw9rEq`;
    secretsManager
      .on(GetSecretValueCommand, { SecretId: DEV_NAME })
      .resolves(masterSecretResponse(recreated));

    const outcome = await resolve(devDatabase({ tags: { [TAG]: DEV_NAME } }));

    expect(outcome).toEqual(refusedFor(recreated, 'DB instance dev-b'));
  });
});

describe('the secretArns rule parameter', () => {
  it('is bound the same way: another database’s managed secret is refused', async () => {
    const outcome = await resolve(
      devDatabase(),
      ruleParameters({ secretArns: { 'dev-b': PROD_MASTER } }),
    );
    expect(outcome).toEqual(refusedFor(PROD_MASTER, 'DB instance dev-b'));
    expect(secretIdsRead()).toEqual([]);
  });

  it('still maps a secret of the team’s own, which is not RDS-managed', async () => {
    const own = secretArn('dev/probe-user');
    secretsManager
      .on(GetSecretValueCommand, { SecretId: own })
      .resolves({ ...masterSecretResponse(own), Name: 'dev/probe-user' });
    const outcome = await resolve(devDatabase(), ruleParameters({ secretArns: { 'dev-b': own } }));
    expect(outcome).toMatchObject({ kind: 'resolved', credentials: { origin: 'rule-parameter' } });
  });
});

describe('cluster members and clusters', () => {
  const member = (overrides: Partial<DatabaseResource> = {}) =>
    devDatabase({
      identifier: 'ledger-2',
      engine: 'aurora-postgresql',
      clusterIdentifier: 'ledger',
      masterUserSecretArn: undefined,
      tags: { [TAG]: CLUSTER_MASTER },
      ...overrides,
    });

  it('lets a member be probed with its cluster’s master secret', async () => {
    const outcome = await resolve(member({ clusterMasterUserSecretArn: CLUSTER_MASTER }));
    expect(outcome).toMatchObject({
      kind: 'resolved',
      credentials: { reference: CLUSTER_MASTER },
    });
  });

  it('refuses a cluster master secret on a member whose cluster’s secret the scan does not know, saying so', async () => {
    expect(await resolve(member())).toEqual({
      kind: 'unavailable',
      reason: 'SECRET_FOR_OTHER_DATABASE',
      message: `secret ${CLUSTER_MASTER} is an RDS-managed master user secret that is not DB instance ledger-2's own (the master secret of its cluster ledger is not known to this scan): a managed master secret is only used for its own database; credentials not sent`,
    });
  });

  it('refuses another cluster’s master secret on a member', async () => {
    const otherCluster = CLUSTER_MASTER.replace('5c0d9e1f', '9e8d7c6b');
    const outcome = await resolve(
      member({ clusterMasterUserSecretArn: otherCluster, tags: { [TAG]: CLUSTER_MASTER } }),
    );
    expect(outcome).toMatchObject({ kind: 'unavailable', reason: 'SECRET_FOR_OTHER_DATABASE' });
  });

  it('refuses an instance’s master secret on a cluster', async () => {
    const ledger = cluster({
      identifier: 'ledger',
      masterUserSecretArn: CLUSTER_MASTER,
      tags: { [TAG]: PROD_MASTER },
    });
    expect(await resolve(ledger)).toEqual(refusedFor(PROD_MASTER, 'DB cluster ledger'));
  });
});

describe('checkManagedSecretBinding', () => {
  it('leaves a secret that is not RDS-managed to the other checks', () => {
    expect(
      checkManagedSecretBinding(secretArn('prod/orders/probe'), devDatabase(), 'eu-west-1'),
    ).toBeUndefined();
  });

  it('treats the rds! prefix in any case as managed, and refuses what it cannot prove', () => {
    const shouted = PROD_MASTER.replace('rds!', 'RDS!');
    expect(checkManagedSecretBinding(shouted, devDatabase(), 'eu-west-1')?.reason).toBe(
      'SECRET_FOR_OTHER_DATABASE',
    );
  });

  it('does not match the database’s own secret by name in another region', () => {
    expect(checkManagedSecretBinding(DEV_NAME, devDatabase(), 'us-east-1')?.reason).toBe(
      'SECRET_FOR_OTHER_DATABASE',
    );
  });

  it('binds a managed secret on a proxy to the proxy’s own auth entries', () => {
    const proxy = instance({
      resourceType: 'AWS::RDS::DBProxy',
      identifier: 'ledger-proxy',
      engine: 'POSTGRESQL',
      proxy: {
        engineFamily: 'POSTGRESQL',
        endpoints: [],
        auth: [{ authScheme: 'SECRETS', secretArn: CLUSTER_MASTER, iamAuth: 'DISABLED' }],
        targets: [{ type: 'TRACKED_CLUSTER', identifier: 'ledger' }],
      },
    });
    expect(checkManagedSecretBinding(CLUSTER_MASTER, proxy, 'eu-west-1')).toBeUndefined();
    expect(checkManagedSecretBinding(PROD_MASTER, proxy, 'eu-west-1')?.message).toContain(
      "is not proxy ledger-proxy's own",
    );
  });
});

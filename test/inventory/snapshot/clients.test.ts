import { join } from 'node:path';
import {
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  paginateDescribeDBInstances,
  RDSClient,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import {
  collectInventory,
  createSnapshotRdsClient,
  loadSnapshotDirectory,
  type RdsSnapshot,
  snapshotProxyGap,
  snapshotRegions,
} from '../../../lib/inventory/index.js';

const fixtureDirectory = join(import.meta.dirname, '..', 'fixtures', 'snapshot');

describe('createSnapshotRdsClient', () => {
  it('is a real RDSClient whose answers come from the snapshot, with ISO dates turned into Dates', async () => {
    const snapshot = await loadSnapshotDirectory(fixtureDirectory);
    const client = createSnapshotRdsClient(snapshot, 'eu-west-1');
    expect(client).toBeInstanceOf(RDSClient);

    const response = await client.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'billing-pg' }),
    );
    const instance = response.DBInstances?.[0];
    expect(response.DBInstances).toHaveLength(1);
    expect(instance?.DbiResourceId).toBe('db-BILLINGPG7QXK3ZJ5RWN2LAYT4E');
    expect(instance?.CertificateDetails?.ValidTill).toEqual(new Date('2025-04-12T09:13:00Z'));
    expect(instance?.InstanceCreateTime).toEqual(new Date('2023-04-12T09:15:02.114Z'));
    expect(instance?.PreferredMaintenanceWindow).toBeUndefined();
  });

  it('works with the SDK paginator', async () => {
    const snapshot = await loadSnapshotDirectory(fixtureDirectory);
    const client = createSnapshotRdsClient(snapshot, 'eu-west-1');
    const identifiers: string[] = [];
    for await (const page of paginateDescribeDBInstances({ client }, {})) {
      identifiers.push(...(page.DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? ''));
    }
    expect(identifiers).toEqual(['billing-pg', 'ledger-1', 'shop-mysql']);
  });

  it('answers a group the snapshot lacks with DBParameterGroupNotFoundFault', async () => {
    const client = createSnapshotRdsClient({}, 'eu-west-1');
    await expect(
      client.send(new DescribeDBParametersCommand({ DBParameterGroupName: 'missing' })),
    ).rejects.toMatchObject({ name: 'DBParameterGroupNotFoundFault' });
  });

  it('serves no instance whose ARN names another region', async () => {
    const snapshot = await loadSnapshotDirectory(fixtureDirectory);
    const response = await createSnapshotRdsClient(snapshot, 'us-east-1').send(
      new DescribeDBInstancesCommand({}),
    );
    expect(response.DBInstances).toEqual([]);
    expect(snapshotRegions(snapshot)).toEqual(['eu-west-1']);
  });
});

describe('an offline audit of a CLI snapshot', () => {
  it('produces the same inventory as a live scan, with gaps where the snapshot has no data', async () => {
    const snapshot = await loadSnapshotDirectory(fixtureDirectory);
    const inventory = await collectInventory({
      regions: ['eu-west-1'],
      clientFor: (region) => createSnapshotRdsClient(snapshot, region),
    });

    const byId = new Map(inventory.items.map((item) => [item.resource.identifier, item]));
    expect([...byId.keys()]).toEqual([
      'billing-pg',
      'ledger-1',
      'shop-mysql',
      'ledger',
      'ledger-proxy',
    ]);

    const billing = byId.get('billing-pg');
    expect(billing?.resource.resourceId).toBe('db-BILLINGPG7QXK3ZJ5RWN2LAYT4E');
    expect(billing?.resource.certificateValidTill).toEqual(new Date('2025-04-12T09:13:00Z'));
    expect(billing?.parameters).toEqual({
      groupName: 'pg14-app',
      kind: 'instance',
      family: 'postgres14',
      parameters: {
        'rds.force_ssl': {
          name: 'rds.force_ssl',
          value: '0',
          origin: 'engine-default',
          applyType: 'dynamic',
          rdsSource: 'engine-default',
        },
        ssl_min_protocol_version: {
          name: 'ssl_min_protocol_version',
          value: 'TLSv1.2',
          origin: 'parameter-group',
          applyType: 'dynamic',
          rdsSource: 'user',
        },
      },
    });
    expect(billing?.certificateAuthority).toEqual({
      identifier: 'rds-ca-rsa2048-g1',
      validFrom: new Date('2021-05-25T23:34:57Z'),
      validTill: new Date('2061-05-25T23:34:57Z'),
    });
    expect(billing?.gaps).toEqual([]);

    const member = byId.get('ledger-1');
    expect(member?.resource.clusterParameterGroup).toEqual({
      name: 'apg15-tls',
      applyStatus: 'in-sync',
    });
    expect(member?.clusterParameters?.parameters['rds.force_ssl']?.value).toBe('1');
    expect(member?.certificateAuthority?.identifier).toBe('rds-ca-ecc384-g1');

    expect(byId.get('ledger')?.resource.resourceId).toBe('cluster-LEDGERQ2W4E6R8T0Y1U3I5O7P9');
    expect(byId.get('ledger')?.resource.clusterEndpoints?.custom).toEqual([
      {
        name: 'ledger-reports',
        address: 'ledger-reports.cluster-custom-c9akciq32.eu-west-1.rds.amazonaws.com',
        type: 'READER',
        status: 'available',
      },
    ]);

    expect(snapshotProxyGap(snapshot)).toBeUndefined();
    const proxy = byId.get('ledger-proxy');
    expect(proxy?.resource.resourceType).toBe('AWS::RDS::DBProxy');
    expect(proxy?.resource.resourceId).toBe('prx-0a1b2c3d4e5f67890');
    expect(proxy?.resource.proxy?.requireTls).toBe(true);
    expect(proxy?.resource.proxy?.endpoints.map((e) => `${e.name} ${e.role} ${e.port}`)).toEqual([
      'ledger-proxy READ_WRITE 5432',
      'ledger-reports READ_ONLY 5432',
    ]);
    const link = {
      name: 'ledger-proxy',
      arn: 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0a1b2c3d4e5f67890',
      requireTls: true,
    };
    expect(byId.get('ledger')?.resource.frontingProxies).toEqual([link]);
    expect(byId.get('ledger-1')?.resource.frontingProxies).toEqual([link]);
    expect(byId.get('billing-pg')?.resource.frontingProxies).toBeUndefined();
    expect(byId.get('shop-mysql')?.gaps).toEqual([
      'parameter group mysql80-shop unreadable: DBParameterGroupNotFoundFault: not in snapshot: add describe-db-parameters.mysql80-shop.json',
    ]);
    expect(inventory.problems).toEqual([
      {
        scope: 'parameter-group:eu-west-1:mysql80-shop',
        code: 'NOT_FOUND',
        message:
          'DescribeDBParameters for mysql80-shop in eu-west-1 failed: DBParameterGroupNotFoundFault',
      },
    ]);
  });

  it('serves a snapshot given as an object as well as one read from files', async () => {
    const snapshot: RdsSnapshot = {
      instances: {
        DBInstances: [
          {
            DBInstanceIdentifier: 'tiny',
            DbiResourceId: 'db-TINY',
            Engine: 'postgres',
            EngineVersion: '16.1',
            DBParameterGroups: [{ DBParameterGroupName: 'default.postgres16' }],
          },
        ],
      },
      parameters: {
        'default.postgres16': {
          Parameters: [{ ParameterName: 'rds.force_ssl', Source: 'engine-default' }],
        },
      },
      engineDefaults: {
        postgres16: {
          EngineDefaults: { Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '1' }] },
        },
      },
    };
    const inventory = await collectInventory({
      regions: ['ap-south-1'],
      clientFor: (region) => createSnapshotRdsClient(snapshot, region),
    });
    expect(inventory.items[0]?.parameters?.parameters['rds.force_ssl']).toEqual({
      name: 'rds.force_ssl',
      value: '1',
      origin: 'engine-default',
      rdsSource: 'engine-default',
    });
    expect(inventory.problems).toEqual([]);
    // No proxy files: the snapshot cannot say there are no proxies, and says so once.
    expect(snapshotProxyGap(snapshot)).toMatchObject({
      scope: 'snapshot',
      code: 'SNAPSHOT_PROXIES_MISSING',
    });
  });
});

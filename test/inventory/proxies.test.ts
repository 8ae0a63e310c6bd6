import {
  DescribeDBProxiesCommand,
  DescribeDBProxyEndpointsCommand,
  DescribeDBProxyTargetsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { collectInventory, resourceFromProxy } from '../../lib/inventory/index.js';
import { MAX_PROXY_TAGS } from '../../lib/inventory/proxies.js';
import { rdsClients, serveAccount, serviceError } from './rds-mock.js';
import {
  auroraCluster,
  auroraMember,
  parameter,
  postgresInstance,
  proxyEndpointRecord,
  proxyRecord,
  proxyTargetRecord,
} from './rds-samples.js';

const clients = rdsClients();
const regionClient = clients.client;

afterEach(() => clients.destroyAll());

const groups = {
  'pg15-secure': { family: 'postgres15', parameters: [parameter('rds.force_ssl', '1')] },
  'default.aurora-postgresql15': { family: 'aurora-postgresql15', parameters: [] },
};
const clusterGroups = {
  'apg15-tls': { family: 'aurora-postgresql15', parameters: [parameter('rds.force_ssl', '1')] },
};

describe('RDS Proxy inventory', () => {
  it('reads every page of proxies, endpoints and targets', async () => {
    const client = regionClient();
    const rds = mockClient(client);
    const proxies = ['p-one', 'p-two', 'p-three'].map((name) => proxyRecord({ DBProxyName: name }));
    serveAccount(rds, {
      pageSize: 1,
      proxies,
      proxyEndpoints: [
        proxyEndpointRecord('p-one', 'p-one-reader', 'READ_ONLY'),
        proxyEndpointRecord('p-one', 'p-one-writer', 'READ_WRITE'),
        proxyEndpointRecord('p-three', 'p-three-reader', 'READ_ONLY'),
      ],
      proxyTargets: {
        'p-one': [
          proxyTargetRecord('TRACKED_CLUSTER', 'ledger'),
          proxyTargetRecord('RDS_INSTANCE', 'ledger-1', 'ledger'),
          proxyTargetRecord('RDS_INSTANCE', 'ledger-2', 'ledger'),
        ],
      },
    });

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });

    expect(inventory.problems).toEqual([]);
    expect(rds.commandCalls(DescribeDBProxiesCommand)).toHaveLength(3);
    expect(rds.commandCalls(DescribeDBProxyEndpointsCommand)).toHaveLength(3);
    const one = inventory.items.find((item) => item.resource.identifier === 'p-one');
    expect(one?.resource.proxy?.endpoints.map((e) => `${e.name} ${e.role} ${e.isDefault}`)).toEqual(
      ['default READ_WRITE true', 'p-one-reader READ_ONLY false', 'p-one-writer READ_WRITE false'],
    );
    expect(one?.resource.proxy?.targets.map((t) => `${t.type} ${t.identifier}`)).toEqual([
      'TRACKED_CLUSTER ledger',
      'RDS_INSTANCE ledger-1',
      'RDS_INSTANCE ledger-2',
    ]);
    expect(
      inventory.items
        .filter((item) => item.resource.resourceType === 'AWS::RDS::DBProxy')
        .map((item) => item.resource.identifier),
    ).toEqual(['p-one', 'p-two', 'p-three']);
  });

  it('links each database to the proxies that name it as a target, and no other', async () => {
    const client = regionClient();
    serveAccount(mockClient(client), {
      instances: [
        postgresInstance({ DBInstanceIdentifier: 'orders-db', DbiResourceId: 'db-ORDERS' }),
        postgresInstance({ DBInstanceIdentifier: 'billing-db', DbiResourceId: 'db-BILLING' }),
        auroraMember('ledger-1'),
      ],
      clusters: [auroraCluster()],
      parameterGroups: groups,
      clusterParameterGroups: clusterGroups,
      proxies: [
        proxyRecord({ DBProxyName: 'orders-proxy', RequireTLS: false }),
        proxyRecord({ DBProxyName: 'ledger-proxy', RequireTLS: true }),
      ],
      proxyTargets: {
        'orders-proxy': [proxyTargetRecord('RDS_INSTANCE', 'orders-db')],
        'ledger-proxy': [
          proxyTargetRecord('TRACKED_CLUSTER', 'ledger'),
          proxyTargetRecord('RDS_INSTANCE', 'ledger-1', 'ledger'),
        ],
      },
    });

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });
    const links = Object.fromEntries(
      inventory.items.map((item) => [
        item.resource.identifier,
        (item.resource.frontingProxies ?? []).map((p) => `${p.name}:${p.requireTls}`),
      ]),
    );
    expect(links).toEqual({
      'orders-db': ['orders-proxy:false'],
      'billing-db': [],
      'ledger-1': ['ledger-proxy:true'],
      ledger: ['ledger-proxy:true'],
      'orders-proxy': [],
      'ledger-proxy': [],
    });
  });

  it('keeps a proxy in a filtered scan only when it fronts a database the filters kept', async () => {
    const client = regionClient();
    serveAccount(mockClient(client), {
      instances: [
        postgresInstance({ DBInstanceIdentifier: 'orders-db', DbiResourceId: 'db-ORDERS' }),
        postgresInstance({ DBInstanceIdentifier: 'billing-db', DbiResourceId: 'db-BILLING' }),
      ],
      parameterGroups: groups,
      proxies: [
        proxyRecord({ DBProxyName: 'orders-proxy' }),
        proxyRecord({ DBProxyName: 'billing-proxy' }),
      ],
      proxyTargets: {
        'orders-proxy': [proxyTargetRecord('RDS_INSTANCE', 'orders-db')],
        'billing-proxy': [proxyTargetRecord('RDS_INSTANCE', 'billing-db')],
      },
    });
    const inventory = await collectInventory({
      regions: ['eu-west-1'],
      clientFor: () => client,
      filters: { identifiers: ['orders-db'] },
    });
    expect(inventory.items.map((item) => item.resource.identifier)).toEqual([
      'orders-db',
      'orders-proxy',
    ]);
  });

  it('lists the databases when proxies cannot be listed, and names the failure', async () => {
    const client = regionClient();
    const rds = mockClient(client);
    serveAccount(rds, {
      instances: [postgresInstance()],
      parameterGroups: groups,
    });
    rds.on(DescribeDBProxiesCommand).rejects(serviceError('AccessDenied'));

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });
    expect(inventory.items.map((item) => item.resource.identifier)).toEqual(['orders-db']);
    expect(inventory.problems).toHaveLength(1);
    expect(inventory.problems[0]).toMatchObject({
      scope: 'region:eu-west-1',
      code: 'ACCESS_DENIED',
    });
    expect(inventory.problems[0]?.message).toMatch(
      /^DescribeDBProxies failed in eu-west-1: AccessDenied.*rds:DescribeDBProxies/,
    );
  });

  it('keeps a proxy whose targets cannot be read, with the gap named', async () => {
    const client = regionClient();
    const rds = mockClient(client);
    serveAccount(rds, { proxies: [proxyRecord({ RequireTLS: false })] });
    rds.on(DescribeDBProxyTargetsCommand).rejects(serviceError('ThrottlingException'));

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });
    expect(inventory.items).toHaveLength(1);
    expect(inventory.items[0]?.gaps).toEqual(['proxy targets unreadable: ThrottlingException']);
    expect(inventory.problems).toEqual([
      {
        scope: 'proxy:eu-west-1:orders-proxy',
        code: 'PROXY_TARGETS_UNREADABLE',
        message:
          'DescribeDBProxyTargets for orders-proxy in eu-west-1 failed: ThrottlingException; the databases behind it are not marked with it',
      },
    ]);
    expect(inventory.items[0]?.resource.proxy?.requireTls).toBe(false);
  });
});

describe('resourceFromProxy', () => {
  it('keeps only TLS-relevant fields, with the engine family port on every endpoint', () => {
    const resource = resourceFromProxy(
      proxyRecord({ DBProxyName: 'app', EngineFamily: 'MYSQL', RequireTLS: false }),
      [proxyEndpointRecord('app', 'app-ro', 'READ_ONLY')],
      [proxyTargetRecord('RDS_INSTANCE', 'app-db')],
      'eu-west-1',
    );
    expect(resource).toEqual({
      resourceType: 'AWS::RDS::DBProxy',
      resourceId: 'prx-app0123',
      identifier: 'app',
      arn: 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-app0123',
      accountId: '123456789012',
      region: 'eu-west-1',
      engine: 'MYSQL',
      engineVersion: 'proxy',
      status: 'available',
      endpoint: { address: 'app.proxy-c9akciq32.eu-west-1.rds.amazonaws.com', port: 3306 },
      optionGroups: [],
      iamDatabaseAuthenticationEnabled: false,
      tags: {},
      proxy: {
        requireTls: false,
        engineFamily: 'MYSQL',
        endpoints: [
          {
            name: 'default',
            address: 'app.proxy-c9akciq32.eu-west-1.rds.amazonaws.com',
            port: 3306,
            role: 'READ_WRITE',
            isDefault: true,
          },
          {
            name: 'app-ro',
            address: 'app-ro.endpoint.proxy-c9akciq32.eu-west-1.rds.amazonaws.com',
            port: 3306,
            role: 'READ_ONLY',
            isDefault: false,
            status: 'available',
          },
        ],
        auth: [
          {
            authScheme: 'SECRETS',
            secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-app-AbCdEf',
            iamAuth: 'DISABLED',
            clientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
          },
        ],
        targets: [{ type: 'RDS_INSTANCE', identifier: 'app-db', role: 'READ_WRITE' }],
      },
    });
  });

  it('cuts an endpoint list beyond the RDS limit and marks it truncated', () => {
    const endpoints = Array.from({ length: 40 }, (_, i) =>
      proxyEndpointRecord('app', `app-${i}`, 'READ_ONLY'),
    );
    const resource = resourceFromProxy(
      proxyRecord({ DBProxyName: 'app' }),
      endpoints,
      [],
      'eu-west-1',
    );
    expect(resource.proxy?.endpoints).toHaveLength(20);
    expect(resource.proxy?.truncated).toBe(true);
  });

  it('reads each proxy’s tags by its ARN, so a --tag filter keeps a tagged proxy as it keeps a tagged database', async () => {
    const client = regionClient();
    const rds = mockClient(client);
    const tagged = proxyRecord({ DBProxyName: 'orders-proxy' });
    const untagged = proxyRecord({ DBProxyName: 'billing-proxy' });
    serveAccount(rds, {
      proxies: [tagged, untagged],
      proxyTags: {
        [tagged.DBProxyArn ?? '']: [
          { Key: 'team', Value: 'payments' },
          { Key: 'rds-tls-guard:iam-user', Value: 'app' },
        ],
      },
    });
    const inventory = await collectInventory({
      regions: ['eu-west-1'],
      clientFor: () => client,
      filters: { tags: { team: 'payments' } },
    });
    expect(inventory.items.map((item) => item.resource.identifier)).toEqual(['orders-proxy']);
    expect(inventory.items[0]?.resource.tags).toEqual({
      team: 'payments',
      'rds-tls-guard:iam-user': 'app',
    });
    expect(inventory.items[0]?.gaps).toEqual([]);
    expect(
      rds.commandCalls(ListTagsForResourceCommand).map((call) => call.args[0].input.ResourceName),
    ).toEqual([tagged.DBProxyArn, untagged.DBProxyArn]);
  });

  it('keeps a proxy whose tags cannot be read, with no tags and the gap named, and no scan problem', async () => {
    const client = regionClient();
    const rds = mockClient(client);
    serveAccount(rds, { proxies: [proxyRecord({ RequireTLS: true })] });
    rds.on(ListTagsForResourceCommand).rejects(serviceError('AccessDenied'));

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });
    expect(inventory.problems).toEqual([]);
    expect(inventory.items).toHaveLength(1);
    expect(inventory.items[0]?.resource.tags).toEqual({});
    expect(inventory.items[0]?.gaps).toEqual(['proxy tags unreadable: AccessDenied']);
    expect(inventory.items[0]?.resource.proxy?.requireTls).toBe(true);
  });

  it('keeps at most MAX_PROXY_TAGS tags of a proxy and notes the cut', async () => {
    const client = regionClient();
    const proxy = proxyRecord();
    const many = Array.from({ length: MAX_PROXY_TAGS + 5 }, (_, index) => ({
      Key: `k${index}`,
      Value: `v${index}`,
    }));
    serveAccount(mockClient(client), {
      proxies: [proxy],
      proxyTags: { [proxy.DBProxyArn ?? '']: many },
    });
    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });
    expect(Object.keys(inventory.items[0]?.resource.tags ?? {})).toHaveLength(MAX_PROXY_TAGS);
    expect(inventory.items[0]?.resource.tags.k49).toBe('v49');
    expect(inventory.items[0]?.gaps).toEqual(['proxy tags: 55 listed, the first 50 kept']);
  });
});

import { DescribeDBClusterEndpointsCommand } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { collectInventory } from '../../lib/inventory/index.js';
import { rdsClients, serveAccount, serviceError } from './rds-mock.js';
import {
  auroraCluster,
  auroraMember,
  clusterEndpointRecord,
  postgresInstance,
} from './rds-samples.js';

const clients = rdsClients();

afterEach(() => clients.destroyAll());

function clusterOf(inventory: Awaited<ReturnType<typeof collectInventory>>, identifier: string) {
  return inventory.items.find(
    (item) =>
      item.resource.resourceType === 'AWS::RDS::DBCluster' &&
      item.resource.identifier === identifier,
  )?.resource;
}

/** Parameter groups are not served here: only the endpoint listing's problems matter. */
function endpointProblems(inventory: Awaited<ReturnType<typeof collectInventory>>) {
  return inventory.problems.filter((problem) => problem.scope.startsWith('cluster-endpoints:'));
}

describe('Aurora cluster endpoints in the inventory', () => {
  it('carries the reader endpoint, the members, and every page of custom endpoints, read once for the region', async () => {
    const client = clients.client('eu-west-1');
    const rds = mockClient(client);
    serveAccount(rds, {
      pageSize: 2,
      clusters: [
        auroraCluster(),
        auroraCluster({ DBClusterIdentifier: 'orders', DbClusterResourceId: 'cluster-ORDERS' }),
      ],
      instances: [auroraMember('ledger-1'), auroraMember('ledger-2')],
      clusterEndpoints: [
        clusterEndpointRecord('ledger', 'ledger', {
          EndpointType: 'WRITER',
          CustomEndpointType: undefined,
          Endpoint: 'ledger.cluster-c9akciq32.eu-west-1.rds.amazonaws.com',
        }),
        clusterEndpointRecord('reports'),
        clusterEndpointRecord('batch', 'ledger', { CustomEndpointType: 'ANY' }),
        clusterEndpointRecord('analytics', 'orders'),
      ],
    });

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });

    const ledger = clusterOf(inventory, 'ledger');
    expect(ledger?.endpoint).toEqual({
      address: 'ledger.cluster-c9akciq32.eu-west-1.rds.amazonaws.com',
      port: 5432,
    });
    expect(ledger?.clusterEndpoints).toEqual({
      reader: 'ledger.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com',
      custom: [
        {
          name: 'reports',
          address: 'reports.cluster-custom-c9akciq32.eu-west-1.rds.amazonaws.com',
          type: 'READER',
          status: 'available',
        },
        {
          name: 'batch',
          address: 'batch.cluster-custom-c9akciq32.eu-west-1.rds.amazonaws.com',
          type: 'ANY',
          status: 'available',
        },
      ],
    });
    expect(ledger?.clusterMembers).toEqual([
      { identifier: 'ledger-1', writer: true },
      { identifier: 'ledger-2', writer: false },
    ]);
    expect(clusterOf(inventory, 'orders')?.clusterEndpoints?.custom.map((e) => e.name)).toEqual([
      'analytics',
    ]);
    const calls = rds.commandCalls(DescribeDBClusterEndpointsCommand);
    expect(calls.map((call) => call.args[0].input.Marker)).toEqual([
      undefined,
      'cluster-endpoints#2',
    ]);
    expect(calls[0]?.args[0].input.Filters).toEqual([
      { Name: 'db-cluster-endpoint-type', Values: ['custom'] },
    ]);
    expect(endpointProblems(inventory)).toEqual([]);
  });

  it('does not ask for cluster endpoints in a region without clusters', async () => {
    const client = clients.client('eu-west-1');
    const rds = mockClient(client);
    serveAccount(rds, { instances: [postgresInstance()] });

    await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });

    expect(rds.commandCalls(DescribeDBClusterEndpointsCommand)).toHaveLength(0);
  });

  it('keeps every cluster and its evaluation when the custom endpoints cannot be read, and names the problem', async () => {
    const client = clients.client('eu-west-1');
    const rds = mockClient(client);
    serveAccount(rds, { clusters: [auroraCluster()], instances: [auroraMember('ledger-1')] });
    rds.on(DescribeDBClusterEndpointsCommand).rejects(serviceError('AccessDenied'));

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });

    expect(inventory.items.map((item) => item.resource.identifier).sort()).toEqual([
      'ledger',
      'ledger-1',
    ]);
    expect(clusterOf(inventory, 'ledger')?.clusterEndpoints).toEqual({
      reader: 'ledger.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com',
      custom: [],
      customUnread: true,
    });
    expect(endpointProblems(inventory)).toEqual([
      {
        scope: 'cluster-endpoints:eu-west-1',
        code: 'ACCESS_DENIED',
        message: expect.stringContaining(
          'DescribeDBClusterEndpoints failed in eu-west-1: AccessDenied',
        ),
      },
    ]);
    expect(endpointProblems(inventory)[0]?.message).toContain('rds:DescribeDBClusterEndpoints');
  });
});

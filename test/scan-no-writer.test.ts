/**
 * The whole pipeline for Aurora clusters with nothing behind the writer
 * endpoint: RDS mocked with aws-sdk-client-mock in the shape of
 * DescribeDBClusters, the cluster endpoint's port a real TCP listener that
 * counts the connections it gets.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import type { DBCluster } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectInventory } from '../lib/inventory/index.js';
import { createLiveProber } from '../lib/probe/index.js';
import { scan } from '../lib/scan.js';
import { DEFAULT_RULE_PARAMETERS } from '../lib/types.js';
import { fixedCredentials } from './fixtures/servers.js';
import { rdsClients, serveAccount } from './inventory/rds-mock.js';
import { ACCOUNT, auroraCluster, parameter } from './inventory/rds-samples.js';

interface CountingListener {
  server: Server;
  port: number;
  connections: number;
}

/** Accepts and closes every connection, counting them. */
async function countingListener(): Promise<CountingListener> {
  const listener: CountingListener = { server: createServer(), port: 0, connections: 0 };
  listener.server.on('connection', (socket) => {
    listener.connections += 1;
    socket.destroy();
  });
  listener.server.listen(0, '127.0.0.1');
  await once(listener.server, 'listening');
  listener.port = (listener.server.address() as AddressInfo).port;
  return listener;
}

const clients = rdsClients();
let headless: CountingListener;
let serverless: CountingListener;

beforeAll(async () => {
  [headless, serverless] = await Promise.all([countingListener(), countingListener()]);
});

afterEach(() => clients.destroyAll());

afterAll(async () => {
  for (const listener of [headless, serverless]) {
    listener.server.close();
    await once(listener.server, 'close');
  }
});

/**
 * DBCluster as DescribeDBClusters returns it
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html):
 * `DBClusterMembers` empty for a cluster with no DB instances (a headless
 * secondary cluster of an Aurora global database, or one whose instances were
 * all deleted); `EngineMode` `provisioned`, or `serverless` for Aurora
 * Serverless v1, which has no instances and answers on its endpoint.
 */
function memberless(identifier: string, engineMode: string, port: number): DBCluster {
  return auroraCluster({
    DBClusterIdentifier: identifier,
    DbClusterResourceId: `cluster-${identifier.toUpperCase().replace(/-/g, '')}`,
    DBClusterArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:${identifier}`,
    Endpoint: `${identifier}.cluster-c9akciq32.eu-west-1.rds.amazonaws.com`,
    ReaderEndpoint: `${identifier}.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com`,
    Port: port,
    EngineMode: engineMode,
    DBClusterMembers: [],
  });
}

async function scanClusters(requireLiveProbe: boolean) {
  const client = clients.client('eu-west-1');
  serveAccount(mockClient(client), {
    clusters: [
      memberless('ledger-eu', 'provisioned', headless.port),
      memberless('ledger-v1', 'serverless', serverless.port),
    ],
    clusterParameterGroups: {
      'apg15-tls': { family: 'aurora-postgresql15', parameters: [parameter('rds.force_ssl', '1')] },
    },
    certificates: [],
  });
  const ruleParameters = { ...DEFAULT_RULE_PARAMETERS, requireLiveProbe };
  const result = await scan({
    inventory: () =>
      collectInventory({ regions: ['eu-west-1'], accountId: ACCOUNT, clientFor: () => client }),
    ruleParameters,
    prober: createLiveProber({
      credentials: fixedCredentials('ledger_admin', 'not-a-real-password'),
      hostOverride: '127.0.0.1',
      connectTimeoutMs: 1_000,
      probeTimeoutMs: 3_000,
    }),
  });
  const evaluation = (identifier: string) =>
    result.evaluations.find((entry) => entry.resource.identifier === identifier);
  return { headless: evaluation('ledger-eu'), serverless: evaluation('ledger-v1') };
}

describe('a scan of an Aurora cluster with no DB instances', () => {
  it('opens no connection to its endpoint, names NO_WRITER_INSTANCE and keeps the configuration verdict', async () => {
    const before = { headless: headless.connections, serverless: serverless.connections };
    const { headless: cluster, serverless: v1 } = await scanClusters(false);

    expect(headless.connections).toBe(before.headless);
    expect(cluster?.liveFinding).toMatchObject({
      verdict: 'INSUFFICIENT_DATA',
      reason: 'NO_WRITER_INSTANCE',
      annotation:
        'live probe not attempted: the cluster has no DB instances, so nothing answers on its endpoint',
    });
    expect(cluster?.finding.verdict).toBe(cluster?.staticFinding.verdict);
    expect(cluster?.finding.reason).toBe(cluster?.staticFinding.reason);
    expect(cluster?.finding.annotation).toContain(
      'live probe not attempted: the cluster has no DB instances',
    );

    // The serverless v1 cluster, as memberless, is probed: the listener is reachable.
    expect(serverless.connections).toBeGreaterThan(before.serverless);
    expect(v1?.liveFinding?.reason).not.toBe('NO_WRITER_INSTANCE');
  });

  it('is INSUFFICIENT_DATA NO_WRITER_INSTANCE under requireLiveProbe, still without a connection', async () => {
    const before = headless.connections;
    const { headless: cluster } = await scanClusters(true);

    expect(headless.connections).toBe(before);
    expect(cluster?.staticFinding.verdict).toBe('COMPLIANT');
    expect(cluster?.finding).toMatchObject({
      verdict: 'INSUFFICIENT_DATA',
      reason: 'NO_WRITER_INSTANCE',
    });
  });
});

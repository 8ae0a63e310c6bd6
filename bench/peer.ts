/**
 * A fair peer baseline: the way an API-only checker sweeps an account. It
 * lists instances, clusters, certificates and proxies side by side, reads each
 * parameter group and each family's engine defaults once (memoised, shared by
 * every database that uses them), takes cluster membership from the cluster
 * listing, and keeps a fixed number of requests in flight, like scan().
 *
 * Against it, scan()'s speed-up over the naive loop shows as what it is: the
 * I/O pattern any careful sweeper has. Same mappers, resolution and rules as
 * the product, so the findings must be identical.
 */
import {
  type Certificate,
  type DBCluster,
  type DBInstance,
  type DBProxy,
  DescribeCertificatesCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBProxiesCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import pLimit from 'p-limit';
import {
  clusterParameterGroupOf,
  resourceFromCluster,
  resourceFromInstance,
} from '../lib/inventory/index.js';
import type { InventoryItem } from '../lib/pipeline.js';
import { evaluateItem } from '../lib/scan.js';
import type { DatabaseResource, ResourceEvaluation, RuleParameters } from '../lib/types.js';
import { caOf, type GroupReadCache, listPages, type RdsSender, readGroup } from './naive.js';

export interface PeerScanOptions {
  client: RDSClient;
  region: string;
  ruleParameters: RuleParameters;
  /** Requests in flight at most. */
  concurrency: number;
}

export async function peerScan(options: PeerScanOptions): Promise<ResourceEvaluation[]> {
  const { region, ruleParameters } = options;
  const limit = pLimit(options.concurrency);
  // The limit wraps each request, not each database: a database waiting on a
  // shared group read holds no slot.
  const client: RdsSender = {
    send: ((command: Parameters<RDSClient['send']>[0]) =>
      limit(() => options.client.send(command))) as RDSClient['send'],
  };
  const startedAt = new Date();
  const now = () => new Date();

  const [instances, clusters, certificates] = await Promise.all([
    listPages<DBInstance>(async (marker) => {
      const page = await client.send(
        new DescribeDBInstancesCommand({ MaxRecords: 100, Marker: marker }),
      );
      return { items: page.DBInstances ?? [], marker: page.Marker };
    }),
    listPages<DBCluster>(async (marker) => {
      const page = await client.send(
        new DescribeDBClustersCommand({ MaxRecords: 100, Marker: marker }),
      );
      return { items: page.DBClusters ?? [], marker: page.Marker };
    }),
    listPages<Certificate>(async (marker) => {
      const page = await client.send(new DescribeCertificatesCommand({ Marker: marker }));
      return { items: page.Certificates ?? [], marker: page.Marker };
    }),
    // The most API-only tools do about a proxy: list them for the RequireTLS flag.
    // The benchmark fleet has none, so nothing below uses the list.
    listPages<DBProxy>(async (marker) => {
      const page = await client.send(
        new DescribeDBProxiesCommand({ MaxRecords: 100, Marker: marker }),
      );
      return { items: page.DBProxies ?? [], marker: page.Marker };
    }),
  ]);
  const clusterById = new Map(clusters.map((cluster) => [cluster.DBClusterIdentifier, cluster]));
  const cache: GroupReadCache = { groups: new Map(), defaults: new Map() };

  const evaluate = async (resource: DatabaseResource): Promise<ResourceEvaluation> => {
    const [parameters, clusterParameters] = await Promise.all([
      resource.parameterGroup
        ? readGroup(client, 'instance', resource.parameterGroup.name, cache)
        : undefined,
      resource.clusterParameterGroup
        ? readGroup(client, 'cluster', resource.clusterParameterGroup.name, cache)
        : undefined,
    ]);
    const item: InventoryItem = {
      resource,
      ...(parameters ? { parameters } : {}),
      ...(clusterParameters ? { clusterParameters } : {}),
      optionGroups: [],
      ...caOf(resource, certificates),
      gaps: [],
    };
    return evaluateItem(item, { ruleParameters }, now, startedAt);
  };

  const resources: DatabaseResource[] = [
    ...instances.map((instance) => {
      const resource = resourceFromInstance(instance, region);
      const cluster = resource.clusterIdentifier
        ? clusterById.get(resource.clusterIdentifier)
        : undefined;
      const membership = cluster && clusterParameterGroupOf(cluster, resource.identifier);
      return membership ? { ...resource, clusterParameterGroup: membership } : resource;
    }),
    ...clusters.map((cluster) => resourceFromCluster(cluster, region)),
  ];
  return Promise.all(resources.map(evaluate));
}

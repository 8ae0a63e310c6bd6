/**
 * The live inventory: every DB instance and cluster in the given regions,
 * filtered, then enriched with the settings the rules read.
 *
 * Regions are listed in parallel and fail independently: a region that
 * cannot be read becomes a `region:<name>` problem and the others are still
 * returned. Aurora members come back twice on purpose: as instances (with
 * clusterIdentifier, from DescribeDBInstances) and as their cluster (from
 * DescribeDBClusters), because Config records both resource types. Clusters
 * carry their reader and custom endpoints (lib/inventory/cluster-endpoints.ts).
 * RDS Proxies are listed alongside (lib/inventory/proxies.ts): each becomes an
 * item of its own, and every database a proxy connects to is marked with it.
 */

import {
  type DBCluster,
  type DBClusterEndpoint,
  type DBInstance,
  DescribeDBClusterEndpointsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import pLimit from 'p-limit';
import type { Inventory, InventoryItem } from '../pipeline.js';
import type { DatabaseResource, ScanProblem } from '../types.js';
import { clusterEndpointsProblem, withCustomEndpoints } from './cluster-endpoints.js';
import { DEFAULT_CONCURRENCY, enrichResources, type KnownCluster } from './enrich.js';
import { regionProblem } from './errors.js';
import { applyFilters, type InventoryFilters, matchesFilters } from './filters.js';
import { resourceFromCluster, resourceFromInstance } from './mappers.js';
import { type Page, readAllPages } from './pagination.js';
import { listProxies } from './proxies.js';
import { linkProxies, proxiesFronting } from './proxy-links.js';
import type { Ec2ClientFor } from './security-groups.js';

export interface CollectOptions {
  regions: string[];
  /** Set on every resource; otherwise taken from each resource's ARN. */
  accountId?: string;
  clientFor: (region: string) => RDSClient;
  /** EC2 clients for the databases' security groups; absent: not read. */
  ec2ClientFor?: Ec2ClientFor;
  filters?: InventoryFilters;
  /** RDS requests in flight at once. Default 8. */
  concurrency?: number;
}

interface RegionListing {
  resources: DatabaseResource[];
  proxies: InventoryItem[];
  clusters: KnownCluster[];
  problems: ScanProblem[];
}

const PAGE_SIZE = 100;

export async function collectInventory(options: CollectOptions): Promise<Inventory> {
  const regions = [...new Set(options.regions)];
  const limit = pLimit(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY));
  // The EC2 client loads on first use: start that now, so the module is parsed
  // while the listing waits on RDS instead of after it. A failure here is
  // met again, and reported, when the groups are read.
  const { ec2ClientFor } = options;
  if (ec2ClientFor) {
    for (const region of regions) {
      Promise.resolve()
        .then(() => ec2ClientFor(region))
        .catch(() => undefined);
    }
  }
  const listings = await Promise.all(
    regions.map((region) => listRegion(region, options, (read) => limit(read))),
  );

  const proxies = listings.flatMap((listing) => listing.proxies);
  const resources = applyFilters(
    linkProxies(
      listings.flatMap((listing) => listing.resources),
      proxies.map((item) => item.resource),
    ),
    options.filters,
  );
  const { filters } = options;
  const keptProxies = filters
    ? [
        ...new Set([
          ...proxiesFronting(proxies, resources),
          ...proxies.filter((item) => matchesFilters(item.resource, filters)),
        ]),
      ]
    : proxies;
  const enriched = await enrichResources(resources, {
    clientFor: options.clientFor,
    clusters: listings.flatMap((listing) => listing.clusters),
    ...(options.ec2ClientFor ? { ec2ClientFor: options.ec2ClientFor } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
  });
  return {
    items: [...enriched.items, ...keptProxies],
    problems: [...listings.flatMap((listing) => listing.problems), ...enriched.problems],
    regions,
  };
}

async function listRegion(
  region: string,
  options: CollectOptions,
  limited: <T>(read: () => Promise<T>) => Promise<T>,
): Promise<RegionListing> {
  const problems: ScanProblem[] = [];
  let client: RDSClient;
  try {
    client = options.clientFor(region);
  } catch (error) {
    return {
      resources: [],
      proxies: [],
      clusters: [],
      problems: [regionProblem(region, 'client', error)],
    };
  }

  const [instances, clusters, proxyListing] = await Promise.all([
    listAll<DBInstance>(region, 'DescribeDBInstances', problems, async (marker) => {
      const page = await limited(() =>
        client.send(new DescribeDBInstancesCommand({ MaxRecords: PAGE_SIZE, Marker: marker })),
      );
      return { items: page.DBInstances, marker: page.Marker };
    }),
    listAll<DBCluster>(region, 'DescribeDBClusters', problems, async (marker) => {
      const page = await limited(() =>
        client.send(new DescribeDBClustersCommand({ MaxRecords: PAGE_SIZE, Marker: marker })),
      );
      return { items: page.DBClusters, marker: page.Marker };
    }),
    listProxies(region, client, limited, options.accountId),
  ]);
  problems.push(...proxyListing.problems);

  const customEndpoints =
    clusters.length > 0 ? await listCustomEndpoints(region, client, limited, problems) : [];

  const resources: DatabaseResource[] = [];
  for (const instance of instances) {
    if (!instance.DbiResourceId || !instance.DBInstanceIdentifier) {
      problems.push(incompleteRecord(region, 'DBInstance', instance.DBInstanceIdentifier));
      continue;
    }
    resources.push(resourceFromInstance(instance, region, options.accountId));
  }
  for (const cluster of clusters) {
    if (!cluster.DbClusterResourceId || !cluster.DBClusterIdentifier) {
      problems.push(incompleteRecord(region, 'DBCluster', cluster.DBClusterIdentifier));
      continue;
    }
    resources.push(resourceFromCluster(cluster, region, options.accountId));
  }
  return {
    resources: withCustomEndpoints(resources, customEndpoints),
    proxies: proxyListing.proxies,
    clusters: clusters.map((cluster) => ({ region, cluster })),
    problems,
  };
}

/**
 * The region's custom cluster endpoints, once for all its clusters. A failed
 * read is a problem of its own and leaves every cluster marked as having
 * unknown custom endpoints (undefined), never as having none.
 */
async function listCustomEndpoints(
  region: string,
  client: RDSClient,
  limited: <T>(read: () => Promise<T>) => Promise<T>,
  problems: ScanProblem[],
): Promise<DBClusterEndpoint[] | undefined> {
  try {
    const result = await readAllPages<DBClusterEndpoint>(async (marker) => {
      const page = await limited(() =>
        client.send(
          new DescribeDBClusterEndpointsCommand({
            Filters: [{ Name: 'db-cluster-endpoint-type', Values: ['custom'] }],
            MaxRecords: PAGE_SIZE,
            Marker: marker,
          }),
        ),
      );
      return { items: page.DBClusterEndpoints, marker: page.Marker };
    });
    if (result.repeatedMarker !== undefined) {
      problems.push({
        scope: `cluster-endpoints:${region}`,
        code: 'PAGINATION_LOOP',
        message: `DescribeDBClusterEndpoints in ${region} repeated a pagination marker after ${result.pages} pages; custom endpoints listed so far are shown`,
      });
    }
    return result.items;
  } catch (error) {
    problems.push(clusterEndpointsProblem(region, error));
    return undefined;
  }
}

/** Reads every page; a failure or a repeated marker keeps what was read and records a problem. */
async function listAll<T>(
  region: string,
  operation: string,
  problems: ScanProblem[],
  fetchPage: (marker: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const collected: T[] = [];
  try {
    const result = await readAllPages<T>(async (marker) => {
      const page = await fetchPage(marker);
      collected.push(...(page.items ?? []));
      return { items: [], marker: page.marker };
    });
    if (result.repeatedMarker !== undefined) {
      problems.push({
        scope: `region:${region}`,
        code: 'PAGINATION_LOOP',
        message: `${operation} in ${region} repeated a pagination marker after ${result.pages} pages; listing stopped`,
      });
    }
  } catch (error) {
    problems.push(regionProblem(region, operation, error));
  }
  return collected;
}

function incompleteRecord(
  region: string,
  kind: string,
  identifier: string | undefined,
): ScanProblem {
  return {
    scope: `region:${region}`,
    code: 'RESOURCE_ID_MISSING',
    message: `${kind} ${identifier ?? '(no identifier)'} in ${region} has no resource id; skipped`,
  };
}

/**
 * Aurora custom endpoints: read once per region (DescribeDBClusterEndpoints,
 * every page) and attached to the clusters they belong to. The writer and
 * reader endpoints come with DescribeDBClusters itself. Every one of these
 * endpoints reaches instances that read the cluster parameter group, so they
 * add no evaluation of their own: reports name them, and the cluster's proof
 * through its writer endpoint stands for them.
 *
 * Response shape: DBClusterEndpoints[] of DBClusterEndpoint
 * (DBClusterEndpointIdentifier, DBClusterIdentifier, Endpoint, Status,
 * EndpointType READER | WRITER | CUSTOM, CustomEndpointType READER | ANY) and
 * Marker; https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterEndpoints.html
 */
import type { DBClusterEndpoint } from '@aws-sdk/client-rds';
import { MAX_CLUSTER_CUSTOM_ENDPOINTS } from '../database-resource.js';
import { clipServerText } from '../text.js';
import type { ClusterCustomEndpoint, DatabaseResource, ScanProblem } from '../types.js';
import { classifyReadFailure, describeAwsFailure } from './errors.js';

/** The custom endpoints of a region's clusters, keyed by DBClusterIdentifier. */
export function customEndpointsByCluster(
  endpoints: DBClusterEndpoint[],
): Map<string, ClusterCustomEndpoint[]> {
  const byCluster = new Map<string, ClusterCustomEndpoint[]>();
  for (const endpoint of endpoints) {
    const cluster = endpoint.DBClusterIdentifier;
    const name = endpoint.DBClusterEndpointIdentifier;
    if (endpoint.EndpointType !== 'CUSTOM' || !cluster || !name || !endpoint.Endpoint) continue;
    const list = byCluster.get(cluster) ?? [];
    list.push({
      name: clipServerText(name),
      address: clipServerText(endpoint.Endpoint),
      ...(endpoint.CustomEndpointType ? { type: clipServerText(endpoint.CustomEndpointType) } : {}),
      ...(endpoint.Status ? { status: clipServerText(endpoint.Status) } : {}),
    });
    byCluster.set(cluster, list);
  }
  return byCluster;
}

/**
 * The region's clusters with their custom endpoints; `undefined` listing:
 * the read failed, and each cluster says its custom endpoints are unknown.
 */
export function withCustomEndpoints(
  resources: DatabaseResource[],
  listing: DBClusterEndpoint[] | undefined,
): DatabaseResource[] {
  const byCluster = listing ? customEndpointsByCluster(listing) : undefined;
  return resources.map((resource) => {
    if (resource.resourceType !== 'AWS::RDS::DBCluster') return resource;
    const base = resource.clusterEndpoints ?? { custom: [] };
    if (!byCluster) return { ...resource, clusterEndpoints: { ...base, customUnread: true } };
    const custom = byCluster.get(resource.identifier) ?? [];
    return {
      ...resource,
      clusterEndpoints: {
        ...base,
        custom: custom.slice(0, MAX_CLUSTER_CUSTOM_ENDPOINTS),
        ...(custom.length > MAX_CLUSTER_CUSTOM_ENDPOINTS ? { truncated: true } : {}),
      },
    };
  });
}

/**
 * A failed DescribeDBClusterEndpoints: every database is still listed and
 * evaluated, only the list of custom endpoints is unknown, so this is not a
 * coverage problem (the scope is not `region:`).
 */
export function clusterEndpointsProblem(region: string, error: unknown): ScanProblem {
  const operation = 'DescribeDBClusterEndpoints';
  const code = classifyReadFailure(error);
  return {
    scope: `cluster-endpoints:${region}`,
    code: code === 'READ_FAILED' ? 'CLUSTER_ENDPOINTS_UNREADABLE' : code,
    message: `${operation} failed in ${region}: ${describeAwsFailure(error, operation)}; custom endpoints of its clusters are not listed`,
  };
}

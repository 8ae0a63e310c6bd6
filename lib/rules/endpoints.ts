/**
 * Which endpoint of a cluster a proof stands for. A cluster's writer, reader
 * and custom endpoints all reach instances that read the same cluster
 * parameter group, so the cluster is probed once, through its writer
 * endpoint, and says so. A member instance's own endpoint reaches the same
 * settings: its evaluation notes that the cluster's evaluation covers them,
 * instead of presenting its instance parameter group as a second source.
 */
import type { DatabaseResource, Evidence } from '../types.js';
import { classifyEngine } from './engines.js';
import { readsClusterGroup } from './group.js';

/** Evidence for the live finding of a cluster: which endpoint was proven, and which it stands for. */
export function provenEndpointEvidence(resource: DatabaseResource): Evidence[] {
  if (resource.resourceType !== 'AWS::RDS::DBCluster' || !resource.endpoint) return [];
  const group = resource.clusterParameterGroup?.name;
  return [
    {
      source: 'probe',
      label: 'proven endpoint',
      value: `cluster writer endpoint ${resource.endpoint.address}:${resource.endpoint.port}; ${otherEndpoints(resource)} reach instances reading the same cluster parameter group${group ? ` ${group}` : ''}`,
    },
  ];
}

/** `reader endpoint <address> and custom endpoints a, b`, as far as they are known. */
export function otherEndpoints(resource: DatabaseResource): string {
  const endpoints = resource.clusterEndpoints;
  if (!endpoints) return 'reader and custom endpoints';
  const reader = endpoints.reader ? `reader endpoint ${endpoints.reader}` : 'its reader endpoint';
  const custom = endpoints.customUnread
    ? 'custom endpoints (not listed: DescribeDBClusterEndpoints failed)'
    : endpoints.custom.length > 0
      ? `custom endpoints ${endpoints.custom.map((endpoint) => endpoint.name).join(', ')}${endpoints.truncated ? ' (list cut)' : ''}`
      : 'any custom endpoint';
  return `${reader} and ${custom}`;
}

/** Evidence for a member instance whose TLS settings come from its cluster's parameter group. */
export function clusterMemberEvidence(resource: DatabaseResource): Evidence[] {
  const cluster = resource.clusterIdentifier;
  if (resource.resourceType !== 'AWS::RDS::DBInstance' || cluster === undefined) return [];
  if (!readsClusterGroup(resource, classifyEngine(resource.engine))) return [];
  const instanceGroup = resource.parameterGroup?.name;
  return [
    {
      source: 'rds-api',
      label: 'cluster member',
      value: `of ${cluster}: TLS settings come from its cluster parameter group${resource.clusterParameterGroup ? ` ${resource.clusterParameterGroup.name}` : ''}${instanceGroup ? ` (instance parameter group ${instanceGroup} sets nothing the rules read)` : ''}; the cluster's own evaluation proves them through its writer endpoint`,
    },
  ];
}

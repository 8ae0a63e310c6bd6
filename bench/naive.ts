/**
 * The baseline the scan is measured against: a straightforward
 * per-database loop that lists the instances, then for each one in turn
 * reads its parameter group, the group's family and the engine defaults,
 * one call at a time, and evaluates it.
 *
 * It uses the product's mappers, parameter resolution and rules, so the only
 * difference from `scan()` over `collectInventory()` is the I/O pattern: no
 * sharing of a group between the databases that use it, no concurrency.
 */
import {
  type Certificate,
  type DBCluster,
  type DBInstance,
  DescribeCertificatesCommand,
  DescribeDBClusterParameterGroupsCommand,
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  DescribeEngineDefaultClusterParametersCommand,
  DescribeEngineDefaultParametersCommand,
  type Parameter,
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  clusterParameterGroupOf,
  defaultGroupFamily,
  resolveParameter,
  resourceFromCluster,
  resourceFromInstance,
} from '../lib/inventory/index.js';
import type { InventoryItem } from '../lib/pipeline.js';
import { isTlsParameter } from '../lib/rules/parameters.js';
import { evaluateItem } from '../lib/scan.js';
import type {
  CertificateAuthority,
  DatabaseResource,
  ParameterGroupSettings,
  ResolvedParameter,
  ResourceEvaluation,
  RuleParameters,
} from '../lib/types.js';

export interface NaiveScanOptions {
  client: RDSClient;
  region: string;
  ruleParameters: RuleParameters;
  /** Evaluate every n-th instance and cluster only (the listing is always complete). Default 1. */
  sampleEvery?: number;
}

type GroupKind = 'instance' | 'cluster';

/** What the loops need of an RDS client: sending a command (the peer scanner wraps it in a limit). */
export type RdsSender = Pick<RDSClient, 'send'>;

/**
 * Memoised reads for a scanner that shares them between databases: a group's
 * settings by kind and name, a family's engine defaults by kind and family.
 */
export interface GroupReadCache {
  groups: Map<string, Promise<ParameterGroupSettings>>;
  defaults: Map<string, Promise<Map<string, Parameter>>>;
}

export async function naiveScan(options: NaiveScanOptions): Promise<ResourceEvaluation[]> {
  const { client, region, ruleParameters } = options;
  const every = Math.max(1, options.sampleEvery ?? 1);
  const startedAt = new Date();
  const now = () => new Date();

  const instances = await listPages<DBInstance>(async (marker) => {
    const page = await client.send(
      new DescribeDBInstancesCommand({ MaxRecords: 100, Marker: marker }),
    );
    return { items: page.DBInstances ?? [], marker: page.Marker };
  });
  const clusters = await listPages<DBCluster>(async (marker) => {
    const page = await client.send(
      new DescribeDBClustersCommand({ MaxRecords: 100, Marker: marker }),
    );
    return { items: page.DBClusters ?? [], marker: page.Marker };
  });
  const certificates = await listPages<Certificate>(async (marker) => {
    const page = await client.send(new DescribeCertificatesCommand({ Marker: marker }));
    return { items: page.Certificates ?? [], marker: page.Marker };
  });

  const evaluations: ResourceEvaluation[] = [];
  const evaluate = async (resource: DatabaseResource, parameterReads: GroupReads) => {
    const item: InventoryItem = {
      resource,
      ...parameterReads,
      optionGroups: [],
      ...caOf(resource, certificates),
      gaps: [],
    };
    evaluations.push(await evaluateItem(item, { ruleParameters }, now, startedAt));
  };

  for (const [index, instance] of instances.entries()) {
    if (index % every !== 0) continue;
    let resource = resourceFromInstance(instance, region);
    const reads: GroupReads = {};
    if (resource.parameterGroup) {
      reads.parameters = await readGroup(client, 'instance', resource.parameterGroup.name);
    }
    if (resource.clusterIdentifier) {
      const described = await client.send(
        new DescribeDBClustersCommand({ DBClusterIdentifier: resource.clusterIdentifier }),
      );
      const cluster = described.DBClusters?.[0];
      const membership = cluster && clusterParameterGroupOf(cluster, resource.identifier);
      if (membership) {
        resource = { ...resource, clusterParameterGroup: membership };
        reads.clusterParameters = await readGroup(client, 'cluster', membership.name);
      }
    }
    await evaluate(resource, reads);
  }

  for (const [index, cluster] of clusters.entries()) {
    if (index % every !== 0) continue;
    const resource = resourceFromCluster(cluster, region);
    const reads: GroupReads = {};
    if (resource.clusterParameterGroup) {
      reads.clusterParameters = await readGroup(
        client,
        'cluster',
        resource.clusterParameterGroup.name,
      );
    }
    await evaluate(resource, reads);
  }
  return evaluations;
}

interface GroupReads {
  parameters?: ParameterGroupSettings;
  clusterParameters?: ParameterGroupSettings;
}

/**
 * One group's pages, its family, and that family's engine defaults. The naive
 * loop passes no cache, on purpose; the peer scanner passes one.
 */
export function readGroup(
  client: RdsSender,
  kind: GroupKind,
  name: string,
  cache?: GroupReadCache,
): Promise<ParameterGroupSettings> {
  if (!cache) return readGroupOnce(client, kind, name);
  const key = `${kind}:${name}`;
  let read = cache.groups.get(key);
  if (!read) {
    read = readGroupOnce(client, kind, name, cache);
    cache.groups.set(key, read);
  }
  return read;
}

async function readGroupOnce(
  client: RdsSender,
  kind: GroupKind,
  name: string,
  cache?: GroupReadCache,
): Promise<ParameterGroupSettings> {
  const listed = await listPages<Parameter>(async (marker) => {
    const page =
      kind === 'instance'
        ? await client.send(
            new DescribeDBParametersCommand({
              DBParameterGroupName: name,
              MaxRecords: 100,
              Marker: marker,
            }),
          )
        : await client.send(
            new DescribeDBClusterParametersCommand({
              DBClusterParameterGroupName: name,
              MaxRecords: 100,
              Marker: marker,
            }),
          );
    return { items: page.Parameters ?? [], marker: page.Marker };
  });
  const tls = listed.filter(
    (parameter): parameter is Parameter & { ParameterName: string } =>
      parameter.ParameterName !== undefined && isTlsParameter(parameter.ParameterName),
  );

  let family = defaultGroupFamily(name);
  let defaults = new Map<string, Parameter>();
  if (tls.some((parameter) => parameter.ParameterValue === undefined)) {
    family ??= await groupFamily(client, kind, name);
    if (family) {
      const key = `${kind}:${family}`;
      let read = cache?.defaults.get(key);
      if (!read) {
        read = engineDefaults(client, kind, family);
        cache?.defaults.set(key, read);
      }
      defaults = await read;
    }
  }

  const parameters: Record<string, ResolvedParameter> = {};
  for (const parameter of tls) {
    parameters[parameter.ParameterName] = resolveParameter(
      parameter,
      defaults.get(parameter.ParameterName),
    );
  }
  return { groupName: name, kind, ...(family ? { family } : {}), parameters };
}

async function engineDefaults(
  client: RdsSender,
  kind: GroupKind,
  family: string,
): Promise<Map<string, Parameter>> {
  const listed = await listPages<Parameter>(async (marker) => {
    const input = { DBParameterGroupFamily: family, MaxRecords: 100, Marker: marker };
    const response =
      kind === 'instance'
        ? await client.send(new DescribeEngineDefaultParametersCommand(input))
        : await client.send(new DescribeEngineDefaultClusterParametersCommand(input));
    return {
      items: response.EngineDefaults?.Parameters ?? [],
      marker: response.EngineDefaults?.Marker,
    };
  });
  const defaults = new Map<string, Parameter>();
  for (const parameter of listed) {
    if (parameter.ParameterName) defaults.set(parameter.ParameterName, parameter);
  }
  return defaults;
}

async function groupFamily(
  client: RdsSender,
  kind: GroupKind,
  name: string,
): Promise<string | undefined> {
  if (kind === 'instance') {
    const response = await client.send(
      new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name }),
    );
    return response.DBParameterGroups?.[0]?.DBParameterGroupFamily;
  }
  const response = await client.send(
    new DescribeDBClusterParameterGroupsCommand({ DBClusterParameterGroupName: name }),
  );
  return response.DBClusterParameterGroups?.[0]?.DBParameterGroupFamily;
}

export function caOf(
  resource: DatabaseResource,
  certificates: Certificate[],
): { certificateAuthority?: CertificateAuthority } {
  const identifier = resource.caCertificateIdentifier;
  const certificate = certificates.find((c) => c.CertificateIdentifier === identifier);
  if (!identifier || !certificate) return {};
  return {
    certificateAuthority: {
      identifier,
      ...(certificate.ValidFrom ? { validFrom: certificate.ValidFrom } : {}),
      ...(certificate.ValidTill ? { validTill: certificate.ValidTill } : {}),
    },
  };
}

export async function listPages<T>(
  fetchPage: (marker: string | undefined) => Promise<{ items: T[]; marker: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetchPage(marker);
    items.push(...page.items);
    marker = page.marker;
  } while (marker);
  return items;
}

/**
 * Reads what the rules need beyond DescribeDBInstances / DescribeDBClusters:
 * parameter groups merged with engine defaults, cluster groups for cluster
 * members, Oracle option groups and the CA each database uses.
 *
 * Call budget per scan (a group shared by a thousand instances is read once):
 * - each (region, parameter group) and (region, cluster parameter group): one
 *   DescribeDBParameters / DescribeDBClusterParameters sweep (all pages);
 * - a group's family: free for `default.<family>` groups (the name carries
 *   it), else one DescribeDBParameterGroups / DescribeDBClusterParameterGroups
 *   call, and only when the group leaves a TLS parameter without a value.
 *   Deriving the family from engine and version would save that call but
 *   guesses (aurora-mysql 3 → aurora-mysql8.0, sqlserver-se 15.00 →
 *   sqlserver-se-15.0, …) where the group's own family is exact;
 * - engine defaults: one sweep per (region, family, kind), only when needed;
 * - option groups: one call per (region, non-default group), Oracle only: no
 *   other engine's TLS depends on an option group, and a `default:` option
 *   group holds no options, so it is reported empty without a call;
 * - DescribeCertificates: one sweep per region that has a CA to look up;
 * - DescribeDBClusters by identifier: only for a cluster member whose
 *   cluster was not already listed;
 * - EC2 DescribeSecurityGroups: the groups of every database in a region
 *   together (security-groups.ts), when an EC2 client is given.
 * Concurrent requests for the same thing share one promise. Every request
 * passes one p-limit, per page, so nested reads cannot starve each other.
 *
 * A read that fails becomes one ScanProblem and a gap on every item that
 * needed it; the other items are unaffected. Nothing here throws for an AWS
 * error.
 */

import {
  type DBCluster,
  DescribeDBClusterParameterGroupsCommand,
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  DescribeEngineDefaultClusterParametersCommand,
  DescribeEngineDefaultParametersCommand,
  DescribeOptionGroupsCommand,
  type Parameter,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { Inventory, InventoryItem } from '../pipeline.js';
import { defaultGroupFamily, resolveParameter } from '../rules/parameter-precedence.js';
import { isTlsParameter } from '../rules/parameters.js';
import type {
  DatabaseResource,
  OptionGroupSettings,
  ParameterGroupSettings,
  ResolvedParameter,
} from '../types.js';
import { readCertificateAuthority } from './certificates.js';
import { clusterParameterGroupOf } from './mappers.js';
import { optionGroupSettings } from './option-groups.js';
import { readAllPages } from './pagination.js';
import { type Read, ReadCache } from './read-cache.js';
import { type Ec2ClientFor, readSecurityGroups } from './security-groups.js';

export const DEFAULT_CONCURRENCY = 8;

/** RDS caps MaxRecords at 100; the largest page means the fewest calls. */
const PAGE_SIZE = 100;

export interface KnownCluster {
  region: string;
  cluster: DBCluster;
}

export interface EnrichOptions {
  clientFor: (region: string) => RDSClient;
  /** RDS requests in flight at once. Default 8. */
  concurrency?: number;
  /** Clusters already listed, so their members need no DescribeDBClusters call. */
  clusters?: KnownCluster[];
  /**
   * EC2 clients for reading the databases' VPC security groups. Absent: no
   * group is read, and Oracle's plaintext listener stays unproven.
   */
  ec2ClientFor?: Ec2ClientFor;
}

type GroupKind = 'instance' | 'cluster';

interface ResolvedGroup {
  settings?: ParameterGroupSettings;
  gaps: string[];
}

const GROUP_PHRASE: Record<GroupKind, string> = {
  instance: 'parameter group',
  cluster: 'cluster parameter group',
};

export async function enrichResources(
  resources: DatabaseResource[],
  options: EnrichOptions,
): Promise<Inventory> {
  const reader = new ScanReader(options);
  const securityGroups = options.ec2ClientFor
    ? readSecurityGroups(resources, {
        clientFor: options.ec2ClientFor,
        limit: reader.limit,
        problems: reader.problems,
      })
    : undefined;
  const items = await Promise.all(
    resources.map(async (resource) => {
      const [item, reading] = await Promise.all([
        reader.item(resource),
        securityGroups?.forResource(resource),
      ]);
      return reading ? { ...item, securityGroups: reading } : item;
    }),
  );
  const regions = [...new Set(resources.map((resource) => resource.region))];
  return { items, problems: reader.problems, regions };
}

/** One scan's reads, each made once and shared by every item that needs it. */
class ScanReader extends ReadCache {
  private readonly clusters = new Map<string, DBCluster>();

  constructor(options: EnrichOptions) {
    super(options.clientFor, options.concurrency ?? DEFAULT_CONCURRENCY);
    for (const { region, cluster } of options.clusters ?? []) {
      if (cluster.DBClusterIdentifier) {
        this.clusters.set(`${region}/${cluster.DBClusterIdentifier}`, cluster);
      }
    }
  }

  async item(resource: DatabaseResource): Promise<InventoryItem> {
    // A proxy has no parameter, option group or CA of its own: its settings came with it.
    if (resource.proxy) return { resource, optionGroups: [], gaps: [] };
    const gaps: string[] = [];
    let current = resource;

    if (resource.resourceType === 'AWS::RDS::DBInstance' && resource.clusterIdentifier) {
      const cluster = await this.cluster(resource.region, resource.clusterIdentifier);
      if (cluster.ok) {
        const membership = clusterParameterGroupOf(cluster.value, resource.identifier);
        if (membership) current = { ...resource, clusterParameterGroup: membership };
        const clusterSecret = cluster.value.MasterUserSecret?.SecretArn;
        if (clusterSecret) current = { ...current, clusterMasterUserSecretArn: clusterSecret };
      } else {
        gaps.push(`cluster ${resource.clusterIdentifier} unreadable: ${cluster.reason}`);
      }
    }

    const [parameters, clusterParameters, optionGroups, certificateAuthority] = await Promise.all([
      current.parameterGroup
        ? this.group(current.region, 'instance', current.parameterGroup.name)
        : undefined,
      current.clusterParameterGroup
        ? this.group(current.region, 'cluster', current.clusterParameterGroup.name)
        : undefined,
      this.optionGroups(current, gaps),
      readCertificateAuthority(this, current, gaps),
    ]);
    gaps.push(...(parameters?.gaps ?? []), ...(clusterParameters?.gaps ?? []));

    return {
      resource: current,
      ...(parameters?.settings ? { parameters: parameters.settings } : {}),
      ...(clusterParameters?.settings ? { clusterParameters: clusterParameters.settings } : {}),
      optionGroups,
      ...(certificateAuthority ? { certificateAuthority } : {}),
      gaps,
    };
  }

  private cluster(region: string, identifier: string): Promise<Read<DBCluster>> {
    const known = this.clusters.get(`${region}/${identifier}`);
    if (known) return Promise.resolve({ ok: true, value: known });
    return this.once(`cluster:${region}:${identifier}`, async () => {
      const found = await this.attempt(
        `cluster:${region}:${identifier}`,
        `DescribeDBClusters for ${identifier} in ${region}`,
        () =>
          this.limit(() =>
            this.client(region).send(
              new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }),
            ),
          ),
      );
      if (!found.ok) return found;
      const cluster = found.value.DBClusters?.[0];
      return cluster
        ? { ok: true as const, value: cluster }
        : { ok: false as const, reason: 'DBClusterNotFoundFault' };
    });
  }

  private group(region: string, kind: GroupKind, name: string): Promise<ResolvedGroup> {
    return this.once(`group:${kind}:${region}:${name}`, () =>
      this.resolveGroup(region, kind, name),
    );
  }

  private async resolveGroup(
    region: string,
    kind: GroupKind,
    name: string,
  ): Promise<ResolvedGroup> {
    const phrase = GROUP_PHRASE[kind];
    const scope = `${kind === 'instance' ? 'parameter-group' : 'cluster-parameter-group'}:${region}:${name}`;
    const operation = `${kind === 'instance' ? 'DescribeDBParameters' : 'DescribeDBClusterParameters'} for ${name} in ${region}`;
    const read = await this.attempt(scope, operation, () =>
      readAllPages<Parameter>(async (marker) => {
        const page =
          kind === 'instance'
            ? await this.limit(() =>
                this.client(region).send(
                  new DescribeDBParametersCommand({
                    DBParameterGroupName: name,
                    MaxRecords: PAGE_SIZE,
                    Marker: marker,
                  }),
                ),
              )
            : await this.limit(() =>
                this.client(region).send(
                  new DescribeDBClusterParametersCommand({
                    DBClusterParameterGroupName: name,
                    MaxRecords: PAGE_SIZE,
                    Marker: marker,
                  }),
                ),
              );
        // Keep only what the rules read as each page arrives: a group lists
        // hundreds of parameters, and thousands of groups are read at once.
        return { items: page.Parameters?.filter(isTlsParameterEntry), marker: page.Marker };
      }),
    );
    if (!read.ok) return { gaps: [`${phrase} ${name} unreadable: ${read.reason}`] };

    const gaps: string[] = [];
    if (this.noteLoop(scope, operation, read.value)) {
      // A page never read may hold the parameter that decides the verdict:
      // a partial group is no group, so the rules see a gap, not settings.
      return { gaps: [`${phrase} ${name} incomplete: pagination marker repeated`] };
    }
    const tlsParameters = read.value.items.filter(isTlsParameterEntry);

    let family = defaultGroupFamily(name);
    let defaults: Map<string, Parameter> | undefined;
    const unset = tlsParameters.filter((parameter) => parameter.ParameterValue === undefined);
    if (unset.length > 0) {
      const familyRead = family
        ? { ok: true as const, value: family }
        : await this.family(region, kind, name);
      if (familyRead.ok) {
        family = familyRead.value;
        const defaultsRead = await this.engineDefaults(region, kind, familyRead.value);
        if (defaultsRead.ok) defaults = defaultsRead.value;
        else
          gaps.push(`engine defaults for ${familyRead.value} unreadable: ${defaultsRead.reason}`);
      } else {
        gaps.push(`family of ${phrase} ${name} unreadable: ${familyRead.reason}`);
      }
    }

    const parameters: Record<string, ResolvedParameter> = {};
    for (const parameter of tlsParameters) {
      parameters[parameter.ParameterName] = resolveParameter(
        parameter,
        defaults?.get(parameter.ParameterName),
      );
    }
    const settings: ParameterGroupSettings = {
      groupName: name,
      kind,
      ...(family ? { family } : {}),
      parameters,
    };
    return { settings, gaps };
  }

  private family(region: string, kind: GroupKind, name: string): Promise<Read<string>> {
    return this.once(`family:${kind}:${region}:${name}`, async () => {
      const operation = `${kind === 'instance' ? 'DescribeDBParameterGroups' : 'DescribeDBClusterParameterGroups'} for ${name} in ${region}`;
      const scope = `${kind === 'instance' ? 'parameter-group' : 'cluster-parameter-group'}:${region}:${name}`;
      const read = await this.attempt(scope, operation, async () => {
        if (kind === 'instance') {
          const response = await this.limit(() =>
            this.client(region).send(
              new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name }),
            ),
          );
          return response.DBParameterGroups?.[0]?.DBParameterGroupFamily;
        }
        const response = await this.limit(() =>
          this.client(region).send(
            new DescribeDBClusterParameterGroupsCommand({ DBClusterParameterGroupName: name }),
          ),
        );
        return response.DBClusterParameterGroups?.[0]?.DBParameterGroupFamily;
      });
      if (!read.ok) return read;
      return read.value
        ? { ok: true as const, value: read.value }
        : { ok: false as const, reason: 'no DBParameterGroupFamily' };
    });
  }

  private engineDefaults(
    region: string,
    kind: GroupKind,
    family: string,
  ): Promise<Read<Map<string, Parameter>>> {
    return this.once(`defaults:${kind}:${region}:${family}`, async () => {
      const operation = `${kind === 'instance' ? 'DescribeEngineDefaultParameters' : 'DescribeEngineDefaultClusterParameters'} for ${family} in ${region}`;
      const scope = `engine-defaults:${region}:${family}`;
      const read = await this.attempt(scope, operation, () =>
        readAllPages<Parameter>(async (marker) => {
          const input = { DBParameterGroupFamily: family, MaxRecords: PAGE_SIZE, Marker: marker };
          const response =
            kind === 'instance'
              ? await this.limit(() =>
                  this.client(region).send(new DescribeEngineDefaultParametersCommand(input)),
                )
              : await this.limit(() =>
                  this.client(region).send(
                    new DescribeEngineDefaultClusterParametersCommand(input),
                  ),
                );
          return {
            items: response.EngineDefaults?.Parameters?.filter(isTlsParameterEntry),
            marker: response.EngineDefaults?.Marker,
          };
        }),
      );
      if (!read.ok) return read;
      this.noteLoop(scope, operation, read.value);
      const byName = new Map<string, Parameter>();
      for (const parameter of read.value.items) {
        if (parameter.ParameterName) byName.set(parameter.ParameterName, parameter);
      }
      return { ok: true as const, value: byName };
    });
  }

  private async optionGroups(
    resource: DatabaseResource,
    gaps: string[],
  ): Promise<OptionGroupSettings[]> {
    if (!resource.engine.startsWith('oracle')) return [];
    const reads = await Promise.all(
      resource.optionGroups.map(async (membership) => ({
        name: membership.name,
        read: await this.optionGroup(resource.region, membership.name),
      })),
    );
    const settings: OptionGroupSettings[] = [];
    for (const { name, read } of reads) {
      if (read.ok) settings.push(read.value);
      else gaps.push(`option group ${name} unreadable: ${read.reason}`);
    }
    return settings;
  }

  private optionGroup(region: string, name: string): Promise<Read<OptionGroupSettings>> {
    if (name.startsWith('default:')) {
      return Promise.resolve({ ok: true, value: { name, options: [] } });
    }
    return this.once(`option-group:${region}:${name}`, async () => {
      const scope = `option-group:${region}:${name}`;
      const read = await this.attempt(scope, `DescribeOptionGroups for ${name} in ${region}`, () =>
        this.limit(() =>
          this.client(region).send(new DescribeOptionGroupsCommand({ OptionGroupName: name })),
        ),
      );
      if (!read.ok) return read;
      const group = read.value.OptionGroupsList?.find((g) => g.OptionGroupName === name);
      if (!group) {
        this.problems.push({
          scope,
          code: 'NOT_FOUND',
          message: `DescribeOptionGroups did not list ${name} in ${region}`,
        });
        return { ok: false as const, reason: 'OptionGroupNotFoundFault' };
      }
      return { ok: true as const, value: optionGroupSettings(group) };
    });
  }
}

function isTlsParameterEntry(
  parameter: Parameter,
): parameter is Parameter & { ParameterName: string } {
  return parameter.ParameterName !== undefined && isTlsParameter(parameter.ParameterName);
}

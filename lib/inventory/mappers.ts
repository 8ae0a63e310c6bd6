/**
 * Pure conversions from the RDS API's DBInstance / DBCluster to the
 * pipeline's DatabaseResource. No I/O.
 *
 * resourceId is always DbiResourceId / DbClusterResourceId: AWS Config keys
 * its dashboard on those, and an evaluation under the identifier would show
 * up as a separate, unknown resource.
 */
import type { DBCluster, DBInstance, Tag, VpcSecurityGroupMembership } from '@aws-sdk/client-rds';
import { MAX_CLUSTER_MEMBERS } from '../database-resource.js';
import { clipServerText } from '../text.js';
import type {
  ClusterMember,
  DatabaseResource,
  OptionGroupMembership,
  ParameterGroupMembership,
  ResourceType,
} from '../types.js';

/** A DBInstance or DBCluster without the ids every resource needs: a defect in the caller. */
export class IncompleteRdsRecordError extends Error {
  override readonly name = 'IncompleteRdsRecordError';
}

export function tagsFromTagList(tagList: Tag[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of tagList ?? []) {
    if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  }
  return tags;
}

/** The account id is the fifth field of an ARN: arn:partition:rds:region:account:… */
export function accountIdFromArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account ? account : undefined;
}

/** The region is the fourth field of an ARN. */
export function regionFromArn(arn: string | undefined): string | undefined {
  const region = arn?.split(':')[3];
  return region ? region : undefined;
}

/** The pending changes that matter for TLS, or nothing when none is pending. */
export function pendingTlsChanges(
  caCertificateIdentifier: string | undefined,
  engineVersion: string | undefined,
): Pick<DatabaseResource, 'pendingModifiedValues'> {
  if (!caCertificateIdentifier && !engineVersion) return {};
  return {
    pendingModifiedValues: {
      ...(caCertificateIdentifier ? { caCertificateIdentifier } : {}),
      ...(engineVersion ? { engineVersion } : {}),
    },
  };
}

/** The group ids, in the order RDS lists them; a membership still being removed still admits traffic. */
export function securityGroupIdsOf(
  memberships: VpcSecurityGroupMembership[] | undefined,
): string[] | undefined {
  if (memberships === undefined) return undefined;
  const ids = memberships.flatMap((membership) =>
    membership.VpcSecurityGroupId ? [membership.VpcSecurityGroupId] : [],
  );
  return [...new Set(ids)];
}

/** The two ids every resource needs, under the names the record gives them; a record without them is a defect in the caller. */
function requiredIds<Key extends string>(
  record: Partial<Record<NoInfer<Key>, string>>,
  kind: 'DBInstance' | 'DBCluster',
  resourceIdKey: Key,
  identifierKey: Key,
): { resourceId: string; identifier: string } {
  const resourceId = record[resourceIdKey];
  const identifier = record[identifierKey];
  if (!resourceId || !identifier) {
    throw new IncompleteRdsRecordError(`${kind} lacks ${resourceIdKey} or ${identifierKey}`);
  }
  return { resourceId, identifier };
}

/** What DBInstance and DBCluster both say about who logs in and from where, under the same names. */
type AccessRecord = Pick<
  DBInstance & DBCluster,
  | 'MasterUsername'
  | 'MasterUserSecret'
  | 'IAMDatabaseAuthenticationEnabled'
  | 'PubliclyAccessible'
  | 'VpcSecurityGroups'
  | 'TagList'
>;

/** The login, reachability and tag fields, mapped the same way for an instance and a cluster. */
function accessFields(record: AccessRecord) {
  const vpcSecurityGroupIds = securityGroupIdsOf(record.VpcSecurityGroups);
  return {
    ...(record.MasterUsername ? { masterUsername: record.MasterUsername } : {}),
    ...(record.MasterUserSecret?.SecretArn
      ? { masterUserSecretArn: record.MasterUserSecret.SecretArn }
      : {}),
    iamDatabaseAuthenticationEnabled: record.IAMDatabaseAuthenticationEnabled === true,
    ...(record.PubliclyAccessible !== undefined
      ? { publiclyAccessible: record.PubliclyAccessible }
      : {}),
    ...(vpcSecurityGroupIds ? { vpcSecurityGroupIds } : {}),
    tags: tagsFromTagList(record.TagList),
  };
}

/** Option group memberships with a name; instances and clusters spell the field differently. */
function optionGroupsOf(
  memberships: readonly { name: string | undefined; status: string | undefined }[],
): OptionGroupMembership[] {
  return memberships.flatMap(({ name, status }) =>
    name ? [{ name, ...(status ? { status } : {}) }] : [],
  );
}

/** What DBInstance and DBCluster both say about the engine and the server certificate, under the same names. */
type EngineRecord = Pick<DBInstance & DBCluster, 'Engine' | 'EngineVersion' | 'CertificateDetails'>;

/** What an instance and a cluster each name or spell their own way, read by the caller. */
interface OwnFields {
  resourceType: ResourceType;
  resourceId: string;
  identifier: string;
  arn: string | undefined;
  status: string | undefined;
  address: string | undefined;
  port: number | undefined;
  /** The parameter group fields, which differ between the two. */
  groups: Pick<DatabaseResource, 'clusterIdentifier' | 'parameterGroup' | 'clusterParameterGroup'>;
  optionGroups: readonly { name: string | undefined; status: string | undefined }[];
  caCertificateIdentifier: string | undefined;
  /** The pending TLS changes, mapped for an instance. */
  pending?: Pick<DatabaseResource, 'pendingModifiedValues'>;
}

/**
 * The resource fields an instance and a cluster map the same way, from the
 * names both records share and what the caller read of its own; the account
 * is the ARN's when the caller does not know it. Keys in DatabaseResource's
 * order.
 */
function databaseFields(
  record: EngineRecord & AccessRecord,
  region: string,
  accountId: string | undefined,
  own: OwnFields,
) {
  const account = accountId ?? accountIdFromArn(own.arn);
  return {
    resourceType: own.resourceType,
    resourceId: own.resourceId,
    identifier: own.identifier,
    ...(own.arn ? { arn: own.arn } : {}),
    ...(account ? { accountId: account } : {}),
    region,
    engine: record.Engine ?? '',
    engineVersion: record.EngineVersion ?? '',
    ...(own.status ? { status: own.status } : {}),
    ...(own.address && own.port !== undefined
      ? { endpoint: { address: own.address, port: own.port } }
      : {}),
    ...own.groups,
    optionGroups: optionGroupsOf(own.optionGroups),
    ...(own.caCertificateIdentifier
      ? { caCertificateIdentifier: own.caCertificateIdentifier }
      : {}),
    ...(record.CertificateDetails?.ValidTill
      ? { certificateValidTill: record.CertificateDetails.ValidTill }
      : {}),
    ...own.pending,
    ...accessFields(record),
  };
}

export function resourceFromInstance(
  instance: DBInstance,
  region: string,
  accountId?: string,
): DatabaseResource {
  const { resourceId, identifier } = requiredIds(
    instance,
    'DBInstance',
    'DbiResourceId',
    'DBInstanceIdentifier',
  );
  const firstGroup = instance.DBParameterGroups?.[0];
  const parameterGroup: ParameterGroupMembership | undefined = firstGroup?.DBParameterGroupName
    ? {
        name: firstGroup.DBParameterGroupName,
        ...(firstGroup.ParameterApplyStatus
          ? { applyStatus: firstGroup.ParameterApplyStatus }
          : {}),
      }
    : undefined;

  return databaseFields(instance, region, accountId, {
    resourceType: 'AWS::RDS::DBInstance',
    resourceId,
    identifier,
    arn: instance.DBInstanceArn,
    status: instance.DBInstanceStatus,
    address: instance.Endpoint?.Address,
    port: instance.Endpoint?.Port ?? instance.DbInstancePort,
    groups: {
      ...(instance.DBClusterIdentifier ? { clusterIdentifier: instance.DBClusterIdentifier } : {}),
      ...(parameterGroup ? { parameterGroup } : {}),
    },
    optionGroups: (instance.OptionGroupMemberships ?? []).map((m) => ({
      name: m.OptionGroupName,
      status: m.Status,
    })),
    caCertificateIdentifier:
      instance.CACertificateIdentifier ?? instance.CertificateDetails?.CAIdentifier,
    pending: pendingTlsChanges(
      instance.PendingModifiedValues?.CACertificateIdentifier,
      instance.PendingModifiedValues?.EngineVersion,
    ),
  });
}

/** One member as either source names it: DBClusterMembers or a configuration item's list. */
export interface ClusterMemberRecord {
  identifier: string | undefined;
  writer: boolean;
}

/** One cluster member's hold on the cluster parameter group, as either source spells it. */
export interface ClusterGroupStatus extends ClusterMemberRecord {
  status: string | undefined;
}

/**
 * The cluster parameter group's status for the cluster as a whole. The status
 * lives per member, and the reader and custom endpoints reach every member:
 * the writer's status when it is not in sync, else the first member that is
 * not, named, else the writer's own (a cluster with no members yet has none).
 */
export function clusterGroupStatus(
  members: readonly ClusterGroupStatus[],
): Pick<ParameterGroupMembership, 'applyStatus' | 'applyStatusMember'> {
  const inSync = (member: ClusterGroupStatus) =>
    member.status === undefined || member.status.trim().toLowerCase() === 'in-sync';
  const writer = members.find((member) => member.writer);
  const lagging = writer && !inSync(writer) ? writer : members.find((member) => !inSync(member));
  if (lagging?.status) {
    return {
      applyStatus: lagging.status,
      ...(lagging !== writer && lagging.identifier
        ? { applyStatusMember: lagging.identifier }
        : {}),
    };
  }
  return writer?.status ? { applyStatus: writer.status } : {};
}

/**
 * The cluster parameter group and the status RDS reports for it: a member's
 * own, or the cluster's as a whole (clusterGroupStatus).
 */
export function clusterParameterGroupOf(
  cluster: DBCluster,
  memberIdentifier?: string,
): ParameterGroupMembership | undefined {
  if (!cluster.DBClusterParameterGroup) return undefined;
  const members = cluster.DBClusterMembers ?? [];
  if (memberIdentifier !== undefined) {
    const applyStatus = members.find(
      (m) => m.DBInstanceIdentifier === memberIdentifier,
    )?.DBClusterParameterGroupStatus;
    return { name: cluster.DBClusterParameterGroup, ...(applyStatus ? { applyStatus } : {}) };
  }
  return {
    name: cluster.DBClusterParameterGroup,
    ...clusterGroupStatus(
      members.map((m) => ({
        identifier: m.DBInstanceIdentifier,
        writer: m.IsClusterWriter === true,
        status: m.DBClusterParameterGroupStatus,
      })),
    ),
  };
}

/**
 * The members that have a name, writer first, cut to the bound: a cut never
 * drops the writer, whose absence means nothing answers on the cluster endpoint.
 */
export function boundedClusterMembers(members: readonly ClusterMemberRecord[]): ClusterMember[] {
  const named = members.flatMap(({ identifier, writer }) =>
    identifier ? [{ identifier: clipServerText(identifier), writer }] : [],
  );
  return [
    ...named.filter((member) => member.writer),
    ...named.filter((member) => !member.writer),
  ].slice(0, MAX_CLUSTER_MEMBERS);
}

/** The cluster's members, writer first; undefined when the record has no list. */
export function clusterMembersOf(cluster: DBCluster): ClusterMember[] | undefined {
  if (cluster.DBClusterMembers === undefined) return undefined;
  return boundedClusterMembers(
    cluster.DBClusterMembers.map((member) => ({
      identifier: member.DBInstanceIdentifier,
      writer: member.IsClusterWriter === true,
    })),
  );
}

export function resourceFromCluster(
  cluster: DBCluster,
  region: string,
  accountId?: string,
): DatabaseResource {
  const { resourceId, identifier } = requiredIds(
    cluster,
    'DBCluster',
    'DbClusterResourceId',
    'DBClusterIdentifier',
  );
  const clusterParameterGroup = clusterParameterGroupOf(cluster);
  const clusterMembers = clusterMembersOf(cluster);

  return {
    ...databaseFields(cluster, region, accountId, {
      resourceType: 'AWS::RDS::DBCluster',
      resourceId,
      identifier,
      arn: cluster.DBClusterArn,
      status: cluster.Status,
      address: cluster.Endpoint,
      port: cluster.Port,
      groups: clusterParameterGroup ? { clusterParameterGroup } : {},
      optionGroups: (cluster.DBClusterOptionGroupMemberships ?? []).map((m) => ({
        name: m.DBClusterOptionGroupName,
        status: m.Status,
      })),
      caCertificateIdentifier: cluster.CertificateDetails?.CAIdentifier,
    }),
    // Custom endpoints are listed per region and attached by collect.ts.
    clusterEndpoints: {
      ...(cluster.ReaderEndpoint ? { reader: clipServerText(cluster.ReaderEndpoint) } : {}),
      custom: [],
    },
    ...(clusterMembers ? { clusterMembers } : {}),
    ...(cluster.EngineMode ? { engineMode: clipServerText(cluster.EngineMode) } : {}),
  };
}

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

/** What names a database wherever it is reported; the account is the ARN's when the caller does not know it. */
function identityFields(
  resourceType: ResourceType,
  resourceId: string,
  identifier: string,
  arn: string | undefined,
  where: { region: string; accountId: string | undefined },
) {
  const account = where.accountId ?? accountIdFromArn(arn);
  return {
    resourceType,
    resourceId,
    identifier,
    ...(arn ? { arn } : {}),
    ...(account ? { accountId: account } : {}),
    region: where.region,
  };
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

export function resourceFromInstance(
  instance: DBInstance,
  region: string,
  accountId?: string,
): DatabaseResource {
  const { DbiResourceId: resourceId, DBInstanceIdentifier: identifier } = instance;
  if (!resourceId || !identifier) {
    throw new IncompleteRdsRecordError('DBInstance lacks DbiResourceId or DBInstanceIdentifier');
  }
  const firstGroup = instance.DBParameterGroups?.[0];
  const parameterGroup: ParameterGroupMembership | undefined = firstGroup?.DBParameterGroupName
    ? {
        name: firstGroup.DBParameterGroupName,
        ...(firstGroup.ParameterApplyStatus
          ? { applyStatus: firstGroup.ParameterApplyStatus }
          : {}),
      }
    : undefined;
  const address = instance.Endpoint?.Address;
  const port = instance.Endpoint?.Port ?? instance.DbInstancePort;
  const caCertificateIdentifier =
    instance.CACertificateIdentifier ?? instance.CertificateDetails?.CAIdentifier;
  const optionGroups = optionGroupsOf(
    (instance.OptionGroupMemberships ?? []).map((m) => ({
      name: m.OptionGroupName,
      status: m.Status,
    })),
  );

  return {
    ...identityFields('AWS::RDS::DBInstance', resourceId, identifier, instance.DBInstanceArn, {
      region,
      accountId,
    }),
    engine: instance.Engine ?? '',
    engineVersion: instance.EngineVersion ?? '',
    ...(instance.DBInstanceStatus ? { status: instance.DBInstanceStatus } : {}),
    ...(address && port !== undefined ? { endpoint: { address, port } } : {}),
    ...(instance.DBClusterIdentifier ? { clusterIdentifier: instance.DBClusterIdentifier } : {}),
    ...(parameterGroup ? { parameterGroup } : {}),
    optionGroups,
    ...(caCertificateIdentifier ? { caCertificateIdentifier } : {}),
    ...(instance.CertificateDetails?.ValidTill
      ? { certificateValidTill: instance.CertificateDetails.ValidTill }
      : {}),
    ...pendingTlsChanges(
      instance.PendingModifiedValues?.CACertificateIdentifier,
      instance.PendingModifiedValues?.EngineVersion,
    ),
    ...accessFields(instance),
  };
}

/**
 * The cluster parameter group and the status RDS reports for it. The status
 * lives per member; the writer's is the cluster's own (a cluster with no
 * members yet has none).
 */
export function clusterParameterGroupOf(
  cluster: DBCluster,
  memberIdentifier?: string,
): ParameterGroupMembership | undefined {
  if (!cluster.DBClusterParameterGroup) return undefined;
  const members = cluster.DBClusterMembers ?? [];
  const member =
    memberIdentifier !== undefined
      ? members.find((m) => m.DBInstanceIdentifier === memberIdentifier)
      : members.find((m) => m.IsClusterWriter === true);
  const applyStatus = member?.DBClusterParameterGroupStatus;
  return { name: cluster.DBClusterParameterGroup, ...(applyStatus ? { applyStatus } : {}) };
}

/** The cluster's members, writer first as RDS flags it; bounded. */
export function clusterMembersOf(cluster: DBCluster): ClusterMember[] {
  return (cluster.DBClusterMembers ?? [])
    .flatMap((member) =>
      member.DBInstanceIdentifier
        ? [{ identifier: member.DBInstanceIdentifier, writer: member.IsClusterWriter === true }]
        : [],
    )
    .slice(0, MAX_CLUSTER_MEMBERS);
}

export function resourceFromCluster(
  cluster: DBCluster,
  region: string,
  accountId?: string,
): DatabaseResource {
  const { DbClusterResourceId: resourceId, DBClusterIdentifier: identifier } = cluster;
  if (!resourceId || !identifier) {
    throw new IncompleteRdsRecordError(
      'DBCluster lacks DbClusterResourceId or DBClusterIdentifier',
    );
  }
  const clusterParameterGroup = clusterParameterGroupOf(cluster);
  const caCertificateIdentifier = cluster.CertificateDetails?.CAIdentifier;
  const clusterMembers = clusterMembersOf(cluster);
  const optionGroups = optionGroupsOf(
    (cluster.DBClusterOptionGroupMemberships ?? []).map((m) => ({
      name: m.DBClusterOptionGroupName,
      status: m.Status,
    })),
  );

  return {
    ...identityFields('AWS::RDS::DBCluster', resourceId, identifier, cluster.DBClusterArn, {
      region,
      accountId,
    }),
    engine: cluster.Engine ?? '',
    engineVersion: cluster.EngineVersion ?? '',
    ...(cluster.Status ? { status: cluster.Status } : {}),
    ...(cluster.Endpoint && cluster.Port !== undefined
      ? { endpoint: { address: cluster.Endpoint, port: cluster.Port } }
      : {}),
    ...(clusterParameterGroup ? { clusterParameterGroup } : {}),
    optionGroups,
    ...(caCertificateIdentifier ? { caCertificateIdentifier } : {}),
    ...(cluster.CertificateDetails?.ValidTill
      ? { certificateValidTill: cluster.CertificateDetails.ValidTill }
      : {}),
    ...accessFields(cluster),
    // Custom endpoints are listed per region and attached by collect.ts.
    clusterEndpoints: {
      ...(cluster.ReaderEndpoint ? { reader: cluster.ReaderEndpoint } : {}),
      custom: [],
    },
    ...(clusterMembers.length > 0 ? { clusterMembers } : {}),
  };
}

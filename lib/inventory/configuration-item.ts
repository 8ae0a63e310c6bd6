/**
 * DatabaseResource from an AWS Config configuration item.
 *
 * Config writes the RDS object under `configuration` with lower camel case
 * keys of the API names (`dBInstanceIdentifier`, `dbiResourceId`,
 * `cACertificateIdentifier`, …); older items spell them all lower case after
 * the first word (`dbclusterParameterGroup`, `iamdatabaseAuthenticationEnabled`,
 * as in the AWS Config RDK's example cluster item), and hand-made events copy
 * the API's PascalCase. Keys are therefore matched case-insensitively:
 * `dBInstanceIdentifier`, `dbinstanceIdentifier` and `DBInstanceIdentifier`
 * all read the same field.
 */
import type { CodedError } from '../errors.js';
import { clipServerText } from '../text.js';
import type {
  ClusterMember,
  DatabaseResource,
  OptionGroupMembership,
  ResourceType,
} from '../types.js';
import {
  accountIdFromArn,
  boundedClusterMembers,
  type ClusterMemberRecord,
  clusterGroupStatus,
  pendingTlsChanges,
} from './mappers.js';

export const CONFIGURATION_ITEM_ERROR_CODES = [
  /** The item lacks what every resource needs: resource id, region, configuration, identifier, engine or engine version. */
  'CONFIGURATION_ITEM_INCOMPLETE',
  /** The item is not an AWS::RDS::DBInstance or AWS::RDS::DBCluster. */
  'CONFIGURATION_ITEM_UNSUPPORTED_TYPE',
] as const;
export type ConfigurationItemErrorCode = (typeof CONFIGURATION_ITEM_ERROR_CODES)[number];

export type ConfigurationItemResult =
  | { ok: true; resource: DatabaseResource }
  | { ok: false; error: CodedError<ConfigurationItemErrorCode> };

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a key whatever its capitalisation. */
function field(record: JsonRecord | undefined, name: string): unknown {
  if (!record) return undefined;
  if (name in record) return record[name];
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function text(record: JsonRecord | undefined, name: string): string | undefined {
  const value = field(record, name);
  if (typeof value === 'string' && value.length > 0) return value;
  return undefined;
}

function integer(record: JsonRecord | undefined, name: string): number | undefined {
  const value = field(record, name);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function flag(record: JsonRecord | undefined, name: string): boolean | undefined {
  const value = field(record, name);
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function records(record: JsonRecord | undefined, name: string): JsonRecord[] {
  const value = field(record, name);
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function nested(record: JsonRecord | undefined, name: string): JsonRecord | undefined {
  const value = field(record, name);
  return isRecord(value) ? value : undefined;
}

function date(record: JsonRecord | undefined, name: string): Date | undefined {
  const value = field(record, name);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string' || typeof value === 'number') {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  }
  return undefined;
}

/** Tags from the item's `tags` map and the configuration's `tagList`; the map wins on conflict. */
function tagsOf(item: JsonRecord, configuration: JsonRecord): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of records(configuration, 'tagList')) {
    const key = text(tag, 'key');
    if (key) tags[key] = typeof field(tag, 'value') === 'string' ? String(field(tag, 'value')) : '';
  }
  const map = field(item, 'tags');
  if (isRecord(map)) {
    for (const [key, value] of Object.entries(map)) {
      if (typeof value === 'string') tags[key] = value;
    }
  }
  return tags;
}

function incomplete(subject: string, missing: string[]): ConfigurationItemResult {
  return {
    ok: false,
    error: {
      code: 'CONFIGURATION_ITEM_INCOMPLETE',
      message: `configuration item ${subject} lacks ${missing.join(', ')}`,
    },
  };
}

export function resourceFromConfigurationItem(item: unknown): ConfigurationItemResult {
  if (!isRecord(item)) return incomplete('(not an object)', ['every field']);
  const resourceType = text(item, 'resourceType');
  if (resourceType !== 'AWS::RDS::DBInstance' && resourceType !== 'AWS::RDS::DBCluster') {
    return {
      ok: false,
      error: {
        code: 'CONFIGURATION_ITEM_UNSUPPORTED_TYPE',
        message: `configuration item type ${resourceType ?? '(none)'} is not an RDS instance or cluster`,
      },
    };
  }
  const type: ResourceType = resourceType;
  const isInstance = type === 'AWS::RDS::DBInstance';
  const configuration = nested(item, 'configuration');
  const resourceId =
    text(item, 'resourceId') ??
    text(configuration, isInstance ? 'dbiResourceId' : 'dbClusterResourceId');
  const subject = `${type} ${resourceId ?? '(no resourceId)'}`;
  const region = text(item, 'awsRegion');
  const identifier =
    text(configuration, isInstance ? 'dBInstanceIdentifier' : 'dBClusterIdentifier') ??
    text(item, 'resourceName');
  const engine = text(configuration, 'engine');
  const engineVersion = text(configuration, 'engineVersion');

  const missing = [
    ...(resourceId ? [] : ['resourceId']),
    ...(region ? [] : ['awsRegion']),
    ...(configuration ? [] : ['configuration']),
    ...(configuration && !identifier ? ['identifier'] : []),
    ...(configuration && !engine ? ['engine'] : []),
    ...(configuration && !engineVersion ? ['engineVersion'] : []),
  ];
  if (
    missing.length > 0 ||
    !resourceId ||
    !region ||
    !configuration ||
    !identifier ||
    !engine ||
    !engineVersion
  ) {
    return incomplete(subject, missing);
  }

  const arn =
    text(item, 'ARN') ?? text(configuration, isInstance ? 'dBInstanceArn' : 'dBClusterArn');
  const accountId = text(item, 'awsAccountId') ?? accountIdFromArn(arn);
  const endpoint = endpointOf(configuration, isInstance);
  const certificateDetails = nested(configuration, 'certificateDetails');
  const caCertificateIdentifier =
    text(configuration, 'caCertificateIdentifier') ?? text(certificateDetails, 'cAIdentifier');
  const certificateValidTill = date(certificateDetails, 'validTill');
  const masterUserSecretArn = text(nested(configuration, 'masterUserSecret'), 'secretArn');
  const masterUsername = text(configuration, 'masterUsername');
  const status = text(configuration, isInstance ? 'dBInstanceStatus' : 'status');
  const publiclyAccessible = flag(configuration, 'publiclyAccessible');
  const clusterIdentifier = isInstance ? text(configuration, 'dBClusterIdentifier') : undefined;
  const vpcSecurityGroupIds = securityGroupIdsOf(configuration);
  const clusterMembers = isInstance ? undefined : listedMembers(configuration);
  const engineMode = isInstance ? undefined : text(configuration, 'engineMode');

  const resource: DatabaseResource = {
    resourceType: type,
    resourceId,
    identifier,
    ...(arn ? { arn } : {}),
    ...(accountId ? { accountId } : {}),
    region,
    engine,
    engineVersion,
    ...(status ? { status } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(clusterIdentifier ? { clusterIdentifier } : {}),
    ...groupMemberships(configuration, isInstance),
    optionGroups: optionGroupsOf(configuration, isInstance),
    ...(caCertificateIdentifier ? { caCertificateIdentifier } : {}),
    ...(certificateValidTill ? { certificateValidTill } : {}),
    ...pendingTlsChanges(
      text(nested(configuration, 'pendingModifiedValues'), 'cACertificateIdentifier'),
      text(nested(configuration, 'pendingModifiedValues'), 'engineVersion'),
    ),
    ...(masterUsername ? { masterUsername } : {}),
    ...(masterUserSecretArn ? { masterUserSecretArn } : {}),
    iamDatabaseAuthenticationEnabled:
      flag(configuration, 'iAMDatabaseAuthenticationEnabled') === true,
    ...(publiclyAccessible !== undefined ? { publiclyAccessible } : {}),
    ...(vpcSecurityGroupIds ? { vpcSecurityGroupIds } : {}),
    tags: tagsOf(item, configuration),
    ...(clusterMembers ? { clusterMembers } : {}),
    ...(engineMode ? { engineMode: clipServerText(engineMode) } : {}),
  };
  return { ok: true, resource };
}

/** An instance's endpoint is an object; a cluster's is a host name beside a separate port. */
function endpointOf(
  configuration: JsonRecord,
  isInstance: boolean,
): { address: string; port: number } | undefined {
  const raw = field(configuration, 'endpoint');
  if (isRecord(raw)) {
    const address = text(raw, 'address');
    const port =
      integer(raw, 'port') ?? integer(configuration, isInstance ? 'dbInstancePort' : 'port');
    return address && port !== undefined ? { address, port } : undefined;
  }
  if (typeof raw === 'string' && raw.length > 0) {
    const port = integer(configuration, 'port');
    return port !== undefined ? { address: raw, port } : undefined;
  }
  return undefined;
}

function groupMemberships(
  configuration: JsonRecord,
  isInstance: boolean,
): Pick<DatabaseResource, 'parameterGroup' | 'clusterParameterGroup'> {
  if (isInstance) {
    const first = records(configuration, 'dBParameterGroups')[0];
    const name = text(first, 'dBParameterGroupName');
    if (!name) return {};
    const applyStatus = text(first, 'parameterApplyStatus');
    return { parameterGroup: { name, ...(applyStatus ? { applyStatus } : {}) } };
  }
  const name = text(configuration, 'dBClusterParameterGroup');
  if (!name) return {};
  const members = records(configuration, 'dBClusterMembers').map((member) => ({
    ...memberOf(member),
    status: text(member, 'dBClusterParameterGroupStatus'),
  }));
  return { clusterParameterGroup: { name, ...clusterGroupStatus(members) } };
}

/**
 * One `dBClusterMembers` entry. Config's items carry the writer flag as
 * `isClusterWriter` and, in the older shape, also as `clusterWriter`.
 */
function memberOf(member: JsonRecord): ClusterMemberRecord {
  return {
    identifier: text(member, 'dBInstanceIdentifier'),
    writer: (flag(member, 'isClusterWriter') ?? flag(member, 'clusterWriter')) === true,
  };
}

/** The cluster's members, writer first; undefined when the item has no `dBClusterMembers` list. */
function listedMembers(configuration: JsonRecord): ClusterMember[] | undefined {
  if (!Array.isArray(field(configuration, 'dBClusterMembers'))) return undefined;
  return boundedClusterMembers(records(configuration, 'dBClusterMembers').map(memberOf));
}

function optionGroupsOf(configuration: JsonRecord, isInstance: boolean): OptionGroupMembership[] {
  const list = records(
    configuration,
    isInstance ? 'optionGroupMemberships' : 'dBClusterOptionGroupMemberships',
  );
  return list.flatMap((membership) => {
    const name = text(membership, isInstance ? 'optionGroupName' : 'dBClusterOptionGroupName');
    if (!name) return [];
    const status = text(membership, 'status');
    return [{ name, ...(status ? { status } : {}) }];
  });
}

/** `vpcSecurityGroups[].vpcSecurityGroupId`; absent when the item has no such list. */
function securityGroupIdsOf(configuration: JsonRecord): string[] | undefined {
  if (!Array.isArray(field(configuration, 'vpcSecurityGroups'))) return undefined;
  const ids = records(configuration, 'vpcSecurityGroups').flatMap((membership) => {
    const id = text(membership, 'vpcSecurityGroupId');
    return id ? [id] : [];
  });
  return [...new Set(ids)];
}

/**
 * The VPC security groups of the scanned databases, from EC2
 * DescribeSecurityGroups: the evidence for who can reach a listener.
 *
 * Call budget: the groups of every database in a region are read together,
 * deduplicated, 100 ids per request (paged, MaxResults 1000), once per scan,
 * never once per database. The ids go in a `group-id` filter rather than
 * GroupIds: GroupIds fails the whole request with InvalidGroup.NotFound when
 * one listed group is gone, where a filter returns the groups that exist and
 * the missing ones can be named on their own.
 *
 * A read that fails becomes one ScanProblem and an `unread` entry on every
 * database that uses the groups; nothing here throws for an AWS error.
 */
import type { EC2Client, IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import type { LimitFunction } from 'p-limit';
import { errorName } from '../errors.js';
import type {
  DatabaseResource,
  IngressPermission,
  ScanProblem,
  SecurityGroupReading,
  SecurityGroupSettings,
} from '../types.js';
import { classifyReadFailure } from './errors.js';
import { readAllPages } from './pagination.js';

/** Ids per request: well inside EC2's limit on values per filter. */
export const SECURITY_GROUP_IDS_PER_REQUEST = 100;
/** EC2 accepts 5 to 1000. */
const PAGE_SIZE = 1000;

/** The IAM action a scanner role needs for this read, named in findings when it is missing. */
export const DESCRIBE_SECURITY_GROUPS_ACTION = 'ec2:DescribeSecurityGroups';

interface RegionGroups {
  groups: Map<string, SecurityGroupSettings>;
  failure?: { cause: string; accessDenied: boolean };
}

/**
 * The EC2 client for a region. A promise lets the SDK's EC2 client load on
 * the first security-group read rather than at a function's initialisation.
 */
export type Ec2ClientFor = (region: string) => EC2Client | Promise<EC2Client>;

export interface SecurityGroupReads {
  /** The reading for one database (undefined when it names no groups to read). */
  forResource(resource: DatabaseResource): Promise<SecurityGroupReading | undefined>;
}

/**
 * Starts reading every group the resources use, one sweep per region, and
 * returns at once; each database awaits only its own region's sweep.
 */
export function readSecurityGroups(
  resources: readonly DatabaseResource[],
  options: {
    clientFor: Ec2ClientFor;
    limit: LimitFunction;
    problems: ScanProblem[];
  },
): SecurityGroupReads {
  const idsByRegion = new Map<string, Set<string>>();
  for (const resource of resources) {
    const ids = idsByRegion.get(resource.region) ?? new Set<string>();
    for (const id of resource.vpcSecurityGroupIds ?? []) ids.add(id);
    idsByRegion.set(resource.region, ids);
  }
  const sweeps = new Map<string, Promise<RegionGroups>>();
  for (const [region, ids] of idsByRegion) {
    if (ids.size === 0) continue;
    sweeps.set(region, readRegion(region, [...ids].sort(), options));
  }

  return {
    async forResource(resource) {
      const ids = resource.vpcSecurityGroupIds;
      if (ids === undefined) return undefined;
      if (ids.length === 0) {
        return {
          groups: [],
          unread: {
            groupIds: [],
            cause: 'the database lists no VPC security groups',
            accessDenied: false,
          },
        };
      }
      const sweep = sweeps.get(resource.region);
      if (!sweep) return undefined;
      const region = await sweep;
      return readingFor(ids, region);
    },
  };
}

function readingFor(ids: readonly string[], region: RegionGroups): SecurityGroupReading {
  const groups = ids.flatMap((id) => {
    const group = region.groups.get(id);
    return group ? [group] : [];
  });
  const missing = ids.filter((id) => !region.groups.has(id));
  if (missing.length === 0) return { groups };
  return {
    groups,
    unread: {
      groupIds: missing,
      cause: region.failure?.cause ?? 'not listed by DescribeSecurityGroups',
      accessDenied: region.failure?.accessDenied ?? false,
    },
  };
}

async function readRegion(
  region: string,
  ids: string[],
  options: {
    clientFor: Ec2ClientFor;
    limit: LimitFunction;
    problems: ScanProblem[];
  },
): Promise<RegionGroups> {
  const groups = new Map<string, SecurityGroupSettings>();
  let failure: RegionGroups['failure'];
  for (let start = 0; start < ids.length; start += SECURITY_GROUP_IDS_PER_REQUEST) {
    const batch = ids.slice(start, start + SECURITY_GROUP_IDS_PER_REQUEST);
    const scope = `security-groups:${region}`;
    const operation = `DescribeSecurityGroups for ${batch.length} groups in ${region}`;
    try {
      const client = await options.clientFor(region);
      const { DescribeSecurityGroupsCommand } = await import('../aws/ec2.js');
      const result = await readAllPages<SecurityGroup>(async (token) => {
        const page = await options.limit(() =>
          client.send(
            new DescribeSecurityGroupsCommand({
              Filters: [{ Name: 'group-id', Values: batch }],
              MaxResults: PAGE_SIZE,
              NextToken: token,
            }),
          ),
        );
        return { items: page.SecurityGroups, marker: page.NextToken };
      });
      if (result.repeatedMarker !== undefined) {
        // A page never read may hold a rule that opens the port: no partial answer.
        options.problems.push({
          scope,
          code: 'PAGINATION_LOOP',
          message: `${operation} repeated a pagination token after ${result.pages} pages; listing stopped`,
        });
        failure = { cause: 'pagination token repeated', accessDenied: false };
        continue;
      }
      for (const group of result.items) {
        const settings = securityGroupSettings(group);
        if (settings && batch.includes(settings.groupId)) groups.set(settings.groupId, settings);
      }
    } catch (error) {
      const code = classifyReadFailure(error);
      options.problems.push({
        scope,
        code,
        message: `${operation} failed: ${errorName(error)}`,
      });
      failure = { cause: errorName(error), accessDenied: code === 'ACCESS_DENIED' };
    }
  }
  const missing = ids.filter((id) => !groups.has(id));
  if (missing.length > 0 && !failure) {
    options.problems.push({
      scope: `security-groups:${region}`,
      code: 'NOT_FOUND',
      message: `DescribeSecurityGroups did not list ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} in ${region}`,
    });
  }
  return { groups, ...(failure ? { failure } : {}) };
}

/** Pure: EC2's SecurityGroup → the inbound rules, one entry per source. */
export function securityGroupSettings(group: SecurityGroup): SecurityGroupSettings | undefined {
  if (!group.GroupId) return undefined;
  return {
    groupId: group.GroupId,
    ...(group.GroupName ? { groupName: group.GroupName } : {}),
    ...(group.VpcId ? { vpcId: group.VpcId } : {}),
    ingress: (group.IpPermissions ?? []).flatMap(ingressPermissions),
  };
}

function ingressPermissions(permission: IpPermission): IngressPermission[] {
  const protocol = permission.IpProtocol;
  if (protocol === undefined || protocol === '') return [];
  const base = {
    protocol: protocol.toLowerCase(),
    ...(permission.FromPort !== undefined ? { fromPort: permission.FromPort } : {}),
    ...(permission.ToPort !== undefined ? { toPort: permission.ToPort } : {}),
  };
  const sources: IngressPermission['source'][] = [
    ...(permission.IpRanges ?? []).flatMap((range) =>
      range.CidrIp ? [{ kind: 'ipv4' as const, cidr: range.CidrIp }] : [],
    ),
    ...(permission.Ipv6Ranges ?? []).flatMap((range) =>
      range.CidrIpv6 ? [{ kind: 'ipv6' as const, cidr: range.CidrIpv6 }] : [],
    ),
    ...(permission.PrefixListIds ?? []).flatMap((entry) =>
      entry.PrefixListId
        ? [{ kind: 'prefix-list' as const, prefixListId: entry.PrefixListId }]
        : [],
    ),
    ...(permission.UserIdGroupPairs ?? []).flatMap((pair) =>
      pair.GroupId
        ? [
            {
              kind: 'security-group' as const,
              groupId: pair.GroupId,
              ...(pair.UserId ? { userId: pair.UserId } : {}),
            },
          ]
        : [],
    ),
  ];
  return sources.map((source) => ({ ...base, source }));
}

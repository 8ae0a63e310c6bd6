/**
 * Which inbound security-group rules admit a TCP port, and the exact AWS CLI
 * commands that close them. Pure: the rules read what DescribeSecurityGroups
 * said, nothing here performs I/O.
 *
 * Every rule shape counts: IPv4 and IPv6 CIDRs, prefix lists, referenced
 * security groups, "all traffic" rules (IpProtocol -1) and port ranges.
 */
import { shellWord } from '../text.js';
import type {
  DatabaseResource,
  IngressPermission,
  IngressSource,
  SecurityGroupReading,
  SecurityGroupSettings,
} from '../types.js';
import type { CheckResult } from './check.js';

/** One inbound rule source that admits the port. */
export interface PortExposure {
  group: SecurityGroupSettings;
  permission: IngressPermission;
}

const ALL_TRAFFIC = new Set(['-1', 'all']);
const TCP = new Set(['tcp', '6']);

/** True when the rule lets TCP connections to `port` through. */
export function admitsTcpPort(permission: IngressPermission, port: number): boolean {
  const protocol = permission.protocol.trim().toLowerCase();
  if (ALL_TRAFFIC.has(protocol)) return true;
  if (!TCP.has(protocol)) return false;
  // A TCP rule always carries its range; one without is read as every port rather than none.
  const from = permission.fromPort ?? 0;
  const to = permission.toPort ?? 65535;
  return from <= port && port <= to;
}

/** A CIDR whose prefix length is 0: 0.0.0.0/0, ::/0 (or any address written with /0). */
export function isFromAnywhere(source: IngressSource): boolean {
  if (source.kind !== 'ipv4' && source.kind !== 'ipv6') return false;
  const prefix = source.cidr.trim().split('/')[1];
  return prefix !== undefined && Number(prefix) === 0 && prefix.trim() !== '';
}

export function portExposures(
  groups: readonly SecurityGroupSettings[],
  port: number,
): PortExposure[] {
  return groups.flatMap((group) =>
    group.ingress
      .filter((permission) => admitsTcpPort(permission, port))
      .map((permission) => ({ group, permission })),
  );
}

export function describeSource(source: IngressSource): string {
  switch (source.kind) {
    case 'ipv4':
    case 'ipv6':
      return source.cidr;
    case 'prefix-list':
      return `prefix list ${source.prefixListId}`;
    case 'security-group':
      return `security group ${source.userId ? `${source.userId}/` : ''}${source.groupId}`;
  }
}

export function describePorts(permission: IngressPermission): string {
  const protocol = permission.protocol.trim().toLowerCase();
  if (ALL_TRAFFIC.has(protocol)) return 'all traffic';
  const from = permission.fromPort;
  const to = permission.toPort;
  const name = TCP.has(protocol) ? 'tcp' : protocol;
  if (from === undefined && to === undefined) return `${name} all ports`;
  return from === to ? `${name} ${from}` : `${name} ${from ?? 0}-${to ?? 65535}`;
}

/** `sg-0abc tcp 1521 from 0.0.0.0/0` */
export function describeExposure(exposure: PortExposure): string {
  return `${exposure.group.groupId} ${describePorts(exposure.permission)} from ${describeSource(exposure.permission.source)}`;
}

function sourceJson(source: IngressSource): Record<string, unknown> {
  switch (source.kind) {
    case 'ipv4':
      return { IpRanges: [{ CidrIp: shellWord(source.cidr, '<cidr>') }] };
    case 'ipv6':
      return { Ipv6Ranges: [{ CidrIpv6: shellWord(source.cidr, '<cidr>') }] };
    case 'prefix-list':
      return {
        PrefixListIds: [{ PrefixListId: shellWord(source.prefixListId, '<prefix-list-id>') }],
      };
    case 'security-group':
      return {
        UserIdGroupPairs: [
          {
            GroupId: shellWord(source.groupId, '<group-id>'),
            ...(source.userId ? { UserId: shellWord(source.userId, '<account-id>') } : {}),
          },
        ],
      };
  }
}

function ipPermissionJson(
  protocol: string,
  fromPort: number | undefined,
  toPort: number | undefined,
  source: IngressSource,
): string {
  return JSON.stringify([
    {
      IpProtocol: shellWord(protocol, '<protocol>'),
      ...(fromPort !== undefined ? { FromPort: fromPort } : {}),
      ...(toPort !== undefined ? { ToPort: toPort } : {}),
      ...sourceJson(source),
    },
  ]);
}

/**
 * The command that removes exactly this rule source. EC2 matches on protocol,
 * ports and source, so they are given as read.
 */
export function revokeCommand(exposure: PortExposure, region: string): string {
  const { permission } = exposure;
  return (
    `aws ec2 revoke-security-group-ingress --region ${shellWord(region, '<region>')} ` +
    `--group-id ${shellWord(exposure.group.groupId, '<group-id>')} --ip-permissions ` +
    `'${ipPermissionJson(permission.protocol, permission.fromPort, permission.toPort, permission.source)}'`
  );
}

/** The command that admits the same source to one TCP port only (e.g. the TLS port). */
export function authorizeCommand(exposure: PortExposure, port: number, region: string): string {
  return (
    `aws ec2 authorize-security-group-ingress --region ${shellWord(region, '<region>')} ` +
    `--group-id ${shellWord(exposure.group.groupId, '<group-id>')} --ip-permissions ` +
    `'${ipPermissionJson('tcp', port, port, exposure.permission.source)}'`
  );
}

/** Evidence lines for exposures, at most `limit` of them plus a count of the rest. */
export function exposureEvidence(
  exposures: readonly PortExposure[],
  limit = 5,
): CheckResult['evidence'] {
  const shown = exposures.slice(0, limit).map((exposure) => ({
    source: 'security-group' as const,
    label: `${exposure.group.groupId}${exposure.group.groupName ? ` (${exposure.group.groupName})` : ''} inbound`,
    value: `${describePorts(exposure.permission)} from ${describeSource(exposure.permission.source)}`,
  }));
  if (exposures.length > limit) {
    shown.push({
      source: 'security-group',
      label: 'more inbound rules',
      value: `${exposures.length - limit} more admit the port`,
    });
  }
  return shown;
}

/**
 * For every engine: a database whose port is open to any address gets a note
 * (an evidence-only check) in the report. It changes no verdict: TLS
 * enforcement is the rule, network exposure is context for the reader.
 */
export function networkExposureNote(
  resource: DatabaseResource,
  reading: SecurityGroupReading | undefined,
): CheckResult | undefined {
  const port = resource.endpoint?.port;
  if (port === undefined || !reading) return undefined;
  const open = portExposures(reading.groups, port).filter((exposure) =>
    isFromAnywhere(exposure.permission.source),
  );
  const first = open[0];
  if (!first) return undefined;
  return {
    verdict: 'COMPLIANT',
    reason: 'TLS_ENFORCED',
    // Short: it trails the TLS summary in a 256-character annotation; the evidence has the rest.
    summary: `note: port ${port} open to ${describeSource(first.permission.source)} in ${first.group.groupId}`,
    remediation: `Network note (no verdict change): port ${port} admits any address. To narrow it: ${revokeCommand(first, resource.region)}`,
    evidence: exposureEvidence(open),
  };
}

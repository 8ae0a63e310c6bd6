/**
 * Oracle's plaintext listener. The SSL option adds a TLS listener on its own
 * port; the plaintext listener on the instance's endpoint port stays open,
 * and only the security groups decide who reaches it. "Accepts only TLS"
 * therefore holds only when no inbound rule admits that port.
 *
 * Two kinds of evidence, combined here:
 * - the security-group reading: which inbound rules admit the port, from
 *   where (decides every case it can see);
 * - a live TCP connect from where the probe runs: an accepted connection
 *   proves the listener reachable whatever the reading says; a refused or
 *   timed-out one only speaks for the probe's own network.
 *
 * Any source admitted counts against "TLS only", not just 0.0.0.0/0: a
 * client in an allowed security group or private range can still connect in
 * plaintext. Open to anywhere has its own reason so dashboards can rank it.
 */
import type { Evidence, ListenerReachability, StaticRuleInput } from '../types.js';
import type { CheckResult } from './check.js';
import {
  authorizeCommand,
  describeExposure,
  exposureEvidence,
  isFromAnywhere,
  type PortExposure,
  portExposures,
  revokeCommand,
} from './security-groups.js';

const SECURITY_GROUPS_PERMISSION = 'ec2:DescribeSecurityGroups';
/** Remediation lists at most this many commands; the evidence names the rest. */
const MAX_COMMANDS = 3;

export function evaluatePlaintextListener(input: StaticRuleInput, sslPort: number): CheckResult {
  const { resource } = input;
  const port = resource.endpoint?.port;
  if (port === undefined) {
    return {
      verdict: 'INSUFFICIENT_DATA',
      reason: 'ORACLE_PLAINTEXT_PORT_UNKNOWN',
      summary: `no endpoint port (status ${resource.status ?? 'unknown'}): plaintext listener not assessed`,
      remediation: 'Rescan once the instance has an endpoint.',
      evidence: [],
    };
  }

  const reading = input.securityGroups;
  const live = input.plaintextListener;
  const exposures = reading ? portExposures(reading.groups, port) : [];
  const anywhere = exposures.filter((exposure) => isFromAnywhere(exposure.permission.source));
  const liveOpen = live?.outcome === 'open';
  const evidence: Evidence[] = [...exposureEvidence(anywhere.length > 0 ? anywhere : exposures)];
  if (live) evidence.push(liveEvidence(live));
  const decided = (by: 'security groups' | 'live TCP connect'): Evidence => ({
    source: by === 'security groups' ? 'security-group' : 'probe',
    label: `plaintext listener ${port} decided by`,
    value: by === 'security groups' && liveOpen ? `${by} (confirmed by live TCP connect)` : by,
  });
  const confirmed = liveOpen ? '; a live TCP connect got through' : '';

  if (anywhere.length > 0) {
    return {
      verdict: 'NON_COMPLIANT',
      reason: 'ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE',
      summary: `plaintext listener port ${port} open to anywhere: ${describeExposures(anywhere)}${confirmed}`,
      remediation: closeRemediation(anywhere, port, sslPort, resource.region, false),
      evidence: [...evidence, decided('security groups')],
    };
  }
  if (exposures.length > 0) {
    return {
      verdict: 'NON_COMPLIANT',
      reason: 'ORACLE_PLAINTEXT_LISTENER_REACHABLE',
      summary: `plaintext listener port ${port} reachable from ${describeExposures(exposures)}${confirmed}`,
      remediation: closeRemediation(exposures, port, sslPort, resource.region, true),
      evidence: [...evidence, decided('security groups')],
    };
  }

  const groupIds = resource.vpcSecurityGroupIds ?? [];
  const unread = reading?.unread;
  if (liveOpen) {
    const why =
      !reading || unread ? 'security groups not fully read' : 'no inbound rule read admits it';
    return {
      verdict: 'NON_COMPLIANT',
      reason: 'ORACLE_PLAINTEXT_LISTENER_REACHABLE',
      summary: `plaintext listener port ${port} accepted a TCP connection from the probe (${why})`,
      remediation:
        `Find what admits port ${port} (security groups ${groupIds.join(', ') || 'of the instance'}, ` +
        `peering or a proxy in front of it) and remove it, so clients reach only the SSL port ${sslPort}.`,
      evidence: [...evidence, decided('live TCP connect')],
    };
  }
  if (!reading || unread) {
    const ids = unread ? unread.groupIds : groupIds;
    const cause = unread?.cause ?? 'no read was made';
    const fromProbe =
      live && live.outcome !== 'error' ? `; ${live.outcome} from the probe's network only` : '';
    return {
      verdict: 'INSUFFICIENT_DATA',
      reason: 'SECURITY_GROUPS_UNREADABLE',
      summary: `plaintext listener port ${port}: security groups ${ids.join(', ') || '(none listed)'} not read (${cause}; needs ${SECURITY_GROUPS_PERMISSION})${fromProbe}`,
      remediation: unread?.accessDenied
        ? `Allow the scanner role ${SECURITY_GROUPS_PERMISSION}, then rescan.`
        : `Let the scanner read the security groups (${SECURITY_GROUPS_PERMISSION}; for an offline audit add \`aws ec2 describe-security-groups\` output as describe-security-groups.json to the snapshot), then rescan.`,
      evidence: [
        ...evidence,
        {
          source: 'security-group',
          label: 'security groups',
          value: `${ids.join(', ') || '(none listed)'} not read: ${cause}`,
        },
      ],
    };
  }
  return {
    verdict: 'COMPLIANT',
    reason: 'TLS_ENFORCED',
    summary: `no inbound rule in ${reading.groups.map((group) => group.groupId).join(', ')} admits plaintext port ${port}`,
    remediation: '',
    evidence: [
      ...evidence,
      {
        source: 'security-group',
        label: `plaintext listener ${port}`,
        value: `no inbound rule admits it (${reading.groups.length} groups read)`,
      },
      decided('security groups'),
    ],
  };
}

function describeExposures(exposures: readonly PortExposure[]): string {
  const [first, ...rest] = exposures;
  if (!first) return '';
  return `${describeExposure(first)}${rest.length > 0 ? ` and ${rest.length} more` : ''}`;
}

function liveEvidence(live: ListenerReachability): Evidence {
  const detail =
    live.outcome === 'open'
      ? 'open: connection accepted, closed without sending a byte'
      : `${live.outcome}${live.code ? ` (${live.code})` : ''}`;
  return {
    source: 'probe',
    label: `TCP connect ${live.host}:${live.port}`,
    value: `${detail} in ${live.durationMs} ms`,
  };
}

function closeRemediation(
  exposures: readonly PortExposure[],
  port: number,
  sslPort: number,
  region: string,
  offerTlsPort: boolean,
): string {
  const shown = exposures.slice(0, MAX_COMMANDS);
  const steps = shown.map((exposure) => {
    const { fromPort, toPort } = exposure.permission;
    const covers =
      fromPort === undefined ? 'all traffic' : `ports ${fromPort}-${toPort ?? fromPort}`;
    const wide =
      fromPort !== port || toPort !== port
        ? ` (the rule covers ${covers}: re-admit what else is needed)`
        : '';
    const tls = offerTlsPort ? `; then ${authorizeCommand(exposure, sslPort, region)}` : '';
    return `${revokeCommand(exposure, region)}${wide}${tls}`;
  });
  const more =
    exposures.length > shown.length
      ? ` ${exposures.length - shown.length} more rules admit port ${port}: see the evidence.`
      : '';
  return `Close the plaintext port ${port}, leaving clients the SSL port ${sslPort}: ${steps.join(' ; ')}.${more}`;
}

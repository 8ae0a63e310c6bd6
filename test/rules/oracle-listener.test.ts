/**
 * Oracle's plaintext listener: the security-group reading and the live TCP
 * connect decide whether "TLS only" holds. The inbound rules are written in
 * the shape lib/inventory/security-groups.ts maps DescribeSecurityGroups'
 * IpPermissions to (one entry per source; see test/inventory/security-groups.test.ts
 * for the API shapes themselves).
 */
import { describe, expect, it } from 'vitest';
import { evaluateStatic } from '../../lib/rules/index.js';
import type {
  IngressPermission,
  ListenerReachability,
  SecurityGroupReading,
  SecurityGroupSettings,
} from '../../lib/types.js';
import { instanceInput, optionGroup, oracleInput, sslOption } from './builders.js';

const DB_SG = 'sg-0db1a2b3c4d5e6f70';
const TLS_GROUP = optionGroup('ora-tls', [sslOption('1.2')]);

function group(ingress: IngressPermission[], groupId = DB_SG): SecurityGroupSettings {
  return { groupId, groupName: 'oracle-db', vpcId: 'vpc-0a1b2c3d4e5f60718', ingress };
}

function read(...groups: SecurityGroupSettings[]): SecurityGroupReading {
  return { groups };
}

function tcp(from: number, to: number, source: IngressPermission['source']): IngressPermission {
  return { protocol: 'tcp', fromPort: from, toPort: to, source };
}

function live(outcome: ListenerReachability['outcome'], code?: string): ListenerReachability {
  return {
    host: 'ora.c9akciq32.eu-west-1.rds.amazonaws.com',
    port: 1521,
    outcome,
    durationMs: 4,
    ...(code ? { code } : {}),
  };
}

function evaluate(options: Parameters<typeof oracleInput>[1]) {
  return evaluateStatic(oracleInput([TLS_GROUP], options));
}

describe('Oracle plaintext listener: security-group rules', () => {
  it('is NON_COMPLIANT ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE for tcp 1521 from 0.0.0.0/0, naming group and rule', () => {
    const finding = evaluate({
      securityGroups: read(group([tcp(1521, 1521, { kind: 'ipv4', cidr: '0.0.0.0/0' })])),
    });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE');
    expect(finding.annotation).toBe(
      `plaintext listener port 1521 open to anywhere: ${DB_SG} tcp 1521 from 0.0.0.0/0`,
    );
    expect(finding.remediation).toContain(
      `aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id ${DB_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":1521,"ToPort":1521,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`,
    );
    expect(finding.evidence).toContainEqual({
      source: 'security-group',
      label: `${DB_SG} (oracle-db) inbound`,
      value: 'tcp 1521 from 0.0.0.0/0',
    });
    expect(finding.evidence).toContainEqual({
      source: 'security-group',
      label: 'plaintext listener 1521 decided by',
      value: 'security groups',
    });
  });

  it('treats an IPv6 ::/0 rule as open to anywhere', () => {
    const finding = evaluate({
      securityGroups: read(group([tcp(1521, 1521, { kind: 'ipv6', cidr: '::/0' })])),
    });
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE');
    expect(finding.remediation).toContain(
      `--ip-permissions '[{"IpProtocol":"tcp","FromPort":1521,"ToPort":1521,"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'`,
    );
  });

  it('counts an "all traffic" rule (IpProtocol -1) and revokes it without ports', () => {
    const finding = evaluate({
      securityGroups: read(
        group([{ protocol: '-1', source: { kind: 'ipv4', cidr: '0.0.0.0/0' } }]),
      ),
    });
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE');
    expect(finding.annotation).toContain(`${DB_SG} all traffic from 0.0.0.0/0`);
    expect(finding.remediation).toContain(
      `--group-id ${DB_SG} --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' (the rule covers all traffic: re-admit what else is needed)`,
    );
  });

  it('counts a port range that contains the listener port, from a private CIDR, as reachable', () => {
    const finding = evaluate({
      securityGroups: read(group([tcp(1500, 1600, { kind: 'ipv4', cidr: '10.20.0.0/16' })])),
    });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_LISTENER_REACHABLE');
    expect(finding.annotation).toBe(
      `plaintext listener port 1521 reachable from ${DB_SG} tcp 1500-1600 from 10.20.0.0/16`,
    );
    expect(finding.remediation).toContain(
      `--ip-permissions '[{"IpProtocol":"tcp","FromPort":1500,"ToPort":1600,"IpRanges":[{"CidrIp":"10.20.0.0/16"}]}]' (the rule covers ports 1500-1600: re-admit what else is needed)`,
    );
    expect(finding.remediation).toContain(
      `then aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id ${DB_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":2484,"ToPort":2484,"IpRanges":[{"CidrIp":"10.20.0.0/16"}]}]'`,
    );
  });

  it('counts a referenced security group as a source that reaches the listener', () => {
    const finding = evaluate({
      securityGroups: read(
        group([
          tcp(1521, 1521, {
            kind: 'security-group',
            groupId: 'sg-0app5e6f7a8b9c0d1',
            userId: '123456789012',
          }),
        ]),
      ),
    });
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_LISTENER_REACHABLE');
    expect(finding.annotation).toContain(
      'tcp 1521 from security group 123456789012/sg-0app5e6f7a8b9c0d1',
    );
    expect(finding.remediation).toContain(
      `"UserIdGroupPairs":[{"GroupId":"sg-0app5e6f7a8b9c0d1","UserId":"123456789012"}]`,
    );
  });

  it('counts a prefix list as a source that reaches the listener', () => {
    const finding = evaluate({
      securityGroups: read(
        group([tcp(1521, 1521, { kind: 'prefix-list', prefixListId: 'pl-0a1b2c3d' })]),
      ),
    });
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_LISTENER_REACHABLE');
    expect(finding.remediation).toContain(`"PrefixListIds":[{"PrefixListId":"pl-0a1b2c3d"}]`);
  });

  it('ranks open-to-anywhere first when several groups admit the port', () => {
    const finding = evaluate({
      vpcSecurityGroupIds: [DB_SG, 'sg-0b2'],
      securityGroups: read(
        group([tcp(1521, 1521, { kind: 'ipv4', cidr: '10.0.0.0/8' })]),
        group([tcp(1521, 1521, { kind: 'ipv4', cidr: '0.0.0.0/0' })], 'sg-0b2'),
      ),
    });
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE');
    expect(finding.annotation).toContain('sg-0b2 tcp 1521 from 0.0.0.0/0');
  });

  it('is COMPLIANT when rules admit only other ports and other protocols', () => {
    const finding = evaluate({
      securityGroups: read(
        group([
          tcp(2484, 2484, { kind: 'ipv4', cidr: '0.0.0.0/0' }),
          tcp(1522, 1600, { kind: 'ipv4', cidr: '10.0.0.0/8' }),
          {
            protocol: 'udp',
            fromPort: 1521,
            toPort: 1521,
            source: { kind: 'ipv4', cidr: '0.0.0.0/0' },
          },
        ]),
      ),
    });
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.annotation).toContain(`no inbound rule in ${DB_SG} admits plaintext port 1521`);
  });

  it('is INSUFFICIENT_DATA naming ec2:DescribeSecurityGroups when the read was denied', () => {
    const finding = evaluate({
      securityGroups: {
        groups: [],
        unread: { groupIds: [DB_SG], cause: 'UnauthorizedOperation', accessDenied: true },
      },
    });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('SECURITY_GROUPS_UNREADABLE');
    expect(finding.annotation).toBe(
      `plaintext listener port 1521: security groups ${DB_SG} not read (UnauthorizedOperation; needs ec2:DescribeSecurityGroups)`,
    );
    expect(finding.remediation).toBe(
      'Allow the scanner role ec2:DescribeSecurityGroups, then rescan.',
    );
  });

  it('stays INSUFFICIENT_DATA when one group was read clean and another was not', () => {
    const finding = evaluate({
      vpcSecurityGroupIds: [DB_SG, 'sg-0gone'],
      securityGroups: {
        groups: [group([])],
        unread: {
          groupIds: ['sg-0gone'],
          cause: 'not listed by DescribeSecurityGroups',
          accessDenied: false,
        },
      },
    });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.annotation).toContain('security groups sg-0gone not read');
  });

  it('is NON_COMPLIANT when a group that was read opens the port, even if another was not read', () => {
    const finding = evaluate({
      vpcSecurityGroupIds: [DB_SG, 'sg-0gone'],
      securityGroups: {
        groups: [group([tcp(1521, 1521, { kind: 'ipv4', cidr: '0.0.0.0/0' })])],
        unread: { groupIds: ['sg-0gone'], cause: 'UnauthorizedOperation', accessDenied: true },
      },
    });
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE');
  });

  it('reports the plaintext port as unknown without an endpoint', () => {
    const input = oracleInput([TLS_GROUP], { securityGroups: read(group([])) });
    const { endpoint: _gone, ...resource } = input.resource;
    const finding = evaluateStatic({ ...input, resource: { ...resource, status: 'creating' } });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_PORT_UNKNOWN');
  });

  it('puts a placeholder, not API text, into the command for an id that is not shell-safe', () => {
    const finding = evaluate({
      securityGroups: read(
        group([tcp(1521, 1521, { kind: 'ipv4', cidr: "0.0.0.0/0'; rm -rf ~" })], "sg-1'$(id)"),
      ),
    });
    expect(finding.remediation).toContain(
      `--group-id <group-id> --ip-permissions '[{"IpProtocol":"tcp","FromPort":1521,"ToPort":1521,"IpRanges":[{"CidrIp":"<cidr>"}]}]'`,
    );
    expect(finding.remediation).not.toContain('rm -rf');
  });
});

describe('Oracle plaintext listener: live TCP connect', () => {
  it('an accepted connection makes it NON_COMPLIANT even when no rule read admits the port', () => {
    const finding = evaluate({ securityGroups: read(group([])), plaintextListener: live('open') });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_LISTENER_REACHABLE');
    expect(finding.annotation).toBe(
      'plaintext listener port 1521 accepted a TCP connection from the probe (no inbound rule read admits it)',
    );
    expect(finding.evidence).toContainEqual({
      source: 'probe',
      label: 'plaintext listener 1521 decided by',
      value: 'live TCP connect',
    });
    expect(finding.evidence).toContainEqual({
      source: 'probe',
      label: 'TCP connect ora.c9akciq32.eu-west-1.rds.amazonaws.com:1521',
      value: 'open: connection accepted, closed without sending a byte in 4 ms',
    });
  });

  it('an accepted connection decides when the security groups could not be read', () => {
    const finding = evaluate({
      securityGroups: {
        groups: [],
        unread: { groupIds: [DB_SG], cause: 'UnauthorizedOperation', accessDenied: true },
      },
      plaintextListener: live('open'),
    });
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.annotation).toContain('(security groups not fully read)');
  });

  it('a refused connection is evidence, while the security groups decide COMPLIANT', () => {
    const finding = evaluate({
      securityGroups: read(group([])),
      plaintextListener: live('refused', 'ECONNREFUSED'),
    });
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.evidence).toContainEqual({
      source: 'probe',
      label: 'TCP connect ora.c9akciq32.eu-west-1.rds.amazonaws.com:1521',
      value: 'refused (ECONNREFUSED) in 4 ms',
    });
    expect(finding.evidence).toContainEqual({
      source: 'security-group',
      label: 'plaintext listener 1521 decided by',
      value: 'security groups',
    });
  });

  it('a timed-out connection does not make unread security groups COMPLIANT', () => {
    const finding = evaluate({ plaintextListener: live('timeout') });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.annotation).toContain("timeout from the probe's network only");
  });

  it('says the live connect confirmed what the security groups decided', () => {
    const finding = evaluate({
      securityGroups: read(group([tcp(1521, 1521, { kind: 'ipv4', cidr: '0.0.0.0/0' })])),
      plaintextListener: live('open'),
    });
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE');
    expect(finding.annotation).toContain('a live TCP connect got through');
    expect(finding.evidence).toContainEqual({
      source: 'security-group',
      label: 'plaintext listener 1521 decided by',
      value: 'security groups (confirmed by live TCP connect)',
    });
  });
});

describe('Oracle native network encryption', () => {
  const nne = (value: string) =>
    optionGroup('ora-nne', [
      {
        name: 'NATIVE_NETWORK_ENCRYPTION',
        settings: {
          'SQLNET.ENCRYPTION_SERVER': value,
          'SQLNET.ENCRYPTION_TYPES_SERVER': 'AES256,AES192',
        },
      },
    ]);
  // The plaintext listener is open: NNE is what encrypts it.
  const openListener = read(group([tcp(1521, 1521, { kind: 'ipv4', cidr: '10.0.0.0/8' })]));

  it('is its own NON_COMPLIANT reason by default: encrypted, but not TLS', () => {
    const finding = evaluateStatic(
      oracleInput([nne('REQUIRED')], { securityGroups: openListener }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('ORACLE_NATIVE_NETWORK_ENCRYPTION');
    expect(finding.annotation).toBe(
      'native network encryption required by option group ora-nne (SQLNET.ENCRYPTION_SERVER=REQUIRED): encrypted, but not TLS',
    );
    expect(finding.remediation).toContain('acceptNativeNetworkEncryption=true');
    expect(finding.remediation).toContain(
      'aws rds remove-option-from-option-group --option-group-name ora-nne --options NATIVE_NETWORK_ENCRYPTION',
    );
  });

  it('is COMPLIANT with the same reason when the rule parameter accepts it', () => {
    const finding = evaluateStatic(
      oracleInput([nne('Required')], {
        securityGroups: openListener,
        rule: { acceptNativeNetworkEncryption: true },
      }),
    );
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.reason).toBe('ORACLE_NATIVE_NETWORK_ENCRYPTION');
    expect(finding.annotation).toContain(
      'accepted by rule parameter acceptNativeNetworkEncryption',
    );
  });

  it('does not count NNE that is only REQUESTED: plaintext still gets through', () => {
    const finding = evaluateStatic(
      oracleInput([nne('REQUESTED')], { rule: { acceptNativeNetworkEncryption: true } }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('ORACLE_SSL_OPTION_MISSING');
  });
});

describe('security groups as evidence for every engine', () => {
  const postgres = (securityGroups: SecurityGroupReading) => ({
    ...instanceInput({
      engine: 'postgres',
      engineVersion: '15.4',
      group: 'pg15-secure',
      parameters: { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' },
    }),
    securityGroups,
  });

  it('notes a port open to 0.0.0.0/0 without changing the verdict', () => {
    const finding = evaluateStatic(
      postgres(read(group([tcp(5432, 5432, { kind: 'ipv4', cidr: '0.0.0.0/0' })]))),
    );
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.reason).toBe('TLS_ENFORCED');
    expect(finding.annotation).toContain(`note: port 5432 open to 0.0.0.0/0 in ${DB_SG}`);
    expect(finding.evidence).toContainEqual({
      source: 'security-group',
      label: `${DB_SG} (oracle-db) inbound`,
      value: 'tcp 5432 from 0.0.0.0/0',
    });
  });

  it('keeps the note in the evidence of a failing database', () => {
    const input = postgres(read(group([tcp(0, 65535, { kind: 'ipv6', cidr: '::/0' })])));
    const failing = {
      ...input,
      parameters: {
        ...(input.parameters as NonNullable<typeof input.parameters>),
        parameters: {
          ...(input.parameters?.parameters ?? {}),
          'rds.force_ssl': {
            name: 'rds.force_ssl',
            value: '0',
            origin: 'parameter-group' as const,
          },
        },
      },
    };
    const finding = evaluateStatic(failing);
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.evidence).toContainEqual({
      source: 'security-group',
      label: `${DB_SG} (oracle-db) inbound`,
      value: 'tcp 0-65535 from ::/0',
    });
  });

  it('adds no note for restricted sources', () => {
    const finding = evaluateStatic(
      postgres(read(group([tcp(5432, 5432, { kind: 'ipv4', cidr: '10.0.0.0/8' })]))),
    );
    expect(finding.annotation).not.toContain('note:');
    expect(finding.evidence.some((entry) => entry.source === 'security-group')).toBe(false);
  });
});

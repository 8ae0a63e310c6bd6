/**
 * DescribeSecurityGroups through aws-sdk-client-mock. Responses follow the
 * documented shape (EC2 API reference, DescribeSecurityGroups; SDK types
 * SecurityGroup, IpPermission, IpRange, Ipv6Range, PrefixListId,
 * UserIdGroupPair): IpProtocol "-1" for all traffic, no ports on such rules,
 * NextToken paging.
 */
import {
  DescribeSecurityGroupsCommand,
  EC2Client,
  EC2ServiceException,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { DBInstance } from '@aws-sdk/client-rds';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectInventory,
  enrichResources,
  resourceFromConfigurationItem,
  resourceFromInstance,
} from '../../lib/inventory/index.js';
import { evaluateStatic } from '../../lib/rules/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { APP_SG, DB_SG, databaseSecurityGroup, ORACLE_TLS_OPTION_GROUP } from './ec2-samples.js';
import { serveAccount } from './rds-mock.js';
import { postgresInstance } from './rds-samples.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const rdsClient = new RDSClient({ region: 'eu-west-1', credentials });
const ec2Client = new EC2Client({ region: 'eu-west-1', credentials });
const rds = mockClient(rdsClient);
const ec2 = mockClient(ec2Client);
const clientFor = () => rdsClient;
const ec2ClientFor = () => ec2Client;

afterEach(() => {
  rds.reset();
  ec2.reset();
});

function oracleInstance(groupIds: string[], overrides: Partial<DBInstance> = {}): DBInstance {
  return postgresInstance({
    DBInstanceIdentifier: 'ledger-ora',
    DbiResourceId: 'db-ORACLEORACLEORACLEORACLE0',
    Engine: 'oracle-ee',
    EngineVersion: '19.0.0.0.ru-2024-01.rur-2024-01.r1',
    Endpoint: { Address: 'ledger-ora.c9akciq32.eu-west-1.rds.amazonaws.com', Port: 1521 },
    DBParameterGroups: [
      { DBParameterGroupName: 'default.oracle-ee-19', ParameterApplyStatus: 'in-sync' },
    ],
    OptionGroupMemberships: [{ OptionGroupName: 'ora-tls', Status: 'in-sync' }],
    VpcSecurityGroups: groupIds.map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
    ...overrides,
  });
}

/** The documented shape: every source kind in one group. */
const DB_GROUP: SecurityGroup = databaseSecurityGroup([
  {
    IpProtocol: 'tcp',
    FromPort: 1521,
    ToPort: 1521,
    IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'legacy clients' }],
    Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    PrefixListIds: [],
    UserIdGroupPairs: [{ GroupId: APP_SG, UserId: '123456789012' }],
  },
  {
    IpProtocol: 'tcp',
    FromPort: 2484,
    ToPort: 2484,
    IpRanges: [],
    Ipv6Ranges: [],
    PrefixListIds: [{ PrefixListId: 'pl-0a1b2c3d', Description: 'corporate' }],
    UserIdGroupPairs: [],
  },
  {
    IpProtocol: '-1',
    IpRanges: [{ CidrIp: '10.0.0.0/8' }],
    Ipv6Ranges: [],
    PrefixListIds: [],
    UserIdGroupPairs: [],
  },
]);

function ec2Error(name: string): EC2ServiceException {
  return new EC2ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: `${name} for the test`,
  });
}

function securityGroupProblems(problems: { scope: string; code: string }[]): string[] {
  return problems
    .filter((problem) => problem.scope.startsWith('security-groups:'))
    .map((problem) => problem.code);
}

function groupIdsAsked(call: number): string[] {
  const input = ec2.commandCalls(DescribeSecurityGroupsCommand)[call]?.args[0].input;
  return input?.Filters?.find((filter) => filter.Name === 'group-id')?.Values ?? [];
}

describe('security groups in the inventory', () => {
  it('reads every database group of a region in one request and maps every source kind', async () => {
    serveAccount(rds, { optionGroups: [ORACLE_TLS_OPTION_GROUP] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [DB_GROUP, { GroupId: APP_SG, IpPermissions: [] }],
    });
    const resources = [
      resourceFromInstance(oracleInstance([DB_SG, APP_SG]), 'eu-west-1'),
      resourceFromInstance(
        postgresInstance({ VpcSecurityGroups: [{ VpcSecurityGroupId: DB_SG, Status: 'active' }] }),
        'eu-west-1',
      ),
    ];

    const inventory = await enrichResources(resources, { clientFor, ec2ClientFor });

    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
    expect(groupIdsAsked(0)).toEqual([APP_SG, DB_SG]);
    expect(inventory.items[0]?.securityGroups?.groups.map((group) => group.groupId)).toEqual([
      DB_SG,
      APP_SG,
    ]);
    expect(inventory.items[0]?.securityGroups?.unread).toBeUndefined();
    expect(inventory.items[1]?.securityGroups?.groups[0]?.ingress).toEqual([
      {
        protocol: 'tcp',
        fromPort: 1521,
        toPort: 1521,
        source: { kind: 'ipv4', cidr: '0.0.0.0/0' },
      },
      { protocol: 'tcp', fromPort: 1521, toPort: 1521, source: { kind: 'ipv6', cidr: '::/0' } },
      {
        protocol: 'tcp',
        fromPort: 1521,
        toPort: 1521,
        source: { kind: 'security-group', groupId: APP_SG, userId: '123456789012' },
      },
      {
        protocol: 'tcp',
        fromPort: 2484,
        toPort: 2484,
        source: { kind: 'prefix-list', prefixListId: 'pl-0a1b2c3d' },
      },
      { protocol: '-1', source: { kind: 'ipv4', cidr: '10.0.0.0/8' } },
    ]);
  });

  it('feeds the Oracle rule: open to anywhere, with the revoke command', async () => {
    serveAccount(rds, { optionGroups: [ORACLE_TLS_OPTION_GROUP] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [DB_GROUP] });
    const inventory = await enrichResources(
      [resourceFromInstance(oracleInstance([DB_SG]), 'eu-west-1')],
      { clientFor, ec2ClientFor },
    );
    const item = inventory.items[0];
    if (!item) throw new Error('no item');

    const finding = evaluateStatic({
      ...item,
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      now: new Date('2026-01-01T00:00:00Z'),
    });

    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE');
    expect(finding.annotation).toContain(`${DB_SG} tcp 1521 from 0.0.0.0/0 and 1 more`);
    expect(finding.remediation).toContain(
      `aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id ${DB_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":1521,"ToPort":1521,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`,
    );
  });

  it('follows NextToken until the last page', async () => {
    serveAccount(rds, {});
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [DB_GROUP], NextToken: 'page-2' })
      .resolvesOnce({ SecurityGroups: [{ GroupId: APP_SG, IpPermissions: [] }] });
    const inventory = await enrichResources(
      [resourceFromInstance(oracleInstance([DB_SG, APP_SG]), 'eu-west-1')],
      { clientFor, ec2ClientFor },
    );
    const calls = ec2.commandCalls(DescribeSecurityGroupsCommand);
    expect(calls.map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(calls[0]?.args[0].input.MaxResults).toBe(1000);
    expect(inventory.items[0]?.securityGroups?.groups).toHaveLength(2);
  });

  it('asks for at most 100 groups per request', async () => {
    serveAccount(rds, {});
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    const ids = Array.from({ length: 150 }, (_, index) => `sg-${String(index).padStart(4, '0')}`);
    const resources = [0, 1, 2].map((n) =>
      resourceFromInstance(
        postgresInstance({
          DBInstanceIdentifier: `db-${n}`,
          DbiResourceId: `db-RESOURCE${n}`,
          VpcSecurityGroups: ids
            .slice(n * 50, n * 50 + 60)
            .map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
        }),
        'eu-west-1',
      ),
    );
    await enrichResources(resources, { clientFor, ec2ClientFor });
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(2);
    expect(groupIdsAsked(0)).toHaveLength(100);
    expect(groupIdsAsked(1)).toHaveLength(50);
  });

  it('turns UnauthorizedOperation into one ACCESS_DENIED problem and an unread reading naming the permission', async () => {
    serveAccount(rds, { optionGroups: [ORACLE_TLS_OPTION_GROUP] });
    ec2.on(DescribeSecurityGroupsCommand).rejects(ec2Error('UnauthorizedOperation'));
    const inventory = await enrichResources(
      [resourceFromInstance(oracleInstance([DB_SG]), 'eu-west-1')],
      { clientFor, ec2ClientFor },
    );
    expect(inventory.problems).toContainEqual({
      scope: 'security-groups:eu-west-1',
      code: 'ACCESS_DENIED',
      message: 'DescribeSecurityGroups for 1 groups in eu-west-1 failed: UnauthorizedOperation',
    });
    const item = inventory.items[0];
    if (!item) throw new Error('no item');
    expect(item.securityGroups?.unread).toEqual({
      groupIds: [DB_SG],
      cause: 'UnauthorizedOperation',
      accessDenied: true,
    });
    const finding = evaluateStatic({
      ...item,
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('SECURITY_GROUPS_UNREADABLE');
    expect(finding.annotation).toContain('needs ec2:DescribeSecurityGroups');
  });

  it('names a group DescribeSecurityGroups did not list, and keeps the ones it did', async () => {
    serveAccount(rds, {});
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [DB_GROUP] });
    const inventory = await enrichResources(
      [resourceFromInstance(oracleInstance([DB_SG, 'sg-0deleted']), 'eu-west-1')],
      { clientFor, ec2ClientFor },
    );
    expect(inventory.items[0]?.securityGroups).toMatchObject({
      groups: [{ groupId: DB_SG }],
      unread: { groupIds: ['sg-0deleted'], cause: 'not listed by DescribeSecurityGroups' },
    });
    expect(securityGroupProblems(inventory.problems)).toEqual(['NOT_FOUND']);
  });

  it('gives no partial answer when the pagination token repeats', async () => {
    serveAccount(rds, {});
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [DB_GROUP], NextToken: 'same' });
    const inventory = await enrichResources(
      [resourceFromInstance(oracleInstance([DB_SG]), 'eu-west-1')],
      { clientFor, ec2ClientFor },
    );
    expect(inventory.items[0]?.securityGroups).toEqual({
      groups: [],
      unread: { groupIds: [DB_SG], cause: 'pagination token repeated', accessDenied: false },
    });
    expect(securityGroupProblems(inventory.problems)).toEqual(['PAGINATION_LOOP']);
  });

  it('reads nothing without an EC2 client', async () => {
    serveAccount(rds, {});
    const inventory = await enrichResources(
      [resourceFromInstance(oracleInstance([DB_SG]), 'eu-west-1')],
      { clientFor },
    );
    expect(inventory.items[0]?.securityGroups).toBeUndefined();
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(0);
  });
});

describe('the EC2 client, loaded on first use', () => {
  it('is asked for while the regions are listed, before any database is found', async () => {
    serveAccount(rds, {});
    const asked: string[] = [];
    const inventory = await collectInventory({
      regions: ['eu-west-1'],
      clientFor,
      ec2ClientFor: async (region) => {
        asked.push(region);
        return ec2Client;
      },
    });
    expect(inventory.items).toEqual([]);
    expect(asked).toEqual(['eu-west-1']);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(0);
  });

  it('that cannot be loaded leaves the groups unread with one problem, and the scan goes on', async () => {
    serveAccount(rds, {
      instances: [oracleInstance([DB_SG])],
      optionGroups: [ORACLE_TLS_OPTION_GROUP],
    });
    const failure = Object.assign(new Error('module not found'), { name: 'ModuleLoadError' });
    const inventory = await collectInventory({
      regions: ['eu-west-1'],
      clientFor,
      ec2ClientFor: () => Promise.reject(failure),
    });
    expect(inventory.problems).toContainEqual({
      scope: 'security-groups:eu-west-1',
      code: 'READ_FAILED',
      message: 'DescribeSecurityGroups for 1 groups in eu-west-1 failed: ModuleLoadError',
    });
    expect(inventory.items.map((item) => item.securityGroups?.unread?.cause)).toEqual([
      'ModuleLoadError',
    ]);
  });
});

describe('security group ids on the resource', () => {
  it('come from DBInstance.VpcSecurityGroups, deduplicated', () => {
    const resource = resourceFromInstance(oracleInstance([DB_SG, APP_SG, DB_SG], {}), 'eu-west-1');
    expect(resource.vpcSecurityGroupIds).toEqual([DB_SG, APP_SG]);
  });

  it('come from a configuration item vpcSecurityGroups list', () => {
    const mapped = resourceFromConfigurationItem({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-ORACLEORACLEORACLEORACLE0',
      awsRegion: 'eu-west-1',
      configuration: {
        dBInstanceIdentifier: 'ledger-ora',
        engine: 'oracle-ee',
        engineVersion: '19.0.0.0.ru-2024-01.rur-2024-01.r1',
        vpcSecurityGroups: [{ vpcSecurityGroupId: DB_SG, status: 'active' }],
      },
    });
    expect(mapped.ok && mapped.resource.vpcSecurityGroupIds).toEqual([DB_SG]);
  });
});

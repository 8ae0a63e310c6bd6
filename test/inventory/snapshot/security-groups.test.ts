/**
 * Offline audits with security groups: describe-security-groups.json beside
 * the RDS output, in the shape `aws ec2 describe-security-groups` prints.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectInventory,
  createSnapshotEc2Client,
  createSnapshotRdsClient,
  loadSnapshotDirectory,
  type RdsSnapshot,
  SnapshotDataNotFound,
  snapshotSecurityGroupGap,
} from '../../../lib/inventory/index.js';
import { scan } from '../../../lib/scan.js';
import { DEFAULT_RULE_PARAMETERS } from '../../../lib/types.js';
import { DB_SG, databaseSecurityGroup, ORACLE_TLS_OPTION_GROUP } from '../ec2-samples.js';

/** `aws ec2 describe-security-groups --group-ids sg-0db1a2b3c4d5e6f70 sg-0other` */
const SECURITY_GROUPS = {
  SecurityGroups: [
    databaseSecurityGroup([
      {
        IpProtocol: 'tcp',
        FromPort: 1521,
        ToPort: 1521,
        IpRanges: [{ CidrIp: '10.20.0.0/16' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]),
    { GroupId: 'sg-0other', GroupName: 'other', IpPermissions: [] },
  ],
};

const ORACLE_SNAPSHOT: RdsSnapshot = {
  instances: {
    DBInstances: [
      {
        DBInstanceIdentifier: 'ledger-ora',
        DbiResourceId: 'db-ORACLEORACLEORACLEORACLE0',
        DBInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:ledger-ora',
        Engine: 'oracle-ee',
        EngineVersion: '19.0.0.0.ru-2024-01.rur-2024-01.r1',
        DBInstanceStatus: 'available',
        Endpoint: { Address: 'ledger-ora.c9akciq32.eu-west-1.rds.amazonaws.com', Port: 1521 },
        OptionGroupMemberships: [{ OptionGroupName: 'ora-tls', Status: 'in-sync' }],
        VpcSecurityGroups: [{ VpcSecurityGroupId: DB_SG, Status: 'active' }],
      },
    ],
  },
  clusters: { DBClusters: [] },
  optionGroups: { OptionGroupsList: [ORACLE_TLS_OPTION_GROUP] },
};

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true })));
});

async function scanSnapshot(snapshot: RdsSnapshot) {
  return scan({
    inventory: () =>
      collectInventory({
        regions: ['eu-west-1'],
        clientFor: (region) => createSnapshotRdsClient(snapshot, region),
        ...(snapshot.securityGroups
          ? { ec2ClientFor: (region: string) => createSnapshotEc2Client(snapshot, region) }
          : {}),
      }),
    ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
  });
}

describe('security groups in a snapshot', () => {
  it('loads describe-security-groups.json from the snapshot folder', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rtg-snapshot-'));
    directories.push(directory);
    await writeFile(
      join(directory, 'describe-db-instances.json'),
      JSON.stringify(ORACLE_SNAPSHOT.instances),
    );
    await writeFile(
      join(directory, 'describe-security-groups.json'),
      JSON.stringify(SECURITY_GROUPS),
    );
    const snapshot = await loadSnapshotDirectory(directory);
    expect(snapshot.securityGroups).toEqual(SECURITY_GROUPS);
  });

  it('answers DescribeSecurityGroups for the asked ids only', async () => {
    const client = await createSnapshotEc2Client({ securityGroups: SECURITY_GROUPS }, 'eu-west-1');
    const response = await client.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [DB_SG] }] }),
    );
    expect(response.SecurityGroups?.map((group) => group.GroupId)).toEqual([DB_SG]);
  });

  it('answers SnapshotDataNotFound without the file', async () => {
    const client = await createSnapshotEc2Client({}, 'eu-west-1');
    await expect(
      client.send(new DescribeSecurityGroupsCommand({ GroupIds: [DB_SG] })),
    ).rejects.toBeInstanceOf(SnapshotDataNotFound);
  });

  it('judges the Oracle plaintext listener from the file', async () => {
    const result = await scanSnapshot({ ...ORACLE_SNAPSHOT, securityGroups: SECURITY_GROUPS });
    expect(result.evaluations[0]?.finding).toMatchObject({
      verdict: 'NON_COMPLIANT',
      reason: 'ORACLE_PLAINTEXT_LISTENER_REACHABLE',
    });
    expect(snapshotSecurityGroupGap(ORACLE_SNAPSHOT, [])).toBeUndefined();
  });

  it('without the file, leaves Oracle INSUFFICIENT_DATA and reports the gap once', async () => {
    const result = await scanSnapshot(ORACLE_SNAPSHOT);
    expect(result.evaluations[0]?.finding).toMatchObject({
      verdict: 'INSUFFICIENT_DATA',
      reason: 'SECURITY_GROUPS_UNREADABLE',
    });
    expect(result.evaluations[0]?.finding.remediation).toContain('describe-security-groups.json');
    const gap = snapshotSecurityGroupGap(
      ORACLE_SNAPSHOT,
      result.evaluations.map((evaluation) => evaluation.resource),
    );
    expect(gap).toMatchObject({ scope: 'snapshot', code: 'SNAPSHOT_SECURITY_GROUPS_MISSING' });
    expect(gap?.message).toContain(
      'the plaintext listener of 1 Oracle database(s) cannot be judged',
    );
  });

  it('reports no gap for a snapshot without Oracle', () => {
    const postgres = { ...ORACLE_SNAPSHOT.instances, Engine: 'postgres' };
    expect(
      snapshotSecurityGroupGap({}, [
        {
          resourceType: 'AWS::RDS::DBInstance',
          resourceId: 'db-X',
          identifier: 'orders',
          region: 'eu-west-1',
          engine: String(postgres.Engine),
          engineVersion: '16.3',
          optionGroups: [],
          iamDatabaseAuthenticationEnabled: false,
          tags: {},
        },
      ]),
    ).toBeUndefined();
  });
});

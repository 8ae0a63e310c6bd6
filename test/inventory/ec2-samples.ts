/**
 * SDK-shaped DescribeSecurityGroups records (EC2 API reference,
 * DescribeSecurityGroups; SDK types SecurityGroup and IpPermission).
 */
import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';

export const DB_SG = 'sg-0db1a2b3c4d5e6f70';
export const APP_SG = 'sg-0app5e6f7a8b9c0d1';

/** The database's own group, as `aws ec2 describe-security-groups` prints it. */
export function databaseSecurityGroup(ipPermissions: IpPermission[]): SecurityGroup {
  return {
    GroupId: DB_SG,
    GroupName: 'ledger-ora-db',
    Description: 'Oracle listener',
    OwnerId: '123456789012',
    VpcId: 'vpc-0a1b2c3d4e5f60718',
    IpPermissions: ipPermissions,
    IpPermissionsEgress: [
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ],
  };
}

/** The Oracle option group these tests pair the groups with (DescribeOptionGroups shape). */
export const ORACLE_TLS_OPTION_GROUP = {
  OptionGroupName: 'ora-tls',
  EngineName: 'oracle-ee',
  MajorEngineVersion: '19',
  Options: [
    {
      OptionName: 'SSL',
      Port: 2484,
      OptionSettings: [{ Name: 'SQLNET.SSL_VERSION', Value: '1.2' }],
    },
  ],
};

/**
 * A synthetic RDS fleet, answered in the shapes the RDS API returns.
 *
 * Everything is a function of an index, so a page of 100 instances or of
 * 100 parameters is built when it is asked for: the mock holds no copy of
 * the fleet, and the memory a scan uses is the scan's own.
 */
import type {
  Certificate,
  DBCluster,
  DBInstance,
  DescribeDBClustersMessage,
  DescribeDBInstancesMessage,
  DescribeDBParametersMessage,
  Parameter,
} from '@aws-sdk/client-rds';
import { serviceError } from '../lib/aws/in-process.js';
import { TLS_PARAMETER_NAMES } from '../lib/rules/parameters.js';

export const REGION = 'eu-west-1';
export const ACCOUNT_ID = '111122223333';

/** RDS's ceiling for MaxRecords on every Describe call the scan makes. */
export const MAX_PAGE = 100;

/** How many parameters a group lists, as a PostgreSQL or MySQL group roughly does. */
export const PARAMETERS_PER_GROUP = 300;

interface Family {
  /** DBParameterGroupFamily. */
  name: string;
  engine: string;
  engineVersion: string;
  port: number;
  aurora: boolean;
}

/** Three standalone families and two Aurora ones; Aurora members use the Aurora instance family. */
const STANDALONE_FAMILIES: Family[] = [
  { name: 'postgres15', engine: 'postgres', engineVersion: '15.8', port: 5432, aurora: false },
  { name: 'mysql8.0', engine: 'mysql', engineVersion: '8.0.39', port: 3306, aurora: false },
  { name: 'mariadb10.11', engine: 'mariadb', engineVersion: '10.11.9', port: 3306, aurora: false },
];
const AURORA_FAMILIES: Family[] = [
  {
    name: 'aurora-postgresql15',
    engine: 'aurora-postgresql',
    engineVersion: '15.8',
    port: 5432,
    aurora: true,
  },
  {
    name: 'aurora-mysql8.0',
    engine: 'aurora-mysql',
    engineVersion: '8.0.mysql_aurora.3.08.0',
    port: 3306,
    aurora: true,
  },
];
export const FAMILIES: readonly Family[] = [...STANDALONE_FAMILIES, ...AURORA_FAMILIES];

const CERTIFICATES: Certificate[] = [
  ['rds-ca-rsa2048-g1', '2021-05-25', '2061-05-25'],
  ['rds-ca-rsa4096-g1', '2021-05-25', '2121-05-25'],
  ['rds-ca-ecc384-g1', '2021-05-25', '2121-05-25'],
  ['rds-ca-2019', '2019-08-22', '2024-08-22'],
].map(([identifier, from, till]) => ({
  CertificateIdentifier: identifier,
  CertificateType: 'CA',
  ValidFrom: new Date(`${from}T00:00:00Z`),
  ValidTill: new Date(`${till}T00:00:00Z`),
  CertificateArn: `arn:aws:rds:${REGION}::cert:${identifier}`,
}));

export interface FleetShape {
  /** DB instances in all, Aurora cluster members included. */
  instances: number;
  /** Instance parameter groups (Aurora members have their own). */
  parameterGroups: number;
  clusters: number;
  clusterParameterGroups: number;
  membersPerCluster: number;
}

/** The 1,000-instance fleet; larger fleets scale every count with it. */
export function fleetShape(instances: number): FleetShape {
  const scale = instances / 1000;
  return {
    instances,
    parameterGroups: Math.max(5, Math.round(250 * scale)),
    clusters: Math.max(2, Math.round(50 * scale)),
    clusterParameterGroups: Math.max(2, Math.round(20 * scale)),
    membersPerCluster: 2,
  };
}

/**
 * Answers to the RDS Describe calls a scan makes, computed from the fleet
 * shape. `expectedCalls` says how many calls reading each group exactly once
 * takes, the figure a scan is held to.
 */
export class SyntheticFleet {
  readonly shape: FleetShape;
  private readonly parameterNames: string[];
  private readonly memberCount: number;
  private readonly standaloneGroups: number;

  constructor(shape: FleetShape) {
    this.shape = shape;
    this.parameterNames = buildParameterNames();
    this.memberCount = shape.clusters * shape.membersPerCluster;
    // Aurora members take one instance group per Aurora family; the rest are standalone.
    this.standaloneGroups = shape.parameterGroups - AURORA_FAMILIES.length;
    if (this.memberCount >= shape.instances || this.standaloneGroups < STANDALONE_FAMILIES.length) {
      throw new RangeError('fleet too small for its clusters and families');
    }
  }

  instanceIdentifier(index: number): string {
    return `db-${String(index).padStart(5, '0')}`;
  }

  /** Instances 0 … members-1 belong to clusters; the rest stand alone. */
  instance(index: number): DBInstance {
    const identifier = this.instanceIdentifier(index);
    const isMember = index < this.memberCount;
    const clusterIndex = Math.floor(index / this.shape.membersPerCluster);
    const family = isMember
      ? this.clusterFamily(clusterIndex)
      : this.standaloneFamily(this.standaloneGroupOf(index));
    // Aurora members keep the default instance group, as most do: the cluster group is the one that counts.
    const groupName = isMember
      ? `default.${family.name}`
      : this.standaloneGroupName(this.standaloneGroupOf(index));
    const applyStatus = index % 97 === 0 ? 'pending-reboot' : 'in-sync';
    const ca = index % 50 === 0 ? 'rds-ca-2019' : 'rds-ca-rsa2048-g1';
    return {
      DBInstanceIdentifier: identifier,
      DbiResourceId: `db-${resourceSuffix(index)}`,
      DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT_ID}:db:${identifier}`,
      DBInstanceClass: 'db.r6g.large',
      Engine: family.engine,
      EngineVersion: family.engineVersion,
      DBInstanceStatus: 'available',
      MasterUsername: 'admin',
      Endpoint: {
        Address: `${identifier}.c1a2b3c4d5e6.${REGION}.rds.amazonaws.com`,
        Port: family.port,
        HostedZoneId: 'Z29XKXDKYMONMX',
      },
      AllocatedStorage: 100,
      InstanceCreateTime: new Date('2024-01-01T00:00:00Z'),
      DBParameterGroups: [{ DBParameterGroupName: groupName, ParameterApplyStatus: applyStatus }],
      OptionGroupMemberships: [
        { OptionGroupName: `default:${family.engine}-${majorOf(family)}`, Status: 'in-sync' },
      ],
      AvailabilityZone: `${REGION}a`,
      DBSubnetGroup: { DBSubnetGroupName: 'private', VpcId: 'vpc-0a1b2c3d' },
      MultiAZ: false,
      PubliclyAccessible: false,
      StorageEncrypted: true,
      CACertificateIdentifier: ca,
      CertificateDetails: {
        CAIdentifier: ca,
        ValidTill: new Date(ca === 'rds-ca-2019' ? '2024-08-22T00:00:00Z' : '2027-01-01T00:00:00Z'),
      },
      IAMDatabaseAuthenticationEnabled: false,
      MasterUserSecret: {
        SecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:rds!db-${resourceSuffix(index)}-AbCdEf`,
        SecretStatus: 'active',
      },
      ...(isMember ? { DBClusterIdentifier: this.clusterIdentifier(clusterIndex) } : {}),
      TagList: [
        { Key: 'team', Value: `team-${index % 12}` },
        { Key: 'environment', Value: index % 3 === 0 ? 'production' : 'staging' },
      ],
    };
  }

  clusterIdentifier(index: number): string {
    return `aurora-${String(index).padStart(4, '0')}`;
  }

  cluster(index: number): DBCluster {
    const identifier = this.clusterIdentifier(index);
    const family = this.clusterFamily(index);
    const members = Array.from({ length: this.shape.membersPerCluster }, (_, m) => ({
      DBInstanceIdentifier: this.instanceIdentifier(index * this.shape.membersPerCluster + m),
      IsClusterWriter: m === 0,
      DBClusterParameterGroupStatus: 'in-sync',
      PromotionTier: 1,
    }));
    return {
      DBClusterIdentifier: identifier,
      DbClusterResourceId: `cluster-${resourceSuffix(index + 900_000)}`,
      DBClusterArn: `arn:aws:rds:${REGION}:${ACCOUNT_ID}:cluster:${identifier}`,
      Engine: family.engine,
      EngineVersion: family.engineVersion,
      EngineMode: 'provisioned',
      Status: 'available',
      Endpoint: `${identifier}.cluster-c1a2b3c4d5e6.${REGION}.rds.amazonaws.com`,
      ReaderEndpoint: `${identifier}.cluster-ro-c1a2b3c4d5e6.${REGION}.rds.amazonaws.com`,
      Port: family.port,
      MasterUsername: 'admin',
      DBClusterParameterGroup: this.clusterGroupName(index % this.shape.clusterParameterGroups),
      DBClusterMembers: members,
      StorageEncrypted: true,
      IAMDatabaseAuthenticationEnabled: false,
      MasterUserSecret: {
        SecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:rds!cluster-${index}-AbCdEf`,
        SecretStatus: 'active',
      },
      CertificateDetails: {
        CAIdentifier: 'rds-ca-rsa2048-g1',
        ValidTill: new Date('2027-01-01T00:00:00Z'),
      },
      TagList: [{ Key: 'team', Value: `team-${index % 12}` }],
    };
  }

  /** DescribeDBInstances / DescribeDBClusters and the parameter calls, as the SDK client sees them. */
  respond(operation: string, input: unknown): object {
    switch (operation) {
      case 'DescribeDBInstances':
        return this.describeInstances(input as DescribeDBInstancesMessage);
      case 'DescribeDBClusters':
        return this.describeClusters(input as DescribeDBClustersMessage);
      case 'DescribeDBParameters':
        return this.describeGroup(input as DescribeDBParametersMessage, 'instance');
      case 'DescribeDBClusterParameters':
        return this.describeGroup(
          input as { DBClusterParameterGroupName?: string; Marker?: string; MaxRecords?: number },
          'cluster',
        );
      case 'DescribeEngineDefaultParameters':
      case 'DescribeEngineDefaultClusterParameters': {
        const request = input as { DBParameterGroupFamily?: string; Marker?: string };
        const family = FAMILIES.find((f) => f.name === request.DBParameterGroupFamily);
        if (!family) throw serviceError('InvalidParameterValue', 'unknown family');
        const page = this.parameterPage(request, (name) => defaultParameter(name, family));
        return {
          EngineDefaults: {
            DBParameterGroupFamily: family.name,
            Parameters: page.items,
            ...(page.marker ? { Marker: page.marker } : {}),
          },
        };
      }
      case 'DescribeDBParameterGroups': {
        const name = (input as { DBParameterGroupName?: string }).DBParameterGroupName ?? '';
        const group = this.groupByName(name, 'instance');
        if (!group)
          throw serviceError('DBParameterGroupNotFoundFault', 'parameter group not found');
        return {
          DBParameterGroups: [
            {
              DBParameterGroupName: name,
              DBParameterGroupFamily: group.family.name,
              Description: 'benchmark group',
              DBParameterGroupArn: `arn:aws:rds:${REGION}:${ACCOUNT_ID}:pg:${name}`,
            },
          ],
        };
      }
      case 'DescribeDBClusterParameterGroups': {
        const name =
          (input as { DBClusterParameterGroupName?: string }).DBClusterParameterGroupName ?? '';
        const group = this.groupByName(name, 'cluster');
        if (!group)
          throw serviceError('DBParameterGroupNotFoundFault', 'parameter group not found');
        return {
          DBClusterParameterGroups: [
            {
              DBClusterParameterGroupName: name,
              DBParameterGroupFamily: group.family.name,
              Description: 'benchmark cluster group',
              DBClusterParameterGroupArn: `arn:aws:rds:${REGION}:${ACCOUNT_ID}:cluster-pg:${name}`,
            },
          ],
        };
      }
      case 'DescribeCertificates':
        return { Certificates: CERTIFICATES };
      case 'DescribeOptionGroups':
        return { OptionGroupsList: [] };
      // The fleet has no RDS Proxy: one page each says so.
      case 'DescribeDBProxies':
        return { DBProxies: [] };
      case 'DescribeDBProxyEndpoints':
        return { DBProxyEndpoints: [] };
      // No custom endpoints: one page says so, for the region's clusters.
      case 'DescribeDBClusterEndpoints':
        return { DBClusterEndpoints: [] };
      default:
        throw serviceError('InvalidAction', `${operation} is not served by the benchmark fleet`);
    }
  }

  /**
   * Calls that read every listing page and every group exactly once: the
   * group's pages, its family (one DescribeDB*ParameterGroups call unless the
   * name is `default.<family>`), then each family's engine defaults once.
   */
  expectedCalls(parametersPerPage = MAX_PAGE): Record<string, number> {
    const parameterPages = Math.ceil(PARAMETERS_PER_GROUP / parametersPerPage);
    const clusterFamilies = new Set(
      Array.from({ length: auroraFamiliesInUse(this.shape) }, (_, i) => this.clusterFamily(i)),
    );
    const instanceFamilies = new Set(
      [...Array(this.standaloneGroups).keys()].map((g) => this.standaloneFamily(g).name),
    );
    for (const family of clusterFamilies) instanceFamilies.add(family.name);
    return {
      DescribeDBInstances: Math.ceil(this.shape.instances / MAX_PAGE),
      DescribeDBClusters: Math.ceil(this.shape.clusters / MAX_PAGE),
      DescribeDBParameters: this.usedInstanceGroups() * parameterPages,
      DescribeDBParameterGroups: this.usedInstanceGroups() - auroraFamiliesInUse(this.shape),
      DescribeEngineDefaultParameters: instanceFamilies.size * parameterPages,
      DescribeDBClusterParameters: this.usedClusterGroups() * parameterPages,
      DescribeDBClusterParameterGroups: this.usedClusterGroups(),
      DescribeEngineDefaultClusterParameters: clusterFamilies.size * parameterPages,
      DescribeCertificates: 1,
      // Every door to the data: the region's proxies and their endpoints, one page each.
      DescribeDBProxies: 1,
      DescribeDBProxyEndpoints: 1,
      // Aurora custom endpoints: one page for the region, asked only when it has clusters.
      DescribeDBClusterEndpoints: this.shape.clusters > 0 ? 1 : 0,
    };
  }

  /** Instance groups some instance names: every standalone group, plus one per Aurora family in use. */
  usedInstanceGroups(): number {
    const auroraFamilies = auroraFamiliesInUse(this.shape);
    const standaloneInstances = this.shape.instances - this.memberCount;
    return Math.min(this.standaloneGroups, standaloneInstances) + auroraFamilies;
  }

  usedClusterGroups(): number {
    return Math.min(this.shape.clusters, this.shape.clusterParameterGroups);
  }

  private describeInstances(input: DescribeDBInstancesMessage): object {
    const filter = input.Filters?.find((f) => f.Name === 'db-instance-id');
    if (input.DBInstanceIdentifier || filter) {
      const wanted = input.DBInstanceIdentifier ?? filter?.Values?.[0] ?? '';
      const index = Number(wanted.slice(3));
      if (!wanted.startsWith('db-') || !(index >= 0 && index < this.shape.instances)) {
        throw serviceError('DBInstanceNotFoundFault', 'DBInstance not found');
      }
      return { DBInstances: [this.instance(index)] };
    }
    const { start, end, marker } = window(input, this.shape.instances);
    const items: DBInstance[] = [];
    for (let i = start; i < end; i += 1) items.push(this.instance(i));
    return { DBInstances: items, ...(marker ? { Marker: marker } : {}) };
  }

  private describeClusters(input: DescribeDBClustersMessage): object {
    if (input.DBClusterIdentifier) {
      const index = Number(input.DBClusterIdentifier.slice('aurora-'.length));
      if (!(index >= 0 && index < this.shape.clusters)) {
        throw serviceError('DBClusterNotFoundFault', 'DBCluster not found');
      }
      return { DBClusters: [this.cluster(index)] };
    }
    const { start, end, marker } = window(input, this.shape.clusters);
    const items: DBCluster[] = [];
    for (let i = start; i < end; i += 1) items.push(this.cluster(i));
    return { DBClusters: items, ...(marker ? { Marker: marker } : {}) };
  }

  private describeGroup(
    input: {
      DBParameterGroupName?: string;
      DBClusterParameterGroupName?: string;
      Marker?: string;
      MaxRecords?: number;
    },
    kind: 'instance' | 'cluster',
  ): object {
    const name =
      kind === 'instance' ? input.DBParameterGroupName : input.DBClusterParameterGroupName;
    const group = name ? this.groupByName(name, kind) : undefined;
    // RDS names the fault the same for instance and cluster groups.
    if (!group) throw serviceError('DBParameterGroupNotFoundFault', 'parameter group not found');
    const page = this.parameterPage(input, (parameter) => groupParameter(parameter, group));
    return { Parameters: page.items, ...(page.marker ? { Marker: page.marker } : {}) };
  }

  private parameterPage(
    input: { Marker?: string; MaxRecords?: number },
    build: (name: string) => Parameter,
  ): { items: Parameter[]; marker?: string } {
    const { start, end, marker } = window(input, this.parameterNames.length);
    const items = this.parameterNames.slice(start, end).map(build);
    return marker ? { items, marker } : { items };
  }

  private groupByName(name: string, kind: 'instance' | 'cluster'): GroupProfile | undefined {
    if (kind === 'cluster') {
      const index = Number(name.slice('cluster-group-'.length));
      if (!name.startsWith('cluster-group-') || !(index < this.shape.clusterParameterGroups)) {
        return undefined;
      }
      return { family: this.clusterFamilyOfGroup(index), index, kind };
    }
    const aurora = AURORA_FAMILIES.find((f) => name === `default.${f.name}`);
    if (aurora) return { family: aurora, index: -1, kind };
    const index = Number(name.slice('group-'.length));
    if (!name.startsWith('group-') || !(index >= 0 && index < this.standaloneGroups)) {
      return undefined;
    }
    return { family: this.standaloneFamily(index), index, kind };
  }

  private standaloneGroupOf(instanceIndex: number): number {
    return (instanceIndex - this.memberCount) % this.standaloneGroups;
  }

  private standaloneGroupName(group: number): string {
    return `group-${String(group).padStart(4, '0')}`;
  }

  private standaloneFamily(group: number): Family {
    return STANDALONE_FAMILIES[group % STANDALONE_FAMILIES.length]!;
  }

  private clusterGroupName(group: number): string {
    return `cluster-group-${String(group).padStart(3, '0')}`;
  }

  /** A cluster's family is its cluster group's, so a group never mixes families. */
  private clusterFamily(clusterIndex: number): Family {
    return this.clusterFamilyOfGroup(clusterIndex % this.shape.clusterParameterGroups);
  }

  private clusterFamilyOfGroup(group: number): Family {
    return AURORA_FAMILIES[group % AURORA_FAMILIES.length]!;
  }
}

function auroraFamiliesInUse(shape: FleetShape): number {
  return Math.min(shape.clusters, shape.clusterParameterGroups, AURORA_FAMILIES.length);
}

interface GroupProfile {
  family: Family;
  /** -1 for the Aurora members' default instance group. */
  index: number;
  kind: 'instance' | 'cluster';
}

/** Marker paging as RDS does it: an opaque marker, MaxRecords capped at 100. */
function window(
  input: { Marker?: string; MaxRecords?: number },
  total: number,
): { start: number; end: number; marker?: string } {
  const size = Math.min(MAX_PAGE, Math.max(20, input.MaxRecords ?? MAX_PAGE));
  const start = input.Marker ? Number.parseInt(input.Marker.slice('m-'.length), 36) : 0;
  const end = Math.min(total, start + size);
  return end < total ? { start, end, marker: `m-${end.toString(36)}` } : { start, end };
}

function resourceSuffix(index: number): string {
  return (index * 2_654_435_761).toString(36).toUpperCase().padStart(26, 'X').slice(0, 26);
}

function majorOf(family: Family): string {
  return family.engineVersion.split('.')[0] ?? '';
}

/** The TLS parameters among filler ones, in name order as RDS lists them. */
function buildParameterNames(): string[] {
  const filler = Array.from(
    { length: PARAMETERS_PER_GROUP - TLS_PARAMETER_NAMES.length },
    (_, i) => `bench_setting_${String(i).padStart(3, '0')}`,
  );
  return [...filler, ...TLS_PARAMETER_NAMES].sort();
}

/**
 * What a group sets: most groups enforce TLS, every seventh leaves
 * rds.force_ssl / require_secure_transport to the default, every eleventh
 * turns it off. Unset parameters carry no ParameterValue, as in RDS.
 */
function groupParameter(name: string, group: GroupProfile): Parameter {
  const base: Parameter = {
    ParameterName: name,
    ApplyType: name.startsWith('bench_') ? 'static' : 'dynamic',
    DataType: 'string',
    IsModifiable: true,
    ApplyMethod: 'pending-reboot',
    Description: 'Synthetic parameter for the benchmark fleet',
  };
  const set = (value: string): Parameter => ({ ...base, ParameterValue: value, Source: 'user' });
  const unset: Parameter = { ...base, Source: 'engine-default' };
  const mode = group.index % 11 === 0 ? 'off' : group.index % 7 === 0 ? 'default' : 'on';
  const mysqlFamily = group.family.engine.includes('mysql') || group.family.engine === 'mariadb';
  if (name === 'rds.force_ssl' && !mysqlFamily) {
    return mode === 'default' ? unset : set(mode === 'on' ? '1' : '0');
  }
  if (name === 'require_secure_transport' && mysqlFamily) {
    return mode === 'default' ? unset : set(mode === 'on' ? 'ON' : 'OFF');
  }
  if (name === 'ssl_min_protocol_version' && !mysqlFamily) return set('TLSv1.2');
  if (name === 'tls_version' && mysqlFamily) return set('TLSv1.2,TLSv1.3');
  if (name.startsWith('bench_') && Number(name.slice(-3)) % 10 === 0) return set('on');
  return unset;
}

function defaultParameter(name: string, family: Family): Parameter {
  const mysqlFamily = family.engine.includes('mysql') || family.engine === 'mariadb';
  const values: Record<string, string> = mysqlFamily
    ? { require_secure_transport: 'OFF', tls_version: 'TLSv1.2,TLSv1.3' }
    : { 'rds.force_ssl': family.engine === 'postgres' ? '1' : '0', ssl: '1' };
  if (!mysqlFamily) values.ssl_min_protocol_version = 'TLSv1.2';
  const value = values[name] ?? (name.startsWith('bench_') ? 'off' : undefined);
  return {
    ParameterName: name,
    ...(value !== undefined ? { ParameterValue: value } : {}),
    Source: 'engine-default',
    ApplyType: name.startsWith('bench_') ? 'static' : 'dynamic',
    DataType: 'string',
    IsModifiable: true,
    Description: 'Synthetic engine default for the benchmark fleet',
  };
}

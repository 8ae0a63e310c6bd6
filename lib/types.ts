/**
 * The shared vocabulary of rds-tls-guard. Every stage of the pipeline
 * (inventory → settings → static rules → live probe → verdict → sinks)
 * speaks in these types; nothing here performs I/O.
 */

/** The four AWS Config compliance types, and nothing else. */
export type Verdict = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';

export const VERDICTS: readonly Verdict[] = [
  'COMPLIANT',
  'NON_COMPLIANT',
  'NOT_APPLICABLE',
  'INSUFFICIENT_DATA',
];

export type ResourceType = 'AWS::RDS::DBInstance' | 'AWS::RDS::DBCluster' | 'AWS::RDS::DBProxy';

/** Where clients connect to an RDS Proxy: its default endpoint or a custom one (DescribeDBProxyEndpoints). */
export interface ProxyEndpoint {
  name: string;
  address: string;
  port: number;
  /** `READ_WRITE` or `READ_ONLY`; the default endpoint is always read/write. */
  role: string;
  isDefault: boolean;
  status?: string;
}

/** One `Auth` entry of a proxy: how clients log in to it (UserAuthConfigInfo). */
export interface ProxyAuthEntry {
  userName?: string;
  /** `SECRETS`: the secret whose credentials clients present to the proxy. */
  authScheme?: string;
  secretArn?: string;
  /** `DISABLED`, `REQUIRED`, `ENABLED`. */
  iamAuth?: string;
}

/** A database a proxy connects to (DescribeDBProxyTargets). */
export interface ProxyTarget {
  /** `RDS_INSTANCE`, `TRACKED_CLUSTER`, `RDS_SERVERLESS_ENDPOINT`. */
  type: string;
  /** DB instance or cluster identifier (RdsResourceId). */
  identifier: string;
  /** For a cluster member: the cluster it belongs to. */
  trackedClusterId?: string;
  role?: string;
}

/** RDS allows 20 endpoints per proxy; lists beyond these bounds are cut, never held whole. */
export const MAX_PROXY_ENDPOINTS = 20;
export const MAX_PROXY_AUTH_ENTRIES = 50;
export const MAX_PROXY_TARGETS = 200;

/** The TLS-relevant part of an RDS Proxy, and nothing else. */
export interface ProxySettings {
  /** DescribeDBProxies `RequireTLS`; absent when RDS did not say. */
  requireTls?: boolean;
  /** `POSTGRESQL`, `MYSQL`, `SQLSERVER`. */
  engineFamily: string;
  /** `NONE` or `IAM_AUTH` (end-to-end IAM authentication). */
  defaultAuthScheme?: string;
  endpoints: ProxyEndpoint[];
  auth: ProxyAuthEntry[];
  targets: ProxyTarget[];
  /** Set when the listing was cut to its bound (endpoints, auth entries, targets). */
  truncated?: boolean;
}

/** A proxy in front of a database, as the database's evaluation sees it. */
export interface FrontingProxy {
  name: string;
  arn?: string;
  requireTls?: boolean;
}

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** Where a piece of evidence came from, so a report can say who said it. */
export type EvidenceSource =
  | 'rds-api'
  | 'parameter-group'
  | 'engine-default'
  /** Not read anywhere: the documented default for the engine version, or the conservative assumption. */
  | 'built-in'
  | 'option-group'
  | 'certificate'
  | 'security-group'
  | 'server'
  | 'probe';

/** One observed fact, as shown in reports: `rds.force_ssl = 1 (group pg15-secure)`. */
export interface Evidence {
  source: EvidenceSource;
  label: string;
  value: string;
}

/**
 * One database as the pipeline sees it, built from DescribeDBInstances /
 * DescribeDBClusters or from an AWS Config configuration item. An RDS Proxy
 * is a door to a database and goes through the same pipeline as one, with
 * `proxy` set.
 */
export interface DatabaseResource {
  resourceType: ResourceType;
  /** DbiResourceId (db-…) or DbClusterResourceId (cluster-…): what Config keys on. */
  resourceId: string;
  /** DBInstanceIdentifier or DBClusterIdentifier: what people read. */
  identifier: string;
  arn?: string;
  accountId?: string;
  region: string;
  engine: string;
  engineVersion: string;
  status?: string;
  endpoint?: { address: string; port: number };
  /** For an instance that belongs to a cluster (Aurora or Multi-AZ DB cluster). */
  clusterIdentifier?: string;
  /** Instance parameter group membership (instances only). */
  parameterGroup?: ParameterGroupMembership;
  /** Cluster parameter group (clusters, and cluster members once resolved). */
  clusterParameterGroup?: ParameterGroupMembership;
  optionGroups: OptionGroupMembership[];
  caCertificateIdentifier?: string;
  /** CertificateDetails.ValidTill of the server certificate, when RDS reports it. */
  certificateValidTill?: Date;
  /** PendingModifiedValues that bear on TLS: changes RDS will apply at the next reboot or maintenance window. */
  pendingModifiedValues?: PendingTlsChanges;
  masterUsername?: string;
  masterUserSecretArn?: string;
  iamDatabaseAuthenticationEnabled: boolean;
  publiclyAccessible?: boolean;
  /** VpcSecurityGroups[].VpcSecurityGroupId: the groups that decide who reaches the endpoint. */
  vpcSecurityGroupIds?: string[];
  tags: Record<string, string>;
  /** Set on an RDS Proxy (resourceType AWS::RDS::DBProxy): its endpoints, auth and targets. */
  proxy?: ProxySettings;
  /** On a database: the RDS Proxies that connect to it, so clients can reach it through them. */
  frontingProxies?: FrontingProxy[];
}

export interface PendingTlsChanges {
  caCertificateIdentifier?: string;
  engineVersion?: string;
}

export interface ParameterGroupMembership {
  name: string;
  /** `in-sync`, `pending-reboot`, `applying`, … as RDS reports it. */
  applyStatus?: string;
}

export interface OptionGroupMembership {
  name: string;
  status?: string;
}

/** A parameter as it applies to a database: group value, or the engine default. */
export interface ResolvedParameter {
  name: string;
  /** Absent when neither the group nor the engine defaults give a value. */
  value?: string;
  /** `parameter-group` when the group sets it, `engine-default` when the family default fills in. */
  origin: 'parameter-group' | 'engine-default';
  applyType?: string;
  /** RDS `Source`: `user`, `engine-default`, `system`. */
  rdsSource?: string;
}

/** The TLS-relevant contents of one parameter group, already merged with engine defaults. */
export interface ParameterGroupSettings {
  groupName: string;
  kind: 'instance' | 'cluster';
  family?: string;
  /** Keyed by parameter name, only the parameters the rules read. */
  parameters: Record<string, ResolvedParameter>;
}

export interface OptionSettings {
  name: string;
  port?: number;
  settings: Record<string, string>;
}

export interface OptionGroupSettings {
  name: string;
  engineName?: string;
  majorEngineVersion?: string;
  options: OptionSettings[];
}

/** Where an ingress rule admits traffic from, one source per entry. */
export type IngressSource =
  | { kind: 'ipv4'; cidr: string }
  | { kind: 'ipv6'; cidr: string }
  | { kind: 'prefix-list'; prefixListId: string }
  | { kind: 'security-group'; groupId: string; userId?: string };

/**
 * One source of one inbound rule (an EC2 IpPermission flattened per source),
 * exact enough to revoke it with revoke-security-group-ingress.
 */
export interface IngressPermission {
  /** IpProtocol as EC2 reports it: `tcp`, `6`, `-1` (all traffic), `udp`, … */
  protocol: string;
  /** Absent for all-traffic rules. */
  fromPort?: number;
  toPort?: number;
  source: IngressSource;
}

export interface SecurityGroupSettings {
  groupId: string;
  groupName?: string;
  vpcId?: string;
  ingress: IngressPermission[];
}

/** What DescribeSecurityGroups said about the groups one database uses. */
export interface SecurityGroupReading {
  /** The database's groups that were read. */
  groups: SecurityGroupSettings[];
  /** Groups that could not be read, and why (an error name or a plain cause); absent when all were read. */
  unread?: { groupIds: string[]; cause: string; accessDenied: boolean };
}

/** A TCP connect to a listener from where the probe runs: opened and closed, no bytes sent. */
export interface ListenerReachability {
  host: string;
  port: number;
  /** `open`: the connection was accepted; anything else: not reachable from here, or unknown. */
  outcome: 'open' | 'refused' | 'timeout' | 'unreachable' | 'error';
  durationMs: number;
  /** The socket error code (ECONNREFUSED, EHOSTUNREACH, …) when there was one. */
  code?: string;
}

export interface CertificateAuthority {
  identifier: string;
  validFrom?: Date;
  validTill?: Date;
}

/** Options set through the Config rule's ruleParameters, the CLI or the audit invoke. */
export interface RuleParameters {
  /** The lowest TLS version a database may accept. */
  minTlsVersion: TlsVersion;
  /** A CA or server certificate expiring within this many days is a finding. */
  caExpiryDays: number;
  /** When true, a database without a live proof is at best INSUFFICIENT_DATA. */
  requireLiveProbe: boolean;
  /** When false, no connection is attempted (static rules only). */
  liveProbe: boolean;
  /** Tag whose value names the Secrets Manager secret to probe with. */
  secretTagKey: string;
  /** Explicit secret per DB identifier, overriding tag and MasterUserSecret. */
  secretArns: Record<string, string>;
  /**
   * MySQL family: also attempt a plaintext login with the real credentials
   * (challenge-response only). Off by default, because it sends a scramble of
   * the real password over an unencrypted connection, where an observer can
   * attack it offline and a hostile server chooses the salt. Absent means false.
   */
  mysqlPlaintextLogin?: boolean;
  /**
   * Oracle: when true, native network encryption with SQLNET.ENCRYPTION_SERVER=REQUIRED
   * counts as compliant although it is not TLS. Absent means false: the rule is about TLS.
   */
  acceptNativeNetworkEncryption?: boolean;
}

export const DEFAULT_RULE_PARAMETERS: RuleParameters = {
  minTlsVersion: 'TLSv1.2',
  caExpiryDays: 30,
  requireLiveProbe: false,
  liveProbe: true,
  secretTagKey: 'rds-tls-guard:secret-arn',
  secretArns: {},
  mysqlPlaintextLogin: false,
  acceptNativeNetworkEncryption: false,
};

/** Everything the static rules need for one database; pure data. */
export interface StaticRuleInput {
  resource: DatabaseResource;
  /** The instance parameter group (absent for clusters, or when it could not be read). */
  parameters?: ParameterGroupSettings;
  /** The cluster parameter group (Aurora and Multi-AZ clusters and their members). */
  clusterParameters?: ParameterGroupSettings;
  optionGroups: OptionGroupSettings[];
  /** The CA named by CACertificateIdentifier, as DescribeCertificates reports it. */
  certificateAuthority?: CertificateAuthority;
  /** The database's VPC security groups; absent when no read was attempted. */
  securityGroups?: SecurityGroupReading;
  /** Oracle: a live TCP connect to the plaintext listener port, where the probe ran. */
  plaintextListener?: ListenerReachability;
  /** Why a piece of input is missing (a group that could not be read, …). */
  gaps: string[];
  ruleParameters: RuleParameters;
  now: Date;
}

/**
 * The outcome of one check. Every rule and every probe returns this shape:
 * a closed verdict, a machine reason code, a one-line annotation for Config
 * (at most 256 characters) and remediation text for people.
 */
export interface Finding {
  verdict: Verdict;
  /** Stable machine code, e.g. `FORCE_SSL_OFF`, `PLAINTEXT_REFUSED`. */
  reason: string;
  /** ≤ 256 characters; names the parameter, group and value. */
  annotation: string;
  remediation: string;
  evidence: Evidence[];
}

/** What the live probe concluded for one database. */
export interface LiveFinding extends Finding {
  /** Milliseconds spent on the whole probe. */
  durationMs: number;
}

/** The pipeline's answer for one database. */
export interface ResourceEvaluation {
  resource: DatabaseResource;
  staticFinding: Finding;
  liveFinding?: LiveFinding;
  /** The combined verdict reported to Config and in every report. */
  finding: Finding;
  /** When the evidence was taken: CI capture time or notification time for Config. */
  orderingTimestamp: Date;
}

/** Something that kept part of a scan from being evaluated (a region, a group, …). */
export interface ScanProblem {
  scope: string;
  code: string;
  message: string;
}

/**
 * Where an offline audit's data came from: the folder of saved AWS CLI
 * output, when it was captured, and what in the folder was not read.
 */
export interface SnapshotProvenance {
  folder: string;
  /** `capturedAt` from the folder's capture-info.json, when it gives one. */
  capturedAt?: Date;
  /** Modification times of the files read: how old the data is when no capture time is given. */
  oldestFileAt?: Date;
  newestFileAt?: Date;
  filesRead: string[];
  /** Files whose names the tool does not know: listed, not read. */
  ignoredFiles: string[];
}

export interface ScanResult {
  /** Present when the scan read an offline snapshot instead of the AWS APIs. */
  snapshot?: SnapshotProvenance;
  startedAt: Date;
  finishedAt: Date;
  regions: string[];
  ruleParameters: RuleParameters;
  evaluations: ResourceEvaluation[];
  problems: ScanProblem[];
}

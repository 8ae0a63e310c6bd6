/**
 * One database as the pipeline sees it, as a zod schema: the one definition
 * of DatabaseResource and of the RDS Proxy settings it may carry. The types
 * come from the schema (z.output), so the shape cannot drift from what is
 * checked where a resource crosses a trust boundary (a queue message, a
 * stored scan result). Inside the pipeline the values are already typed and
 * are not parsed again.
 *
 * Dates travel as ISO strings and parse back into Dates. Text from the AWS
 * APIs is bounded; lists are cut to the inventory's own bounds.
 */
import * as z from 'zod';

/** RDS allows 20 endpoints per proxy; lists beyond these bounds are cut, never held whole. */
export const MAX_PROXY_ENDPOINTS = 20;
export const MAX_PROXY_AUTH_ENTRIES = 50;
export const MAX_PROXY_TARGETS = 200;
/** Proxies that connect to one database: more are cut from the message. */
export const MAX_FRONTING_PROXIES = 50;

/** An ISO 8601 timestamp as a Date; an unreadable one is an issue, never an Invalid Date. */
export const isoDate = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .refine((value) => !Number.isNaN(value.getTime()), 'Invalid timestamp');

const text = z.string().max(1024);

export const resourceTypeSchema = z.enum([
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBProxy',
]);
export type ResourceType = z.output<typeof resourceTypeSchema>;

/** Where clients connect to an RDS Proxy: its default endpoint or a custom one (DescribeDBProxyEndpoints). */
export const proxyEndpointSchema = z.object({
  name: text,
  address: text,
  port: z.number().int(),
  /** `READ_WRITE` or `READ_ONLY`; the default endpoint is always read/write. */
  role: text,
  isDefault: z.boolean(),
  status: text.optional(),
});
export type ProxyEndpoint = z.output<typeof proxyEndpointSchema>;

/** One `Auth` entry of a proxy: how clients log in to it (UserAuthConfigInfo). */
export const proxyAuthEntrySchema = z.object({
  userName: text.optional(),
  /** `SECRETS`: the secret whose credentials clients present to the proxy. */
  authScheme: text.optional(),
  secretArn: text.optional(),
  /** `DISABLED`, `REQUIRED`, `ENABLED`. */
  iamAuth: text.optional(),
  /**
   * `POSTGRES_SCRAM_SHA_256`, `POSTGRES_MD5`, `MYSQL_NATIVE_PASSWORD`,
   * `MYSQL_CACHING_SHA2_PASSWORD`, `SQL_SERVER_AUTHENTICATION`: how clients
   * present the password, inside the TLS session.
   */
  clientPasswordAuthType: text.optional(),
});
export type ProxyAuthEntry = z.output<typeof proxyAuthEntrySchema>;

/** A database a proxy connects to (DescribeDBProxyTargets). */
export const proxyTargetSchema = z.object({
  /** `RDS_INSTANCE`, `TRACKED_CLUSTER`, `RDS_SERVERLESS_ENDPOINT`. */
  type: text,
  /** DB instance or cluster identifier (RdsResourceId). */
  identifier: text,
  /** For a cluster member: the cluster it belongs to. */
  trackedClusterId: text.optional(),
  role: text.optional(),
});
export type ProxyTarget = z.output<typeof proxyTargetSchema>;

/** The TLS-relevant part of an RDS Proxy, and nothing else. */
export const proxySettingsSchema = z.object({
  /** DescribeDBProxies `RequireTLS`; absent when RDS did not say. */
  requireTls: z.boolean().optional(),
  /** `POSTGRESQL`, `MYSQL`, `SQLSERVER`. */
  engineFamily: text,
  /** `NONE` or `IAM_AUTH` (end-to-end IAM authentication). */
  defaultAuthScheme: text.optional(),
  endpoints: z.array(proxyEndpointSchema).max(MAX_PROXY_ENDPOINTS),
  auth: z.array(proxyAuthEntrySchema).max(MAX_PROXY_AUTH_ENTRIES),
  targets: z.array(proxyTargetSchema).max(MAX_PROXY_TARGETS),
  /** Set when the listing was cut to its bound (endpoints, auth entries, targets). */
  truncated: z.boolean().optional(),
});
export type ProxySettings = z.output<typeof proxySettingsSchema>;

/** Custom endpoints listed per cluster, and members named: more are cut, never held whole. */
export const MAX_CLUSTER_CUSTOM_ENDPOINTS = 20;
export const MAX_CLUSTER_MEMBERS = 64;

/** A custom endpoint of an Aurora cluster (DescribeDBClusterEndpoints, EndpointType CUSTOM). */
export const clusterCustomEndpointSchema = z.object({
  /** DBClusterEndpointIdentifier. */
  name: text,
  address: text,
  /** CustomEndpointType: `READER` or `ANY`. */
  type: text.optional(),
  status: text.optional(),
});
export type ClusterCustomEndpoint = z.output<typeof clusterCustomEndpointSchema>;

/**
 * Every endpoint clients can use to reach a cluster's instances, besides the
 * writer endpoint (the resource's own `endpoint`, which the live proof uses).
 * All of them reach instances that read the same cluster parameter group.
 */
export const clusterEndpointsSchema = z.object({
  /** DescribeDBClusters `ReaderEndpoint`. */
  reader: text.optional(),
  custom: z.array(clusterCustomEndpointSchema).max(MAX_CLUSTER_CUSTOM_ENDPOINTS),
  /** Set when DescribeDBClusterEndpoints could not be read: the custom list is unknown, not empty. */
  customUnread: z.boolean().optional(),
  /** Set when the custom list was cut to its bound. */
  truncated: z.boolean().optional(),
});
export type ClusterEndpoints = z.output<typeof clusterEndpointsSchema>;

/** A member instance of a cluster (DBClusterMembers). */
export const clusterMemberSchema = z.object({
  identifier: text,
  writer: z.boolean(),
});
export type ClusterMember = z.output<typeof clusterMemberSchema>;

/** A proxy in front of a database, as the database's evaluation sees it. */
export const frontingProxySchema = z.object({
  name: text,
  arn: text.optional(),
  requireTls: z.boolean().optional(),
});
export type FrontingProxy = z.output<typeof frontingProxySchema>;

export const parameterGroupMembershipSchema = z.object({
  name: z.string().min(1),
  /** `in-sync`, `pending-reboot`, `applying`, … as RDS reports it. */
  applyStatus: z.string().optional(),
  /** A cluster's group: the member whose status `applyStatus` is, when not every member is in sync. */
  applyStatusMember: z.string().optional(),
});
export type ParameterGroupMembership = z.output<typeof parameterGroupMembershipSchema>;

export const optionGroupMembershipSchema = z.object({
  name: z.string(),
  status: z.string().optional(),
});
export type OptionGroupMembership = z.output<typeof optionGroupMembershipSchema>;

/** PendingModifiedValues that bear on TLS: changes RDS will apply at the next reboot or maintenance window. */
export const pendingTlsChangesSchema = z.object({
  caCertificateIdentifier: z.string().optional(),
  engineVersion: z.string().optional(),
});
export type PendingTlsChanges = z.output<typeof pendingTlsChangesSchema>;

/**
 * One database as the pipeline sees it, built from DescribeDBInstances /
 * DescribeDBClusters or from an AWS Config configuration item. An RDS Proxy
 * is a door to a database and goes through the same pipeline as one, with
 * `proxy` set.
 */
export const databaseResourceSchema = z.object({
  resourceType: resourceTypeSchema,
  /** DbiResourceId (db-…) or DbClusterResourceId (cluster-…): what Config keys on. */
  resourceId: z.string().min(1),
  /** DBInstanceIdentifier or DBClusterIdentifier: what people read. */
  identifier: z.string().min(1),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  region: z.string().min(1),
  engine: z.string(),
  engineVersion: z.string(),
  status: z.string().optional(),
  endpoint: z.object({ address: z.string(), port: z.number().int() }).optional(),
  /** For an instance that belongs to a cluster (Aurora or Multi-AZ DB cluster). */
  clusterIdentifier: z.string().optional(),
  /** Instance parameter group membership (instances only). */
  parameterGroup: parameterGroupMembershipSchema.optional(),
  /** Cluster parameter group (clusters, and cluster members once resolved). */
  clusterParameterGroup: parameterGroupMembershipSchema.optional(),
  optionGroups: z.array(optionGroupMembershipSchema),
  caCertificateIdentifier: z.string().optional(),
  /** CertificateDetails.ValidTill of the server certificate, when RDS reports it. */
  certificateValidTill: isoDate.optional(),
  pendingModifiedValues: pendingTlsChangesSchema.optional(),
  masterUsername: z.string().optional(),
  masterUserSecretArn: z.string().optional(),
  /**
   * For a cluster member: its cluster's MasterUserSecret ARN, read with the
   * cluster. An Aurora or Multi-AZ cluster's master secret belongs to the
   * cluster, and is the only RDS-managed secret a member may be probed with
   * besides its own.
   */
  clusterMasterUserSecretArn: z.string().max(2048).optional(),
  iamDatabaseAuthenticationEnabled: z.boolean(),
  publiclyAccessible: z.boolean().optional(),
  /** VpcSecurityGroups[].VpcSecurityGroupId: the groups that decide who reaches the endpoint. */
  vpcSecurityGroupIds: z.array(z.string().min(1)).optional(),
  tags: z.record(z.string(), z.string()),
  /** Set on an RDS Proxy (resourceType AWS::RDS::DBProxy): its endpoints, auth and targets. */
  proxy: proxySettingsSchema.optional(),
  /** On a cluster: its reader and custom endpoints. */
  clusterEndpoints: clusterEndpointsSchema.optional(),
  /**
   * On a cluster: its member instances (each also evaluated on its own, for
   * AWS Config), writer first. An empty list is RDS listing none; absent, the
   * source did not list them.
   */
  clusterMembers: z.array(clusterMemberSchema).max(MAX_CLUSTER_MEMBERS).optional(),
  /**
   * On an Aurora cluster: DescribeDBClusters `EngineMode`, `provisioned` or
   * `serverless` (Aurora Serverless v1, which has no member instances and
   * answers on its endpoint itself).
   */
  engineMode: text.optional(),
  /** On a database: the RDS Proxies that connect to it, so clients can reach it through them. */
  frontingProxies: z.array(frontingProxySchema).max(MAX_FRONTING_PROXIES).optional(),
});
export type DatabaseResource = z.output<typeof databaseResourceSchema>;

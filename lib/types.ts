/**
 * The shared vocabulary of rds-tls-guard. Every stage of the pipeline
 * (inventory → settings → static rules → live probe → verdict → sinks)
 * speaks in these types; nothing here performs I/O.
 *
 * What crosses a trust boundary (a queue message, a stored scan result, a
 * report) is defined once as a zod schema, here or in database-resource.ts
 * and database-settings.ts, and its type comes from the schema.
 */
import * as z from 'zod';
import { type DatabaseResource, databaseResourceSchema, isoDate } from './database-resource.js';
import type {
  CertificateAuthority,
  OptionGroupSettings,
  ParameterGroupSettings,
  SecurityGroupReading,
} from './database-settings.js';

export {
  type ClusterCustomEndpoint,
  type ClusterEndpoints,
  type ClusterMember,
  type DatabaseResource,
  databaseResourceSchema,
  type FrontingProxy,
  MAX_PROXY_AUTH_ENTRIES,
  MAX_PROXY_ENDPOINTS,
  MAX_PROXY_TARGETS,
  type OptionGroupMembership,
  type ParameterGroupMembership,
  type PendingTlsChanges,
  type ProxyAuthEntry,
  type ProxyEndpoint,
  type ProxySettings,
  type ProxyTarget,
  type ResourceType,
} from './database-resource.js';
export type {
  CertificateAuthority,
  IngressPermission,
  IngressSource,
  OptionGroupSettings,
  OptionSettings,
  ParameterGroupSettings,
  ResolvedParameter,
  SecurityGroupReading,
  SecurityGroupSettings,
} from './database-settings.js';

/** The four AWS Config compliance types, and nothing else. */
export const verdictSchema = z.enum([
  'COMPLIANT',
  'NON_COMPLIANT',
  'NOT_APPLICABLE',
  'INSUFFICIENT_DATA',
]);
export type Verdict = z.output<typeof verdictSchema>;
export const VERDICTS: readonly Verdict[] = verdictSchema.options;

export const tlsVersionSchema = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
export type TlsVersion = z.output<typeof tlsVersionSchema>;

/**
 * Where a piece of evidence came from, so a report can say who said it.
 * `built-in`: not read anywhere, the documented default for the engine
 * version or the conservative assumption.
 */
export const evidenceSourceSchema = z.enum([
  'rds-api',
  'parameter-group',
  'engine-default',
  'built-in',
  'option-group',
  'certificate',
  'security-group',
  'server',
  'probe',
]);
export type EvidenceSource = z.output<typeof evidenceSourceSchema>;

/** One observed fact, as shown in reports: `rds.force_ssl = 1 (group pg15-secure)`. */
export const evidenceSchema = z.object({
  source: evidenceSourceSchema,
  label: z.string(),
  value: z.string(),
});
export type Evidence = z.output<typeof evidenceSchema>;

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

/** Options set through the Config rule's ruleParameters, the CLI or the audit invoke. */
export const ruleParametersSchema = z.object({
  /** The lowest TLS version a database may accept. */
  minTlsVersion: tlsVersionSchema,
  /** A CA or server certificate expiring within this many days is a finding. */
  caExpiryDays: z.number().int().min(1),
  /** When true, a database without a live proof is at best INSUFFICIENT_DATA. */
  requireLiveProbe: z.boolean(),
  /** When false, no connection is attempted (static rules only). */
  liveProbe: z.boolean(),
  /** Tag whose value names the Secrets Manager secret to probe with. */
  secretTagKey: z.string().min(1),
  /** Explicit secret per DB identifier, overriding tag and MasterUserSecret. */
  secretArns: z.record(z.string(), z.string()),
  /**
   * MySQL family: also attempt a plaintext login with the real credentials
   * (challenge-response only). Off by default, because it sends a scramble of
   * the real password over an unencrypted connection, where an observer can
   * attack it offline and a hostile server chooses the salt. Absent means false.
   */
  mysqlPlaintextLogin: z.boolean().optional(),
  /**
   * Oracle: when true, native network encryption with SQLNET.ENCRYPTION_SERVER=REQUIRED
   * counts as compliant although it is not TLS. Absent means false: the rule is about TLS.
   */
  acceptNativeNetworkEncryption: z.boolean().optional(),
});
export type RuleParameters = z.output<typeof ruleParametersSchema>;

/**
 * Rule parameters read back from a queue message or a stored result, which
 * may predate the two opt-in keys: absent is false.
 */
export const storedRuleParametersSchema = ruleParametersSchema.extend({
  mysqlPlaintextLogin: z.boolean().default(false),
  acceptNativeNetworkEncryption: z.boolean().default(false),
});

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
export const findingSchema = z.object({
  verdict: verdictSchema,
  /** Stable machine code, e.g. `FORCE_SSL_OFF`, `PLAINTEXT_REFUSED`. */
  reason: z.string(),
  /** ≤ 256 characters; names the parameter, group and value. */
  annotation: z.string(),
  remediation: z.string(),
  evidence: z.array(evidenceSchema),
});
export type Finding = z.output<typeof findingSchema>;

/** What the live probe concluded for one database. */
export const liveFindingSchema = findingSchema.extend({
  /** Milliseconds spent on the whole probe. */
  durationMs: z.number(),
});
export type LiveFinding = z.output<typeof liveFindingSchema>;

/** The pipeline's answer for one database. */
export const resourceEvaluationSchema = z.object({
  resource: databaseResourceSchema,
  staticFinding: findingSchema,
  liveFinding: liveFindingSchema.optional(),
  /** The combined verdict reported to Config and in every report. */
  finding: findingSchema,
  /** When the evidence was taken: CI capture time or notification time for Config. */
  orderingTimestamp: isoDate,
});
export type ResourceEvaluation = z.output<typeof resourceEvaluationSchema>;

/**
 * Every code a scan problem can carry, in one place: where a problem is built
 * its code is one of these, and the report schema accepts only these.
 */
export const SCAN_PROBLEM_CODES = [
  /** A read the SDK refused for want of permission (also a region's listing). */
  'ACCESS_DENIED',
  /** RDS throttled a read past its retries. */
  'THROTTLED',
  /** A named group or proxy that RDS says does not exist. */
  'NOT_FOUND',
  /** Any other failed read of one group, proxy or listing page. */
  'READ_FAILED',
  /** A region whose listing failed for a reason other than denial or throttling. */
  'REGION_UNREADABLE',
  /** A paginated listing that handed back a marker it had already given. */
  'PAGINATION_LOOP',
  /** A listed database without the resource id every evaluation is keyed by. */
  'RESOURCE_ID_MISSING',
  /** A proxy whose targets could not be listed. */
  'PROXY_TARGETS_UNREADABLE',
  /** A region's Aurora custom endpoints that could not be listed: its clusters are still evaluated. */
  'CLUSTER_ENDPOINTS_UNREADABLE',
  /** An account whose inventory could not be read at all. */
  'ACCOUNT_UNREADABLE',
  /** A member-account role ARN in the configuration that is not one. */
  'MEMBER_ROLE_ARN_INVALID',
  /** The inventory step failed as a whole. */
  'INVENTORY_FAILED',
  /** A scheduled run's databases that could not be put on the probe queue. */
  'DATABASES_NOT_QUEUED',
  /** A fanned-out run assembled before all of its probe batches reported. */
  'REPORT_INCOMPLETE',
  /** One probe batch that never reported: its databases are INSUFFICIENT_DATA. */
  'PROBE_BATCH_LOST',
  /** An offline snapshot without security groups. */
  'SNAPSHOT_SECURITY_GROUPS_MISSING',
  /** An offline snapshot without proxies. */
  'SNAPSHOT_PROXIES_MISSING',
  /** A snapshot file that is not in the AWS CLI's shape: read as absent. */
  'SNAPSHOT_FILE_INVALID',
  /** A database listing whose list is not a list: its databases are not evaluated. */
  'SNAPSHOT_LISTING_INVALID',
  /** A database record not in the AWS CLI's shape: that database is not evaluated. */
  'SNAPSHOT_RECORD_INVALID',
  /** `--id` named a database the inventory does not hold. */
  'ID_NOT_FOUND',
  /** The function's time ran out: databases not judged by then are INSUFFICIENT_DATA (NOT_JUDGED_IN_TIME). */
  'DEADLINE_REACHED',
  /** ASFF: a database whose account is not a 12-digit AWS account id: its finding is not written or sent. */
  'FINDING_ACCOUNT_INVALID',
  /** ASFF: a database whose region is not an AWS region name: its finding is not written or sent. */
  'FINDING_REGION_INVALID',
] as const;
export type ScanProblemCode = (typeof SCAN_PROBLEM_CODES)[number];

/** Something that kept part of a scan from being evaluated (a region, a group, …). */
export const scanProblemSchema = z.object({
  scope: z.string(),
  code: z.enum(SCAN_PROBLEM_CODES),
  message: z.string(),
});
export type ScanProblem = z.output<typeof scanProblemSchema>;

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
  /**
   * Files whose names the tool does not know: listed, not read. The first
   * MAX_IGNORED_FILES_NAMED of them, each name cut to MAX_IGNORED_NAME, so a
   * folder of 100,000 stray files is not a 100,000-line message.
   */
  ignoredFiles: string[];
  /** How many files were ignored in all, named or not. */
  ignoredFileCount: number;
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

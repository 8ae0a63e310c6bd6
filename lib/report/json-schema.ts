/**
 * The JSON report's schema, version 1. The CLI's `--format json` and the
 * on-demand audit Lambda both return documents of this shape; consumers may
 * rely on it. Adding an optional field keeps version 1; renaming, removing or
 * changing the meaning of a field means `schemaVersion: 2`.
 *
 * Conventions: dates are ISO 8601 strings in UTC; a value that is unknown is
 * `null`, never absent; databases are sorted by region, then identifier.
 */
import * as z from 'zod';
import { resourceTypeSchema } from '../database-resource.js';
import {
  evidenceSchema as evidence,
  scanProblemSchema,
  tlsVersionSchema,
  verdictSchema as verdict,
} from '../types.js';

const isoDate = z.iso.datetime();

/**
 * Who said it: `rds-api`, `parameter-group`, `engine-default` (read from the
 * engine defaults), `built-in` (read nowhere: assumed from the documented
 * default for the engine version), `option-group`, `certificate`,
 * `security-group`, `server`, `probe`.
 */
export const evidenceSchema = z.strictObject(evidence.shape);

/** The whole annotation: only the copy sent to AWS Config is cut to 256 characters. */
const annotationText = z.string();

export const problemSchema = z.strictObject(scanProblemSchema.shape);

export const staticFindingSchema = z.strictObject({
  verdict,
  reason: z.string(),
  annotation: annotationText,
  evidence: z.array(evidenceSchema),
});

export const liveFindingSchema = z.strictObject({
  verdict,
  reason: z.string(),
  annotation: annotationText,
  durationMs: z.number().nonnegative(),
  evidence: z.array(evidenceSchema),
});

export const databaseReportSchema = z.strictObject({
  resourceType: resourceTypeSchema,
  /** DbiResourceId or DbClusterResourceId: the id AWS Config keys on. */
  resourceId: z.string(),
  arn: z.string().nullable(),
  /** DBInstanceIdentifier or DBClusterIdentifier. */
  identifier: z.string(),
  region: z.string(),
  accountId: z.string().nullable(),
  engine: z.string(),
  engineVersion: z.string(),
  endpoint: z.strictObject({ address: z.string(), port: z.number().int() }).nullable(),
  /**
   * On a cluster: every endpoint that reaches its instances (the writer is
   * `endpoint`, the one the live proof used) and its members; null otherwise.
   */
  cluster: z
    .strictObject({
      readerEndpoint: z.string().nullable(),
      /** null: DescribeDBClusterEndpoints could not be read, so the custom endpoints are unknown. */
      customEndpoints: z
        .array(
          z.strictObject({
            name: z.string(),
            address: z.string(),
            type: z.string().nullable(),
            status: z.string().nullable(),
          }),
        )
        .nullable(),
      members: z.array(z.strictObject({ identifier: z.string(), writer: z.boolean() })),
    })
    .nullable(),
  /** On a member instance: its cluster's identifier (the cluster's row counts the database). */
  memberOf: z.string().nullable(),
  /** The combined verdict, as reported to AWS Config. */
  verdict,
  reason: z.string(),
  annotation: annotationText,
  remediation: z.string(),
  /** When the evidence was taken (the Config OrderingTimestamp). */
  evaluatedAt: isoDate,
  /** What the configuration says. */
  static: staticFindingSchema,
  /** What the server did; null when no probe ran. */
  live: liveFindingSchema.nullable(),
  /** Scan problems whose scope names this database. */
  problems: z.array(problemSchema),
});

/** Where an offline audit's data came from; null in the report of a scan of the live APIs. */
export const snapshotSchema = z.strictObject({
  folder: z.string(),
  /** From capture-info.json; null when the folder does not say. */
  capturedAt: isoDate.nullable(),
  /** Modification times of the files read: the data's age when no capture time is given. */
  oldestFileAt: isoDate.nullable(),
  newestFileAt: isoDate.nullable(),
  filesRead: z.array(z.string()),
  /** Files with names the tool does not know: not read. The first 20, each name cut to 100 characters. */
  ignoredFiles: z.array(z.string()),
  /** How many files were ignored in all, named in ignoredFiles or not. */
  ignoredFileCount: z.number().int().nonnegative(),
});

export const jsonReportSchema = z.strictObject({
  schemaVersion: z.literal(1),
  tool: z.literal('rds-tls-guard'),
  scan: z.strictObject({
    startedAt: isoDate,
    finishedAt: isoDate,
    durationMs: z.number().int().nonnegative(),
    regions: z.array(z.string()),
    ruleParameters: z.strictObject({
      minTlsVersion: tlsVersionSchema,
      caExpiryDays: z.number(),
      requireLiveProbe: z.boolean(),
      liveProbe: z.boolean(),
      secretTagKey: z.string(),
      secretArns: z.record(z.string(), z.string()),
      mysqlPlaintextLogin: z.literal(true).optional(),
    }),
    snapshot: snapshotSchema.nullable(),
  }),
  summary: z.strictObject({
    /** Evaluations: one per resource, as AWS Config gets them. */
    total: z.number().int().nonnegative(),
    /** Databases: a cluster and its member instances count once. */
    databases: z.number().int().nonnegative(),
    /** Member instances whose cluster is in this scan: evaluated, not counted as databases. */
    clusterMembers: z.number().int().nonnegative(),
    verdicts: z.strictObject({
      COMPLIANT: z.number().int().nonnegative(),
      NON_COMPLIANT: z.number().int().nonnegative(),
      NOT_APPLICABLE: z.number().int().nonnegative(),
      INSUFFICIENT_DATA: z.number().int().nonnegative(),
    }),
    probed: z.number().int().nonnegative(),
    problems: z.number().int().nonnegative(),
  }),
  databases: z.array(databaseReportSchema),
  /** Every scan problem, including those also listed under a database. */
  problems: z.array(problemSchema),
});

export type JsonReport = z.infer<typeof jsonReportSchema>;
export type DatabaseReport = z.infer<typeof databaseReportSchema>;

/**
 * An offline snapshot: the JSON the AWS CLI printed for each describe command,
 * and the reads every snapshot client shares (records of a listing, records
 * of one region). Nothing here talks to AWS.
 */
import type { ScanProblem, SnapshotProvenance } from '../../types.js';
import { regionFromArn } from '../mappers.js';
import type { UnreadableDatabase } from './invalid-records.js';

export type JsonObject = Record<string, unknown>;

/** What `aws rds <command> --output json` printed, keyed as the commands are. */
export interface RdsSnapshot {
  /** describe-db-instances */
  instances?: JsonObject;
  /** describe-db-clusters */
  clusters?: JsonObject;
  /** describe-db-parameters --db-parameter-group-name <key> */
  parameters?: Record<string, JsonObject>;
  /** describe-db-cluster-parameters --db-cluster-parameter-group-name <key> */
  clusterParameters?: Record<string, JsonObject>;
  /** describe-engine-default-parameters --db-parameter-group-family <key> */
  engineDefaults?: Record<string, JsonObject>;
  /** describe-engine-default-cluster-parameters --db-parameter-group-family <key> */
  clusterEngineDefaults?: Record<string, JsonObject>;
  /** describe-option-groups */
  optionGroups?: JsonObject;
  /** describe-certificates */
  certificates?: JsonObject;
  /** describe-db-parameter-groups */
  parameterGroups?: JsonObject;
  /** describe-db-cluster-parameter-groups */
  clusterParameterGroups?: JsonObject;
  /** describe-db-cluster-endpoints: Aurora custom endpoints */
  clusterEndpoints?: JsonObject;
  /** describe-db-proxies */
  proxies?: JsonObject;
  /** describe-db-proxy-endpoints */
  proxyEndpoints?: JsonObject;
  /** describe-db-proxy-targets --db-proxy-name <key> */
  proxyTargets?: Record<string, JsonObject>;
  /** Set by loadSnapshotDirectory: where the files came from and which were not read. */
  provenance?: SnapshotProvenance;
  /** `aws ec2 describe-security-groups` (optional: without it no group is known) */
  securityGroups?: JsonObject;
  /** Set by loadSnapshotDirectory: files and records not in the shape the AWS CLI prints. */
  problems?: ScanProblem[];
  /** Set by loadSnapshotDirectory: database records left out for their shape that still name their database. */
  unreadableDatabases?: UnreadableDatabase[];
  /** Set by loadSnapshotDirectory: each file refused for its shape, with the fields at fault. */
  refusedFiles?: Record<string, string>;
}

/** The snapshot has no answer for a request RDS would have answered. */
export class SnapshotDataNotFound extends Error {
  override readonly name = 'SnapshotDataNotFound';
}

/** The snapshot client was asked for an operation it does not serve. */
export class SnapshotOperationUnsupported extends Error {
  override readonly name = 'SnapshotOperationUnsupported';
}

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects under `key` of a CLI document (`DBInstances`, `SecurityGroups`, …). */
export function listOf(document: JsonObject | undefined, key: string): JsonObject[] {
  const list = document?.[key];
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/**
 * A snapshot is usually one region's output; records whose ARN names another
 * region are not served for this one, so a multi-region scan of a snapshot
 * does not report each database once per region. Records without an ARN are
 * served everywhere.
 */
export function inRegion(records: JsonObject[], region: string, arnKey: string): JsonObject[] {
  return records.filter((record) => {
    const arn = record[arnKey];
    const recordRegion = typeof arn === 'string' ? regionFromArn(arn) : undefined;
    return recordRegion === undefined || recordRegion === region;
  });
}

/** The regions a snapshot's instances and clusters live in, from their ARNs (read or not). */
export function snapshotRegions(snapshot: RdsSnapshot): string[] {
  const regions = new Set<string>();
  const records = [
    ...listOf(snapshot.instances, 'DBInstances').map((record) => record.DBInstanceArn),
    ...listOf(snapshot.clusters, 'DBClusters').map((record) => record.DBClusterArn),
    ...(snapshot.unreadableDatabases ?? []).map(({ record }) =>
      typeof record.DBInstanceArn === 'string' ? record.DBInstanceArn : record.DBClusterArn,
    ),
  ];
  for (const arn of records) {
    const region = typeof arn === 'string' ? regionFromArn(arn) : undefined;
    if (region) regions.add(region);
  }
  return [...regions].sort();
}

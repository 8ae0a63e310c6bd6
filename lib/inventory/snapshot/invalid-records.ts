/**
 * The databases a snapshot names in a record of the wrong shape. Such a
 * record is never read by the scan (shapes.ts leaves it out, with a
 * SNAPSHOT_RECORD_INVALID problem), but a database it still identifies is
 * not left out of the report either: it gets a row, INSUFFICIENT_DATA
 * SNAPSHOT_RECORD_INVALID, naming the field paths at fault. Only what
 * identifies the database is taken from the record, each field only when it
 * has the type the AWS CLI prints; nothing in it is judged. Pure.
 */

import { clampAnnotation } from '../../text.js';
import type { DatabaseResource, Finding, ResourceEvaluation, ResourceType } from '../../types.js';
import { type InventoryFilters, matchesFilters } from '../filters.js';
import { accountIdFromArn, regionFromArn } from '../mappers.js';
import { isRecord, type JsonObject } from './rds-snapshot.js';

/** The reason of a database whose snapshot record is not what the AWS CLI prints. */
export const SNAPSHOT_RECORD_INVALID = 'SNAPSHOT_RECORD_INVALID';

/** A record left out for its shape whose identifier is a string. */
export interface UnreadableDatabase {
  resourceType: Extract<ResourceType, 'AWS::RDS::DBInstance' | 'AWS::RDS::DBCluster'>;
  record: JsonObject;
  /** The field paths at fault, as the SNAPSHOT_RECORD_INVALID problem names them. */
  fields: string;
}

/** Where each kind keeps its ids, and the command whose output holds it. */
const KINDS = {
  'AWS::RDS::DBInstance': {
    identifier: 'DBInstanceIdentifier',
    resourceId: 'DbiResourceId',
    arn: 'DBInstanceArn',
    command: 'describe-db-instances',
  },
  'AWS::RDS::DBCluster': {
    identifier: 'DBClusterIdentifier',
    resourceId: 'DbClusterResourceId',
    arn: 'DBClusterArn',
    command: 'describe-db-clusters',
  },
} as const;

/**
 * One INSUFFICIENT_DATA evaluation per unreadable database the scan covers:
 * in a scanned region (that of its ARN; a record without a valid ARN is in
 * every scanned region, as the snapshot serves every record without one)
 * and selected by the filters. A filter on a field the record does not give
 * readably (an Engine that is a number, a TagList that is not a list of
 * strings) does not leave the database out: the scan cannot tell it is not
 * one of those asked for.
 */
export function unreadableDatabaseEvaluations(
  databases: readonly UnreadableDatabase[],
  regions: readonly string[],
  filters: InventoryFilters,
  orderingTimestamp: Date,
): ResourceEvaluation[] {
  return databases.flatMap((database) => {
    const { resource, arnRegion, engineKnown, tagsKnown } = identityOf(database);
    const inRegions = arnRegion === undefined ? regions : regions.filter((r) => r === arnRegion);
    const applicable: InventoryFilters = {
      ...(filters.identifiers ? { identifiers: filters.identifiers } : {}),
      ...(engineKnown && filters.engines ? { engines: filters.engines } : {}),
      ...(tagsKnown && filters.tags ? { tags: filters.tags } : {}),
    };
    return inRegions
      .map((region) => ({ ...resource, region }))
      .filter((located) => matchesFilters(located, applicable))
      .map((located) => unreadableEvaluation(located, database, orderingTimestamp));
  });
}

function unreadableEvaluation(
  resource: DatabaseResource,
  database: UnreadableDatabase,
  orderingTimestamp: Date,
): ResourceEvaluation {
  const { command } = KINDS[database.resourceType];
  const finding: Finding = {
    verdict: 'INSUFFICIENT_DATA',
    reason: SNAPSHOT_RECORD_INVALID,
    annotation: clampAnnotation(
      `not evaluated: its record in ${command}.json is not what the AWS CLI prints (${database.fields})`,
    ),
    remediation: `Save ${command}.json again with aws rds ${command} --output json (the record was edited or damaged), then rescan.`,
    evidence: [],
  };
  return { resource, staticFinding: finding, finding, orderingTimestamp };
}

function stringField(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What identifies the database, from the fields of the record that have their CLI type. */
function identityOf(database: UnreadableDatabase): {
  resource: Omit<DatabaseResource, 'region'>;
  arnRegion: string | undefined;
  engineKnown: boolean;
  tagsKnown: boolean;
} {
  const { record, resourceType } = database;
  const keys = KINDS[resourceType];
  const identifier = stringField(record, keys.identifier) ?? '';
  const arnText = stringField(record, keys.arn);
  const arnRegion = arnText?.startsWith('arn:') ? regionFromArn(arnText) : undefined;
  const arn = arnRegion === undefined ? undefined : arnText;
  const accountId = accountIdFromArn(arn);
  const engine = stringField(record, 'Engine');
  const engineVersion = stringField(record, 'EngineVersion');
  const clusterIdentifier =
    resourceType === 'AWS::RDS::DBInstance'
      ? stringField(record, 'DBClusterIdentifier')
      : undefined;
  const tags = tagsOf(record.TagList);
  return {
    resource: {
      resourceType,
      // The id every other record is keyed by; the identifier when the record lacks it.
      resourceId: stringField(record, keys.resourceId) ?? identifier,
      identifier,
      ...(arn ? { arn } : {}),
      ...(accountId ? { accountId } : {}),
      engine: engine ?? '',
      engineVersion: engineVersion ?? '',
      ...(clusterIdentifier ? { clusterIdentifier } : {}),
      optionGroups: [],
      iamDatabaseAuthenticationEnabled: false,
      tags: tags ?? {},
    },
    arnRegion,
    engineKnown: engine !== undefined,
    tagsKnown: tags !== undefined,
  };
}

/** The tags of a TagList whose every entry has a string Key (and Value, if any); undefined when not. */
function tagsOf(tagList: unknown): Record<string, string> | undefined {
  if (tagList === undefined) return {};
  if (!Array.isArray(tagList)) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of tagList) {
    const value = isRecord(tag) ? (tag.Value ?? '') : undefined;
    if (!isRecord(tag) || typeof tag.Key !== 'string' || typeof value !== 'string')
      return undefined;
    tags[tag.Key] = value;
  }
  return tags;
}

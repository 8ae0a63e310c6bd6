/**
 * What every report format agrees on: the order databases are listed in,
 * which scan problems belong to which database, and how free text from
 * servers and APIs is made safe to show on one line.
 */
import type {
  DatabaseResource,
  ResourceEvaluation,
  ScanProblem,
  ScanResult,
  SnapshotProvenance,
} from '../types.js';

/** Code-unit order, so a report reads the same whatever the machine's locale. */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Evaluations sorted by region, then identifier, then resource id (stable across runs). */
export function sortedEvaluations(result: ScanResult): ResourceEvaluation[] {
  return [...result.evaluations].sort(
    (a, b) =>
      compareText(a.resource.region, b.resource.region) ||
      compareText(a.resource.identifier, b.resource.identifier) ||
      compareText(a.resource.resourceId, b.resource.resourceId),
  );
}

/**
 * A problem belongs to a database when its scope names it: by identifier,
 * resource id, ARN, or `<region>/<identifier>`. Anything else (a region, the
 * inventory) is a scan-wide problem.
 */
export function problemsFor(resource: DatabaseResource, problems: ScanProblem[]): ScanProblem[] {
  const names = new Set([
    resource.identifier,
    resource.resourceId,
    `${resource.region}/${resource.identifier}`,
  ]);
  if (resource.arn) names.add(resource.arn);
  return problems.filter((problem) => names.has(problem.scope));
}

/** The account that owns a resource: the inventory's field, else the ARN's fifth part. */
export function accountIdOf(resource: DatabaseResource): string | undefined {
  if (resource.accountId) return resource.accountId;
  const fromArn = resource.arn?.split(':')[4];
  return fromArn ? fromArn : undefined;
}

/** The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`), `aws` when unknown. */
export function partitionOf(resource: DatabaseResource): string {
  return resource.arn?.split(':')[1] || 'aws';
}

/**
 * How every report says where an offline audit's data came from, in one
 * line: `offline snapshot audit/, captured 2025-01-15T10:00:00.000Z
 * (capture-info.json)` or `…, files modified 2025-01-14T… to 2025-01-15T…`.
 */
export function snapshotSource(snapshot: SnapshotProvenance): string {
  return `offline snapshot ${snapshot.folder}, ${snapshotAge(snapshot)}`;
}

/** The capture time when the folder states one, else the age of the files read. */
export function snapshotAge(snapshot: SnapshotProvenance): string {
  if (snapshot.capturedAt)
    return `captured ${snapshot.capturedAt.toISOString()} (capture-info.json)`;
  if (snapshot.oldestFileAt && snapshot.newestFileAt) {
    const oldest = snapshot.oldestFileAt.toISOString();
    const newest = snapshot.newestFileAt.toISOString();
    return oldest === newest ? `files modified ${newest}` : `files modified ${oldest} to ${newest}`;
  }
  return 'capture time unknown';
}

/**
 * `ignored (names not known): notes.txt, old.json`, `… and 99980 more` past
 * the names the provenance keeps, or '' when nothing was ignored.
 */
export function snapshotIgnored(snapshot: SnapshotProvenance): string {
  if (snapshot.ignoredFileCount === 0) return '';
  return `ignored (names not known): ${snapshot.ignoredFiles.join(', ')}${unnamedIgnored(snapshot, ' and ')}`;
}

/** `<lead>N more` for the ignored files the provenance counts but does not name; '' when none. */
export function unnamedIgnored(snapshot: SnapshotProvenance, lead: string): string {
  const unnamed = snapshot.ignoredFileCount - snapshot.ignoredFiles.length;
  return unnamed > 0 ? `${lead}${unnamed} more` : '';
}

export function engineLabel(resource: DatabaseResource): string {
  return `${resource.engine} ${resource.engineVersion}`;
}

/**
 * A cluster's doors and members in one line: `writer a:5432; reader b;
 * custom reports (c); members: ledger-1 (writer), ledger-2`. Undefined for
 * anything but a cluster.
 */
export function clusterEndpointsText(resource: DatabaseResource): string | undefined {
  if (resource.resourceType !== 'AWS::RDS::DBCluster') return undefined;
  const parts: string[] = [];
  if (resource.endpoint) {
    parts.push(`writer ${resource.endpoint.address}:${resource.endpoint.port}`);
  }
  const endpoints = resource.clusterEndpoints;
  if (endpoints?.reader) parts.push(`reader ${endpoints.reader}`);
  if (endpoints?.customUnread) parts.push('custom: not listed (DescribeDBClusterEndpoints failed)');
  else if (endpoints && endpoints.custom.length > 0) {
    const custom = endpoints.custom.map((endpoint) => `${endpoint.name} (${endpoint.address})`);
    parts.push(`custom ${custom.join(', ')}${endpoints.truncated ? ', …' : ''}`);
  }
  const members = resource.clusterMembers ?? [];
  if (members.length > 0) {
    const names = members.map((member) =>
      member.writer ? `${member.identifier} (writer)` : member.identifier,
    );
    parts.push(`members: ${names.join(', ')}`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function clusterKey(resource: DatabaseResource, identifier: string): string {
  return `${accountIdOf(resource) ?? ''}/${resource.region}/${identifier}`;
}

/**
 * The member instances counted with their cluster: instances whose cluster
 * is evaluated in the same result. Each still has its own row and its own
 * Config evaluation (Config records AWS::RDS::DBInstance); it is not a
 * second database in the counts.
 */
export function clusterMemberEvaluations(result: ScanResult): Set<ResourceEvaluation> {
  const clusters = new Set(
    result.evaluations
      .filter((evaluation) => evaluation.resource.resourceType === 'AWS::RDS::DBCluster')
      .map((evaluation) => clusterKey(evaluation.resource, evaluation.resource.identifier)),
  );
  const members = new Set<ResourceEvaluation>();
  for (const evaluation of result.evaluations) {
    const { resource } = evaluation;
    if (
      resource.resourceType === 'AWS::RDS::DBInstance' &&
      resource.clusterIdentifier !== undefined &&
      clusters.has(clusterKey(resource, resource.clusterIdentifier))
    ) {
      members.add(evaluation);
    }
  }
  return members;
}

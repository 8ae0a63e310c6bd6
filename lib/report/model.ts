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

/** `ignored (names not known): notes.txt, old.json`, or '' when nothing was ignored. */
export function snapshotIgnored(snapshot: SnapshotProvenance): string {
  return snapshot.ignoredFiles.length > 0
    ? `ignored (names not known): ${snapshot.ignoredFiles.join(', ')}`
    : '';
}

export function engineLabel(resource: DatabaseResource): string {
  return `${resource.engine} ${resource.engineVersion}`;
}

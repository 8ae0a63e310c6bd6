/**
 * Checks of what the user typed, before any AWS call: engine names against
 * the engines RDS has, regions against the SDK's partition data. A typo is a
 * usage error that names the likely intent, not a scan that finds nothing.
 */
import { partition } from '@aws-sdk/core/client';
import { classifyEngine, isOtherService } from '../rules/engines.js';
import { UsageError } from './usage.js';

/** RDS `Engine` values (DescribeDBEngineVersions), used for "did you mean". */
const RDS_ENGINES = [
  'aurora-mysql',
  'aurora-postgresql',
  'mariadb',
  'mysql',
  'postgres',
  'oracle-ee',
  'oracle-ee-cdb',
  'oracle-se2',
  'oracle-se2-cdb',
  'sqlserver-ee',
  'sqlserver-se',
  'sqlserver-ex',
  'sqlserver-web',
  'db2-ae',
  'db2-se',
];

/** Throws a UsageError for an engine name RDS does not have. */
export function validateEngines(engines: readonly string[]): void {
  for (const engine of engines) {
    if (classifyEngine(engine) !== 'unknown' || isOtherService(engine)) continue;
    const guess = closest(engine.toLowerCase(), RDS_ENGINES);
    throw new UsageError(
      `--engine ${JSON.stringify(engine)} is not an RDS engine${guess ? ` (did you mean ${guess}?)` : ''}; RDS engines: ${RDS_ENGINES.join(', ')}`,
    );
  }
}

export interface RegionCheck {
  /** Regions the SDK knows. */
  known: string[];
  /** Well-formed names missing from this SDK's list: newer regions, or typos. */
  unlisted: string[];
}

/**
 * A region that matches no partition's naming pattern (`eu-west`, `euwest1`)
 * is a usage error. One that matches a pattern but is not in the SDK's list
 * (`eu-wset-1`, or a region newer than this SDK) is scanned with a warning:
 * refusing it would lock out new regions, and a typo still fails the listing.
 */
export function checkRegions(regions: readonly string[]): RegionCheck {
  const check: RegionCheck = { known: [], unlisted: [] };
  for (const region of regions) {
    if (!/^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/.test(region)) {
      throw new UsageError(
        `--region ${JSON.stringify(region)} is not a region name (expected a name such as eu-west-1)`,
      );
    }
    const info = partition(region) as { description?: string };
    if (info.description !== undefined) check.known.push(region);
    else check.unlisted.push(region);
  }
  return check;
}

/** The candidate within edit distance 2 of the input, if there is exactly one best. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

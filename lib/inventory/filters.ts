/**
 * Which databases a scan covers. Applied to the listing before enrichment, so
 * a filtered-out database costs no parameter group reads. Pure.
 */
import type { DatabaseResource } from '../types.js';

export interface InventoryFilters {
  /** Engine names as RDS spells them (`postgres`, `aurora-mysql`); case-insensitive. */
  engines?: string[];
  /**
   * DB instance or cluster identifiers, resource ids or ARNs. A cluster
   * identifier also selects the cluster's member instances.
   */
  identifiers?: string[];
  /** Every key must be present with exactly this value. */
  tags?: Record<string, string>;
}

export function matchesFilters(resource: DatabaseResource, filters: InventoryFilters): boolean {
  const { engines, identifiers, tags } = filters;
  if (engines?.length) {
    const wanted = new Set(engines.map((engine) => engine.toLowerCase()));
    if (!wanted.has(resource.engine.toLowerCase())) return false;
  }
  if (identifiers?.length) {
    const wanted = new Set(identifiers);
    const names = [
      resource.identifier,
      resource.resourceId,
      resource.arn,
      resource.clusterIdentifier,
    ].filter((name): name is string => name !== undefined);
    if (!names.some((name) => wanted.has(name))) return false;
  }
  if (tags) {
    for (const [key, value] of Object.entries(tags)) {
      if (resource.tags[key] !== value) return false;
    }
  }
  return true;
}

export function applyFilters(
  resources: DatabaseResource[],
  filters: InventoryFilters | undefined,
): DatabaseResource[] {
  if (!filters) return resources;
  return resources.filter((resource) => matchesFilters(resource, filters));
}

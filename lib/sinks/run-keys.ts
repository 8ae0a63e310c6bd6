/**
 * Where a scheduled run's objects live in the archive bucket: its reports
 * under a dated, Hive-style prefix, its work in progress (manifest, parts)
 * apart from them, and the ids that are safe in a key.
 */

/** One scheduled run: its id and when it started (the date in its keys). */
export interface RunRef {
  id: string;
  startedAt: Date;
}

export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/;
export const PART_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/;

/** A run id from the schedule's event id (or any text): safe for a key, never empty. */
export function runIdFrom(startedAt: Date, eventId?: string): string {
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = (eventId ?? crypto.randomUUID()).replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
  return `${stamp}-${suffix || 'run'}`;
}

/** `<root>/year=YYYY/month=MM/day=DD/` of the run's UTC start. */
export function runPrefix(run: RunRef, root: 'reports' | 'runs' = 'reports'): string {
  const date = run.startedAt;
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${root}/year=${year}/month=${month}/day=${day}/`;
}

export function reportKeys(run: RunRef): { json: string; html: string } {
  const prefix = runPrefix(run);
  return { json: `${prefix}${run.id}.json`, html: `${prefix}${run.id}.html` };
}

/** Work in progress lives apart from the reports, so a lifecycle rule can expire it early. */
export function workKeys(run: RunRef): { manifest: string; manifestPages: string; parts: string } {
  const base = `${runPrefix(run, 'runs')}${run.id}/`;
  return {
    manifest: `${base}manifest.json`,
    manifestPages: `${base}manifest/`,
    parts: `${base}parts/`,
  };
}

/** Page n of the manifest's list of each part's databases. */
export function manifestPageKey(run: RunRef, page: number): string {
  return `${workKeys(run).manifestPages}${page}.json`;
}

export function partKey(run: RunRef, part: string): string {
  return `${workKeys(run).parts}${part}.json`;
}

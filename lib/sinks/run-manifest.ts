/**
 * A fanned-out run's manifest, written by the scanner. Its index
 * (`runs/…/<runId>/manifest.json`) holds the parts it queued, the problems
 * it saw and how many pages follow; its pages
 * (`runs/…/<runId>/manifest/<n>.json`) name each part's databases, so that
 * a part that never arrives is reported lost database by database.
 *
 * A page names a database only by what its lost evaluation reports (type,
 * ids, ARN, account, region, engine, cluster), never by its settings or
 * tags, and is cut at 4 MiB, a quarter of the read cap: no fleet makes an
 * object the assembler refuses to read. Assembling a complete run reads the
 * index alone; an overdue run reads the pages one at a time and keeps only
 * its lost parts' databases.
 *
 * The pages are written before the index, so once the index is there so
 * are they (S3's strong read-after-write consistency). The previous
 * release's manifest carried every part's databases inline and whole
 * (`partDatabases`); it is still read, keeping only each database's
 * identity, so a run that straddles a deploy still assembles.
 */
import * as z from 'zod';
import { databaseResourceSchema } from '../database-resource.js';
import type { RuleParameters, ScanProblem } from '../types.js';
import { scanProblemSchema, storedRuleParametersSchema } from '../types.js';
import {
  type ArchiveOutcome,
  type ArchiveTarget,
  objectInvalid,
  putAll,
  readObject,
} from './archive-bucket.js';
import {
  manifestPageKey,
  PART_ID_PATTERN,
  RUN_ID_PATTERN,
  type RunRef,
  workKeys,
} from './run-keys.js';

export const MAX_PARTS = 5_000;
/** A page is cut here, well under the archive's 16 MiB read cap. */
export const MANIFEST_PAGE_BYTES = 4 * 1024 * 1024;
/** 256 MiB of names, about 800,000 databases: far beyond MAX_PARTS batches. */
export const MAX_MANIFEST_PAGES = 64;

/** What a database of a lost part is reported by: its identity, nothing it is configured with. */
export const partDatabaseSchema = databaseResourceSchema.pick({
  resourceType: true,
  resourceId: true,
  identifier: true,
  arn: true,
  accountId: true,
  region: true,
  engine: true,
  engineVersion: true,
  clusterIdentifier: true,
});
export type PartDatabase = z.output<typeof partDatabaseSchema>;

/** The manifest as the scanner hands it over. */
export interface RunManifest {
  runId: string;
  startedAt: Date;
  ruleParameters: RuleParameters;
  /** The parts queued for probe workers. */
  parts: string[];
  /** Problems the scanner saw: listing failures, databases it could not queue. */
  problems: ScanProblem[];
  /** The databases of each part, reported lost if the part never arrives. */
  partDatabases?: Record<string, readonly PartDatabase[]>;
}

const partIdSchema = z.string().regex(PART_ID_PATTERN);
const partDatabasesSchema = z.record(partIdSchema, z.array(partDatabaseSchema));

const storedManifestSchema = z.object({
  runId: z.string().regex(RUN_ID_PATTERN),
  startedAt: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
  ruleParameters: storedRuleParametersSchema,
  parts: z.array(partIdSchema).max(MAX_PARTS),
  problems: z.array(scanProblemSchema),
  /** Pages naming each part's databases. */
  databasePages: z.number().int().min(0).max(MAX_MANIFEST_PAGES).optional(),
  /** The previous release: each part's databases inline (whole resources; the schema keeps their identity). */
  partDatabases: partDatabasesSchema.optional(),
});
/** The manifest as read back: the index, and the previous release's inline databases. */
export type StoredManifest = z.output<typeof storedManifestSchema>;

const manifestPageSchema = z.object({
  runId: z.string().regex(RUN_ID_PATTERN),
  page: z.number().int().min(0),
  partDatabases: partDatabasesSchema,
});

/** A database as its manifest page names it. */
export function partDatabaseOf(resource: PartDatabase): PartDatabase {
  return {
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    identifier: resource.identifier,
    arn: resource.arn,
    accountId: resource.accountId,
    region: resource.region,
    engine: resource.engine,
    engineVersion: resource.engineVersion,
    clusterIdentifier: resource.clusterIdentifier,
  };
}

/** Writes the pages, then the index; undefined once both are stored. */
export async function putManifest(
  target: ArchiveTarget,
  manifest: RunManifest,
): Promise<ArchiveOutcome | undefined> {
  const run = { id: manifest.runId, startedAt: manifest.startedAt };
  const { partDatabases, ...index } = manifest;
  let pages = 0;
  for (const page of pagesOf(partDatabases ?? {})) {
    if (pages >= MAX_MANIFEST_PAGES) {
      return {
        status: 'failed',
        code: 'RUN_TOO_LARGE',
        message: `run ${run.id} names more databases than ${MAX_MANIFEST_PAGES} manifest pages hold`,
      };
    }
    const body = JSON.stringify({ runId: run.id, page: pages, partDatabases: page });
    const failed = await putAll(target, [
      { key: manifestPageKey(run, pages), body, contentType: 'application/json' },
    ]);
    if (failed) return failed;
    pages += 1;
  }
  return putAll(target, [
    {
      key: workKeys(run).manifest,
      body: JSON.stringify({ ...index, databasePages: pages }),
      contentType: 'application/json',
    },
  ]);
}

/** Each part's databases, as identities, in pages of at most MANIFEST_PAGE_BYTES (a part may span two). */
function* pagesOf(
  partDatabases: Record<string, readonly PartDatabase[]>,
): Generator<Record<string, PartDatabase[]>> {
  const envelope = 100;
  let page: Record<string, PartDatabase[]> = {};
  let bytes = envelope;
  let empty = true;
  for (const [part, databases] of Object.entries(partDatabases)) {
    for (const resource of databases) {
      const entry = partDatabaseOf(resource);
      // The entry, its comma, and the part's key on a page that does not have it yet.
      const entryBytes = Buffer.byteLength(JSON.stringify(entry)) + 1;
      const keyBytes = Buffer.byteLength(part) + 6;
      if (!empty && bytes + entryBytes + (page[part] ? 0 : keyBytes) > MANIFEST_PAGE_BYTES) {
        yield page;
        page = {};
        bytes = envelope;
      }
      const onPage = page[part] ?? [];
      if (onPage.length === 0) bytes += keyBytes;
      onPage.push(entry);
      page[part] = onPage;
      bytes += entryBytes;
      empty = false;
    }
  }
  if (!empty) yield page;
}

export type ManifestRead =
  | { status: 'read'; manifest: StoredManifest; lastModified?: Date }
  | { status: 'missing' }
  | { status: 'failed'; outcome: ArchiveOutcome };

/** The run's manifest index, validated, and when S3 stored it. */
export async function readManifest(target: ArchiveTarget, run: RunRef): Promise<ManifestRead> {
  const key = workKeys(run).manifest;
  const text = await readObject(target, key);
  if (text.status !== 'read') return text;
  const parsed = parseJson(text.text, storedManifestSchema);
  if (parsed?.runId === run.id) {
    return {
      status: 'read',
      manifest: parsed,
      ...(text.lastModified ? { lastModified: text.lastModified } : {}),
    };
  }
  return { status: 'failed', outcome: objectInvalid(key) };
}

export type LostDatabasesRead =
  | {
      status: 'read';
      /** Undefined: the manifest does not (or no longer readably) name the parts' databases. */
      partDatabases: Record<string, PartDatabase[]> | undefined;
    }
  | { status: 'failed'; outcome: ArchiveOutcome };

/**
 * The databases of the given parts, page by page, keeping no other part's.
 * A page that is missing, too large or invalid will not become readable:
 * the parts' databases are then unknown. A page S3 failed to return is a
 * failure, so the run waits for the next sweep rather than lose the names.
 */
export async function readPartDatabases(
  target: ArchiveTarget,
  run: RunRef,
  manifest: StoredManifest,
  parts: readonly string[],
): Promise<LostDatabasesRead> {
  const wanted = new Set(parts);
  const found: Record<string, PartDatabase[]> = {};
  const keep = (partDatabases: Record<string, PartDatabase[]>) => {
    for (const [part, databases] of Object.entries(partDatabases)) {
      if (!wanted.has(part)) continue;
      const named = found[part] ?? [];
      for (const database of databases) named.push(database);
      found[part] = named;
    }
  };
  if (manifest.partDatabases) {
    keep(manifest.partDatabases);
    return { status: 'read', partDatabases: found };
  }
  if (manifest.databasePages === undefined) return { status: 'read', partDatabases: undefined };
  for (let page = 0; page < manifest.databasePages; page += 1) {
    const text = await readObject(target, manifestPageKey(run, page));
    if (text.status === 'failed' && text.outcome.status === 'failed') {
      if (text.outcome.code !== 'OBJECT_TOO_LARGE') return text;
    }
    const parsed = text.status === 'read' ? parseJson(text.text, manifestPageSchema) : undefined;
    if (parsed?.runId !== run.id || parsed.page !== page) {
      return { status: 'read', partDatabases: undefined };
    }
    keep(parsed.partDatabases);
  }
  return { status: 'read', partDatabases: found };
}

function parseJson<T extends z.ZodType>(text: string, schema: T): z.output<T> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Not JSON: the same as a schema mismatch.
    return undefined;
  }
}

/**
 * The S3 report archive: every scheduled run leaves a JSON and an HTML
 * report under a dated, Hive-style key, so auditors can list a day, a month
 * or a year:
 *
 *   reports/year=YYYY/month=MM/day=DD/<runId>.json
 *   reports/year=YYYY/month=MM/day=DD/<runId>.html
 *
 * A fanned-out run is probed by many worker invocations. Each writes its
 * batch as a part (`runs/…/<runId>/parts/<part>.json`); the scanner writes
 * the run's manifest (`runs/…/<runId>/manifest.json`: the parts it queued,
 * the listing problems, the databases it could not queue; its pages name
 * each part's databases, see run-manifest.ts). Whoever writes last,
 * a worker or the scanner, finds every part there and assembles the two
 * reports: S3's strong read-after-write consistency for PUT and LIST means
 * the last writer always sees the others' objects. Assembling twice writes
 * the same reports twice, which is harmless.
 *
 * A batch that ends on the dead-letter queue, or whose worker never
 * finishes, leaves nobody last. The next scheduled run assembles such a run
 * once its manifest is overdue (lib/sinks/overdue-runs.ts): the missing
 * batches' databases, named by the manifest's pages, are INSUFFICIENT_DATA
 * (PROBE_BATCH_LOST) and the report says it is incomplete. That fallback writes only where no report exists
 * (a conditional PUT, If-None-Match: *), so it never replaces a complete
 * report; a late batch (a redriven dead letter) still completes the run
 * and overwrites the incomplete report with the complete one.
 *
 * Everything read back from S3 is bounded (object size, part count) and
 * validated. Nothing here throws; outcomes are named. The keys are
 * run-keys.ts's; the manifest's format is run-manifest.ts's; the bounded,
 * retried S3 calls are archive-bucket.ts's.
 */
import { renderHtml } from '../report/html.js';
import { renderJson } from '../report/json.js';
import type { ScanResult } from '../types.js';
import {
  type ArchiveOutcome,
  type ArchiveTarget,
  listObjects,
  objectInvalid,
  putAll,
  readObject,
} from './archive-bucket.js';
import {
  PART_ID_PATTERN,
  partKey,
  RUN_ID_PATTERN,
  type RunRef,
  reportKeys,
  workKeys,
} from './run-keys.js';
import {
  MAX_PARTS,
  putManifest,
  type RunManifest,
  readManifest,
  readPartDatabases,
  type StoredManifest,
} from './run-manifest.js';
import {
  decodeScanResult,
  encodeScanResult,
  markLostParts,
  mergeScanResults,
} from './scan-result-codec.js';

/** All parts of one run together; beyond this the run is not assembled in memory. */
export const MAX_RUN_BYTES = 128 * 1024 * 1024;

/** A run evaluated in one invocation (no queue): its reports, straight away. */
export async function writeRunReports(
  target: ArchiveTarget,
  run: RunRef,
  result: ScanResult,
  options: { onlyIfAbsent?: boolean; lostParts?: string[] } = {},
): Promise<ArchiveOutcome> {
  if (!RUN_ID_PATTERN.test(run.id)) return invalidRun();
  const keys = reportKeys(run);
  const kept: string[] = [];
  const failed = await putAll(
    target,
    [
      { key: keys.json, body: renderJson(result), contentType: 'application/json' },
      {
        key: keys.html,
        body: renderHtml(result, { title: `rds-tls-guard run ${run.id}` }),
        contentType: 'text/html; charset=utf-8',
      },
    ],
    options.onlyIfAbsent ? kept : undefined,
  );
  if (failed) return failed;
  return {
    status: 'written',
    keys: [keys.json, keys.html].filter((key) => !kept.includes(key)),
    ...(options.lostParts && options.lostParts.length > 0 ? { lostParts: options.lostParts } : {}),
    ...(kept.length > 0 ? { kept } : {}),
  };
}

/** One probe batch's result, then the run's reports if this was the last piece. */
export async function writePart(
  target: ArchiveTarget,
  run: RunRef,
  part: string,
  result: ScanResult,
): Promise<ArchiveOutcome> {
  return (await storePart(target, run, part, result)) ?? assembleIfComplete(target, run);
}

/** One probe batch's result only; undefined once it is stored. */
export async function storePart(
  target: ArchiveTarget,
  run: RunRef,
  part: string,
  result: ScanResult,
): Promise<ArchiveOutcome | undefined> {
  if (!RUN_ID_PATTERN.test(run.id) || !PART_ID_PATTERN.test(part)) return invalidRun();
  return putAll(target, [
    { key: partKey(run, part), body: encodeScanResult(result), contentType: 'application/json' },
  ]);
}

/** The scanner's manifest, then the run's reports if every part is already there. */
export async function writeManifest(
  target: ArchiveTarget,
  manifest: RunManifest,
): Promise<ArchiveOutcome> {
  const run = { id: manifest.runId, startedAt: manifest.startedAt };
  const parts = [...manifest.parts, ...Object.keys(manifest.partDatabases ?? {})];
  if (!RUN_ID_PATTERN.test(run.id) || !parts.every((part) => PART_ID_PATTERN.test(part))) {
    return invalidRun();
  }
  return (await putManifest(target, manifest)) ?? assembleIfComplete(target, run);
}

/**
 * Writes the run's JSON and HTML reports when the manifest and all its
 * parts are in the bucket; otherwise says how many parts are missing.
 */
export async function assembleIfComplete(
  target: ArchiveTarget,
  run: RunRef,
): Promise<ArchiveOutcome> {
  const read = await readManifest(target, run);
  if (read.status === 'missing') return { status: 'waiting', missingParts: -1 };
  if (read.status === 'failed') return read.outcome;
  return assembleRun(target, run, read.manifest, 'complete');
}

/**
 * Merges the manifest's parts into the run's reports. `complete` waits for
 * every part. `fallback` (an overdue run) reports the parts that are
 * missing or unreadable as lost and writes only reports that do not exist.
 */
export async function assembleRun(
  target: ArchiveTarget,
  run: RunRef,
  manifest: StoredManifest,
  mode: 'complete' | 'fallback',
): Promise<ArchiveOutcome> {
  const keys = workKeys(run);
  const listed = await listObjects(target, keys.parts, { maxKeys: MAX_PARTS });
  if (!listed.ok) return listed.outcome;
  const present = listed.objects;
  const lost = manifest.parts.filter((part) => !present.has(partKey(run, part)));
  if (mode === 'complete' && lost.length > 0) {
    return { status: 'waiting', missingParts: lost.length };
  }

  const results: ScanResult[] = [];
  let total = 0;
  for (const part of manifest.parts) {
    if (lost.includes(part)) continue;
    const key = partKey(run, part);
    total += present.get(key) ?? 0;
    if (total > MAX_RUN_BYTES) {
      return {
        status: 'failed',
        code: 'RUN_TOO_LARGE',
        message: `run ${run.id} parts exceed ${MAX_RUN_BYTES} bytes; parts kept, reports not assembled`,
      };
    }
    const text = await readObject(target, key);
    const decoded = text.status === 'read' ? decodeScanResult(text.text) : undefined;
    if (decoded?.ok) {
      results.push(decoded.result);
      continue;
    }
    // An overdue run cannot wait for a part to become readable: it is lost.
    const unreadable =
      text.status === 'missing' ||
      decoded !== undefined ||
      (text.status === 'failed' &&
        text.outcome.status === 'failed' &&
        text.outcome.code === 'OBJECT_TOO_LARGE');
    if (mode === 'fallback' && unreadable) {
      lost.push(part);
      continue;
    }
    if (text.status === 'missing') return { status: 'waiting', missingParts: 1 };
    if (text.status === 'failed') return text.outcome;
    return objectInvalid(key);
  }
  const merged = mergeScanResults(results, manifest);
  if (lost.length === 0) return writeRunReports(target, run, merged);
  // Only now, and only the lost parts': a complete run never reads the manifest's pages.
  const named = await readPartDatabases(target, run, manifest, lost);
  if (named.status === 'failed') return named.outcome;
  const incomplete = markLostParts(
    merged,
    { startedAt: manifest.startedAt, parts: manifest.parts, partDatabases: named.partDatabases },
    lost,
  );
  return writeRunReports(target, run, incomplete, { onlyIfAbsent: true, lostParts: lost });
}

function invalidRun(): ArchiveOutcome {
  return { status: 'failed', code: 'RUN_ID_INVALID', message: 'run or part id is not key-safe' };
}

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
 * the run's manifest (`runs/…/<runId>/manifest.json`: the parts it queued, the
 * databases it could not queue, the listing problems). Whoever writes last,
 * a worker or the scanner, finds every part there and assembles the two
 * reports: S3's strong read-after-write consistency for PUT and LIST means
 * the last writer always sees the others' objects. Assembling twice writes
 * the same reports twice, which is harmless.
 *
 * Everything read back from S3 is bounded (object size, part count) and
 * validated. Nothing here throws; outcomes are named.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { type BackoffOptions, backoff, errorName, THROTTLING_ERRORS } from '../aws/retry.js';
import { describeError } from '../config/safe-text.js';
import { ruleParametersSchema } from '../fanout/message.js';
import { renderHtml } from '../report/html.js';
import { renderJson } from '../report/json.js';
import type { RuleParameters, ScanProblem, ScanResult } from '../types.js';
import {
  decodeScanResult,
  encodeScanResult,
  mergeScanResults,
  scanProblemSchema,
} from './scan-result-codec.js';

/** One scheduled run: its id and when it started (the date in its keys). */
export interface RunRef {
  id: string;
  startedAt: Date;
}

export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/;
export const PART_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/;
/** A part or manifest larger than this is not read. */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;
/** All parts of one run together; beyond this the run is not assembled in memory. */
export const MAX_RUN_BYTES = 128 * 1024 * 1024;
export const MAX_PARTS = 5_000;

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
function workKeys(run: RunRef): { manifest: string; parts: string } {
  const base = `${runPrefix(run, 'runs')}${run.id}/`;
  return { manifest: `${base}manifest.json`, parts: `${base}parts/` };
}

export function partKey(run: RunRef, part: string): string {
  return `${workKeys(run).parts}${part}.json`;
}

export interface RunManifest {
  runId: string;
  startedAt: Date;
  ruleParameters: RuleParameters;
  /** The parts queued for probe workers. */
  parts: string[];
  /** Problems the scanner saw: listing failures, databases it could not queue. */
  problems: ScanProblem[];
}

const manifestSchema = z.object({
  runId: z.string().regex(RUN_ID_PATTERN),
  startedAt: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
  ruleParameters: ruleParametersSchema,
  parts: z.array(z.string().regex(PART_ID_PATTERN)).max(MAX_PARTS),
  problems: z.array(scanProblemSchema),
});

export type ArchiveOutcome =
  | { status: 'written'; keys: string[] }
  | { status: 'waiting'; missingParts: number }
  | {
      status: 'failed';
      code:
        | 'RUN_ID_INVALID'
        | 'WRITE_FAILED'
        | 'READ_FAILED'
        | 'OBJECT_TOO_LARGE'
        | 'OBJECT_INVALID'
        | 'RUN_TOO_LARGE';
      message: string;
    };

export interface ArchiveTarget {
  s3: S3Client;
  bucket: string;
  /** Retries of throttled (SlowDown) and server-side failures, on top of the SDK's own. */
  retry?: BackoffOptions;
}

/** S3 answers a busy prefix with SlowDown (503) and sometimes with a 500: both pass. */
const TRANSIENT_S3_ERRORS = new Set([
  ...THROTTLING_ERRORS,
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
]);

async function withRetries<T>(target: ArchiveTarget, call: () => Promise<T>): Promise<T> {
  const retry = backoff(target.retry, { attempts: 4, baseMs: 200 });
  for (let attempt = 1; ; attempt += 1) {
    await retry.wait(attempt);
    try {
      return await call();
    } catch (error) {
      if (attempt >= retry.maxAttempts || !TRANSIENT_S3_ERRORS.has(errorName(error))) throw error;
    }
  }
}

/** A run evaluated in one invocation (no queue): its reports, straight away. */
export async function writeRunReports(
  target: ArchiveTarget,
  run: RunRef,
  result: ScanResult,
): Promise<ArchiveOutcome> {
  if (!RUN_ID_PATTERN.test(run.id)) return invalidRun();
  const keys = reportKeys(run);
  const written = await putAll(target, [
    { key: keys.json, body: renderJson(result), contentType: 'application/json' },
    {
      key: keys.html,
      body: renderHtml(result, { title: `rds-tls-guard run ${run.id}` }),
      contentType: 'text/html; charset=utf-8',
    },
  ]);
  return written ?? { status: 'written', keys: [keys.json, keys.html] };
}

/** One probe batch's result, then the run's reports if this was the last piece. */
export async function writePart(
  target: ArchiveTarget,
  run: RunRef,
  part: string,
  result: ScanResult,
): Promise<ArchiveOutcome> {
  if (!RUN_ID_PATTERN.test(run.id) || !PART_ID_PATTERN.test(part)) return invalidRun();
  const failed = await putAll(target, [
    { key: partKey(run, part), body: encodeScanResult(result), contentType: 'application/json' },
  ]);
  return failed ?? assembleIfComplete(target, run);
}

/** The scanner's manifest, then the run's reports if every part is already there. */
export async function writeManifest(
  target: ArchiveTarget,
  manifest: RunManifest,
): Promise<ArchiveOutcome> {
  const run = { id: manifest.runId, startedAt: manifest.startedAt };
  if (!RUN_ID_PATTERN.test(run.id) || !manifest.parts.every((part) => PART_ID_PATTERN.test(part))) {
    return invalidRun();
  }
  const failed = await putAll(target, [
    {
      key: workKeys(run).manifest,
      body: JSON.stringify(manifest),
      contentType: 'application/json',
    },
  ]);
  return failed ?? assembleIfComplete(target, run);
}

/**
 * Writes the run's JSON and HTML reports when the manifest and all its
 * parts are in the bucket; otherwise says how many parts are missing.
 */
export async function assembleIfComplete(
  target: ArchiveTarget,
  run: RunRef,
): Promise<ArchiveOutcome> {
  const keys = workKeys(run);
  const manifestText = await readObject(target, keys.manifest);
  if (manifestText.status === 'missing') return { status: 'waiting', missingParts: -1 };
  if (manifestText.status !== 'read') return manifestText.outcome;
  let manifest: RunManifest;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(manifestText.text));
    if (!parsed.success) return objectInvalid(keys.manifest);
    manifest = parsed.data;
  } catch {
    return objectInvalid(keys.manifest);
  }

  const listed = await listParts(target, keys.parts);
  if (!listed.ok) return listed.outcome;
  const present = listed.parts;
  const missing = manifest.parts.filter((part) => !present.has(`${keys.parts}${part}.json`));
  if (missing.length > 0) return { status: 'waiting', missingParts: missing.length };

  const results: ScanResult[] = [];
  let total = 0;
  for (const part of manifest.parts) {
    const key = partKey(run, part);
    const size = present.get(key) ?? 0;
    total += size;
    if (total > MAX_RUN_BYTES) {
      return {
        status: 'failed',
        code: 'RUN_TOO_LARGE',
        message: `run ${run.id} parts exceed ${MAX_RUN_BYTES} bytes; parts kept, reports not assembled`,
      };
    }
    const text = await readObject(target, key);
    if (text.status === 'missing') return { status: 'waiting', missingParts: 1 };
    if (text.status !== 'read') return text.outcome;
    const decoded = decodeScanResult(text.text);
    if (!decoded.ok) return objectInvalid(key);
    results.push(decoded.result);
  }
  const merged = mergeScanResults(results, manifest);
  return writeRunReports(target, run, merged);
}

type ReadResult =
  | { status: 'read'; text: string }
  | { status: 'missing' }
  | { status: 'failed'; outcome: ArchiveOutcome };

async function readObject(target: ArchiveTarget, key: string): Promise<ReadResult> {
  try {
    const response = await withRetries(target, () =>
      target.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: key })),
    );
    if ((response.ContentLength ?? 0) > MAX_OBJECT_BYTES) {
      return { status: 'failed', outcome: tooLarge(key) };
    }
    const text = (await response.Body?.transformToString('utf-8')) ?? '';
    if (Buffer.byteLength(text, 'utf8') > MAX_OBJECT_BYTES) {
      return { status: 'failed', outcome: tooLarge(key) };
    }
    return { status: 'read', text };
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchKey') return { status: 'missing' };
    return {
      status: 'failed',
      outcome: {
        status: 'failed',
        code: 'READ_FAILED',
        message: `${key}: ${describeError(error)}`,
      },
    };
  }
}

/** Keys and sizes under the parts prefix, at most MAX_PARTS of them. */
async function listParts(
  target: ArchiveTarget,
  prefix: string,
): Promise<{ ok: true; parts: Map<string, number> } | { ok: false; outcome: ArchiveOutcome }> {
  const found = new Map<string, number>();
  let token: string | undefined;
  do {
    try {
      const page = await withRetries(target, () =>
        target.s3.send(
          new ListObjectsV2Command({
            Bucket: target.bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) found.set(object.Key, object.Size ?? 0);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } catch (error) {
      return {
        ok: false,
        outcome: {
          status: 'failed',
          code: 'READ_FAILED',
          message: `list ${prefix}: ${describeError(error)}`,
        },
      };
    }
    if (found.size > MAX_PARTS) {
      return {
        ok: false,
        outcome: {
          status: 'failed',
          code: 'RUN_TOO_LARGE',
          message: `more than ${MAX_PARTS} parts`,
        },
      };
    }
  } while (token);
  return { ok: true, parts: found };
}

async function putAll(
  target: ArchiveTarget,
  objects: { key: string; body: string; contentType: string }[],
): Promise<ArchiveOutcome | undefined> {
  for (const object of objects) {
    try {
      await withRetries(target, () =>
        target.s3.send(
          new PutObjectCommand({
            Bucket: target.bucket,
            Key: object.key,
            Body: object.body,
            ContentType: object.contentType,
          }),
        ),
      );
    } catch (error) {
      return {
        status: 'failed',
        code: 'WRITE_FAILED',
        message: `${object.key}: ${describeError(error)}`,
      };
    }
  }
  return undefined;
}

function invalidRun(): ArchiveOutcome {
  return { status: 'failed', code: 'RUN_ID_INVALID', message: 'run or part id is not key-safe' };
}

function tooLarge(key: string): ArchiveOutcome {
  return {
    status: 'failed',
    code: 'OBJECT_TOO_LARGE',
    message: `${key} exceeds ${MAX_OBJECT_BYTES} bytes`,
  };
}

function objectInvalid(key: string): ArchiveOutcome {
  return { status: 'failed', code: 'OBJECT_INVALID', message: `${key} does not match its schema` };
}

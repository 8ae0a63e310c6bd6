/**
 * The archive bucket as the report archive uses it: every read bounded in
 * size, every listing in keys and pages, writes optionally conditional
 * (If-None-Match), throttling and server errors retried. Failures are named
 * outcomes; nothing here throws.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type BackoffOptions, backoff, THROTTLING_ERRORS } from '../aws/retry.js';
import { describeError, errorName } from '../errors.js';

/** A part or manifest larger than this is not read. */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;
export type ArchiveOutcome =
  | {
      status: 'written';
      keys: string[];
      /** Parts reported lost: the report is incomplete. */
      lostParts?: string[];
      /** Reports a concurrent writer had already written, left as they were. */
      kept?: string[];
    }
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
  /** A promise lets the SDK's S3 client load on the first archive call, not at init. */
  s3: S3Client | Promise<S3Client>;
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

export type ReadResult =
  | { status: 'read'; text: string; lastModified?: Date }
  | { status: 'missing' }
  | { status: 'failed'; outcome: ArchiveOutcome };

export async function readObject(target: ArchiveTarget, key: string): Promise<ReadResult> {
  try {
    const { GetObjectCommand } = await import('../aws/s3.js');
    const s3 = await target.s3;
    const response = await withRetries(target, () =>
      s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: key })),
    );
    if ((response.ContentLength ?? 0) > MAX_OBJECT_BYTES) {
      return { status: 'failed', outcome: tooLarge(key) };
    }
    const text = (await response.Body?.transformToString('utf-8')) ?? '';
    if (Buffer.byteLength(text, 'utf8') > MAX_OBJECT_BYTES) {
      return { status: 'failed', outcome: tooLarge(key) };
    }
    return {
      status: 'read',
      text,
      ...(response.LastModified ? { lastModified: response.LastModified } : {}),
    };
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

export type Listing =
  | { ok: true; objects: Map<string, number>; folders: string[] }
  | { ok: false; outcome: ArchiveOutcome };

/**
 * Keys and sizes under a prefix (and, with a delimiter, the folders below
 * it), at most `maxKeys` of them and `maxPages` pages.
 */
export async function listObjects(
  target: ArchiveTarget,
  prefix: string,
  options: { maxKeys: number; maxPages?: number; delimiter?: string },
): Promise<Listing> {
  const objects = new Map<string, number>();
  const folders: string[] = [];
  // S3 may return short pages; a page with no key at all still ends the walk here.
  const maxPages = options.maxPages ?? options.maxKeys + 1;
  let token: string | undefined;
  let pages = 0;
  do {
    if (pages >= maxPages) return tooMany(prefix, `${maxPages} pages`);
    pages += 1;
    try {
      const { ListObjectsV2Command } = await import('../aws/s3.js');
      const s3 = await target.s3;
      const page = await withRetries(target, () =>
        s3.send(
          new ListObjectsV2Command({
            Bucket: target.bucket,
            Prefix: prefix,
            ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) objects.set(object.Key, object.Size ?? 0);
      }
      for (const folder of page.CommonPrefixes ?? []) {
        if (folder.Prefix) folders.push(folder.Prefix);
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
    if (objects.size + folders.length > options.maxKeys) {
      return tooMany(prefix, `${options.maxKeys} keys`);
    }
  } while (token);
  return { ok: true, objects, folders };
}

function tooMany(prefix: string, limit: string): Listing {
  return {
    ok: false,
    outcome: { status: 'failed', code: 'RUN_TOO_LARGE', message: `${prefix}: more than ${limit}` },
  };
}

/** S3's answers to a conditional PUT whose key another writer took first. */
const ALREADY_WRITTEN = new Set(['PreconditionFailed', 'ConditionalRequestConflict']);

/** Writes each object; with `kept`, only where the key is free, listing the keys left alone. */
export async function putAll(
  target: ArchiveTarget,
  objects: { key: string; body: string; contentType: string }[],
  kept?: string[],
): Promise<ArchiveOutcome | undefined> {
  for (const object of objects) {
    try {
      const { PutObjectCommand } = await import('../aws/s3.js');
      const s3 = await target.s3;
      await withRetries(target, () =>
        s3.send(
          new PutObjectCommand({
            Bucket: target.bucket,
            Key: object.key,
            Body: object.body,
            ContentType: object.contentType,
            ...(kept ? { IfNoneMatch: '*' } : {}),
          }),
        ),
      );
    } catch (error) {
      if (kept && ALREADY_WRITTEN.has(errorName(error))) {
        kept.push(object.key);
        continue;
      }
      return {
        status: 'failed',
        code: 'WRITE_FAILED',
        message: `${object.key}: ${describeError(error)}`,
      };
    }
  }
  return undefined;
}

function tooLarge(key: string): ArchiveOutcome {
  return {
    status: 'failed',
    code: 'OBJECT_TOO_LARGE',
    message: `${key} exceeds ${MAX_OBJECT_BYTES} bytes`,
  };
}

export function objectInvalid(key: string): ArchiveOutcome {
  return { status: 'failed', code: 'OBJECT_INVALID', message: `${key} does not match its schema` };
}

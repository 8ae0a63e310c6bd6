/**
 * An S3 bucket in memory behind aws-sdk-client-mock: PutObject stores
 * (with If-None-Match: * it refuses a taken key with 412 PreconditionFailed,
 * as S3 does), GetObject answers with the stored body and LastModified (or
 * NoSuchKey), and ListObjectsV2 pages through keys by prefix, a few per page
 * so paging runs, rolling keys up to CommonPrefixes at a Delimiter.
 * Shapes: the S3 API Reference's PutObject, GetObject, ListObjectsV2.
 */
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';

export interface MemoryBucket {
  mock: AwsClientStub<S3Client>;
  objects: Map<string, { body: string; contentType?: string; lastModified?: Date }>;
  /** The LastModified of the next PutObject. */
  clock: { now: Date };
  keys(prefix?: string): string[];
  json(key: string): unknown;
}

export function noSuchKey(): Error {
  return Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
}

/** S3's answer to If-None-Match: * on a key that exists (HTTP 412). */
export function preconditionFailed(): Error {
  return Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
    name: 'PreconditionFailed',
    $metadata: { httpStatusCode: 412 },
  });
}

/** The part of GetObject's streaming body the archive reads. */
export function bodyOf(text: string): GetObjectCommandOutput['Body'] {
  return { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'];
}

export function memoryBucket(
  pageSize = 2,
  options: { /** Called at every S3 call, e.g. to sample the heap. */ onCall?: () => void } = {},
): MemoryBucket {
  const mock = mockClient(S3Client);
  const objects = new Map<string, { body: string; contentType?: string; lastModified?: Date }>();
  const clock = { now: new Date() };
  const install = () => {
    mock.on(PutObjectCommand).callsFake(async (input) => {
      options.onCall?.();
      if (input.IfNoneMatch === '*' && objects.has(input.Key)) throw preconditionFailed();
      objects.set(input.Key, {
        body: String(input.Body),
        contentType: input.ContentType,
        lastModified: clock.now,
      });
      return { ETag: '"etag"' };
    });
    mock.on(GetObjectCommand).callsFake(async (input) => {
      options.onCall?.();
      const object = objects.get(input.Key);
      if (!object) throw noSuchKey();
      return {
        Body: bodyOf(object.body),
        ContentLength: Buffer.byteLength(object.body),
        ...(object.lastModified ? { LastModified: object.lastModified } : {}),
      };
    });
    mock.on(ListObjectsV2Command).callsFake(async (input) => {
      options.onCall?.();
      const prefix = input.Prefix ?? '';
      const entries = new Set<string>();
      for (const key of objects.keys()) {
        if (!key.startsWith(prefix)) continue;
        const cut = input.Delimiter ? key.indexOf(input.Delimiter, prefix.length) : -1;
        entries.add(cut >= 0 ? key.slice(0, cut + 1) : key);
      }
      const all = [...entries].sort();
      const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
      const page = all.slice(start, start + pageSize);
      const more = start + pageSize < all.length;
      const folders = page.filter((entry) => !objects.has(entry));
      return {
        Contents: page
          .filter((entry) => objects.has(entry))
          .map((key) => ({
            Key: key,
            Size: Buffer.byteLength(objects.get(key)!.body),
          })),
        ...(folders.length > 0 ? { CommonPrefixes: folders.map((Prefix) => ({ Prefix })) } : {}),
        IsTruncated: more,
        ...(more ? { NextContinuationToken: String(start + pageSize) } : {}),
      };
    });
  };
  install();
  return {
    mock,
    objects,
    clock,
    keys: (prefix = '') => [...objects.keys()].filter((key) => key.startsWith(prefix)).sort(),
    json: (key) => JSON.parse(objects.get(key)?.body ?? 'null'),
  };
}

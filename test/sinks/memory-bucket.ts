/**
 * An S3 bucket in memory behind aws-sdk-client-mock: PutObject stores,
 * GetObject answers with the stored body (or NoSuchKey, as S3 does), and
 * ListObjectsV2 pages through keys by prefix, a few per page so paging runs.
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
  objects: Map<string, { body: string; contentType?: string }>;
  keys(prefix?: string): string[];
  json(key: string): unknown;
}

export function noSuchKey(): Error {
  return Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
}

/** The part of GetObject's streaming body the archive reads. */
export function bodyOf(text: string): GetObjectCommandOutput['Body'] {
  return { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'];
}

export function memoryBucket(pageSize = 2): MemoryBucket {
  const mock = mockClient(S3Client);
  const objects = new Map<string, { body: string; contentType?: string }>();
  const install = () => {
    mock.on(PutObjectCommand).callsFake(async (input) => {
      objects.set(input.Key, { body: String(input.Body), contentType: input.ContentType });
      return { ETag: '"etag"' };
    });
    mock.on(GetObjectCommand).callsFake(async (input) => {
      const object = objects.get(input.Key);
      if (!object) throw noSuchKey();
      return { Body: bodyOf(object.body), ContentLength: Buffer.byteLength(object.body) };
    });
    mock.on(ListObjectsV2Command).callsFake(async (input) => {
      const all = [...objects.keys()].filter((key) => key.startsWith(input.Prefix ?? '')).sort();
      const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
      const page = all.slice(start, start + pageSize);
      const more = start + pageSize < all.length;
      return {
        Contents: page.map((key) => ({
          Key: key,
          Size: Buffer.byteLength(objects.get(key)!.body),
        })),
        IsTruncated: more,
        ...(more ? { NextContinuationToken: String(start + pageSize) } : {}),
      };
    });
  };
  install();
  return {
    mock,
    objects,
    keys: (prefix = '') => [...objects.keys()].filter((key) => key.startsWith(prefix)).sort(),
    json: (key) => JSON.parse(objects.get(key)?.body ?? 'null'),
  };
}

import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonReportSchema } from '../../lib/report/index.js';
import { MAX_OBJECT_BYTES } from '../../lib/sinks/archive-bucket.js';
import {
  assembleIfComplete,
  writeManifest,
  writePart,
  writeRunReports,
} from '../../lib/sinks/report-archive.js';
import { partKey, reportKeys } from '../../lib/sinks/run-keys.js';
import type { RunManifest } from '../../lib/sinks/run-manifest.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { type MemoryBucket, memoryBucket } from './memory-bucket.js';
import { ACCOUNT_A, ACCOUNT_B, evaluationFor, scanResultOf } from './scan-results.js';

const RUN = { id: '20260102T030405Z-abc123', startedAt: new Date('2026-01-02T03:04:05.000Z') };
const noWait = { sleep: async () => {}, random: () => 0 };
let bucket: MemoryBucket;
let target: { s3: S3Client; bucket: string; retry: typeof noWait };

function manifest(parts: string[]): RunManifest {
  return {
    runId: RUN.id,
    startedAt: RUN.startedAt,
    ruleParameters: DEFAULT_RULE_PARAMETERS,
    parts,
    problems: [
      { scope: 'account:333333333333', code: 'ACCOUNT_UNREADABLE', message: 'AccessDenied' },
    ],
  };
}

beforeEach(() => {
  bucket?.mock.restore();
  bucket = memoryBucket();
  target = { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports-bucket', retry: noWait };
});

describe('writeRunReports', () => {
  it('writes the JSON report (valid against its schema) and the HTML report', async () => {
    const outcome = await writeRunReports(target, RUN, scanResultOf([evaluationFor(1)]));
    expect(outcome).toEqual({ status: 'written', keys: Object.values(reportKeys(RUN)) });
    const json = jsonReportSchema.parse(bucket.json(reportKeys(RUN).json));
    expect(json.databases.map((database) => database.identifier)).toEqual(['db-1']);
    const html = bucket.objects.get(reportKeys(RUN).html)!;
    expect(html.contentType).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('db-1');
  });

  it('retries a throttled PutObject (SlowDown) and succeeds', async () => {
    const slowDown = Object.assign(new Error('Please reduce your request rate.'), {
      name: 'SlowDown',
    });
    bucket.mock.on(PutObjectCommand).rejectsOnce(slowDown).rejectsOnce(slowDown).resolves({});
    const outcome = await writeRunReports(target, RUN, scanResultOf([evaluationFor(1)]));
    expect(outcome.status).toBe('written');
    expect(bucket.mock.commandCalls(PutObjectCommand)).toHaveLength(4);
  });

  it('names the failure when S3 keeps refusing, and when access is denied does not retry', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    bucket.mock.on(PutObjectCommand).rejects(denied);
    const outcome = await writeRunReports(target, RUN, scanResultOf([evaluationFor(1)]));
    expect(outcome).toMatchObject({ status: 'failed', code: 'WRITE_FAILED' });
    expect(bucket.mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('refuses a run id that is not key-safe', async () => {
    const outcome = await writeRunReports(target, { ...RUN, id: '../x' }, scanResultOf([]));
    expect(outcome).toMatchObject({ status: 'failed', code: 'RUN_ID_INVALID' });
    expect(bucket.objects.size).toBe(0);
  });
});

describe('a fanned-out run', () => {
  const partA = scanResultOf([evaluationFor(1, { accountId: ACCOUNT_A })]);
  const partB = scanResultOf([
    evaluationFor(2, { accountId: ACCOUNT_B, region: 'us-east-1', verdict: 'COMPLIANT' }),
  ]);

  it('waits while parts are missing, and the last writer assembles both reports', async () => {
    expect(await writePart(target, RUN, `${ACCOUNT_A}-0`, partA)).toEqual({
      status: 'waiting',
      missingParts: -1,
    });
    expect(await writeManifest(target, manifest([`${ACCOUNT_A}-0`, `${ACCOUNT_B}-0`]))).toEqual({
      status: 'waiting',
      missingParts: 1,
    });
    expect(bucket.objects.has(reportKeys(RUN).json)).toBe(false);

    const last = await writePart(target, RUN, `${ACCOUNT_B}-0`, partB);
    expect(last).toEqual({ status: 'written', keys: Object.values(reportKeys(RUN)) });
    const report = jsonReportSchema.parse(bucket.json(reportKeys(RUN).json));
    expect(report.databases.map((database) => [database.accountId, database.verdict])).toEqual([
      [ACCOUNT_A, 'NON_COMPLIANT'],
      [ACCOUNT_B, 'COMPLIANT'],
    ]);
    expect(report.scan.startedAt).toBe(RUN.startedAt.toISOString());
    expect(report.problems.map((problem) => problem.code)).toEqual(['ACCOUNT_UNREADABLE']);
    expect(bucket.objects.get(reportKeys(RUN).html)!.body).toContain('db-2');
  });

  it('assembles when the scanner’s manifest arrives after every part', async () => {
    await writePart(target, RUN, 'p-0', partA);
    await writePart(target, RUN, 'p-1', partB);
    await writePart(target, RUN, 'p-2', partB);
    const outcome = await writeManifest(target, manifest(['p-0', 'p-1', 'p-2']));
    expect(outcome.status).toBe('written');
  });

  it('does not assemble from a part that does not match the stored scan schema', async () => {
    await writeManifest(target, manifest(['p-0']));
    bucket.objects.set(partKey(RUN, 'p-0'), { body: '{"evaluations":"no"}' });
    const outcome = await assembleIfComplete(target, RUN);
    expect(outcome).toMatchObject({ status: 'failed', code: 'OBJECT_INVALID' });
    expect(bucket.objects.has(reportKeys(RUN).json)).toBe(false);
  });

  it('does not read a part larger than the bound', async () => {
    await writeManifest(target, manifest(['p-0']));
    bucket.objects.set(partKey(RUN, 'p-0'), { body: 'x'.repeat(MAX_OBJECT_BYTES + 1) });
    const outcome = await assembleIfComplete(target, RUN);
    expect(outcome).toMatchObject({ status: 'failed', code: 'OBJECT_TOO_LARGE' });
  });
});

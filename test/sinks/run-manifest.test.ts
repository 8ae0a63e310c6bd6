/**
 * The run manifest at fleet scale, and across a deploy. The scanner names
 * each part's databases so that a part that never arrives is reported lost
 * database by database; at 50,000 databases (an organisation scan) that list
 * must neither push the manifest past the archive's read cap nor be held
 * whole while the run is assembled. A run started by the previous release
 * (every part's databases inline in manifest.json, as full resources) still
 * assembles.
 *
 * S3 is the in-memory bucket of memory-bucket.ts (aws-sdk-client-mock, the
 * S3 API Reference's PutObject, GetObject and ListObjectsV2 shapes), paging
 * listings by 1,000 keys as S3 does.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonReportSchema } from '../../lib/report/index.js';
import { MAX_OBJECT_BYTES } from '../../lib/sinks/archive-bucket.js';
import { assembleOverdueRuns } from '../../lib/sinks/overdue-runs.js';
import { storePart, writeManifest, writePart } from '../../lib/sinks/report-archive.js';
import { partKey, reportKeys, workKeys } from '../../lib/sinks/run-keys.js';
import { encodeScanResult } from '../../lib/sinks/scan-result-codec.js';
import type { DatabaseResource, ResourceEvaluation } from '../../lib/types.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { type MemoryBucket, memoryBucket } from './memory-bucket.js';
import { ACCOUNT_A, ACCOUNT_B, evaluationFor, scanResultOf } from './scan-results.js';

const RUN = { id: '20260102T030405Z-fleet1', startedAt: new Date('2026-01-02T03:04:05.000Z') };
const HOUR = 60 * 60 * 1000;
const noWait = { sleep: async () => {}, random: () => 0 };
let bucket: MemoryBucket;
let target: { s3: S3Client; bucket: string; retry: typeof noWait };

/** What an organisation's databases carry besides their identity: tags, settings. */
const TAGS = {
  team: 'payments-platform',
  environment: 'production',
  'cost-centre': 'CC-40417',
  owner: 'database-operations',
  'data-classification': 'confidential',
};

/** Part n of the run: its databases (25 is the fan-out's batch size), alternating accounts and regions. */
function partEvaluations(n: number, perPart: number): ResourceEvaluation[] {
  return Array.from({ length: perPart }, (_, index) => {
    const evaluation = evaluationFor(n * perPart + index, {
      accountId: n % 2 === 0 ? ACCOUNT_A : ACCOUNT_B,
      region: n % 3 === 0 ? 'us-east-1' : 'eu-west-1',
    });
    return { ...evaluation, resource: { ...evaluation.resource, tags: TAGS } };
  });
}

function partId(n: number): string {
  return `${n % 2 === 0 ? ACCOUNT_A : ACCOUNT_B}-${n}`;
}

/** What the report must still say of a database it never heard from. */
function identity(database: {
  resourceType: string;
  resourceId: string;
  arn?: string | null;
  identifier: string;
  accountId?: string | null;
  region: string;
}) {
  return {
    resourceType: database.resourceType,
    resourceId: database.resourceId,
    arn: database.arn ?? null,
    identifier: database.identifier,
    accountId: database.accountId ?? null,
    region: database.region,
  };
}

function report() {
  return jsonReportSchema.parse(bucket.json(reportKeys(RUN).json));
}

const sweep = (hoursLater: number) =>
  assembleOverdueRuns(target, {
    now: new Date(RUN.startedAt.getTime() + hoursLater * HOUR),
    overdueAfterMs: 2 * HOUR,
  });

/** The most heap in use at any S3 call: while parts are read and when the reports are written. */
const heap = { peak: 0 };
function sampleHeap(): void {
  heap.peak = Math.max(heap.peak, process.memoryUsage().heapUsed);
}

function byResourceId<T extends { resourceId: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.resourceId < b.resourceId ? -1 : 1));
}

beforeEach(() => {
  bucket?.mock.restore();
  bucket = memoryBucket(1_000, { onCall: sampleHeap });
  target = { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports-bucket', retry: noWait };
});

describe('a run of 50,000 databases', () => {
  const PARTS = 2_000;
  const PER_PART = 25;
  /** A part whose databases the manifest splits across two pages. */
  const LOST = 1_304;

  it('is assembled with its lost part reported database by database, then complete when that part arrives, holding the manifest only as far as needed', async () => {
    bucket.clock.now = RUN.startedAt;
    const partDatabases: Record<string, DatabaseResource[]> = {};
    const parts: string[] = [];
    for (let n = 0; n < PARTS; n += 1) {
      const evaluations = partEvaluations(n, PER_PART);
      parts.push(partId(n));
      partDatabases[partId(n)] = evaluations.map((evaluation) => evaluation.resource);
      if (n !== LOST) {
        expect(await storePart(target, RUN, partId(n), scanResultOf(evaluations))).toBeUndefined();
      }
    }
    const lostDatabases = partDatabases[partId(LOST)]!;

    // The scanner writes last: one part is still missing, so the run waits.
    const written = await writeManifest(target, {
      runId: RUN.id,
      startedAt: RUN.startedAt,
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      parts,
      problems: [],
      partDatabases,
    });
    expect(written).toEqual({ status: 'waiting', missingParts: 1 });

    // Every object the manifest left is well under the read cap.
    const manifestKeys = [workKeys(RUN).manifest, ...bucket.keys(workKeys(RUN).manifestPages)];
    const manifestObjects = manifestKeys.map((key) =>
      Buffer.byteLength(bucket.objects.get(key)!.body),
    );
    expect(manifestObjects.length).toBeGreaterThan(1);
    expect(Math.max(...manifestObjects)).toBeLessThanOrEqual(MAX_OBJECT_BYTES / 4);
    const pagesNamingLost = bucket
      .keys(workKeys(RUN).manifestPages)
      .filter((key) => bucket.objects.get(key)!.body.includes(`"${partId(LOST)}":`));
    expect(pagesNamingLost).toHaveLength(2);
    // No database's tags or settings travel in the manifest: only what a lost database is reported by.
    for (const key of manifestKeys) {
      expect(bucket.objects.get(key)!.body).not.toContain('payments-platform');
    }

    // The part never arrives: the overdue sweep assembles the run without it.
    const before = process.memoryUsage().heapUsed;
    heap.peak = before;
    const swept = await sweep(3);
    expect(swept.failed).toEqual([]);
    expect(swept.assembled).toEqual([
      {
        runId: RUN.id,
        outcome: {
          status: 'written',
          keys: Object.values(reportKeys(RUN)),
          lostParts: [partId(LOST)],
        },
      },
    ]);
    let json = report();
    expect(json.summary.total).toBe(PARTS * PER_PART);
    const lostIds = new Set(lostDatabases.map((resource) => resource.resourceId));
    const reportedLost = json.databases.filter((database) => lostIds.has(database.resourceId));
    expect(byResourceId(reportedLost).map(identity)).toEqual(
      byResourceId(lostDatabases).map(identity),
    );
    expect(
      new Set(reportedLost.map((database) => `${database.verdict} ${database.reason}`)),
    ).toEqual(new Set(['INSUFFICIENT_DATA PROBE_BATCH_LOST']));
    expect(json.problems.find((problem) => problem.scope === `part:${partId(LOST)}`)?.message).toBe(
      `probe batch ${partId(LOST)} (${PER_PART} database(s)) never reported: dead-letter queue or an unfinished worker`,
    );
    // Loose: what assembling 50,000 databases adds to the heap (parts, report text), not a timing.
    expect(heap.peak - before).toBeLessThan(1_536 * 1024 * 1024);

    // The lost part arrives late (a redriven dead letter): the complete report, without reading the manifest's databases.
    bucket.mock.resetHistory();
    const late = await writePart(
      target,
      RUN,
      partId(LOST),
      scanResultOf(partEvaluations(LOST, PER_PART)),
    );
    expect(late).toEqual({ status: 'written', keys: Object.values(reportKeys(RUN)) });
    const read = bucket.mock
      .commandCalls(GetObjectCommand)
      .map((call) => call.args[0].input.Key ?? '')
      .filter((key) => !key.startsWith(workKeys(RUN).parts));
    expect(read).toEqual([workKeys(RUN).manifest]);
    json = report();
    expect(json.summary.total).toBe(PARTS * PER_PART);
    expect(json.summary.verdicts.INSUFFICIENT_DATA).toBe(0);
    expect(json.problems).toEqual([]);
  }, 180_000);
});

describe('a run started by the previous release', () => {
  /** manifest.json as the previous release wrote it: every part's databases inline, whole. */
  function previousReleaseManifest(partDatabases: Record<string, DatabaseResource[]>): string {
    return JSON.stringify({
      runId: RUN.id,
      startedAt: RUN.startedAt.toISOString(),
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      parts: Object.keys(partDatabases),
      problems: [],
      partDatabases,
    });
  }

  const first = partEvaluations(0, 3);
  const second = partEvaluations(1, 3);

  beforeEach(() => {
    bucket.objects.set(workKeys(RUN).manifest, {
      body: previousReleaseManifest({
        [partId(0)]: first.map((evaluation) => evaluation.resource),
        [partId(1)]: second.map((evaluation) => evaluation.resource),
      }),
      lastModified: RUN.startedAt,
    });
    bucket.objects.set(partKey(RUN, partId(0)), {
      body: encodeScanResult(scanResultOf(first)),
      lastModified: RUN.startedAt,
    });
  });

  it('assembles when its last part arrives after the deploy', async () => {
    const outcome = await writePart(target, RUN, partId(1), scanResultOf(second));
    expect(outcome).toEqual({ status: 'written', keys: Object.values(reportKeys(RUN)) });
    expect(byResourceId(report().databases).map((database) => database.identifier)).toEqual([
      'db-0',
      'db-1',
      'db-2',
      'db-3',
      'db-4',
      'db-5',
    ]);
  });

  it('reports the databases of a part that never arrives lost, by identity, from its inline list', async () => {
    const swept = await sweep(3);
    expect(swept.assembled[0]?.outcome).toMatchObject({
      status: 'written',
      lostParts: [partId(1)],
    });
    const lost = report().databases.filter((database) => database.reason === 'PROBE_BATCH_LOST');
    expect(byResourceId(lost).map(identity)).toEqual(
      byResourceId(second.map((evaluation) => evaluation.resource)).map(identity),
    );
  });
});

describe('a manifest page that cannot be read', () => {
  const first = partEvaluations(0, 2);
  const second = partEvaluations(1, 2);

  async function runWithLostPart(): Promise<string[]> {
    bucket.clock.now = RUN.startedAt;
    await writeManifest(target, {
      runId: RUN.id,
      startedAt: RUN.startedAt,
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      parts: [partId(0), partId(1)],
      problems: [],
      partDatabases: {
        [partId(0)]: first.map((evaluation) => evaluation.resource),
        [partId(1)]: second.map((evaluation) => evaluation.resource),
      },
    });
    await writePart(target, RUN, partId(0), scanResultOf(first));
    return bucket.keys(workKeys(RUN).manifestPages);
  }

  it('is garbage: the lost part is still named, its databases said to be unknown, nothing passes', async () => {
    const pages = await runWithLostPart();
    expect(pages).toHaveLength(1);
    bucket.objects.set(pages[0]!, { body: '{"databases":', lastModified: RUN.startedAt });
    const swept = await sweep(3);
    expect(swept.assembled[0]?.outcome).toMatchObject({
      status: 'written',
      lostParts: [partId(1)],
    });
    const json = report();
    expect(byResourceId(json.databases).map((database) => database.identifier)).toEqual([
      'db-0',
      'db-1',
    ]);
    expect(json.problems.map((problem) => [problem.scope, problem.code, problem.message])).toEqual([
      ['run', 'REPORT_INCOMPLETE', expect.stringContaining('1 of 2 probe batches')],
      [
        `part:${partId(1)}`,
        'PROBE_BATCH_LOST',
        `probe batch ${partId(1)} never reported; the manifest does not name its databases`,
      ],
    ]);
  });

  it('fails to read (S3 keeps failing): the run is left for the next sweep, not reported without its databases', async () => {
    const pages = await runWithLostPart();
    const internal = Object.assign(new Error('We encountered an internal error.'), {
      name: 'InternalError',
    });
    bucket.mock.on(GetObjectCommand, { Key: pages[0] }).rejects(internal);
    const swept = await sweep(3);
    expect(swept.assembled).toEqual([]);
    expect(swept.failed).toMatchObject([{ runId: RUN.id, code: 'READ_FAILED' }]);
    expect(bucket.objects.has(reportKeys(RUN).json)).toBe(false);
  });
});

import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonReportSchema } from '../../lib/report/index.js';
import { assembleOverdueRuns } from '../../lib/sinks/overdue-runs.js';
import { writeManifest, writePart } from '../../lib/sinks/report-archive.js';
import { partKey, reportKeys } from '../../lib/sinks/run-keys.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { type MemoryBucket, memoryBucket } from './memory-bucket.js';
import { ACCOUNT_A, ACCOUNT_B, evaluationFor, scanResultOf } from './scan-results.js';

const RUN = { id: '20260102T030405Z-lost01', startedAt: new Date('2026-01-02T03:04:05.000Z') };
const HOUR = 60 * 60 * 1000;
const BOUND = 2 * HOUR;
const noWait = { sleep: async () => {}, random: () => 0 };
let bucket: MemoryBucket;
let target: { s3: S3Client; bucket: string; retry: typeof noWait };

const partA = scanResultOf([evaluationFor(1, { accountId: ACCOUNT_A })]);
const partB = scanResultOf([
  evaluationFor(2, { accountId: ACCOUNT_B, region: 'us-east-1', verdict: 'COMPLIANT' }),
]);
const lostDatabase = partB.evaluations[0]!.resource;

/** The scanner queued two batches; only the first reports. */
async function runWithLostBatch(): Promise<void> {
  bucket.clock.now = RUN.startedAt;
  await writeManifest(target, {
    runId: RUN.id,
    startedAt: RUN.startedAt,
    ruleParameters: DEFAULT_RULE_PARAMETERS,
    parts: ['a-0', 'b-0'],
    problems: [],
    partDatabases: { 'a-0': [partA.evaluations[0]!.resource], 'b-0': [lostDatabase] },
  });
  await writePart(target, RUN, 'a-0', partA);
}

function report() {
  return jsonReportSchema.parse(bucket.json(reportKeys(RUN).json));
}

const sweep = (hoursLater: number) =>
  assembleOverdueRuns(target, {
    now: new Date(RUN.startedAt.getTime() + hoursLater * HOUR),
    overdueAfterMs: BOUND,
  });

beforeEach(() => {
  bucket?.mock.restore();
  bucket = memoryBucket();
  target = { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports-bucket', retry: noWait };
});

describe('a run whose batch never reports', () => {
  it('is left waiting while its manifest is inside the bound', async () => {
    await runWithLostBatch();
    const summary = await sweep(1);
    expect(summary).toMatchObject({ assembled: [], waiting: [RUN.id], failed: [] });
    expect(bucket.objects.has(reportKeys(RUN).json)).toBe(false);
  });

  it('gets its reports once overdue: the lost databases INSUFFICIENT_DATA, the report marked incomplete', async () => {
    await runWithLostBatch();
    const summary = await sweep(3);
    expect(summary.failed).toEqual([]);
    expect(summary.assembled).toEqual([
      {
        runId: RUN.id,
        outcome: { status: 'written', keys: Object.values(reportKeys(RUN)), lostParts: ['b-0'] },
      },
    ]);
    const json = report();
    expect(
      json.databases.map((database) => [database.identifier, database.verdict, database.reason]),
    ).toEqual([
      ['db-1', 'NON_COMPLIANT', partA.evaluations[0]!.finding.reason],
      ['db-2', 'INSUFFICIENT_DATA', 'PROBE_BATCH_LOST'],
    ]);
    expect(json.problems.map((problem) => [problem.scope, problem.code])).toEqual([
      ['run', 'REPORT_INCOMPLETE'],
      ['part:b-0', 'PROBE_BATCH_LOST'],
    ]);
    expect(bucket.objects.get(reportKeys(RUN).html)!.body).toContain('PROBE_BATCH_LOST');
  });

  it('is not read again once it has its reports', async () => {
    await runWithLostBatch();
    await sweep(3);
    bucket.mock.resetHistory();
    const again = await sweep(4);
    expect(again).toEqual({ assembled: [], waiting: [], failed: [], truncated: false });
    expect(bucket.mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('completes when the lost batch arrives late (a redriven dead letter): the complete report replaces the incomplete one', async () => {
    await runWithLostBatch();
    await sweep(3);
    expect(report().problems.map((problem) => problem.code)).toContain('REPORT_INCOMPLETE');

    const late = await writePart(target, RUN, 'b-0', partB);
    expect(late).toEqual({ status: 'written', keys: Object.values(reportKeys(RUN)) });
    const json = report();
    expect(json.databases.map((database) => [database.identifier, database.verdict])).toEqual([
      ['db-1', 'NON_COMPLIANT'],
      ['db-2', 'COMPLIANT'],
    ]);
    expect(json.problems).toEqual([]);
  });

  it('reports a part that does not match the stored scan schema as lost instead of never assembling', async () => {
    await runWithLostBatch();
    bucket.objects.set(partKey(RUN, 'b-0'), {
      body: '{"evaluations":"no"}',
      lastModified: RUN.startedAt,
    });
    const summary = await sweep(3);
    expect(summary.assembled[0]?.outcome).toMatchObject({ status: 'written', lostParts: ['b-0'] });
    expect(report().databases.find((database) => database.identifier === 'db-2')?.reason).toBe(
      'PROBE_BATCH_LOST',
    );
  });
});

describe('assemblers that race', () => {
  it('a late batch completing the run while the fallback reads: the fallback keeps the complete report', async () => {
    await runWithLostBatch();
    const reads = bucket.mock.commandCalls(GetObjectCommand).length;
    let raced = false;
    const original = bucket.objects;
    // The fallback has listed the parts (b-0 missing); while it reads a-0, b-0 arrives and completes the run.
    bucket.mock.on(GetObjectCommand, { Key: partKey(RUN, 'a-0') }).callsFake(async (input) => {
      const object = original.get(input.Key)!;
      if (!raced) {
        raced = true;
        await writePart(target, RUN, 'b-0', partB);
      }
      return {
        Body: { transformToString: async () => object.body },
        ContentLength: Buffer.byteLength(object.body),
      };
    });
    const summary = await sweep(3);
    expect(raced).toBe(true);
    expect(bucket.mock.commandCalls(GetObjectCommand).length).toBeGreaterThan(reads);
    expect(summary.assembled[0]?.outcome).toEqual({
      status: 'written',
      keys: [],
      lostParts: ['b-0'],
      kept: Object.values(reportKeys(RUN)),
    });
    expect(report().problems).toEqual([]);
    expect(report().databases.map((database) => database.verdict)).toEqual([
      'NON_COMPLIANT',
      'COMPLIANT',
    ]);
  });

  it('two sweeps at once write each report once', async () => {
    await runWithLostBatch();
    const [first, second] = await Promise.all([sweep(3), sweep(3)]);
    const written = [...first.assembled, ...second.assembled].flatMap((entry) =>
      entry.outcome.status === 'written' ? entry.outcome.keys : [],
    );
    const kept = [...first.assembled, ...second.assembled].flatMap((entry) =>
      entry.outcome.status === 'written' ? (entry.outcome.kept ?? []) : [],
    );
    expect(written.sort()).toEqual(Object.values(reportKeys(RUN)).sort());
    expect(kept.sort()).toEqual(Object.values(reportKeys(RUN)).sort());
    const conditional = bucket.mock
      .commandCalls(PutObjectCommand)
      .filter((call) => call.args[0].input.IfNoneMatch === '*');
    expect(conditional).toHaveLength(4);
    expect(report().problems.map((problem) => problem.code)).toContain('REPORT_INCOMPLETE');
  });
});

describe('bounds', () => {
  it('assembles at most maxRuns runs per sweep and says the rest wait', async () => {
    await runWithLostBatch();
    const other = { id: '20260102T050000Z-lost02', startedAt: new Date('2026-01-02T05:00:00Z') };
    await writeManifest(target, {
      runId: other.id,
      startedAt: other.startedAt,
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      parts: ['x-0'],
      problems: [],
    });
    const summary = await assembleOverdueRuns(target, {
      now: new Date(RUN.startedAt.getTime() + 6 * HOUR),
      overdueAfterMs: BOUND,
      maxRuns: 1,
    });
    expect(summary.assembled.map((entry) => entry.runId)).toEqual([RUN.id]);
    expect(summary.truncated).toBe(true);
  });

  it('leaves a run alone that has no manifest (its scanner never finished), and looks back only lookbackDays', async () => {
    bucket.clock.now = RUN.startedAt;
    await writePart(target, RUN, 'a-0', partA);
    expect((await sweep(3)).waiting).toEqual([RUN.id]);
    const tooOld = await assembleOverdueRuns(target, {
      now: new Date(RUN.startedAt.getTime() + 5 * 24 * HOUR),
      lookbackDays: 3,
    });
    expect(tooOld).toEqual({ assembled: [], waiting: [], failed: [], truncated: false });
  });
});

/**
 * Every fanned-out run gets its report, even when a batch never reports.
 *
 * At its start, the scheduled scan looks at the runs of the last few days
 * that have a manifest but no reports. A run whose manifest is older than
 * the overdue bound (the time SQS may still deliver a batch: visibility
 * timeout × maxReceiveCount, plus a margin) will get no more parts except
 * from a redriven dead letter, so it is assembled now with its missing
 * batches reported lost (lib/sinks/report-archive.ts assembleRun). A run
 * with no manifest (a scanner that did not finish) names no parts and is
 * left alone.
 *
 * Reads are bounded: a few day prefixes, pages per listing, runs per sweep.
 */
import { type ArchiveOutcome, type ArchiveTarget, listObjects } from './archive-bucket.js';
import { assembleRun } from './report-archive.js';
import { RUN_ID_PATTERN, reportKeys, runPrefix } from './run-keys.js';
import { readManifest } from './run-manifest.js';

/** serverless.yml: visibility timeout 1800 s × maxReceiveCount 3, plus 30 minutes. */
export const DEFAULT_OVERDUE_AFTER_MS = (1800 * 3 + 1800) * 1000;
export const DEFAULT_LOOKBACK_DAYS = 3;
/** Runs assembled by one sweep; the rest wait for the next one. */
export const MAX_RUNS_PER_SWEEP = 20;
/** Run folders or report keys read per day. */
const MAX_KEYS_PER_DAY = 2_000;

export interface OverdueSweepOptions {
  now: Date;
  overdueAfterMs?: number;
  lookbackDays?: number;
  maxRuns?: number;
}

export interface OverdueSweepSummary {
  /** Runs given their reports by this sweep (complete, or with lost parts). */
  assembled: { runId: string; outcome: ArchiveOutcome }[];
  /** Runs without reports still inside the bound, or without a manifest. */
  waiting: string[];
  failed: { runId: string; code: string; message: string }[];
  /** More runs needed assembling than one sweep takes. */
  truncated: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function assembleOverdueRuns(
  target: ArchiveTarget,
  options: OverdueSweepOptions,
): Promise<OverdueSweepSummary> {
  const overdueAfterMs = options.overdueAfterMs ?? DEFAULT_OVERDUE_AFTER_MS;
  const lookbackDays = options.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  const maxRuns = options.maxRuns ?? MAX_RUNS_PER_SWEEP;
  const summary: OverdueSweepSummary = { assembled: [], waiting: [], failed: [], truncated: false };
  let attempted = 0;

  for (let back = lookbackDays - 1; back >= 0; back -= 1) {
    const day = { id: 'day', startedAt: new Date(options.now.getTime() - back * DAY_MS) };
    const runsPrefix = runPrefix(day, 'runs');
    const runs = await listObjects(target, runsPrefix, {
      maxKeys: MAX_KEYS_PER_DAY,
      delimiter: '/',
    });
    const reports = await listObjects(target, runPrefix(day), { maxKeys: MAX_KEYS_PER_DAY });
    if (!runs.ok || !reports.ok) {
      const outcome = !runs.ok ? runs.outcome : reports.ok ? undefined : reports.outcome;
      summary.failed.push({
        runId: runsPrefix,
        code: outcome?.status === 'failed' ? outcome.code : 'READ_FAILED',
        message: outcome?.status === 'failed' ? outcome.message : 'listing failed',
      });
      continue;
    }
    for (const folder of runs.folders) {
      const runId = folder.slice(runsPrefix.length).replace(/\/$/, '');
      if (!RUN_ID_PATTERN.test(runId)) continue;
      const keys = reportKeys({ id: runId, startedAt: day.startedAt });
      if (reports.objects.has(keys.json) && reports.objects.has(keys.html)) continue;
      if (attempted >= maxRuns) {
        summary.truncated = true;
        return summary;
      }
      attempted += 1;
      const read = await readManifest(target, { id: runId, startedAt: day.startedAt });
      if (read.status === 'missing') {
        summary.waiting.push(runId);
        continue;
      }
      if (read.status === 'failed') {
        summary.failed.push({ runId, ...failure(read.outcome) });
        continue;
      }
      const storedAt = read.lastModified?.getTime() ?? options.now.getTime();
      if (options.now.getTime() - storedAt < overdueAfterMs) {
        summary.waiting.push(runId);
        continue;
      }
      const run = { id: runId, startedAt: read.manifest.startedAt };
      if (runPrefix(run, 'runs') !== runsPrefix) {
        summary.failed.push({
          runId,
          code: 'OBJECT_INVALID',
          message: 'manifest start date is not the date of its folder',
        });
        continue;
      }
      const outcome = await assembleRun(target, run, read.manifest, 'fallback');
      if (outcome.status === 'failed') summary.failed.push({ runId, ...failure(outcome) });
      else summary.assembled.push({ runId, outcome });
    }
  }
  return summary;
}

function failure(outcome: ArchiveOutcome): { code: string; message: string } {
  return outcome.status === 'failed'
    ? { code: outcome.code, message: outcome.message }
    : { code: 'UNEXPECTED', message: outcome.status };
}

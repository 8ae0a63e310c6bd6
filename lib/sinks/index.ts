/**
 * Where a scheduled run's findings go besides metrics and logs: Security Hub
 * (lib/sinks/security-hub.ts) and the S3 report archive
 * (lib/sinks/report-archive.ts). The probe worker delivers each batch; the
 * scanner archives vanished findings, writes the run's manifest, or, when it
 * evaluated everything itself, the run's reports.
 *
 * A sink that cannot take the findings never loses the evaluation: Config
 * and metrics still have it, the failure is logged and counted
 * (SinkFailures, by sink). Only a report part that could not be stored
 * fails a probe batch, because SQS redelivery is what completes the run's
 * archive; a run that cannot be assembled is left to the overdue sweep.
 */

import type { BackoffOptions } from '../aws/retry.js';
import type { MessageHeader, RunPart } from '../fanout/message.js';
import type { Log } from '../log.js';
import type { Inventory } from '../pipeline.js';
import type { FindingFirstSeen } from '../report/asff.js';
import type { DatabaseResource, ScanProblem, ScanResult } from '../types.js';
import type { ArchiveOutcome, ArchiveTarget } from './archive-bucket.js';
import { assembleOverdueRuns, type OverdueSweepOptions } from './overdue-runs.js';
import { assembleIfComplete, storePart, writeManifest, writeRunReports } from './report-archive.js';
import type { RunRef } from './run-keys.js';
import { type PartDatabase, partDatabaseOf } from './run-manifest.js';
import { lostEvaluation } from './scan-result-codec.js';
import {
  archiveVanished,
  type PublishSummary,
  publishFindings,
  type SecurityHubTarget,
} from './security-hub.js';

export type SinkName = 'SecurityHub' | 'ReportArchive';

/** An account and region, and the role that reaches it when it is not our own. */
export interface SinkPlace {
  accountId: string;
  region: string;
  roleArn?: string;
}

export interface ScheduledSinks {
  /** The report archive; absent: no archive. */
  archive?: ArchiveTarget;
  /** Security Hub of an account in a region, with that account's credentials; absent: off. */
  securityHubFor?: (place: SinkPlace) => SecurityHubTarget;
  log: Log;
  onSinkFailure?: (sink: SinkName, count: number) => void;
  /** Backoff of the Security Hub calls; tests pass a no-op sleep. */
  retry?: BackoffOptions;
  now?: () => Date;
}

export type BatchDelivery =
  | { ok: true }
  | { ok: false; code: 'REPORT_PART_NOT_WRITTEN'; message: string };

/** The probe worker's sinks for one batch of a scheduled run. */
export async function deliverBatch(
  sinks: ScheduledSinks,
  batch: MessageHeader,
  result: ScanResult,
  ownAccountId?: string,
): Promise<BatchDelivery> {
  const accountId = batch.accountId ?? ownAccountId;
  if (accountId) {
    await publishTo(
      sinks,
      { accountId, region: batch.region, ...roleOf(batch) },
      result,
      batch.firstSeen ? new Map(Object.entries(batch.firstSeen)) : undefined,
    );
  }
  return batch.run ? writeRunPart(sinks, batch.run, result) : { ok: true };
}

/**
 * The scanner's sinks for the databases it could not queue and evaluated
 * itself: their findings go to the account's Security Hub in each of their
 * regions, and their result is a part of the run like a probe batch's.
 */
export async function deliverScannerPart(
  sinks: ScheduledSinks,
  account: { accountId?: string; roleArn?: string },
  result: ScanResult,
  options: { run?: RunPart; firstSeen?: ReadonlyMap<string, FindingFirstSeen> } = {},
): Promise<BatchDelivery> {
  const { accountId } = account;
  if (accountId) {
    const regions = new Set(result.evaluations.map((evaluation) => evaluation.resource.region));
    for (const region of regions) {
      await publishTo(
        sinks,
        { accountId, region, ...(account.roleArn ? { roleArn: account.roleArn } : {}) },
        result,
        options.firstSeen,
      );
    }
  }
  return options.run ? writeRunPart(sinks, options.run, result) : { ok: true };
}

/**
 * A scheduled batch given up on its last delivery before its findings were
 * imported: each of its databases goes to Security Hub as could not be
 * judged (INSUFFICIENT_DATA, Compliance WARNING), so none keeps its last
 * finding, PASSED included. The run's report names them lost
 * (PROBE_BATCH_LOST) when the overdue sweep assembles it. Returns how many
 * findings Security Hub took.
 */
export async function deliverGivenUpBatch(
  sinks: ScheduledSinks,
  batch: MessageHeader,
  databases: readonly DatabaseResource[],
  givenUp: { code: string; attempts: number },
  ownAccountId?: string,
): Promise<number> {
  const accountId = batch.accountId ?? ownAccountId;
  if (!accountId || databases.length === 0) return 0;
  const annotation = `probe batch given up after ${givenUp.attempts} attempts (${givenUp.code}); the database could not be judged in this run`;
  const result: ScanResult = {
    startedAt: batch.run?.startedAt ?? batch.orderingTimestamp,
    finishedAt: (sinks.now ?? (() => new Date()))(),
    regions: [batch.region],
    ruleParameters: batch.ruleParameters,
    evaluations: databases.map((resource) =>
      lostEvaluation(resource, batch.orderingTimestamp, annotation),
    ),
    problems: [],
  };
  const summary = await publishTo(
    sinks,
    { accountId, region: batch.region, ...roleOf(batch) },
    result,
    batch.firstSeen ? new Map(Object.entries(batch.firstSeen)) : undefined,
  );
  return summary ? summary.imported : 0;
}

/**
 * Stores the part, then assembles the run if it was the last. Only a part
 * that is not stored fails: redelivery can write it. Once it is stored, a
 * run that cannot be assembled (another part unreadable, the run too large)
 * would fail the same way on every delivery; it is logged and counted, and
 * the overdue sweep assembles the run with what it can read.
 */
async function writeRunPart(
  sinks: ScheduledSinks,
  run: RunPart,
  result: ScanResult,
): Promise<BatchDelivery> {
  if (!sinks.archive) return { ok: true };
  const ref = { id: run.id, startedAt: run.startedAt };
  const notStored = await storePart(sinks.archive, ref, run.part, result);
  if (notStored) {
    logArchive(sinks, run.id, notStored);
    const message = notStored.status === 'failed' ? notStored.message : notStored.status;
    return { ok: false, code: 'REPORT_PART_NOT_WRITTEN', message };
  }
  logArchive(sinks, run.id, await assembleIfComplete(sinks.archive, ref));
  return { ok: true };
}

/**
 * Archives the Security Hub findings of databases gone from one account's
 * listing, region by region; a region whose listing was incomplete is left
 * alone. Returns the dates Security Hub holds for the account's active
 * findings (the same lookup), so their next import keeps them.
 */
export async function archiveVanishedFindings(
  sinks: ScheduledSinks,
  account: { accountId: string; roleArn?: string },
  inventory: Inventory,
): Promise<Map<string, FindingFirstSeen>> {
  const firstSeen = new Map<string, FindingFirstSeen>();
  if (!sinks.securityHubFor) return firstSeen;
  for (const region of inventory.regions) {
    if (inventory.problems.some((problem) => problem.scope === `region:${region}`)) {
      sinks.log.warn('listing incomplete: Security Hub findings kept', {
        accountId: account.accountId,
        region,
      });
      continue;
    }
    const current = new Set(
      inventory.items
        .filter((item) => item.resource.region === region)
        .map((item) => item.resource.resourceId),
    );
    const target = sinks.securityHubFor({ ...account, region });
    const summary = await archiveVanished(target, {
      currentResourceIds: current,
      now: (sinks.now ?? (() => new Date()))(),
      ...(sinks.retry ?? {}),
    });
    for (const [id, dates] of summary.firstSeen) firstSeen.set(id, dates);
    if (!summary.ok) {
      sinks.onSinkFailure?.('SecurityHub', 1);
      sinks.log.error('vanished findings not archived', {
        accountId: account.accountId,
        region,
        code: summary.code,
        reason: summary.message,
      });
    } else if (summary.failed.length > 0) {
      sinks.onSinkFailure?.('SecurityHub', summary.failed.length);
      sinks.log.error('vanished findings not archived', {
        accountId: account.accountId,
        region,
        failed: summary.failed,
      });
    } else if (summary.archived.length > 0) {
      sinks.log.info('vanished findings archived', {
        accountId: account.accountId,
        region,
        archived: summary.archived.length,
      });
    }
  }
  return firstSeen;
}

/** The scanner's part of a fanned-out run's archive. */
export async function recordRunManifest(
  sinks: ScheduledSinks,
  run: RunRef,
  manifest: {
    ruleParameters: ScanResult['ruleParameters'];
    parts: string[];
    problems: ScanProblem[];
    partDatabases?: Record<string, readonly PartDatabase[]>;
  },
): Promise<ArchiveOutcome | undefined> {
  if (!sinks.archive) return undefined;
  const outcome = await writeManifest(sinks.archive, {
    runId: run.id,
    startedAt: run.startedAt,
    ...manifest,
  });
  logArchive(sinks, run.id, outcome);
  return outcome;
}

/**
 * The scanner's first step: earlier runs that will get no more batches
 * (lib/sinks/overdue-runs.ts) get their reports, lost batches named.
 */
export async function assembleOverdue(
  sinks: ScheduledSinks,
  options: Omit<OverdueSweepOptions, 'now'> = {},
): Promise<void> {
  if (!sinks.archive) return;
  const summary = await assembleOverdueRuns(sinks.archive, {
    now: (sinks.now ?? (() => new Date()))(),
    ...options,
  });
  for (const { runId, outcome } of summary.assembled) {
    if (outcome.status === 'written' && outcome.lostParts) {
      sinks.log.warn('overdue run assembled without its lost batches', {
        runId,
        lostParts: outcome.lostParts.slice(0, 20),
        keys: outcome.keys,
      });
    } else logArchive(sinks, runId, outcome);
  }
  for (const failed of summary.failed) {
    sinks.onSinkFailure?.('ReportArchive', 1);
    sinks.log.error('overdue run not assembled', { ...failed });
  }
  if (summary.truncated)
    sinks.log.warn('more overdue runs than one sweep takes; the next run continues');
}

/**
 * A run evaluated in one invocation: reports to the archive, findings to
 * each account's Security Hub in each region.
 */
export async function deliverRun(
  sinks: ScheduledSinks,
  run: RunRef,
  result: ScanResult,
  roles: ReadonlyMap<string, string>,
  firstSeen?: ReadonlyMap<string, FindingFirstSeen>,
): Promise<void> {
  const places = new Map<string, SinkPlace>();
  for (const evaluation of result.evaluations) {
    const { accountId, region } = evaluation.resource;
    if (!accountId) continue;
    const role = roles.get(accountId);
    places.set(`${accountId}|${region}`, { accountId, region, ...(role ? { roleArn: role } : {}) });
  }
  for (const place of places.values()) await publishTo(sinks, place, result, firstSeen);
  if (sinks.archive) logArchive(sinks, run.id, await writeRunReports(sinks.archive, run, result));
}

async function publishTo(
  sinks: ScheduledSinks,
  place: SinkPlace,
  result: ScanResult,
  firstSeen?: ReadonlyMap<string, FindingFirstSeen>,
): Promise<PublishSummary | undefined> {
  if (!sinks.securityHubFor) return undefined;
  const summary = await publishFindings(sinks.securityHubFor(place), result, {
    ...(sinks.retry ?? {}),
    ...(firstSeen ? { firstSeen } : {}),
  });
  if (summary.failed.length > 0) {
    sinks.onSinkFailure?.('SecurityHub', summary.failed.length);
    sinks.log.error('findings not imported into Security Hub', {
      accountId: place.accountId,
      region: place.region,
      imported: summary.imported,
      failed: summary.failed.slice(0, 20),
      errors: summary.errors.slice(0, 5),
    });
  } else {
    sinks.log.info('findings imported into Security Hub', {
      accountId: place.accountId,
      region: place.region,
      imported: summary.imported,
    });
  }
  return summary;
}

function logArchive(sinks: ScheduledSinks, runId: string, outcome: ArchiveOutcome): void {
  if (outcome.status === 'written')
    sinks.log.info('run reports written', { runId, keys: outcome.keys });
  else if (outcome.status === 'failed') {
    sinks.onSinkFailure?.('ReportArchive', 1);
    sinks.log.error('report archive failed', {
      runId,
      code: outcome.code,
      reason: outcome.message,
    });
  }
}

function roleOf(batch: MessageHeader): { roleArn?: string } {
  return batch.roleArn ? { roleArn: batch.roleArn } : {};
}

export type { ArchiveTarget } from './archive-bucket.js';
export { type RunRef, runIdFrom } from './run-keys.js';
export type { SecurityHubTarget } from './security-hub.js';
export { type PartDatabase, partDatabaseOf };

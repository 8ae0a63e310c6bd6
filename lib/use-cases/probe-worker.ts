/**
 * The probe worker's unit of work: one SQS message, one batch of databases.
 * Validate the message, take the settings the scanner read (or, for a
 * message an earlier release queued, read them), run the pipeline, and,
 * for batches of a Config rule run, report the evaluations to Config.
 *
 * A message "fails" (SQS redelivers it, then parks it on the dead-letter
 * queue) only when retrying can help or someone must look: the body is
 * unusable, the pipeline threw or could read none of the databases, or
 * Config did not take every evaluation. A database that could not be read or probed is an outcome
 * (INSUFFICIENT_DATA with a reason), not a failure.
 *
 * A batch that fails on its last delivery (the next stop is the
 * dead-letter queue) is given up: its databases go to Config (a Config
 * batch) or Security Hub (a scheduled one) as could not be judged, so none
 * keeps its last verdict, and the record still fails.
 *
 * The scan runs against the invocation's remaining time less the reserve
 * reporting needs (lib/lambda/time-budget.ts). Databases not judged by then
 * are reported as INSUFFICIENT_DATA NOT_JUDGED_IN_TIME on every delivery,
 * with the real verdict of the others, and the record fails
 * (DEADLINE_REACHED) so that a later delivery may judge them: its
 * evaluations replace these. Failing it without reporting would leave every
 * database at its last verdict until then, and for good if no delivery
 * finishes in time.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { ConfigServiceClient, Evaluation } from '@aws-sdk/client-config-service';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { describeError } from '../errors.js';
import { giveUpBatch, lastDeliveryAttempt } from '../fanout/last-delivery.js';
import {
  databasesOf,
  FANOUT_MESSAGE_VERSION,
  type FanoutMessage,
  type LegacyFanoutMessage,
  parseMessage,
} from '../fanout/message.js';
import { type RemainingTime, reportReserveMs, withinTimeBudget } from '../lambda/time-budget.js';
import type { Log } from '../log.js';
import type { Inventory, LiveProber, ReachabilityCheck } from '../pipeline.js';
import { configEvaluations, putEvaluations } from '../report/config-evaluations.js';
import { NOT_JUDGED_IN_TIME, scan } from '../scan.js';
import { deliverBatch, type ScheduledSinks } from '../sinks/index.js';
import type { DatabaseResource, ScanResult } from '../types.js';

/** Where a batch's databases live: a region, and a member account role when not our own. */
export interface BatchLocation {
  region: string;
  accountId?: string;
  roleArn?: string;
}

export interface WorkerDeps {
  /**
   * Reads parameter groups, option groups and CAs (lib/inventory
   * enrichResources), only for version 1 messages, which carry bare
   * databases. Absent: such a message fails with LEGACY_MESSAGE_UNREADABLE.
   */
  enrich?: (resources: DatabaseResource[], location: BatchLocation) => Promise<Inventory>;
  /** The prober for the batch's account; undefined: configuration only. */
  proberFor?: (location: BatchLocation) => LiveProber | undefined;
  /** The TCP connect to Oracle's plaintext listener; used only where a prober is. */
  reachability?: ReachabilityCheck;
  /** Needed for batches that carry a result token. */
  config?: ConfigServiceClient;
  /**
   * Config of a member account, for batches of an organization rule run: the
   * result token belongs to that account and only it may report under it.
   */
  configFor?: (location: BatchLocation) => ConfigServiceClient;
  log: Log;
  /** Called with every finished scan (metrics). */
  onScan?: (result: ScanResult, message: FanoutMessage | LegacyFanoutMessage) => void;
  /** Security Hub and the report archive, for batches of a scheduled run (no result token). */
  sinks?: ScheduledSinks;
  /** The worker's own account: where findings of a batch without an account id go. */
  ownAccountId?: string;
  /** Called with the number of evaluations Config did not accept. */
  onEvaluationsFailed?: (count: number) => void;
  /**
   * The queue's maxReceiveCount: a delivery whose ApproximateReceiveCount
   * reaches it is the last. Absent: no delivery is known to be the last, and
   * no batch is given up (lib/fanout/last-delivery.ts).
   */
  maxReceiveCount?: number;
  /** Called with the number of databases of a given-up batch that Config took as could not be judged. */
  onDatabasesGivenUp?: (count: number) => void;
  concurrency?: number;
  /**
   * The invocation's remaining time (context.getRemainingTimeInMillis): the
   * scan stops when only the reporting reserve is left. Absent: no deadline.
   */
  remainingTime?: RemainingTime;
  now?: () => Date;
  /** PutEvaluations pacing; tests pass a no-op. */
  sleep?: (ms: number) => Promise<void>;
}

/** Why a message goes back to SQS (redelivered, then parked on the dead-letter queue). */
export const WORKER_FAILURE_CODES = [
  /** The SQS body is not JSON: not a message the scheduled scan wrote. */
  'MESSAGE_NOT_JSON',
  /** JSON that fails the message schema (lib/fanout/message.ts). */
  'MESSAGE_INVALID',
  /** A version 1 message (bare databases) reached a worker that has no RDS reader to read their settings. */
  'LEGACY_MESSAGE_UNREADABLE',
  /** The batch carries a Config result token, but the worker has no Config client to report with. */
  'NO_CONFIG_CLIENT',
  /** The scan of the batch threw. */
  'SCAN_FAILED',
  /** Not one database of a non-empty batch could be read (a role that cannot be assumed, RDS unreachable). */
  'INVENTORY_FAILED',
  /** Config refused some of the batch's evaluations after retries. */
  'EVALUATIONS_NOT_ACCEPTED',
  /** The batch's part of the audit report could not be written. */
  'REPORT_PART_NOT_WRITTEN',
  /**
   * The invocation's time ran out before every database was judged: those
   * were reported as NOT_JUDGED_IN_TIME, the others with their verdict; a
   * later delivery may judge them all.
   */
  'DEADLINE_REACHED',
  /** The worker itself failed unexpectedly: a bug, logged with its error. */
  'WORKER_DEFECT',
] as const;

export type WorkerFailureCode = (typeof WORKER_FAILURE_CODES)[number];

export type WorkerOutcome =
  | {
      status: 'done';
      databases: number;
      nonCompliant: number;
      /** Present for Config batches. */
      reported?: { accepted: number; failed: number };
    }
  | {
      status: 'failed';
      code: WorkerFailureCode;
      message: string;
      /**
       * What a last delivery still has to give up on, when not every
       * database: after EVALUATIONS_NOT_ACCEPTED the evaluations Config
       * refused (the rest it took); after DEADLINE_REACHED none, each
       * database having reached Config with its verdict or as not judged.
       */
      refused?: Evaluation[];
    };

export async function handleWorkerMessage(
  message: { messageId: string; body: string },
  deps: WorkerDeps,
): Promise<WorkerOutcome> {
  const parsed = parseMessage(message.body);
  if (!parsed.ok) {
    deps.log.error('fan-out message rejected', {
      messageId: message.messageId,
      code: parsed.code,
      reason: parsed.message,
    });
    return { status: 'failed', code: parsed.code, message: parsed.message };
  }
  const batch = parsed.message;
  const location = locationOf(batch);
  const config = configClientOf(batch, deps);
  if (batch.resultToken && !config) {
    return {
      status: 'failed',
      code: 'NO_CONFIG_CLIENT',
      message: 'batch carries a result token but the worker has no Config client',
    };
  }

  let inventory: () => Promise<Inventory>;
  if (batch.version === FANOUT_MESSAGE_VERSION) {
    const items = batch.items;
    inventory = async () => ({ items, problems: [], regions: [batch.region] });
  } else if (deps.enrich) {
    const { enrich } = deps;
    inventory = () => enrich(batch.resources, location);
  } else {
    return {
      status: 'failed',
      code: 'LEGACY_MESSAGE_UNREADABLE',
      message: 'a version 1 message needs the settings read, but the worker has no RDS reader',
    };
  }

  let result: ScanResult;
  try {
    const prober = deps.proberFor?.(location);
    result = await withinTimeBudget(
      deps.remainingTime,
      reportReserveMs(databasesOf(batch).length),
      (signal) =>
        scan({
          inventory,
          ruleParameters: batch.ruleParameters,
          ...(prober ? { prober } : {}),
          ...(prober && deps.reachability ? { reachability: deps.reachability } : {}),
          orderingTimestamp: batch.orderingTimestamp,
          ...(deps.concurrency !== undefined ? { concurrency: deps.concurrency } : {}),
          ...(deps.now ? { now: deps.now } : {}),
          ...(signal ? { signal } : {}),
        }),
    );
  } catch (error) {
    const reason = describeError(error);
    deps.log.error('probe batch failed', { messageId: message.messageId, reason });
    return { status: 'failed', code: 'SCAN_FAILED', message: reason };
  }

  for (const problem of result.problems) {
    deps.log.warn('scan problem', {
      messageId: message.messageId,
      scope: problem.scope,
      code: problem.code,
      reason: problem.message,
    });
  }
  // Nothing evaluated for a non-empty batch means the read itself failed
  // (a role that cannot be assumed, RDS unreachable): retry, then park it.
  if (result.evaluations.length === 0) {
    const code = result.problems[0]?.code ?? 'NOTHING_EVALUATED';
    deps.log.error('probe batch evaluated nothing', { messageId: message.messageId, code });
    return {
      status: 'failed',
      code: 'INVENTORY_FAILED',
      message: `none of ${databasesOf(batch).length} databases could be read (${code})`,
    };
  }

  deps.onScan?.(result, batch);
  const nonCompliant = result.evaluations.filter(
    (evaluation) => evaluation.finding.verdict === 'NON_COMPLIANT',
  ).length;
  const outOfTime = outOfTimeFailure(message.messageId, result, deps);

  if (!batch.resultToken) {
    if (deps.sinks) {
      const delivered = await deliverBatch(deps.sinks, batch, result, deps.ownAccountId);
      if (!delivered.ok)
        return { status: 'failed', code: delivered.code, message: delivered.message };
    }
    return outOfTime ?? { status: 'done', databases: result.evaluations.length, nonCompliant };
  }
  if (!config) {
    return outOfTime ?? { status: 'done', databases: result.evaluations.length, nonCompliant };
  }

  const summary = await putEvaluations(config, configEvaluations(result.evaluations), {
    resultToken: batch.resultToken,
    ...(batch.testMode ? { testMode: true } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.remainingTime ? { remainingTime: deps.remainingTime } : {}),
  });
  const reported = { accepted: summary.accepted, failed: summary.failed.length };
  if (summary.failed.length > 0) {
    deps.onEvaluationsFailed?.(summary.failed.length);
    deps.log.error('evaluations not accepted by Config', {
      messageId: message.messageId,
      configRuleName: batch.configRuleName,
      ...reported,
      errors: summary.errors,
    });
    return {
      status: 'failed',
      code: 'EVALUATIONS_NOT_ACCEPTED',
      message: `${summary.failed.length} of ${summary.submitted} evaluations not accepted`,
      refused: summary.failed,
    };
  }
  return (
    outOfTime ?? { status: 'done', databases: result.evaluations.length, nonCompliant, reported }
  );
}

/** DEADLINE_REACHED when the scan's deadline cut databases off (logged), else undefined. */
function outOfTimeFailure(
  messageId: string,
  result: ScanResult,
  deps: WorkerDeps,
): Extract<WorkerOutcome, { status: 'failed' }> | undefined {
  const notJudged = result.evaluations.filter((e) => e.finding.reason === NOT_JUDGED_IN_TIME);
  if (notJudged.length === 0) return undefined;
  deps.log.error('probe batch out of time', {
    messageId,
    databases: result.evaluations.length,
    notJudged: notJudged.length,
    identifiers: notJudged.slice(0, 25).map((e) => e.resource.identifier),
  });
  return {
    status: 'failed',
    code: 'DEADLINE_REACHED',
    message: `${notJudged.length} of ${result.evaluations.length} databases not judged before the function's time ran out`,
    refused: [],
  };
}

function locationOf(batch: FanoutMessage | LegacyFanoutMessage): BatchLocation {
  return {
    region: batch.region,
    ...(batch.accountId ? { accountId: batch.accountId } : {}),
    ...(batch.roleArn ? { roleArn: batch.roleArn } : {}),
  };
}

/** An organization rule's member batch reports through that account's Config. */
function configClientOf(
  batch: FanoutMessage | LegacyFanoutMessage,
  deps: WorkerDeps,
): ConfigServiceClient | undefined {
  return batch.roleArn && deps.configFor ? deps.configFor(locationOf(batch)) : deps.config;
}

/** What the worker reads of an SQS record: its id, body and receive count. */
export type WorkerRecord = Pick<SQSRecord, 'messageId' | 'body'> & {
  attributes?: { ApproximateReceiveCount?: string | undefined } | undefined;
};

/** A message the worker could not finish: the batch processor reports it as a batch item failure. */
export class WorkerMessageFailed extends Error {
  override readonly name = 'WorkerMessageFailed';
  constructor(readonly code: WorkerFailureCode) {
    super(code);
  }
}

/**
 * An SQS event → the partial batch response Lambda expects with
 * ReportBatchItemFailures (Powertools' BatchProcessor): only the messages
 * that failed are redelivered, also when every message failed.
 */
export async function handleWorkerRecords(
  records: readonly WorkerRecord[],
  deps: WorkerDeps,
): Promise<SQSBatchResponse> {
  const processRecord = async (record: WorkerRecord): Promise<void> => {
    let outcome: WorkerOutcome;
    try {
      outcome = await handleWorkerMessage(record, deps);
    } catch (error) {
      outcome = { status: 'failed', code: 'WORKER_DEFECT', message: describeError(error) };
    }
    if (outcome.status === 'failed') {
      const attempts = lastDeliveryAttempt(
        record.attributes?.ApproximateReceiveCount,
        deps.maxReceiveCount,
      );
      if (attempts !== undefined) {
        await giveUpBatch(record, outcome, attempts, {
          ...deps,
          configOf: (batch) => configClientOf(batch, deps),
        });
      }
      throw new WorkerMessageFailed(outcome.code);
    }
    deps.log.info('probe batch done', { messageId: record.messageId, ...outcome });
  };
  return processPartialResponse(
    { Records: records as SQSRecord[] },
    processRecord,
    new BatchProcessor(EventType.SQS),
    // One batch at a time: each already probes its databases concurrently.
    { throwOnFullBatchFailure: false, processInParallel: false },
  );
}

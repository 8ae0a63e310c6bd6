/**
 * The last delivery of a fan-out message. SQS moves a message to the
 * dead-letter queue once its receive count exceeds the queue's
 * maxReceiveCount (SQS Developer Guide, "Using dead-letter queues"), so the
 * delivery whose ApproximateReceiveCount reaches it is the last a worker
 * sees. A Config batch that fails there would leave each of its databases at
 * its last verdict, COMPLIANT included; the worker then sends them as could
 * not be judged instead.
 */
import type { ConfigServiceClient, Evaluation } from '@aws-sdk/client-config-service';
import { describeError } from '../errors.js';
import type { Log } from '../log.js';
import {
  insufficientDataEvaluation,
  putEvaluations,
  RULE_RESOURCE_TYPES,
  resourceKey,
} from '../report/config-evaluations.js';
import { deliverGivenUpBatch, type ScheduledSinks } from '../sinks/index.js';
import type { DatabaseResource } from '../types.js';
import {
  databasesOf,
  type FanoutMessage,
  type LegacyFanoutMessage,
  parseMessage,
} from './message.js';

/** SQS's ApproximateReceiveCount is a whole number; anything else reads as unknown. */
const RECEIVE_COUNT = /^\d{1,9}$/;

/**
 * The delivery's attempt number when it is the last before the dead-letter
 * queue; undefined for an earlier one, or when either count is unknown: a
 * batch given up early would put could-not-judge on databases a retry may
 * still judge.
 */
export function lastDeliveryAttempt(
  receiveCount: string | undefined,
  maxReceiveCount: number | undefined,
): number | undefined {
  if (maxReceiveCount === undefined || receiveCount === undefined) return undefined;
  if (!RECEIVE_COUNT.test(receiveCount)) return undefined;
  const attempt = Number(receiveCount);
  return attempt >= maxReceiveCount ? attempt : undefined;
}

export interface GivenUpBatch {
  /** Why the batch failed (a worker failure code). */
  code: string;
  attempts: number;
  orderingTimestamp: Date;
  /**
   * Only these resources: the evaluations Config refused. The others of the
   * batch were accepted with their real verdict and keep it.
   */
  only?: readonly Evaluation[];
}

/**
 * INSUFFICIENT_DATA evaluations (NON_COMPLIANT with an `INSUFFICIENT_DATA: `
 * annotation, as Config takes them) for the Config resources of a batch
 * given up on, each naming the failure and the attempts.
 */
export function givenUpEvaluations(
  databases: readonly DatabaseResource[],
  batch: GivenUpBatch,
): Evaluation[] {
  const annotation = `probe batch given up after ${batch.attempts} attempts (${batch.code}); the database could not be judged in this run`;
  const evaluations = databases
    .filter((database) => RULE_RESOURCE_TYPES.includes(database.resourceType))
    .map((database) =>
      insufficientDataEvaluation(
        database.resourceType,
        database.resourceId,
        annotation,
        batch.orderingTimestamp,
      ),
    );
  if (!batch.only) return evaluations;
  const refused = new Set(batch.only.map(resourceKey));
  return evaluations.filter((evaluation) => refused.has(resourceKey(evaluation)));
}

/** A failed delivery as the worker names it: its failure code, and what is left to give up. */
export interface FailedBatch {
  code: string;
  /**
   * Only these evaluations are still to be sent as could not be judged (the
   * others reached Config); absent: every database of the batch.
   */
  refused?: readonly Evaluation[];
}

export interface GiveUpDeps {
  /** The Config that may report under the batch's result token (a member account's for its batches). */
  configOf: (batch: FanoutMessage | LegacyFanoutMessage) => ConfigServiceClient | undefined;
  log: Log;
  onDatabasesGivenUp?: (count: number) => void;
  onEvaluationsFailed?: (count: number) => void;
  sleep?: (ms: number) => Promise<void>;
  /** The invocation's remaining time: the fallback's PutEvaluations ends before Lambda's timeout. */
  remainingTime?: () => number;
  /** Security Hub and the report archive, for batches of a scheduled run (no result token). */
  sinks?: ScheduledSinks;
  /** The worker's own account: where findings of a batch without an account id go. */
  ownAccountId?: string;
}

/** Worker failures that come after a scheduled batch's findings were imported. */
const FINDINGS_IMPORTED = new Set(['REPORT_PART_NOT_WRITTEN', 'DEADLINE_REACHED']);

/**
 * The last delivery of a message failed. For a Config batch nothing would
 * reach Config for its databases, and each would keep its last verdict,
 * COMPLIANT included: send each (after EVALUATIONS_NOT_ACCEPTED, each Config
 * refused) as could not be judged. A scheduled batch's databases would keep
 * their last Security Hub finding: each is imported as could not be judged
 * (its run's report names the part lost). A body that fails the schema
 * names no database that could be trusted. Logged every time; never throws.
 */
export async function giveUpBatch(
  record: { messageId: string; body: string },
  failure: FailedBatch,
  attempts: number,
  deps: GiveUpDeps,
): Promise<void> {
  const fields = { messageId: record.messageId, code: failure.code, attempts };
  try {
    const parsed = parseMessage(record.body);
    if (!parsed.ok) {
      deps.log.error('probe batch given up', { ...fields, reported: 'message unreadable' });
      return;
    }
    const batch = parsed.message;
    if (!batch.resultToken) {
      // After these the batch's real findings were imported (DEADLINE_REACHED: with
      // the ones not judged in time as such): they stand.
      const imported =
        deps.sinks && !FINDINGS_IMPORTED.has(failure.code)
          ? await deliverGivenUpBatch(
              deps.sinks,
              batch,
              databasesOf(batch),
              { code: failure.code, attempts },
              deps.ownAccountId,
            )
          : 0;
      deps.log.error('probe batch given up', {
        ...fields,
        reported: 'no result token',
        securityHubFindings: imported,
      });
      return;
    }
    const evaluations = givenUpEvaluations(databasesOf(batch), {
      code: failure.code,
      attempts,
      orderingTimestamp: batch.orderingTimestamp,
      ...(failure.refused ? { only: failure.refused } : {}),
    });
    const config = deps.configOf(batch);
    if (!config || evaluations.length === 0) {
      deps.log.error('probe batch given up', {
        ...fields,
        databases: evaluations.length,
        reported: !config
          ? 'no Config client'
          : failure.refused
            ? 'nothing left to send'
            : 'no Config resource',
      });
      return;
    }
    const summary = await putEvaluations(config, evaluations, {
      resultToken: batch.resultToken,
      ...(batch.testMode ? { testMode: true } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.remainingTime ? { remainingTime: deps.remainingTime } : {}),
    });
    if (summary.accepted > 0) deps.onDatabasesGivenUp?.(summary.accepted);
    if (summary.failed.length > 0) deps.onEvaluationsFailed?.(summary.failed.length);
    deps.log.error('probe batch given up', {
      ...fields,
      databases: evaluations.length,
      accepted: summary.accepted,
      failed: summary.failed.length,
      ...(summary.errors.length > 0 ? { errors: summary.errors } : {}),
    });
  } catch (error) {
    deps.log.error('probe batch given up', {
      ...fields,
      reported: 'not sent',
      reason: describeError(error),
    });
  }
}

/**
 * The last delivery of a fan-out message. SQS moves a message to the
 * dead-letter queue once its receive count exceeds the queue's
 * maxReceiveCount (SQS Developer Guide, "Using dead-letter queues"), so the
 * delivery whose ApproximateReceiveCount reaches it is the last a worker
 * sees. A Config batch that fails there would leave each of its databases at
 * its last verdict, COMPLIANT included; the worker then sends them as could
 * not be judged instead.
 */
import type { Evaluation } from '@aws-sdk/client-config-service';
import {
  insufficientDataEvaluation,
  RULE_RESOURCE_TYPES,
  resourceKey,
} from '../report/config-evaluations.js';
import type { DatabaseResource } from '../types.js';

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

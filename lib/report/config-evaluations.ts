/**
 * The AWS Config sink: ResourceEvaluations → PutEvaluations.
 *
 * Config accepts at most 100 evaluations per call, reports the ones it did not
 * take in FailedEvaluations, and throttles busy accounts. Every evaluation we
 * computed must either reach Config or come back to the caller in
 * `summary.failed`; none is dropped silently, and nothing here throws.
 */

import {
  type ConfigServiceClient,
  type Evaluation,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { type BackoffOptions, backoff } from '../aws/retry.js';
import { untilAborted } from '../deadline.js';
import { describeError, errorName } from '../errors.js';
import { clampAnnotation } from '../text.js';
import type { ResourceEvaluation, ResourceType } from '../types.js';

export { fetchOversizedItem, type OversizedItemResult } from '../config/history.js';

/** PutEvaluations rejects a request with more evaluations than this. */
export const MAX_EVALUATIONS_PER_CALL = 100;

/** The resource types this rule reports on; anything else in Config's list is not ours. */
export const RULE_RESOURCE_TYPES: readonly ResourceType[] = [
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
];

/**
 * The evaluations Config can show. AWS Config does not record
 * AWS::RDS::DBProxy (it is not in Config's resource type list), so proxy
 * findings stay in the scan result, the reports, metrics and Security Hub;
 * the databases behind a plaintext proxy carry the finding to Config.
 */
export function configEvaluations(evaluations: readonly ResourceEvaluation[]): Evaluation[] {
  return evaluations
    .filter((e) => RULE_RESOURCE_TYPES.includes(e.resource.resourceType))
    .map(toEvaluation);
}

/**
 * One pipeline result as a Config evaluation. The resource id is the
 * DbiResourceId / DbClusterResourceId Config keys on, never the identifier.
 */
export function toEvaluation(e: ResourceEvaluation): Evaluation {
  return evaluation(
    e.resource.resourceType,
    e.resource.resourceId,
    e.finding.verdict,
    e.finding.annotation,
    e.orderingTimestamp,
  );
}

/**
 * The evaluation for a resource whose input could not be used: INSUFFICIENT_DATA
 * saying why, which goes to Config as `configCompliance` says.
 */
export function insufficientDataEvaluation(
  resourceType: ResourceType,
  resourceId: string,
  annotation: string,
  orderingTimestamp: Date,
): Evaluation {
  return evaluation(resourceType, resourceId, 'INSUFFICIENT_DATA', annotation, orderingTimestamp);
}

/** How an annotation sent to Config begins when the verdict was INSUFFICIENT_DATA. */
export const INSUFFICIENT_DATA_PREFIX = 'INSUFFICIENT_DATA: ';

/**
 * A verdict as Config takes it. PutEvaluations does not accept
 * INSUFFICIENT_DATA (API reference, Evaluation.ComplianceType: "Config does
 * not accept INSUFFICIENT_DATA as the value for ComplianceType from a
 * PutEvaluations request"), and a verdict Config does not take would leave
 * the resource at its last one, COMPLIANT included. A database this side
 * could not judge therefore goes to Config as NON_COMPLIANT, its annotation
 * starting with `INSUFFICIENT_DATA: ` and the reason; every report of the
 * scan keeps the verdict INSUFFICIENT_DATA.
 */
export function configCompliance(
  verdict: NonNullable<Evaluation['ComplianceType']>,
  annotation: string | undefined,
): { complianceType: NonNullable<Evaluation['ComplianceType']>; annotation: string | undefined } {
  if (verdict !== 'INSUFFICIENT_DATA') return { complianceType: verdict, annotation };
  return {
    complianceType: 'NON_COMPLIANT',
    annotation: `${INSUFFICIENT_DATA_PREFIX}${annotation ?? 'could not tell'}`,
  };
}

/** Config's result token for a dry run (PutEvaluations with TestMode). */
export function isTestModeToken(resultToken: string): boolean {
  return resultToken === 'TESTMODE';
}

/** A NOT_APPLICABLE evaluation, for deleted resources, resources out of scope and the like. */
export function notApplicableEvaluation(
  resourceType: string,
  resourceId: string,
  annotation: string,
  orderingTimestamp: Date,
): Evaluation {
  return evaluation(resourceType, resourceId, 'NOT_APPLICABLE', annotation, orderingTimestamp);
}

function evaluation(
  resourceType: string,
  resourceId: string,
  verdict: NonNullable<Evaluation['ComplianceType']>,
  verdictAnnotation: string | undefined,
  orderingTimestamp: Date,
): Evaluation {
  const { complianceType, annotation } = configCompliance(verdict, verdictAnnotation);
  const result: Evaluation = {
    ComplianceResourceType: resourceType,
    ComplianceResourceId: resourceId,
    ComplianceType: complianceType,
    OrderingTimestamp: orderingTimestamp,
  };
  // Config rejects an empty Annotation as well as one over 256 characters.
  const text = annotation === undefined ? '' : clampAnnotation(annotation);
  if (text !== '') result.Annotation = text;
  return result;
}

/** Retries: calls per batch default 5, first wait about 250 ms (lib/aws/retry.ts). */
export interface PutEvaluationsOptions extends BackoffOptions {
  /** The event's resultToken; `TESTMODE` together with testMode for dry runs. */
  resultToken: string;
  /** Asks Config to validate without recording. */
  testMode?: boolean;
  /**
   * The invocation's remaining time (Lambda's getRemainingTimeInMillis).
   * Reporting ends HANDOFF_MARGIN_MS before it: no call starts after that and
   * a call in flight is abandoned, its evaluations returned in `failed`.
   * Config throttling for longer than the reserve kept for reporting would
   * otherwise have the timeout cut the function off mid-call, with nothing
   * logged and the batch not failed. Absent (the CLI, a test): no end.
   */
  remainingTime?: () => number;
}

/** What an invocation needs after its last Config call: logs, the metrics flush, its response. */
export const HANDOFF_MARGIN_MS = 1_500;

export interface PutEvaluationsSummary {
  /** Evaluations sent after duplicates were merged. */
  submitted: number;
  /** Evaluations dropped because a later one named the same resource. */
  duplicatesDropped: number;
  accepted: number;
  /** Evaluations Config still had not accepted when the retries ran out. */
  failed: Evaluation[];
  batches: number;
  calls: number;
  /** One line per failed call or exhausted batch; names and codes only. */
  errors: string[];
}

/**
 * What one PutEvaluations call is allowed, the SDK's own quick retries
 * included, when sizing the time kept back to report (putEvaluationsBudgetMs).
 */
export const PUT_EVALUATIONS_CALL_MS = 2_000;

/**
 * How long putEvaluations takes at most for `count` evaluations when every
 * call answers within `callMs`: each batch of 100 is at most maxAttempts
 * calls (default 5) and the backoff's waits between them (at most 250 + 500
 * + 1,000 + 2,000 ms by default), so one batch is at most 13,750 ms. A call
 * that takes longer (Config throttling the SDK's own retries for long) is
 * not bounded by this; a request Config refuses as invalid is split and
 * sent again without waiting.
 */
export function putEvaluationsBudgetMs(
  count: number,
  options: BackoffOptions = {},
  callMs = PUT_EVALUATIONS_CALL_MS,
): number {
  const retry = backoff(options);
  const batches = Math.max(1, Math.ceil(count / MAX_EVALUATIONS_PER_CALL));
  return batches * (retry.maxAttempts * callMs + retry.maxTotalWaitMs);
}

/** Errors that will fail every batch alike: stop calling once one is seen. */
const FATAL_ERRORS = new Set([
  'InvalidResultTokenException',
  'NoSuchConfigRuleException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
]);

/** Errors about the request itself: the same batch would fail again. */
const NON_RETRYABLE_ERRORS = new Set(['InvalidParameterValueException', 'ValidationException']);

/**
 * Sends evaluations in batches of at most 100, retrying failed evaluations
 * and failed calls with exponential backoff and jitter. Never throws.
 *
 * Two evaluations for the same resource are merged, keeping the later one:
 * Config keeps one result per rule and resource, and the PutEvaluations
 * documentation does not say which of two entries in one request wins (or
 * whether the request is accepted at all); split across batches, the winner
 * would depend on batch order. The later entry is the pipeline's newer word.
 */
export async function putEvaluations(
  client: ConfigServiceClient,
  evaluations: Evaluation[],
  options: PutEvaluationsOptions,
): Promise<PutEvaluationsSummary> {
  const retry = backoff(options);
  const { maxAttempts } = retry;
  const reportingMs = options.remainingTime && options.remainingTime() - HANDOFF_MARGIN_MS;
  const signal =
    reportingMs === undefined
      ? undefined
      : reportingMs > 0
        ? AbortSignal.timeout(reportingMs)
        : AbortSignal.abort();

  const unique = dedupe(evaluations.map(withValidAnnotation));
  const batches = chunk(unique, MAX_EVALUATIONS_PER_CALL);
  const summary: PutEvaluationsSummary = {
    submitted: unique.length,
    duplicatesDropped: evaluations.length - unique.length,
    accepted: 0,
    failed: [],
    batches: batches.length,
    calls: 0,
    errors: [],
  };

  // A request Config refuses as invalid is split in halves until the
  // evaluations at fault stand alone: one bad evaluation must not cost the
  // others in its batch their results.
  const work = batches.map((batch, index) => ({
    batch,
    label: `batch ${index + 1}/${batches.length}`,
  }));
  let fatal = false;
  for (let next = work.shift(); next !== undefined; next = work.shift()) {
    const { batch, label } = next;
    if (fatal) {
      summary.failed.push(...batch);
      continue;
    }
    let pending = batch;
    for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt += 1) {
      await retry.wait(attempt);
      if (signal?.aborted) {
        summary.errors.push(`${label}: not sent, the function's time ran out`);
        fatal = true;
        break;
      }
      summary.calls += 1;
      try {
        const response = await untilAborted(
          client.send(
            new PutEvaluationsCommand({
              Evaluations: pending,
              ResultToken: options.resultToken,
              ...(options.testMode ? { TestMode: true } : {}),
            }),
            signal ? { abortSignal: signal } : {},
          ),
          signal,
          () => undefined,
        );
        if (response === undefined) {
          summary.errors.push(
            `${label} attempt ${attempt}: abandoned, the function's time ran out`,
          );
          fatal = true;
          break;
        }
        pending = stillFailed(pending, response.FailedEvaluations ?? []);
        if (pending.length > 0 && attempt === maxAttempts) {
          summary.errors.push(
            `${label}: ${pending.length} evaluation(s) not accepted after ${maxAttempts} attempts`,
          );
        }
      } catch (error) {
        const name = errorName(error);
        summary.errors.push(`${label} attempt ${attempt}: ${describeError(error)}`);
        if (FATAL_ERRORS.has(name)) {
          fatal = true;
          break;
        }
        if (NON_RETRYABLE_ERRORS.has(name)) {
          if (pending.length > 1) {
            const half = Math.ceil(pending.length / 2);
            work.unshift(
              { batch: pending.slice(0, half), label: `${label} part 1/2` },
              { batch: pending.slice(half), label: `${label} part 2/2` },
            );
            pending = [];
          }
          break;
        }
      }
    }
    summary.failed.push(...pending);
  }

  summary.accepted = summary.submitted - summary.failed.length;
  return summary;
}

/** Which resource an evaluation is about: Config keeps one result per rule and resource. */
export function resourceKey(
  e: Pick<Evaluation, 'ComplianceResourceType' | 'ComplianceResourceId'>,
): string {
  return `${e.ComplianceResourceType ?? ''}\u0000${e.ComplianceResourceId ?? ''}`;
}

/**
 * The evaluations of `sent` that Config listed as failed. A failed entry that
 * matches none of ours (Config echoing it back altered) is kept as Config
 * returned it, so it is retried or reported rather than lost.
 */
function stillFailed(sent: Evaluation[], failedByConfig: Evaluation[]): Evaluation[] {
  if (failedByConfig.length === 0) return [];
  const failedKeys = new Set(failedByConfig.map(resourceKey));
  const sentKeys = new Set(sent.map(resourceKey));
  return [
    ...sent.filter((e) => failedKeys.has(resourceKey(e))),
    ...failedByConfig.filter((e) => !sentKeys.has(resourceKey(e))),
  ];
}

function withValidAnnotation(e: Evaluation): Evaluation {
  if (e.Annotation === undefined) return e;
  const text = clampAnnotation(e.Annotation);
  if (text === e.Annotation) return e;
  const { Annotation: _dropped, ...rest } = e;
  return text === '' ? rest : { ...rest, Annotation: text };
}

function dedupe(evaluations: Evaluation[]): Evaluation[] {
  const byResource = new Map<string, Evaluation>();
  for (const e of evaluations) {
    const key = resourceKey(e);
    // Re-inserting moves the resource to its last position, as if sent in order.
    byResource.delete(key);
    byResource.set(key, e);
  }
  return [...byResource.values()];
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

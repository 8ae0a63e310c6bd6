/**
 * The time an invocation gives its scan. Lambda ends an invocation at its
 * timeout and nothing after that runs: no evaluation reaches Config, and each
 * database keeps its last verdict, COMPLIANT included. So the scan runs
 * against a deadline of what Lambda says is left
 * (context.getRemainingTimeInMillis()) less a reserve for reporting; what
 * was not judged by then is reported as such (lib/scan.ts, NOT_JUDGED_IN_TIME).
 */
import { setMaxListeners } from 'node:events';
import { putEvaluationsBudgetMs } from '../report/config-evaluations.js';

/**
 * Beyond PutEvaluations itself: logging, the metrics flush, and the sinks of
 * a scheduled batch (Security Hub and the report part), which have their own
 * retry budgets of the same size.
 */
export const REPORT_MARGIN_MS = 5_000;

/**
 * The time kept back to report `evaluations` evaluations: putEvaluations'
 * whole retry budget (13,750 ms per 100 evaluations with calls of up to
 * 2 s; lib/report/config-evaluations.ts) plus REPORT_MARGIN_MS. A batch of
 * the probe worker (at most 25 databases) keeps 18,750 ms of its 300 s.
 */
export function reportReserveMs(evaluations: number): number {
  return putEvaluationsBudgetMs(evaluations) + REPORT_MARGIN_MS;
}

/** Lambda's context.getRemainingTimeInMillis, or a test's stand-in. */
export type RemainingTime = () => number;

/**
 * Runs `work` with a signal that aborts once only `reserveMs` of the
 * invocation is left (at once when less is left already). Without
 * `remainingTime` (the CLI, a test) there is no deadline.
 */
export async function withinTimeBudget<T>(
  remainingTime: RemainingTime | undefined,
  reserveMs: number,
  work: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (!remainingTime) return work(undefined);
  const controller = new AbortController();
  // Every database in flight listens on it.
  setMaxListeners(0, controller.signal);
  const scanMs = Math.max(0, remainingTime() - reserveMs);
  const timer = setTimeout(
    () => controller.abort(new Error(`scan deadline of ${scanMs} ms reached`)),
    scanMs,
  );
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

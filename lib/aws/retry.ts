/**
 * The one backoff for the project's own retry loops (entries an API reported
 * as failed, calls that failed after the SDK's retries: SQS SendMessageBatch,
 * Config PutEvaluations, Security Hub, the report archive): exponential with
 * half jitter, capped, and with an injectable clock so tests never wait.
 */
export interface BackoffOptions {
  /** Calls per item, counting the first. */
  maxAttempts?: number;
  /** First retry waits about this long; each further retry doubles it. */
  baseDelayMs?: number;
  /** Upper bound for one wait. */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for jitter; tests pin it. */
  random?: () => number;
}

export interface Backoff {
  maxAttempts: number;
  /** The longest all of one item's waits together can be (every jitter at its ceiling). */
  maxTotalWaitMs: number;
  /** Waits before attempt `attempt` (2, 3, …); attempt 1 does not wait. */
  wait(attempt: number): Promise<void>;
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

export function backoff(
  options: BackoffOptions = {},
  defaults = { attempts: 5, baseMs: 250 },
): Backoff {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? defaults.attempts));
  const baseDelayMs = Math.max(0, options.baseDelayMs ?? defaults.baseMs);
  const maxDelayMs = Math.max(baseDelayMs, options.maxDelayMs ?? 20_000);
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const ceiling = (attempt: number) => Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2));
  let maxTotalWaitMs = 0;
  for (let attempt = 2; attempt <= maxAttempts; attempt += 1) maxTotalWaitMs += ceiling(attempt);
  return {
    maxAttempts,
    maxTotalWaitMs,
    async wait(attempt) {
      if (attempt <= 1) return;
      const most = ceiling(attempt);
      await sleep(most / 2 + (random() * most) / 2);
    },
  };
}

/** Throttling as the AWS services in use here spell it. */
export const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'SlowDown',
  'RequestLimitExceeded',
]);

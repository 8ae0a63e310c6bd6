/**
 * Time bounds shared by the scan and the live probe: a deadline for one piece
 * of work (a probe), and an AbortSignal that ends a whole scan when the
 * function's time runs out (lib/lambda/time-budget.ts makes it).
 */
import { setMaxListeners } from 'node:events';

/** Races work against a deadline; on expiry calls `abort` (close sockets) and rejects with PROBE_TIMEOUT. */
export async function withDeadline<T>(work: Promise<T>, ms: number, abort: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort();
      reject(Object.assign(new Error('probe step timed out'), { code: 'PROBE_TIMEOUT' }));
    }, ms);
  });
  work.catch(() => {});
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `action` once when `signal` aborts; returns what removes it again.
 * A signal already aborted runs it on the next tick, after the caller has
 * finished starting what `action` stops (a driver's connect is called right
 * after its client is made).
 */
export function onAbort(signal: AbortSignal | undefined, action: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    process.nextTick(action);
    return () => {};
  }
  signal.addEventListener('abort', action, { once: true });
  return () => signal.removeEventListener('abort', action);
}

/**
 * `work`'s result, or `fallback()`'s the moment `signal` aborts, whichever is
 * first. Abandoned work goes on only until what `signal` closes (its
 * connections) ends it; its result is dropped.
 */
export async function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  fallback: () => T,
): Promise<T> {
  if (!signal) return work;
  work.catch(() => {});
  let release = () => {};
  const aborted = new Promise<T>((resolve) => {
    release = onAbort(signal, () => resolve(fallback()));
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    release();
  }
}

/**
 * A signal tied to `parent` for one piece of work: what the work hangs on it
 * (a listener per connection) is dropped with it, not kept on `parent` for
 * the rest of the scan. `release` unties it when the work is done.
 */
export function childSignal(parent: AbortSignal | undefined): {
  signal: AbortSignal | undefined;
  release: () => void;
} {
  if (!parent) return { signal: undefined, release: () => {} };
  const child = new AbortController();
  // A probe hangs one listener per connection on it.
  setMaxListeners(0, child.signal);
  const release = onAbort(parent, () => child.abort(parent.reason));
  return { signal: child.signal, release };
}

/**
 * A ceiling on what one probe connection may read. Drivers buffer whatever a
 * server sends until a message is complete, so a server that declares a huge
 * message, or just streams bytes, would otherwise grow the process without
 * bound. Everything the probe needs (a refusal, a greeting, a login, a few
 * rows of session facts) fits in a few kilobytes.
 */
import type { Duplex } from 'node:stream';

/** Bytes one probe connection may read, before and after TLS together. */
export const READ_LIMIT_BYTES = 256 * 1024;

/** The error code a connection is destroyed with when it reads past its limit. */
export const READ_LIMIT_EXCEEDED = 'READ_LIMIT_EXCEEDED';

export interface ReadBudget {
  readonly limit: number;
  /** Bytes read so far on every stream of the connection. */
  bytes: number;
  /** Set once the limit was passed and the connection destroyed. */
  exceeded: boolean;
}

export function isDuplex(value: unknown): value is Duplex {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Duplex).on === 'function' &&
    typeof (value as Duplex).destroy === 'function'
  );
}

export function readLimitError(limit: number): Error {
  return Object.assign(new Error(`server sent more than ${limit} bytes on one probe connection`), {
    code: READ_LIMIT_EXCEEDED,
  });
}

/** The error to judge: the read limit wins over whatever the driver made of the destroyed socket. */
export function failureWithin(budget: ReadBudget, error: unknown): unknown {
  return budget.exceeded ? readLimitError(budget.limit) : error;
}

/**
 * Counts what every stream that `holder.stream` ever points at reads, and
 * destroys that stream once the total passes `limit`. Both drivers keep their
 * socket in a `stream` field and replace it with the TLS socket after the
 * upgrade; watching the field catches the plain and the TLS socket alike.
 * test/probe/read-limit.test.ts fails if a driver stops using that field.
 */
export function limitReads(holder: object, limit = READ_LIMIT_BYTES): ReadBudget {
  const budget: ReadBudget = { limit, bytes: 0, exceeded: false };
  const watched = new WeakSet<object>();
  onEachStream(holder, (stream) => {
    if (!isDuplex(stream) || watched.has(stream)) return;
    watched.add(stream);
    stream.on('data', (chunk: Buffer | string) => {
      budget.bytes += chunk.length;
      if (budget.bytes > limit && !budget.exceeded) {
        budget.exceeded = true;
        stream.destroy(readLimitError(limit));
      } else if (budget.exceeded) {
        stream.destroy();
      }
    });
  });
  return budget;
}

/**
 * Calls `hook` with `holder.stream` now and with every stream set there later
 * (the TLS socket after the upgrade), after any hook set before it.
 */
export function onEachStream(holder: object, hook: (stream: unknown) => void): void {
  const before = Object.getOwnPropertyDescriptor(holder, 'stream');
  let current: unknown = before?.get ? before.get.call(holder) : before?.value;
  hook(current);
  Object.defineProperty(holder, 'stream', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (next: unknown) => {
      before?.set?.call(holder, next);
      current = next;
      hook(next);
    },
  });
}

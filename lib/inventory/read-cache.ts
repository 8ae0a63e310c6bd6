/**
 * The bookkeeping under one scan's RDS reads (lib/inventory/enrich.ts): each
 * read made once and shared, every request through one p-limit, and a
 * failed read turned into one ScanProblem plus a reason for the gaps of the
 * items that needed it. Nothing here throws for an AWS error.
 */
import type { RDSClient } from '@aws-sdk/client-rds';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ScanProblem } from '../types.js';
import { classifyReadFailure, describeAwsFailure, readFailureReason } from './errors.js';
import type { PagedResult } from './pagination.js';

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

export class ReadCache {
  readonly problems: ScanProblem[] = [];
  readonly limit: LimitFunction;
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(
    private readonly clientFor: (region: string) => RDSClient,
    concurrency: number,
  ) {
    this.limit = pLimit(Math.max(1, concurrency));
  }

  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let pending = this.cache.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = read();
      this.cache.set(key, pending);
    }
    return pending;
  }

  client(region: string): RDSClient {
    return this.clientFor(region);
  }

  /** Runs a read, turning a failure into one problem and a reason for gaps. */
  async attempt<T>(scope: string, operation: string, read: () => Promise<T>): Promise<Read<T>> {
    try {
      return { ok: true, value: await read() };
    } catch (error) {
      const reason = readFailureReason(error);
      this.problems.push({
        scope,
        code: classifyReadFailure(error),
        message: `${operation} failed: ${describeAwsFailure(error, operation)}`,
      });
      return { ok: false, reason };
    }
  }

  noteLoop(scope: string, operation: string, result: PagedResult<unknown>): boolean {
    if (result.repeatedMarker === undefined) return false;
    this.problems.push({
      scope,
      code: 'PAGINATION_LOOP',
      message: `${operation} repeated a pagination marker after ${result.pages} pages; listing stopped`,
    });
    return true;
  }
}

/**
 * One probe against a hostile server, watched: how long it took, how much the
 * process's resident memory grew, and whether its outcome is one a hostile
 * server may earn.
 */
import { expect } from 'vitest';
import { createLiveProber } from '../../lib/probe/index.js';
import { DEFAULT_RULE_PARAMETERS, type LiveFinding } from '../../lib/types.js';
import type { ScriptedServer } from '../fixtures/scripted-servers.js';
import { databaseItem, fixedCredentials } from '../fixtures/servers.js';

export const PROBE_DEADLINE_MS = 3_000;
export const CONNECT_TIMEOUT_MS = 1_000;
export const RSS_GROWTH_LIMIT = 64 * 1024 * 1024;
/** How far past its deadline a probe may end on a busy machine (timer and event-loop lag). */
export const DEADLINE_SLACK_MS = 2_000;
const CANARY = 'canary-Bounded-Passw0rd-51c';

export interface BoundedRun {
  finding: LiveFinding | undefined;
  elapsedMs: number;
  rssGrowth: number;
}

/** Probes the server, sampling resident memory while it runs. */
export async function probeBounded(
  engine: 'postgres' | 'mariadb',
  server: ScriptedServer,
  caPem: string,
  deadlineMs = PROBE_DEADLINE_MS,
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
): Promise<BoundedRun> {
  const prober = createLiveProber({
    credentials: fixedCredentials('probe', CANARY),
    caBundle: caPem,
    hostOverride: '127.0.0.1',
    connectTimeoutMs,
    probeTimeoutMs: deadlineMs,
  });
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = Date.now();
  try {
    const finding = await prober.probe(databaseItem(engine, server.port), DEFAULT_RULE_PARAMETERS);
    peak = Math.max(peak, process.memoryUsage.rss());
    return { finding, elapsedMs: Date.now() - started, rssGrowth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

/** A finding a hostile server may earn: never COMPLIANT, always a named reason, no secret. */
export function expectNamedOutcome(run: BoundedRun, deadlineMs = PROBE_DEADLINE_MS): void {
  expect(run.finding).toBeDefined();
  expect(run.finding?.verdict).not.toBe('COMPLIANT');
  expect(run.finding?.reason).toMatch(/^[A-Z][A-Z0-9_]+$/);
  expect(JSON.stringify(run.finding)).not.toContain(CANARY);
  expect(run.elapsedMs).toBeLessThan(deadlineMs + DEADLINE_SLACK_MS);
  expect(run.rssGrowth).toBeLessThan(RSS_GROWTH_LIMIT);
}

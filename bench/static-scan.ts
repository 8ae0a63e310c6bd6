/**
 * The static scan over the RDS API: `scan()` with `collectInventory()`
 * against the synthetic fleet, next to the naive per-instance loop.
 */
import { collectInventory, DEFAULT_CONCURRENCY } from '../lib/inventory/index.js';
import { scan } from '../lib/scan.js';
import { DEFAULT_RULE_PARAMETERS, type ResourceEvaluation } from '../lib/types.js';
import { fleetShape, REGION, SyntheticFleet } from './fleet.js';
import { type CallLog, latencyRdsClient } from './latency-rds.js';
import { naiveScan } from './naive.js';
import { peerScan } from './peer.js';

export interface StaticOptions {
  instances: number;
  latencyMs: number;
  /** The naive loop is timed on every n-th database and projected to the fleet. */
  naiveSampleEvery: number;
}

export interface StaticResult {
  fleet: SyntheticFleet;
  resources: number;
  guard: { wallMs: number; calls: CallLog; problems: number; verdicts: Record<string, number> };
  expected: Record<string, number>;
  naive: {
    /** Calls the naive loop makes over the whole fleet (counted on a run without latency). */
    fullCalls: CallLog;
    sampleEvery: number;
    sampleWallMs: number;
    sampleCalls: number;
    sampleResources: number;
    /** sampleWallMs / sampleCalls × fullCalls: the naive loop's wall time over the whole fleet. */
    projectedWallMs: number;
    /** fullCalls × latency: no sequential loop can beat it. */
    floorMs: number;
  };
  /** A concurrent sweeper that reads each group once (bench/peer.ts), timed over the whole fleet. */
  peer: { wallMs: number; calls: CallLog; concurrency: number; agreeing: number };
  /**
   * No scanner with `concurrency` requests in flight can finish before
   * expected calls × latency / concurrency, nor before its longest chain of
   * dependent calls (the instance listing's pages, then one group's pages).
   */
  floor: { concurrencyMs: number; chainMs: number; concurrency: number };
  /** Resources whose combined finding is identical under both I/O patterns. */
  agreeing: number;
}

/** scan()'s and collectInventory()'s default requests in flight. */
const CONCURRENCY = DEFAULT_CONCURRENCY;
/** Pages per parameter group in the synthetic fleet (300 parameters, 100 a page). */
const GROUP_PAGES = 3;

const RULES = { ...DEFAULT_RULE_PARAMETERS, liveProbe: false };

export async function runStatic(options: StaticOptions): Promise<StaticResult> {
  const fleet = new SyntheticFleet(fleetShape(options.instances));

  const guardRds = latencyRdsClient(fleet, options.latencyMs);
  const started = performance.now();
  const result = await scan({
    inventory: () => collectInventory({ regions: [REGION], clientFor: () => guardRds.client }),
    ruleParameters: RULES,
  });
  const wallMs = performance.now() - started;

  const dryRds = latencyRdsClient(fleet, 0);
  const naiveAll = await naiveScan({
    client: dryRds.client,
    region: REGION,
    ruleParameters: RULES,
  });

  const sampleRds = latencyRdsClient(fleet, options.latencyMs);
  const sampleStarted = performance.now();
  const sample = await naiveScan({
    client: sampleRds.client,
    region: REGION,
    ruleParameters: RULES,
    sampleEvery: options.naiveSampleEvery,
  });
  const sampleWallMs = performance.now() - sampleStarted;

  const peerRds = latencyRdsClient(fleet, options.latencyMs);
  const peerStarted = performance.now();
  const peer = await peerScan({
    client: peerRds.client,
    region: REGION,
    ruleParameters: RULES,
    concurrency: CONCURRENCY,
  });
  const peerWallMs = performance.now() - peerStarted;

  const expected = fleet.expectedCalls();
  const expectedTotal = Object.values(expected).reduce((sum, n) => sum + n, 0);
  const chainCalls = (expected.DescribeDBInstances ?? 0) + GROUP_PAGES;

  return {
    fleet,
    resources: result.evaluations.length,
    guard: {
      wallMs,
      calls: guardRds.calls,
      problems: result.problems.length,
      verdicts: tally(result.evaluations),
    },
    expected,
    naive: {
      fullCalls: dryRds.calls,
      sampleEvery: options.naiveSampleEvery,
      sampleWallMs,
      sampleCalls: sampleRds.calls.total,
      sampleResources: sample.length,
      projectedWallMs: (sampleWallMs / sampleRds.calls.total) * dryRds.calls.total,
      floorMs: dryRds.calls.total * options.latencyMs,
    },
    peer: {
      wallMs: peerWallMs,
      calls: peerRds.calls,
      concurrency: CONCURRENCY,
      agreeing: countAgreeing(result.evaluations, peer),
    },
    floor: {
      concurrencyMs: (expectedTotal * options.latencyMs) / CONCURRENCY,
      chainMs: chainCalls * options.latencyMs,
      concurrency: CONCURRENCY,
    },
    agreeing: countAgreeing(result.evaluations, naiveAll),
  };
}

function tally(evaluations: ResourceEvaluation[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const evaluation of evaluations) {
    const key = evaluation.finding.verdict;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function countAgreeing(guard: ResourceEvaluation[], naive: ResourceEvaluation[]): number {
  const naiveById = new Map(naive.map((e) => [e.resource.resourceId, e]));
  let agreeing = 0;
  for (const evaluation of guard) {
    const other = naiveById.get(evaluation.resource.resourceId);
    if (other && JSON.stringify(other.finding) === JSON.stringify(evaluation.finding)) {
      agreeing += 1;
    }
  }
  return agreeing;
}

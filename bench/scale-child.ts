/**
 * One large static scan in a process of its own, so its peak resident set
 * is the scan's and not the benchmark runner's. Prints one JSON line.
 *
 * Run by bench/scale.ts from a bundle: node --expose-gc [heap flags] scale-child.mjs <instances> <latencyMs>
 */
import { collectInventory } from '../lib/inventory/index.js';
import { scan } from '../lib/scan.js';
import { DEFAULT_RULE_PARAMETERS } from '../lib/types.js';
import { fleetShape, REGION, SyntheticFleet } from './fleet.js';
import { latencyRdsClient } from './latency-rds.js';

export interface ScaleChildResult {
  instances: number;
  resources: number;
  evaluations: number;
  problems: number;
  calls: number;
  expectedCalls: number;
  wallMs: number;
  /** RSS before the scan started: node, the bundled SDK and rules loaded. */
  baselineRssBytes: number;
  /** process.resourceUsage().maxRSS: the kernel's high-water mark for the whole process. */
  maxRssBytes: number;
  /** Highest process.memoryUsage().rss seen by a 20 ms sampler during the scan. */
  sampledPeakRssBytes: number;
  peakHeapUsedBytes: number;
  /** Heap still in use after a full collection with the result held: what the scan keeps. */
  retainedHeapBytes?: number;
}

const instances = Number(process.argv[2] ?? 10_000);
const latencyMs = Number(process.argv[3] ?? 50);

const fleet = new SyntheticFleet(fleetShape(instances));
const rds = latencyRdsClient(fleet, latencyMs);
const baselineRssBytes = process.memoryUsage().rss;
let sampledPeakRssBytes = baselineRssBytes;
let peakHeapUsedBytes = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  sampledPeakRssBytes = Math.max(sampledPeakRssBytes, usage.rss);
  peakHeapUsedBytes = Math.max(peakHeapUsedBytes, usage.heapUsed);
}, 20);

const started = performance.now();
const result = await scan({
  inventory: () => collectInventory({ regions: [REGION], clientFor: () => rds.client }),
  ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
});
const wallMs = performance.now() - started;
clearInterval(sampler);
const final = process.memoryUsage();
// Present when the child runs with --expose-gc. `result` is read below, so it is still held here.
const collect = (globalThis as { gc?: () => void }).gc;
collect?.();
const retainedHeapBytes = collect ? process.memoryUsage().heapUsed : undefined;

const output: ScaleChildResult = {
  instances,
  resources: instances + fleet.shape.clusters,
  evaluations: result.evaluations.length,
  problems: result.problems.length,
  calls: rds.calls.total,
  expectedCalls: Object.values(fleet.expectedCalls()).reduce((sum, n) => sum + n, 0),
  wallMs,
  baselineRssBytes,
  // maxRSS is in kilobytes.
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  sampledPeakRssBytes: Math.max(sampledPeakRssBytes, final.rss),
  peakHeapUsedBytes: Math.max(peakHeapUsedBytes, final.heapUsed),
  ...(retainedHeapBytes !== undefined ? { retainedHeapBytes } : {}),
};
console.log(JSON.stringify(output));

/** Section 4 of the benchmark: prints the latency measurements and returns their targets. */
import {
  type LatencyOptions,
  type LatencyResult,
  roundTripsOnCriticalPath,
  runLatency,
} from './latency.js';
import type { ConcurrentResult, LiveServer } from './live.js';
import { median, ms, type TargetResult, table } from './print.js';

export interface LatencySectionOptions extends LatencyOptions {
  /** The round-trip time the probe-vs-raw ratio target is judged at. */
  targetRoundTripMs: number;
  /** Throughput at concurrency c is judged against c / probe latency at this round-trip time. */
  throughputRoundTripMs: number;
}

const RATIO_TARGET = 1.2;
/** "Close to c / latency": at least this share of it. */
const THROUGHPUT_SHARE = 0.8;

export async function latencySection(
  servers: LiveServer[],
  options: LatencySectionOptions,
): Promise<TargetResult[]> {
  const results = await runLatency(servers, options);
  const targets: TargetResult[] = [];
  console.log(
    `A proxy in its own process delays each direction by half the round trip (TCP handshake included); median of ${options.runs} sequential probes vs ${options.runs} raw baselines per row.`,
  );
  console.log(
    'Connections and flights are counted by the proxy for one probe (a flight: bytes in one direction until the other side speaks).',
  );
  console.log('');
  table(
    [
      'engine',
      'RTT',
      'probe median',
      'raw median',
      'ratio',
      'probe connections (flights each)',
      'raw connections (flights each)',
      'verdicts',
    ],
    results.map((r) => [
      r.engine,
      ms(r.roundTripMs),
      ms(median(r.probeMs)),
      ms(median(r.rawMs)),
      `${ratio(r).toFixed(2)}x`,
      `${r.probeConnections.length} (${r.probeConnections.map((c) => c.flights).join(', ')})`,
      `${r.rawConnections.length} (${r.rawConnections.map((c) => c.flights).join(', ')})`,
      Object.entries(r.verdicts)
        .map(([v, n]) => `${v} ${n}`)
        .join(', '),
    ]),
  );
  console.log('');
  printCriticalPath(results);
  console.log('');
  console.log(
    "Concurrent: scan() over c x waves databases at concurrency c. The servers and the latency proxy run on the same cores as the probe: where the machine's CPU is near 100% busy the run is CPU-bound, not round-trip-bound. Client CPU per probe is what a function pays.",
  );
  table(
    [
      'engine',
      'RTT',
      'concurrency',
      'probes',
      'wall time',
      'probes/s',
      'c / probe latency',
      'share',
      'client CPU per probe',
      'proxy CPU per probe',
      'machine CPU busy',
      'verdicts',
    ],
    results.flatMap((r) =>
      r.concurrent.map((c) => {
        const perSecond = c.probes / (c.wallMs / 1000);
        const ideal = c.concurrency / (median(r.probeMs) / 1000);
        return [
          r.engine,
          ms(r.roundTripMs),
          String(c.concurrency),
          String(c.probes),
          ms(c.wallMs),
          perSecond.toFixed(1),
          ideal.toFixed(1),
          `${Math.round((100 * perSecond) / ideal)}%`,
          ms(c.clientCpuMs / c.probes),
          c.proxyCpuMs === undefined ? '-' : ms(c.proxyCpuMs / c.probes),
          busy(c),
          Object.entries(c.verdicts)
            .map(([v, n]) => `${v} ${n}`)
            .join(', '),
        ];
      }),
    ),
  );

  for (const r of results) {
    if (r.roundTripMs === options.targetRoundTripMs) {
      targets.push({
        section: '4. latency',
        target: `${r.engine}: probe ≤ ${RATIO_TARGET}x two raw connects at ${ms(r.roundTripMs)} RTT`,
        measured: `${ratio(r).toFixed(2)}x (${ms(median(r.probeMs))} vs ${ms(median(r.rawMs))})`,
        met: ratio(r) <= RATIO_TARGET,
      });
    }
    if (r.roundTripMs === options.throughputRoundTripMs) {
      for (const c of r.concurrent) {
        const perSecond = c.probes / (c.wallMs / 1000);
        const ideal = c.concurrency / (median(r.probeMs) / 1000);
        targets.push({
          section: '4. latency',
          target: `${r.engine}: probes/s at c=${c.concurrency}, ${ms(r.roundTripMs)} RTT ≥ ${THROUGHPUT_SHARE * 100}% of c / latency`,
          measured: `${perSecond.toFixed(1)} of ${ideal.toFixed(1)} (${Math.round((100 * perSecond) / ideal)}%), machine CPU ${busy(c)} busy`,
          met: perSecond >= THROUGHPUT_SHARE * ideal,
        });
      }
    }
  }
  return targets;
}

function busy(c: ConcurrentResult): string {
  return c.machineBusy === undefined ? '-' : `${Math.round(100 * c.machineBusy)}%`;
}

function ratio(r: LatencyResult): number {
  return median(r.probeMs) / median(r.rawMs);
}

/** Round trips on the critical path per engine, and the slowest RTT's connection timeline. */
function printCriticalPath(results: LatencyResult[]): void {
  const engines = [...new Set(results.map((r) => r.engine))];
  for (const engine of engines) {
    const rows = results
      .filter((r) => r.engine === engine)
      .sort((a, b) => a.roundTripMs - b.roundTripMs);
    const fast = rows[0];
    const slow = rows[rows.length - 1];
    if (!fast || !slow || fast === slow) continue;
    const probe = roundTripsOnCriticalPath(
      { roundTripMs: fast.roundTripMs, ms: fast.probeMs },
      { roundTripMs: slow.roundTripMs, ms: slow.probeMs },
    );
    const raw = roundTripsOnCriticalPath(
      { roundTripMs: fast.roundTripMs, ms: fast.rawMs },
      { roundTripMs: slow.roundTripMs, ms: slow.rawMs },
    );
    console.log(
      `${engine}: ${probe.toFixed(1)} round trips on the probe's critical path, ${raw.toFixed(1)} on the raw baseline's (slope of the median between ${ms(fast.roundTripMs)} and ${ms(slow.roundTripMs)} RTT).`,
    );
    const rtt = slow.roundTripMs;
    const timeline = (label: string, log: LatencyResult['probeConnections']): string =>
      `  ${label}: ${log
        .map(
          (c, index) =>
            `\n    #${index + 1} ${(c.openedMs / rtt).toFixed(1)}–${c.closedMs !== undefined ? (c.closedMs / rtt).toFixed(1) : 'open'} RTT, ${c.flights} flights: ${c.flightLog
              .map((f) => `${f.direction === 'up' ? '>' : '<'}${(f.atMs / rtt).toFixed(1)}`)
              .join(' ')}`,
        )
        .join('')}`;
    console.log(
      `  (each flight: > client to server, < server to client, at the round trip it reached the proxy)`,
    );
    console.log(timeline(`probe connections at ${ms(rtt)} RTT`, slow.probeConnections));
    console.log(timeline(`raw connections at ${ms(rtt)} RTT`, slow.rawConnections));
  }
}

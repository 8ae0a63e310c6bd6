/**
 * The live probe at VPC round-trip times: the same probe and raw baseline as
 * the loopback section, through a proxy that delays each direction by half a
 * round trip (bench/latency-proxy-child.ts). On loopback the probe's cost is
 * TLS CPU; across a network it is round trips, and this counts them.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProxyConnectionLog, ProxyReply, ProxyRequest } from './latency-proxy-child.js';
import {
  type BenchEngine,
  benchItem,
  type ConcurrentResult,
  type LiveServer,
  liveProber,
  probeConcurrently,
  probeOnce,
  rawConnects,
  serverCpuMs,
} from './live.js';
import { median } from './print.js';

export interface LatencyOptions {
  roundTripsMs: number[];
  runs: number;
  concurrencies: number[];
  /** Probes per concurrent run, as a multiple of the concurrency. */
  wavesPerRun: number;
}

export interface LatencyResult {
  engine: BenchEngine;
  roundTripMs: number;
  probeMs: number[];
  rawMs: number[];
  verdicts: Record<string, number>;
  /** The proxy's log of one probe and one raw baseline: connections in opening order. */
  probeConnections: ProxyConnectionLog[];
  rawConnections: ProxyConnectionLog[];
  concurrent: ConcurrentResult[];
}

interface Proxy {
  ports: number[];
  /** The proxy process's CPU time so far (/proc), or undefined where unreadable. */
  cpuMs(): number | undefined;
  take(waitMs: number): Promise<ProxyConnectionLog[]>;
  stop(): void;
}

async function startProxy(upstreams: number[], roundTripMs: number): Promise<Proxy> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./latency-proxy-child.ts', import.meta.url)),
    [],
    { execArgv: ['--no-warnings', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
  );
  const ask = <T extends ProxyReply['type']>(
    request: ProxyRequest,
    type: T,
  ): Promise<Extract<ProxyReply, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (reply: ProxyReply): void => {
        if (reply.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply as Extract<ProxyReply, { type: T }>);
      };
      const onExit = (code: number | null): void =>
        reject(new Error(`latency proxy exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(request);
    });
  const { ports } = await ask({ type: 'listen', upstreams, roundTripMs }, 'listening');
  return {
    ports,
    cpuMs: () => (child.pid === undefined ? undefined : serverCpuMs(child.pid)),
    take: async (waitMs) => (await ask({ type: 'take', waitMs }, 'connections')).connections,
    stop: () => child.disconnect(),
  };
}

export async function runLatency(
  servers: LiveServer[],
  options: LatencyOptions,
): Promise<LatencyResult[]> {
  const results: LatencyResult[] = [];
  for (const roundTripMs of options.roundTripsMs) {
    const proxy = await startProxy(
      servers.map((server) => server.port),
      roundTripMs,
    );
    try {
      for (const [index, server] of servers.entries()) {
        const port = proxy.ports[index] ?? server.port;
        results.push(await measureAt(server, port, roundTripMs, proxy, options));
      }
    } finally {
      proxy.stop();
    }
  }
  return results;
}

async function measureAt(
  server: LiveServer,
  port: number,
  roundTripMs: number,
  proxy: Proxy,
  options: LatencyOptions,
): Promise<LatencyResult> {
  const prober = liveProber(server, port);
  await probeOnce(prober, benchItem(server, 0));
  await rawConnects(server, port);
  await settle(proxy);

  const probeMs: number[] = [];
  const rawMs: number[] = [];
  const verdicts: Record<string, number> = {};
  let probeConnections: ProxyConnectionLog[] = [];
  let rawConnections: ProxyConnectionLog[] = [];
  for (let run = 0; run < options.runs; run += 1) {
    const probe = await probeOnce(prober, benchItem(server, run));
    probeMs.push(probe.ms);
    verdicts[probe.verdict] = (verdicts[probe.verdict] ?? 0) + 1;
    const probeLog = await settle(proxy);
    rawMs.push((await rawConnects(server, port)).ms);
    const rawLog = await settle(proxy);
    if (run === 0) {
      probeConnections = probeLog;
      rawConnections = rawLog;
    }
  }

  const concurrent: ConcurrentResult[] = [];
  for (const concurrency of options.concurrencies) {
    const proxyBefore = proxy.cpuMs();
    const run = await probeConcurrently(
      server,
      prober,
      concurrency * options.wavesPerRun,
      concurrency,
    );
    const proxyAfter = proxy.cpuMs();
    concurrent.push(
      proxyBefore !== undefined && proxyAfter !== undefined
        ? { ...run, proxyCpuMs: proxyAfter - proxyBefore }
        : run,
    );
  }
  await proxy.take(0);
  return {
    engine: server.engine,
    roundTripMs,
    probeMs,
    rawMs,
    verdicts,
    probeConnections,
    rawConnections,
    concurrent,
  };
}

/** The proxy's log since the last take, once every connection has closed (bounded wait). */
function settle(proxy: Proxy): Promise<ProxyConnectionLog[]> {
  return proxy.take(2_000);
}

/** Round trips a sequence of connections costs on the critical path: from the slope between two RTTs. */
export function roundTripsOnCriticalPath(
  fast: { roundTripMs: number; ms: number[] },
  slow: { roundTripMs: number; ms: number[] },
): number {
  return (median(slow.ms) - median(fast.ms)) / (slow.roundTripMs - fast.roundTripMs);
}

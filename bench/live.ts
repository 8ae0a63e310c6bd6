/**
 * The live probe against real local servers set up like RDS with TLS
 * enforced (PostgreSQL with force_ssl, MariaDB with require_secure_transport),
 * next to the least a client must do to learn the same thing: one plaintext
 * attempt and one verified TLS connect, with pg / mysql2 directly.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import {
  generateCertificates,
  type LocalMariadb,
  type LocalPostgres,
  startMariadb,
  startPostgres,
} from '../lib/local/index.js';
import type { CredentialResolver, InventoryItem, LiveProber } from '../lib/pipeline.js';
import { createLiveProber } from '../lib/probe/index.js';
import { scan } from '../lib/scan.js';
import type { SecretValue } from '../lib/secret-value.js';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters } from '../lib/types.js';

export type BenchEngine = 'postgres' | 'mariadb';

/** A local server the probe is measured against. */
export interface LiveServer {
  engine: BenchEngine;
  port: number;
  ca: string;
  username: string;
  password: SecretValue;
  version: string;
  /** The server's main process: its CPU time, and that of the backends it reaped, is read from /proc. */
  pid?: number;
}

export interface EngineLiveResult {
  engine: BenchEngine;
  serverVersion: string;
  probeMs: number[];
  rawMs: number[];
  /** Verdicts of the sequential probes, e.g. { COMPLIANT: 20 }. */
  verdicts: Record<string, number>;
  /** What the raw plaintext attempt got back (error code), to show it was refused. */
  rawPlaintextOutcome: string;
  /** CPU per sequential probe and per raw baseline, this process and the server's; undefined off Linux. */
  cpu: { probe: CpuPerRun; raw: CpuPerRun } | undefined;
  concurrent: ConcurrentResult;
}

export interface ConcurrentResult {
  probes: number;
  concurrency: number;
  wallMs: number;
  /** CPU time of this process (user + system) over the run: the probing side's share. */
  clientCpuMs: number;
  /** Share of all the machine's cores busy over the run (/proc/stat); absent where unreadable. */
  machineBusy?: number;
  /** CPU time of the latency proxy over the run, where one sits in between. */
  proxyCpuMs?: number;
  verdicts: Record<string, number>;
}

export interface CpuPerRun {
  clientMs: number;
  serverMs: number;
}

export interface LiveOptions {
  runs: number;
  concurrentProbes: number;
  concurrency: number;
}

const RULES: RuleParameters = { ...DEFAULT_RULE_PARAMETERS, liveProbe: true };
/** The certificates name localhost; connections go to 127.0.0.1 and are checked against it. */
const ENDPOINT_NAME = 'localhost';
/** Enough for 32 probes at once, each with a few connections open. */
const MAX_CONNECTIONS = 200;

/** Starts PostgreSQL (force_ssl) and MariaDB (require_secure_transport), runs `work`, stops them. */
export async function withLiveServers<T>(work: (servers: LiveServer[]) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-bench-certs-'));
  let postgres: LocalPostgres | undefined;
  let mariadb: LocalMariadb | undefined;
  try {
    const certificates = await generateCertificates(dir);
    postgres = await startPostgres({
      certificates,
      forceSsl: true,
      maxConnections: MAX_CONNECTIONS,
    });
    mariadb = await startMariadb({
      certificates,
      requireSecureTransport: true,
      maxConnections: MAX_CONNECTIONS,
    });
    const servers: LiveServer[] = [];
    for (const [engine, local] of [
      ['postgres', postgres],
      ['mariadb', mariadb],
    ] as const) {
      const server = {
        engine,
        port: local.port,
        ca: local.ca,
        username: local.masterUser,
        password: local.masterPassword,
        version: '',
      };
      const pid = await serverPid(local);
      servers.push({
        ...server,
        version: await serverVersion(engine, server),
        ...(pid ? { pid } : {}),
      });
    }
    return await work(servers);
  } finally {
    await postgres?.stop().catch(() => {});
    await mariadb?.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runLive(servers: LiveServer[], options: LiveOptions) {
  const results: EngineLiveResult[] = [];
  for (const server of servers) results.push(await measureEngine(server, options));
  return results;
}

/** The product's prober, pointed at `port` (the server's own, or a proxy in front of it). */
export function liveProber(server: LiveServer, port = server.port): LiveProber {
  const credentials: CredentialResolver = {
    resolve: async () => ({
      kind: 'resolved',
      credentials: {
        username: server.username,
        password: server.password,
        origin: 'benchmark',
        reference: 'local-server',
        ...(server.engine === 'postgres' ? { database: 'postgres' } : {}),
      },
    }),
  };
  return createLiveProber({
    credentials,
    caBundle: server.ca,
    hostOverride: '127.0.0.1',
    portOverride: port,
  });
}

export function benchItem(server: LiveServer, index: number): InventoryItem {
  const { engine } = server;
  return {
    resource: {
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: `db-BENCH${engine.toUpperCase()}${index}`,
      identifier: `bench-${engine}-${index}`,
      region: 'eu-west-1',
      engine,
      engineVersion: engine === 'postgres' ? '15.8' : '10.11.9',
      endpoint: { address: ENDPOINT_NAME, port: server.port },
      optionGroups: [],
      iamDatabaseAuthenticationEnabled: false,
      tags: {},
    },
    optionGroups: [],
    gaps: [],
  };
}

/** The least a client must do to learn the same: a plaintext attempt, then a verify-full TLS login. */
export function rawConnects(
  server: LiveServer,
  port = server.port,
): Promise<{ ms: number; plaintext: string }> {
  return server.engine === 'postgres' ? rawPostgres(server, port) : rawMariadb(server, port);
}

async function measureEngine(server: LiveServer, options: LiveOptions): Promise<EngineLiveResult> {
  const prober = liveProber(server);
  // One of each first: the first TLS handshake and driver load are not what is measured.
  await probeOnce(prober, benchItem(server, 0));
  const rawPlaintextOutcome = (await rawConnects(server)).plaintext;

  const probeMs: number[] = [];
  const rawMs: number[] = [];
  const verdicts: Record<string, number> = {};
  const probeCpu = new CpuMeter(server.pid);
  const rawCpu = new CpuMeter(server.pid);
  for (let run = 0; run < options.runs; run += 1) {
    const probe = await probeCpu.measure(() => probeOnce(prober, benchItem(server, run)));
    probeMs.push(probe.ms);
    verdicts[probe.verdict] = (verdicts[probe.verdict] ?? 0) + 1;
    rawMs.push((await rawCpu.measure(() => rawConnects(server))).ms);
  }
  const probeCpuPerRun = probeCpu.perRun();
  const rawCpuPerRun = rawCpu.perRun();

  return {
    engine: server.engine,
    serverVersion: server.version,
    probeMs,
    rawMs,
    verdicts,
    rawPlaintextOutcome,
    cpu: probeCpuPerRun && rawCpuPerRun ? { probe: probeCpuPerRun, raw: rawCpuPerRun } : undefined,
    concurrent: await probeConcurrently(
      server,
      prober,
      options.concurrentProbes,
      options.concurrency,
    ),
  };
}

/** `probes` databases through scan() at `concurrency`, as a worker batch would run them. */
export async function probeConcurrently(
  server: LiveServer,
  prober: LiveProber,
  probes: number,
  concurrency: number,
): Promise<ConcurrentResult> {
  const items = Array.from({ length: probes }, (_, index) => benchItem(server, index));
  const started = performance.now();
  const cpu = process.cpuUsage();
  const machineBefore = machineCpuTicks();
  const result = await scan({
    inventory: async () => ({ items, problems: [], regions: ['eu-west-1'] }),
    ruleParameters: RULES,
    prober,
    concurrency,
  });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const machineAfter = machineCpuTicks();
  const clientCpuMs = (used.user + used.system) / 1000;
  const verdicts: Record<string, number> = {};
  for (const evaluation of result.evaluations) {
    const verdict = evaluation.liveFinding?.verdict ?? 'NOT_PROBED';
    verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
  }
  const machineBusy =
    machineBefore && machineAfter && machineAfter.total > machineBefore.total
      ? 1 - (machineAfter.idle - machineBefore.idle) / (machineAfter.total - machineBefore.total)
      : undefined;
  return {
    probes,
    concurrency,
    wallMs,
    clientCpuMs,
    ...(machineBusy !== undefined ? { machineBusy } : {}),
    verdicts,
  };
}

/**
 * All cores' time in clock ticks from /proc/stat's `cpu` line: the total, and
 * the idle part (idle + iowait). Shows whether a concurrent run was bound by
 * the machine's CPU (probe, servers and latency proxy share it) or by round trips.
 */
function machineCpuTicks(): { total: number; idle: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    if (line.split(/\s+/)[0] !== 'cpu' || ticks.length < 5 || ticks.some(Number.isNaN)) {
      return undefined;
    }
    // user nice system idle iowait irq softirq steal (guest time is inside user).
    const total = ticks.slice(0, 8).reduce((sum, n) => sum + n, 0);
    return { total, idle: (ticks[3] ?? 0) + (ticks[4] ?? 0) };
  } catch {
    return undefined;
  }
}

export async function probeOnce(
  prober: LiveProber,
  item: InventoryItem,
): Promise<{ ms: number; verdict: string }> {
  const started = performance.now();
  const finding = await prober.probe(item, RULES);
  return { ms: performance.now() - started, verdict: finding?.verdict ?? 'NOT_PROBED' };
}

type RawConnection = Pick<LiveServer, 'ca' | 'username' | 'password'>;

/** A plaintext attempt with a throwaway password, then a verify-full TLS login. */
async function rawPostgres(
  c: RawConnection,
  port: number,
): Promise<{ ms: number; plaintext: string }> {
  const started = performance.now();
  const plain = new pg.Client({
    host: '127.0.0.1',
    port,
    user: c.username,
    password: 'not-the-password',
    database: 'postgres',
    ssl: false,
  });
  let plaintext = 'accepted';
  try {
    await plain.connect();
    await plain.end();
  } catch (error) {
    plaintext = `refused (${(error as { code?: string }).code ?? 'error'})`;
  }
  const tls = new pg.Client({
    host: '127.0.0.1',
    port,
    user: c.username,
    password: c.password.reveal(),
    database: 'postgres',
    ssl: { ca: c.ca, servername: ENDPOINT_NAME, rejectUnauthorized: true },
  });
  await tls.connect();
  await tls.end();
  return { ms: performance.now() - started, plaintext };
}

/** The same two connections with mysql2: plaintext with the real password is refused (1045). */
async function rawMariadb(
  c: RawConnection,
  port: number,
): Promise<{ ms: number; plaintext: string }> {
  const started = performance.now();
  let plaintext = 'accepted';
  try {
    const plain = await mysql.createConnection({
      host: '127.0.0.1',
      port,
      user: c.username,
      password: c.password.reveal(),
    });
    await plain.end();
  } catch (error) {
    plaintext = `refused (${(error as { code?: string }).code ?? 'error'})`;
  }
  const tls = await mysql.createConnection({
    host: '127.0.0.1',
    port,
    user: c.username,
    password: c.password.reveal(),
    // The certificate also names 127.0.0.1, which mysql2 checks the host against.
    ssl: { ca: c.ca, rejectUnauthorized: true },
  });
  await tls.end();
  return { ms: performance.now() - started, plaintext };
}

async function serverVersion(
  engine: BenchEngine,
  c: RawConnection & { port: number },
): Promise<string> {
  try {
    if (engine === 'postgres') {
      const client = new pg.Client({
        host: '127.0.0.1',
        port: c.port,
        user: c.username,
        password: c.password.reveal(),
        database: 'postgres',
        ssl: { ca: c.ca, servername: ENDPOINT_NAME, rejectUnauthorized: true },
      });
      await client.connect();
      const result = await client.query<{ v: string }>(
        "select current_setting('server_version') as v",
      );
      await client.end();
      return `PostgreSQL ${result.rows[0]?.v ?? '?'}`;
    }
    const connection = await mysql.createConnection({
      host: '127.0.0.1',
      port: c.port,
      user: c.username,
      password: c.password.reveal(),
      ssl: { ca: c.ca, rejectUnauthorized: true },
    });
    const [rows] = await connection.query('select version() as v');
    await connection.end();
    return `MariaDB ${(rows as { v: string }[])[0]?.v ?? '?'}`;
  } catch {
    return engine === 'postgres' ? 'PostgreSQL (version unread)' : 'MariaDB (version unread)';
  }
}

/** The server's main process id, from the pid file its data directory holds. */
async function serverPid(local: LocalPostgres | LocalMariadb): Promise<number | undefined> {
  const description = local.describe();
  const file =
    description.engine === 'postgres'
      ? join(description.dataDir, 'postmaster.pid')
      : description.pidFile;
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Linux's clock tick for /proc times (USER_HZ): 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time of a server process in ms: its own (MariaDB's threads) and that of
 * the children it has waited for (PostgreSQL's backends, one per connection).
 */
export function serverCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state is the first; utime, stime, cutime, cstime the 12th to 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Time a server takes to reap a closed connection's backend, so its CPU is counted for this run. */
const REAP_WAIT_MS = 50;

/** Sums the client's and the server's CPU over measured runs. */
class CpuMeter {
  private runs = 0;
  private clientMs = 0;
  private serverMs = 0;
  private serverReadable: boolean;

  constructor(private readonly pid: number | undefined) {
    this.serverReadable = pid !== undefined && serverCpuMs(pid) !== undefined;
  }

  async measure<T>(work: () => Promise<T>): Promise<T> {
    const serverBefore = this.pid === undefined ? undefined : serverCpuMs(this.pid);
    const client = process.cpuUsage();
    const result = await work();
    const used = process.cpuUsage(client);
    await new Promise((resolve) => setTimeout(resolve, REAP_WAIT_MS));
    const serverAfter = this.pid === undefined ? undefined : serverCpuMs(this.pid);
    this.runs += 1;
    this.clientMs += (used.user + used.system) / 1000;
    if (serverBefore === undefined || serverAfter === undefined) this.serverReadable = false;
    else this.serverMs += serverAfter - serverBefore;
    return result;
  }

  perRun(): CpuPerRun | undefined {
    if (!this.serverReadable || this.runs === 0) return undefined;
    return { clientMs: this.clientMs / this.runs, serverMs: this.serverMs / this.runs };
  }
}

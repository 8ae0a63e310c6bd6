/**
 * The live probe against real local servers set up like RDS with TLS
 * enforced (PostgreSQL with force_ssl, MariaDB with require_secure_transport),
 * next to the least a client must do to learn the same thing: one plaintext
 * attempt and one verified TLS connect, with pg / mysql2 directly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
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

export interface EngineLiveResult {
  engine: 'postgres' | 'mariadb';
  serverVersion: string;
  probeMs: number[];
  rawMs: number[];
  /** Verdicts of the sequential probes, e.g. { COMPLIANT: 20 }. */
  verdicts: Record<string, number>;
  /** What the raw plaintext attempt got back (error code), to show it was refused. */
  rawPlaintextOutcome: string;
  concurrent: {
    probes: number;
    concurrency: number;
    wallMs: number;
    verdicts: Record<string, number>;
  };
}

export interface LiveOptions {
  runs: number;
  concurrentProbes: number;
  concurrency: number;
}

const RULES: RuleParameters = { ...DEFAULT_RULE_PARAMETERS, liveProbe: true };
/** The certificates name localhost; connections go to 127.0.0.1 and are checked against it. */
const ENDPOINT_NAME = 'localhost';

export async function runLive(options: LiveOptions): Promise<EngineLiveResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-bench-certs-'));
  let postgres: LocalPostgres | undefined;
  let mariadb: LocalMariadb | undefined;
  try {
    const certificates = await generateCertificates(dir);
    postgres = await startPostgres({ certificates, forceSsl: true });
    mariadb = await startMariadb({ certificates, requireSecureTransport: true });
    return [
      await measureEngine(
        'postgres',
        postgres.port,
        postgres.ca,
        postgres.masterUser,
        postgres.masterPassword,
        options,
      ),
      await measureEngine(
        'mariadb',
        mariadb.port,
        mariadb.ca,
        mariadb.masterUser,
        mariadb.masterPassword,
        options,
      ),
    ];
  } finally {
    await postgres?.stop().catch(() => {});
    await mariadb?.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureEngine(
  engine: 'postgres' | 'mariadb',
  port: number,
  ca: string,
  username: string,
  password: SecretValue,
  options: LiveOptions,
): Promise<EngineLiveResult> {
  const credentials: CredentialResolver = {
    resolve: async () => ({
      kind: 'resolved',
      credentials: {
        username,
        password,
        origin: 'benchmark',
        reference: 'local-server',
        ...(engine === 'postgres' ? { database: 'postgres' } : {}),
      },
    }),
  };
  const prober = createLiveProber({ credentials, caBundle: ca, hostOverride: '127.0.0.1' });
  const item = (index: number): InventoryItem => ({
    resource: {
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: `db-BENCH${engine.toUpperCase()}${index}`,
      identifier: `bench-${engine}-${index}`,
      region: 'eu-west-1',
      engine,
      engineVersion: engine === 'postgres' ? '15.8' : '10.11.9',
      endpoint: { address: ENDPOINT_NAME, port },
      optionGroups: [],
      iamDatabaseAuthenticationEnabled: false,
      tags: {},
    },
    optionGroups: [],
    gaps: [],
  });

  const raw = engine === 'postgres' ? rawPostgres : rawMariadb;
  const connection = { port, ca, username, password };

  // One of each first: the first TLS handshake and driver load are not what is measured.
  await probeOnce(prober, item(0));
  const rawPlaintextOutcome = (await raw(connection)).plaintext;

  const probeMs: number[] = [];
  const rawMs: number[] = [];
  const verdicts: Record<string, number> = {};
  for (let run = 0; run < options.runs; run += 1) {
    const probe = await probeOnce(prober, item(run));
    probeMs.push(probe.ms);
    verdicts[probe.verdict] = (verdicts[probe.verdict] ?? 0) + 1;
    rawMs.push((await raw(connection)).ms);
  }

  const items = Array.from({ length: options.concurrentProbes }, (_, index) => item(index));
  const started = performance.now();
  const result = await scan({
    inventory: async () => ({ items, problems: [], regions: ['eu-west-1'] }),
    ruleParameters: RULES,
    prober,
    concurrency: options.concurrency,
  });
  const wallMs = performance.now() - started;
  const concurrentVerdicts: Record<string, number> = {};
  for (const evaluation of result.evaluations) {
    const verdict = evaluation.liveFinding?.verdict ?? 'NOT_PROBED';
    concurrentVerdicts[verdict] = (concurrentVerdicts[verdict] ?? 0) + 1;
  }

  return {
    engine,
    serverVersion: await serverVersion(engine, connection),
    probeMs,
    rawMs,
    verdicts,
    rawPlaintextOutcome,
    concurrent: {
      probes: items.length,
      concurrency: options.concurrency,
      wallMs,
      verdicts: concurrentVerdicts,
    },
  };
}

async function probeOnce(
  prober: LiveProber,
  item: InventoryItem,
): Promise<{ ms: number; verdict: string }> {
  const started = performance.now();
  const finding = await prober.probe(item, RULES);
  return { ms: performance.now() - started, verdict: finding?.verdict ?? 'NOT_PROBED' };
}

interface RawConnection {
  port: number;
  ca: string;
  username: string;
  password: SecretValue;
}

/** A plaintext attempt with a throwaway password, then a verify-full TLS login. */
async function rawPostgres(c: RawConnection): Promise<{ ms: number; plaintext: string }> {
  const started = performance.now();
  const plain = new pg.Client({
    host: '127.0.0.1',
    port: c.port,
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
    port: c.port,
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
async function rawMariadb(c: RawConnection): Promise<{ ms: number; plaintext: string }> {
  const started = performance.now();
  let plaintext = 'accepted';
  try {
    const plain = await mysql.createConnection({
      host: '127.0.0.1',
      port: c.port,
      user: c.username,
      password: c.password.reveal(),
    });
    await plain.end();
  } catch (error) {
    plaintext = `refused (${(error as { code?: string }).code ?? 'error'})`;
  }
  const tls = await mysql.createConnection({
    host: '127.0.0.1',
    port: c.port,
    user: c.username,
    password: c.password.reveal(),
    // The certificate also names 127.0.0.1, which mysql2 checks the host against.
    ssl: { ca: c.ca, rejectUnauthorized: true },
  });
  await tls.end();
  return { ms: performance.now() - started, plaintext };
}

async function serverVersion(engine: 'postgres' | 'mariadb', c: RawConnection): Promise<string> {
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

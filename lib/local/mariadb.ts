/**
 * A throwaway MariaDB server shaped like RDS for MySQL/MariaDB: TLS
 * configured, `require_secure_transport` switchable at run time, no
 * anonymous users, a master user with full grants and a `REQUIRE SSL` user.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { SecretValue } from '../secret-value.js';
import { type CertificateSet, generateCertificates, installCertificate } from './certificates.js';
import * as machine from './process.js';
import type { LocalDatabase, LocalDatabaseDescriptor } from './server.js';

export interface StartMariadbOptions {
  certificates?: CertificateSet;
  masterUser?: string;
  masterPassword?: SecretValue;
  /** Default false: the RDS default for MySQL and MariaDB. */
  requireSecureTransport?: boolean;
  /** Default 50; the benchmark raises it to probe many databases at once. */
  maxConnections?: number;
}

export interface LocalDatabaseUser {
  username: string;
  password: SecretValue;
}

export interface LocalMariadb extends LocalDatabase<MariadbDescriptor> {
  engine: 'mariadb';
  /** A user created `REQUIRE SSL` (mysql.user.ssl_type = 'ANY'). */
  sslUser: LocalDatabaseUser;
  /** `SET GLOBAL require_secure_transport`; takes effect for the next connection. */
  setRequireSecureTransport(on: boolean): Promise<void>;
  /** Runs administrative SQL as root over the server's private socket. */
  admin(sql: string, values?: unknown[]): Promise<unknown>;
}

export interface MariadbDescriptor extends LocalDatabaseDescriptor {
  engine: 'mariadb';
  socketPath: string;
  pidFile: string;
  sslUser: { username: string; password: string };
}

const INSTALL_HINT = 'install MariaDB (apt-get update && apt-get install -y mariadb-server)';

function quoteLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startMariadb(options: StartMariadbOptions = {}): Promise<LocalMariadb> {
  const installDb = await machine.findBinary(
    'mariadb-install-db',
    ['/usr/bin', '/usr/sbin'],
    INSTALL_HINT,
  );
  const mariadbd = await machine.findBinary(
    'mariadbd',
    ['/usr/sbin', '/usr/libexec'],
    INSTALL_HINT,
  );
  const account = await machine.serverAccount('mysql');
  const asRoot = machine.runningAsRoot();

  const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-mariadb-'));
  await machine.giveTo(dir, account);
  const certificates = options.certificates ?? (await generateCertificates(join(dir, 'certs')));
  const dataDir = join(dir, 'data');
  const socketPath = join(dir, 'mysqld.sock');
  const masterUser = options.masterUser ?? 'guard_master';
  const masterPassword =
    options.masterPassword ?? new SecretValue(randomBytes(18).toString('base64url'));
  const sslUser: LocalDatabaseUser = {
    username: 'guard_ssl_only',
    password: new SecretValue(randomBytes(18).toString('base64url')),
  };
  const userArgs = asRoot ? [`--user=${account.name}`] : [];
  // A private temporary directory: servers bootstrapping side by side in a
  // shared /tmp were seen to trip over each other's temporary tables.
  const serverTmp = join(dir, 'tmp');
  await mkdir(serverTmp, { recursive: true });
  await machine.giveTo(serverTmp, account);

  try {
    // Root without a password is reachable only through the socket in our own
    // directory; every TCP root account is dropped below.
    await machine.run(
      installDb,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...userArgs,
        `--tmpdir=${serverTmp}`,
      ],
      { timeoutMs: 60_000 },
    );
    await machine.giveTo(dataDir, account);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const installed = await installCertificate(certificates, 'valid', dir, account);
  const port = await machine.freePort();

  const child = spawn(
    mariadbd,
    [
      '--no-defaults',
      ...userArgs,
      `--datadir=${dataDir}`,
      `--tmpdir=${serverTmp}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${socketPath}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      `--ssl-ca=${installed.caFile}`,
      `--ssl-cert=${installed.certFile}`,
      `--ssl-key=${installed.keyFile}`,
      `--require-secure-transport=${options.requireSecureTransport ? 'ON' : 'OFF'}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      '--innodb-flush-log-at-trx-commit=0',
      `--max-connections=${options.maxConnections ?? 50}`,
      // A queue of pending connections as long as the connection limit: a
      // burst of concurrent probes must not overflow the listen backlog,
      // whose dropped SYNs the client retries only after a second.
      `--back-log=${options.maxConnections ?? 50}`,
    ],
    { stdio: 'ignore' },
  );
  child.on('error', () => {});
  const unregister = machine.onProcessExit(() => {
    child.kill('SIGKILL');
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // The process is exiting; a leftover temp dir is the worst case.
    }
  });

  const admin = (sql: string, values?: unknown[]): Promise<unknown> =>
    adminQuery(socketPath, sql, values);

  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 20_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
    unregister();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await machine.waitUntil(
      'mariadbd',
      async () => {
        if (child.exitCode !== null) {
          throw new machine.LocalServerError(
            'SERVER_EXITED',
            `mariadbd exited with ${child.exitCode}`,
          );
        }
        await admin('SELECT 1');
        return true;
      },
      30_000,
    );
    if (child.exitCode !== null) {
      throw new machine.LocalServerError(
        'SERVER_EXITED',
        `mariadbd exited with ${child.exitCode} (see error.log)`,
      );
    }
    const shadowing = (await admin(
      "SELECT User AS user, Host AS host FROM mysql.user WHERE User = '' OR (User = 'root' AND Host <> 'localhost')",
    )) as { user: string; host: string }[];
    for (const row of shadowing) {
      await admin(`DROP USER ${quoteLiteral(row.user)}@${quoteLiteral(row.host)}`);
    }
    for (const host of ['127.0.0.1', '%']) {
      const master = `${quoteLiteral(masterUser)}@${quoteLiteral(host)}`;
      await admin(`CREATE USER ${master} IDENTIFIED BY ${quoteLiteral(masterPassword.reveal())}`);
      await admin(`GRANT ALL PRIVILEGES ON *.* TO ${master} WITH GRANT OPTION`);
      const ssl = `${quoteLiteral(sslUser.username)}@${quoteLiteral(host)}`;
      await admin(
        `CREATE USER ${ssl} IDENTIFIED BY ${quoteLiteral(sslUser.password.reveal())} REQUIRE SSL`,
      );
      await admin(`GRANT SELECT ON mysql.user TO ${ssl}`);
    }
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }

  const descriptor: MariadbDescriptor = {
    engine: 'mariadb',
    dir,
    port,
    socketPath,
    pidFile: join(dir, 'mysqld.pid'),
    account,
    masterUser,
    masterPassword: masterPassword.reveal(),
    sslUser: { username: sslUser.username, password: sslUser.password.reveal() },
    certificates,
  };
  return attachMariadb(descriptor, stop);
}

async function adminQuery(socketPath: string, sql: string, values?: unknown[]): Promise<unknown> {
  const connection = await mysql.createConnection({
    socketPath,
    user: 'root',
    password: '',
    connectTimeout: 2_000,
    multipleStatements: false,
  });
  connection.on('error', () => {});
  try {
    const [rows] = await connection.query(sql, values);
    return rows;
  } finally {
    await connection.end().catch(() => {});
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a server known only by its pid file (a handle rebuilt in another process). */
async function stopByPidFile(descriptor: MariadbDescriptor): Promise<void> {
  const pid = Number.parseInt(await readFile(descriptor.pidFile, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 20_000;
    while (processAlive(pid) && Date.now() < deadline) await machine.sleep(100);
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  await rm(descriptor.dir, { recursive: true, force: true });
}

/**
 * A handle on a server started elsewhere (e.g. by a test run's global setup
 * in another process), rebuilt from its descriptor.
 */
export function attachMariadb(
  descriptor: MariadbDescriptor,
  stopServer: () => Promise<void> = () => stopByPidFile(descriptor),
): LocalMariadb {
  const { dir, port, socketPath, account, masterUser, certificates } = descriptor;
  const admin = (sql: string, values?: unknown[]): Promise<unknown> =>
    adminQuery(socketPath, sql, values);
  let stopped = false;
  return {
    engine: 'mariadb',
    host: '127.0.0.1',
    port,
    masterUser,
    masterPassword: new SecretValue(descriptor.masterPassword),
    sslUser: {
      username: descriptor.sslUser.username,
      password: new SecretValue(descriptor.sslUser.password),
    },
    ca: certificates.caPem,
    certificates,
    async setRequireSecureTransport(on) {
      await admin(`SET GLOBAL require_secure_transport = ${on ? 'ON' : 'OFF'}`);
    },
    async setCertificate(kind) {
      await installCertificate(certificates, kind, dir, account);
      await admin('FLUSH SSL');
    },
    admin,
    describe: () => descriptor,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopServer();
    },
  };
}

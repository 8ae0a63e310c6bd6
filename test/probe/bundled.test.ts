/**
 * The probe as it ships: lib/probe bundled with serverless.yml's esbuild
 * settings from lambda-build.json (ESM, the drivers split into chunks loaded
 * on first use, the `require` banner CommonJS drivers need), run against the
 * real servers.
 * Catches a package that builds but cannot load pg or mysql2 at run time.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULE_PARAMETERS, type LiveFinding } from '../../lib/types.js';
import { esbuildOptions } from '../../scripts/lambda-build.js';
import {
  databaseItem,
  REAL_SERVER_CONNECT_TIMEOUT_MS,
  useMariadb,
  usePostgres,
} from '../fixtures/servers.js';

let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-probe-bundle-'));
  await build({
    ...esbuildOptions(),
    entryPoints: [new URL('../../lib/probe/index.ts', import.meta.url).pathname],
    outdir: outDir,
    logLevel: 'silent',
  });
  // A plain node process, as Lambda runs it: the test runner's own module
  // loader would lend the bundle a `require` that the real runtime does not.
  await writeFile(
    join(outDir, 'run.mjs'),
    `const { createLiveProber } = await import('./index.mjs');
const input = JSON.parse(process.env.PROBE_INPUT);
const prober = createLiveProber({
  credentials: {
    resolve: async () => ({
      kind: 'resolved',
      credentials: {
        username: input.username,
        password: { reveal: () => process.env.PROBE_PASSWORD },
        origin: 'test',
        reference: 'test:bundle',
      },
    }),
  },
  caBundle: input.ca,
  connectTimeoutMs: ${REAL_SERVER_CONNECT_TIMEOUT_MS},
});
const finding = await prober.probe(input.item, input.ruleParameters);
process.stdout.write(JSON.stringify(finding));
`,
  );
});

function probeInChild(input: object, password: string): Promise<LiveFinding> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(outDir, 'run.mjs')],
      { env: { PROBE_INPUT: JSON.stringify(input), PROBE_PASSWORD: password }, timeout: 30_000 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as LiveFinding)),
    );
  });
}

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
      const finding = await probeInChild(
        {
          username: server.masterUser,
          ca: server.ca,
          item: databaseItem(engine, server.port),
          ruleParameters: DEFAULT_RULE_PARAMETERS,
        },
        server.masterPassword.reveal(),
      );

      expect(finding.reason).not.toBe('PROBE_FAILED');
      const tls = finding.evidence.find((item) => item.label === 'verify-full TLS');
      expect(tls?.value).toMatch(/^TLSv1\.[23]/);
    },
  );
});

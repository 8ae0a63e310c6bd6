/**
 * Lambda package size and module initialisation time per function.
 *
 * Each function's handler is bundled with the options serverless.yml uses
 * (lambda-build.json: minified ESM for the Lambda runtime's Node, split into
 * chunks so the database drivers load on the first probe only, no source
 * maps, the `require` banner pg and mysql2 need). The zipped size is read from
 * `.serverless/` when `sls package` has been run since the sources last
 * changed; an older zip is ignored (and said so) and the size estimated by
 * deflating every output file at level 9 plus the zip headers. Init time imports the entry file, which
 * loads the chunks it needs at start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions } from '../scripts/lambda-build.js';
import { median } from './print.js';

export interface FunctionPackage {
  name: string;
  handlerFile: string;
  /** Why nothing was measured, when nothing was. */
  skipped?: string;
  bundleBytes?: number;
  /** The entry file and every chunk it imports statically: what module initialisation loads. */
  initBytes?: number;
  /** The largest packages in those chunks, by bytes of output. */
  initPackages?: { name: string; bytes: number }[];
  zipBytes?: number;
  zipSource?: 'sls package' | 'deflate estimate' | 'deflate estimate (.serverless zip is stale)';
  initMs?: number[];
  /** CPU time (user + system) of the same imports: steadier than wall time on a busy machine. */
  initCpuMs?: number[];
}

const ZIP_ENTRY_OVERHEAD = 30 + 46; // local file header + central directory entry, before the name
const ZIP_END_RECORD = 22;

/** Function names and handler files as serverless.yml declares them. */
export async function declaredFunctions(root: string): Promise<{ name: string; file: string }[]> {
  const yaml = await readFile(join(root, 'serverless.yml'), 'utf8');
  const functions: { name: string; file: string }[] = [];
  let current: string | undefined;
  let inFunctions = false;
  for (const line of yaml.split('\n')) {
    if (/^functions:\s*$/.test(line)) {
      inFunctions = true;
      continue;
    }
    if (inFunctions && /^\S/.test(line)) inFunctions = false;
    if (!inFunctions) continue;
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (name) current = name[1];
    const handler = /^\s+handler:\s*(\S+)\.[A-Za-z0-9_]+\s*$/.exec(line);
    if (handler && current) functions.push({ name: current, file: `${handler[1]}.ts` });
  }
  return functions;
}

export async function measureFunctions(root: string, initRuns: number): Promise<FunctionPackage[]> {
  const functions = await declaredFunctions(root);
  const outDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-bench-'));
  try {
    const built: { result: FunctionPackage; outfile?: string }[] = [];
    for (const fn of functions) built.push(await buildOne(root, fn, outDir));
    // Round robin: run k of every function, then run k + 1. A spell of
    // contention on the machine then touches one run of each function
    // instead of every run of one.
    for (let run = 0; run < initRuns; run += 1) {
      for (const entry of built) {
        if (!entry.outfile || entry.result.skipped) continue;
        const measured = coldImport(entry.outfile);
        if (typeof measured === 'string') {
          entry.result.skipped = measured;
          delete entry.result.initMs;
          delete entry.result.initCpuMs;
          continue;
        }
        entry.result.initMs = [...(entry.result.initMs ?? []), measured.wallMs];
        entry.result.initCpuMs = [...(entry.result.initCpuMs ?? []), measured.cpuMs];
      }
    }
    return built.map((entry) => entry.result);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Builds one function as serverless.yml would and sizes its package; init is measured by the caller. */
async function buildOne(
  root: string,
  fn: { name: string; file: string },
  outDir: string,
): Promise<{ result: FunctionPackage; outfile?: string }> {
  const base = { name: fn.name, handlerFile: fn.file };
  if (!existsSync(join(root, fn.file))) {
    return { result: { ...base, skipped: `${fn.file} does not exist yet` } };
  }
  const functionDir = join(outDir, fn.name);
  const outfile = join(functionDir, `${basename(fn.file, '.ts')}.mjs`);
  let loadedAtInit: Pick<FunctionPackage, 'initBytes' | 'initPackages'>;
  try {
    const { metafile } = await build({
      ...esbuildOptions(),
      entryPoints: [join(root, fn.file)],
      outdir: functionDir,
      metafile: true,
      logLevel: 'silent',
    });
    loadedAtInit = staticClosure(metafile, fn.file);
  } catch (error) {
    return {
      result: { ...base, skipped: `esbuild failed: ${(error as Error).message.split('\n')[0]}` },
    };
  }

  const bundle = await readFile(outfile);
  const outputs = await Promise.all(
    (await readdir(functionDir)).map(async (name) => ({
      name,
      data: await readFile(join(functionDir, name)),
    })),
  );
  const packaged = join(root, '.serverless', `${fn.name}.zip`);
  let zipBytes: number;
  let zipSource: FunctionPackage['zipSource'];
  const fresh =
    existsSync(packaged) && (await stat(packaged)).mtimeMs > (await sourcesChanged(root));
  if (fresh) {
    zipBytes = (await stat(packaged)).size;
    zipSource = 'sls package';
  } else {
    const entries = outputs;
    zipBytes =
      ZIP_END_RECORD +
      entries.reduce(
        (sum, entry) =>
          sum +
          ZIP_ENTRY_OVERHEAD +
          2 * entry.name.length +
          deflateRawSync(entry.data, { level: 9 }).length,
        0,
      );
    zipSource = existsSync(packaged)
      ? 'deflate estimate (.serverless zip is stale)'
      : 'deflate estimate';
  }

  return {
    result: { ...base, bundleBytes: bundle.length, ...loadedAtInit, zipBytes, zipSource },
    outfile,
  };
}

/** Output files reachable from the entry through static imports, and what fills them. */
function staticClosure(
  metafile: Metafile,
  entryFile: string,
): Pick<FunctionPackage, 'initBytes' | 'initPackages'> {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint?.endsWith(entryFile));
  const seen = new Set<string>();
  const pending = entry ? [entry] : [];
  while (pending.length > 0) {
    const output = pending.pop() as string;
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of outputs[output]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
    }
  }
  const byPackage = new Map<string, number>();
  let initBytes = 0;
  for (const output of seen) {
    initBytes += outputs[output]?.bytes ?? 0;
    for (const [input, { bytesInOutput }] of Object.entries(outputs[output]?.inputs ?? {})) {
      const name =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/')[0] ?? input;
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  const initPackages = [...byPackage]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
  return { initBytes, initPackages };
}

/** What a package is built from: the product's code, the build settings and the locked dependencies. */
const SOURCES = [
  'lib',
  'handlers',
  'deploy',
  'serverless.yml',
  'lambda-build.json',
  'package-lock.json',
];

let newestSource: Promise<number> | undefined;

/** The newest modification time among the sources (ms), read once per run. */
function sourcesChanged(root: string): Promise<number> {
  newestSource ??= Promise.all(SOURCES.map((path) => newestUnder(join(root, path)))).then((times) =>
    Math.max(...times),
  );
  return newestSource;
}

async function newestUnder(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestUnder(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** A fresh node imports the bundle once; the figure is the import alone, not node's own start. */
function coldImport(bundlePath: string): { wallMs: number; cpuMs: number } | string {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(bundlePath).href)}); const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000);`;
  const child = spawnSync(
    process.execPath,
    ['--no-warnings', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'eu-west-1',
        AWS_LAMBDA_FUNCTION_NAME: 'rds-tls-guard-bench',
        POWERTOOLS_SERVICE_NAME: 'rds-tls-guard',
        POWERTOOLS_METRICS_NAMESPACE: 'RdsTlsGuard',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        MIN_TLS_VERSION: 'TLSv1.2',
        CA_EXPIRY_DAYS: '30',
        REQUIRE_LIVE_PROBE: 'false',
      },
    },
  );
  const [wallMs, cpuMs] = (child.stdout.trim().split('\n').pop() ?? '').split(' ').map(Number);
  if (
    child.status !== 0 ||
    wallMs === undefined ||
    cpuMs === undefined ||
    !Number.isFinite(wallMs) ||
    !Number.isFinite(cpuMs)
  ) {
    const why = child.stderr
      .trim()
      .split('\n')
      .find((line) => /Error/.test(line));
    return `import failed: ${why ?? `exit ${child.status}`}`;
  }
  return { wallMs, cpuMs };
}

export function initMedian(fn: FunctionPackage): number | undefined {
  return fn.initMs && fn.initMs.length > 0 ? median(fn.initMs) : undefined;
}

export function initCpuMedian(fn: FunctionPackage): number | undefined {
  return fn.initCpuMs && fn.initCpuMs.length > 0 ? median(fn.initCpuMs) : undefined;
}

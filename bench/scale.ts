/**
 * Runs bench/scale-child.ts in its own node process and reads its one JSON line.
 *
 * The child is bundled first, with the esbuild options the functions are
 * built with (lambda-build.json), so the process holds what a function would
 * load and not a TypeScript loader. With a memory size it runs under the V8
 * flags the Lambda Node.js runtime's bootstrap derives from the function's
 * memory (see `lambdaHeapFlags`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions } from '../scripts/lambda-build.js';
import type { ScaleChildResult } from './scale-child.js';

/**
 * The V8 heap flags the Lambda Node.js runtime starts node with for a
 * function of `memoryMb`: a tenth of the memory for the young generation
 * (half of it per semi-space), the rest for the old generation.
 */
export function lambdaHeapFlags(memoryMb: number): { semiSpaceMb: number; oldSpaceMb: number } {
  const newSpaceMb = Math.floor(memoryMb / 10);
  return { semiSpaceMb: Math.floor(newSpaceMb / 2), oldSpaceMb: memoryMb - newSpaceMb };
}

export async function runScale(
  root: string,
  instances: number,
  latencyMs: number,
  /** Run under the heap flags of a Lambda function of this memory size; none: V8's defaults. */
  memoryMb?: number,
): Promise<ScaleChildResult | { error: string }> {
  const outDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-scale-'));
  try {
    try {
      await build({
        ...esbuildOptions(),
        splitting: false,
        entryPoints: [fileURLToPath(new URL('./scale-child.ts', import.meta.url))],
        outdir: outDir,
        logLevel: 'silent',
      });
    } catch (error) {
      return { error: `esbuild failed: ${(error as Error).message.split('\n')[0]}` };
    }
    const heap = memoryMb === undefined ? undefined : lambdaHeapFlags(memoryMb);
    return await runChild(root, join(outDir, 'scale-child.mjs'), [
      ...(heap
        ? [`--max-semi-space-size=${heap.semiSpaceMb}`, `--max-old-space-size=${heap.oldSpaceMb}`]
        : []),
      String(instances),
      String(latencyMs),
    ]);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

async function runChild(
  root: string,
  bundle: string,
  args: string[],
): Promise<ScaleChildResult | { error: string }> {
  const flags = args.filter((arg) => arg.startsWith('--'));
  const positional = args.filter((arg) => !arg.startsWith('--'));
  const child = spawn(
    process.execPath,
    ['--no-warnings', '--expose-gc', ...flags, bundle, ...positional],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    const why = stderr.trim().split('\n').slice(-3).join(' | ');
    return { error: `child exited ${code}: ${why || 'no output'}` };
  }
  return JSON.parse(line) as ScaleChildResult;
}

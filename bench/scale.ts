/** Runs bench/scale-child.ts in its own node process and reads its one JSON line. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScaleChildResult } from './scale-child.js';

export async function runScale(
  root: string,
  instances: number,
  latencyMs: number,
  /** V8 old-space limit for the child, as a memory-sized Lambda function would set it. */
  heapLimitMb?: number,
): Promise<ScaleChildResult | { error: string }> {
  const child = spawn(
    process.execPath,
    [
      '--no-warnings',
      '--expose-gc',
      ...(heapLimitMb ? [`--max-old-space-size=${heapLimitMb}`] : []),
      '--import',
      'tsx',
      fileURLToPath(new URL('./scale-child.ts', import.meta.url)),
      String(instances),
      String(latencyMs),
    ],
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

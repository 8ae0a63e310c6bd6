/**
 * Builds the published CLI (dist/cli.mjs) for the same Node major as the
 * Lambda runtime; dependencies stay external and are installed with it.
 */
import { build } from 'esbuild';
import { ESBUILD_TARGET } from './lambda-build.js';

await build({
  entryPoints: ['lib/cli/bin.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ESBUILD_TARGET,
  packages: 'external',
  logLevel: 'info',
});

/**
 * The one description of how the functions are built and what they run on:
 * `lambda-build.json`. serverless.yml reads it (`provider.runtime` and
 * serverless-esbuild's options), and so do the CLI build, the benchmarks and
 * the tests that bundle code the way a deployment does.
 *
 * The JSON is in serverless-esbuild's shape; `esbuildOptions()` turns it into
 * options for esbuild's own `build()`:
 * - `exclude` (not bundled, not packaged: pg-native is pg's optional native
 *   binding, never used) becomes `external`;
 * - `outputFileExtension` becomes `outExtension`;
 * - `packager` only tells serverless-esbuild how to install externals;
 * - `plugins` names deploy/chunks-per-function.js, which writes each
 *   function's chunks to a folder named after its entry so that
 *   serverless-esbuild zips them with that function only. It is left out
 *   here: a build of one entry into a folder of its own, as the benchmarks
 *   and tests make, already holds exactly that function's files.
 *
 * Why these options: ESM with split chunks, so the database drivers load on
 * the first probe only; a `createRequire` banner, because pg and mysql2 are
 * CommonJS and call require(), which an ESM bundle lacks; no source maps
 * (they doubled each package) but `keepNames`, so stack traces keep names.
 */
import type { BuildOptions } from 'esbuild';
import settings from '../lambda-build.json' with { type: 'json' };

/** The Lambda runtime every function is deployed on, e.g. `nodejs24.x`. */
export const LAMBDA_RUNTIME: string = settings.runtime;

/** The Node.js major version of that runtime: what the tests, demo and bench run on too. */
export const NODE_MAJOR: number = nodeMajorOf(LAMBDA_RUNTIME);

/** esbuild's target for that runtime, e.g. `node24`. */
export const ESBUILD_TARGET = `node${NODE_MAJOR}`;

export function nodeMajorOf(runtime: string): number {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) throw new Error(`lambda-build.json: runtime ${runtime} is not a nodejsNN.x runtime`);
  return Number(match[1]);
}

/** esbuild `build()` options that produce what serverless-esbuild packages. */
export function esbuildOptions(): BuildOptions {
  const {
    exclude,
    outputFileExtension,
    packager: _packager,
    plugins: _plugins,
    format,
    platform,
    ...options
  } = settings.esbuild;
  if (format !== 'esm' || platform !== 'node') {
    throw new Error('lambda-build.json: the functions are ES modules for the node platform');
  }
  return {
    ...options,
    format,
    platform,
    mainFields: [...options.mainFields],
    external: [...exclude],
    outExtension: { '.js': outputFileExtension },
  };
}

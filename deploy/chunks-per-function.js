/**
 * An esbuild plugin that serverless-esbuild loads (lambda-build.json,
 * `plugins`) so that each function's zip holds its handler and exactly the
 * chunks that handler can load, statically or through a dynamic import.
 *
 * Two things stood in the way:
 * - serverless-esbuild builds every function on its own (one entry per
 *   esbuild build) but into one shared folder per handler directory, then
 *   zips every file of the build folder into every function's package,
 *   leaving out only the other functions' entry files and files named as
 *   derived from them (`handlers/audit.mjs`, `handlers/audit.*`). Chunks are
 *   named `chunk-XXXX.mjs`, so the chunks of all four builds went into all
 *   four zips, and every lazily loaded module grew every package.
 * - esbuild, with splitting on, writes a chunk for every `import()` target,
 *   even when tree shaking removed the `import()` itself (esbuild issues
 *   #3252 and #3704): the AWS SDK's unused credential providers left such
 *   orphan chunks in every build.
 *
 * So the chunks of `handlers/audit.ts` are named `handlers/audit.chunks/…`:
 * derived from the audit entry by name, serverless-esbuild packages them
 * with the audit function only. And only the outputs reachable from the
 * entry through its imports are written; orphans are dropped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';

/** The output files reachable from the entry's output through non-external imports. */
function reachableOutputs(metafile, entryPoint, workingDir) {
  const outputs = metafile.outputs;
  // Each import() target is an entry point of its own in the metafile too.
  const entry = Object.keys(outputs).find(
    (path) =>
      outputs[path].entryPoint !== undefined &&
      resolve(workingDir, outputs[path].entryPoint) === resolve(workingDir, entryPoint),
  );
  if (entry === undefined) throw new Error(`no output for the entry ${entryPoint}`);
  const seen = new Set();
  const pending = [entry];
  while (pending.length > 0) {
    const output = pending.pop();
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of outputs[output]?.imports ?? []) {
      if (!imported.external) pending.push(imported.path);
    }
  }
  return new Set([...seen].map((path) => resolve(workingDir, path)));
}

/** @type {import('esbuild').Plugin} */
const chunksPerFunction = {
  name: 'rds-tls-guard-chunks-per-function',
  setup(build) {
    const options = build.initialOptions;
    const entries = options.entryPoints;
    const list = Array.isArray(entries) ? entries : Object.values(entries ?? {});
    if (list.length !== 1) {
      // Chunks shared by several entries belong to no one function.
      throw new Error(`expected a build of one function's entry, got ${list.length} entries`);
    }
    const entry = typeof list[0] === 'string' ? list[0] : list[0].in;
    options.chunkNames = `${basename(entry, extname(entry))}.chunks/[name]-[hash]`;
    // The outputs are written here, once it is known which are reachable.
    const write = options.write ?? true;
    options.write = false;
    options.metafile = true;
    const workingDir = options.absWorkingDir ?? process.cwd();

    build.onEnd((result) => {
      if (result.errors.length > 0 || !result.metafile || !result.outputFiles) return;
      const reachable = reachableOutputs(result.metafile, entry, workingDir);
      result.outputFiles = result.outputFiles.filter((file) => reachable.has(file.path));
      if (!write) return;
      for (const file of result.outputFiles) {
        mkdirSync(dirname(file.path), { recursive: true });
        writeFileSync(file.path, file.contents);
      }
    });
  },
};

export default [chunksPerFunction];

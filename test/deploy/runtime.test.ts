/**
 * The project runs on the Node major its functions are deployed on. The
 * `node` devDependency puts that Node first on PATH inside npm scripts, so
 * `npm test`, `npm run demo`, `npm run bench` and every `node`, `tsx` or
 * `sls` child they start match the Lambda runtime named in lambda-build.json,
 * whatever Node ran `npm` itself.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ESBUILD_TARGET,
  LAMBDA_RUNTIME,
  NODE_MAJOR,
  nodeMajorOf,
} from '../../scripts/lambda-build.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
// What the AWS SDK prints, once per process, on a Node it is dropping.
const SDK_SUPPORT_WARNING = /NodeVersionSupportWarning|will require node/i;

function majorOf(version: string): number {
  return Number(version.trim().split('.')[0]);
}

describe('the Node the project runs on', () => {
  it('is a nodejsNN.x Lambda runtime, and the esbuild target names the same major', () => {
    expect(LAMBDA_RUNTIME).toMatch(/^nodejs\d+\.x$/);
    expect(NODE_MAJOR).toBe(24);
    const settings = JSON.parse(readFileSync(join(ROOT, 'lambda-build.json'), 'utf8'));
    expect(settings.esbuild.target).toBe(ESBUILD_TARGET);
    expect(() => nodeMajorOf('python3.13')).toThrow(/not a nodejsNN\.x runtime/);
  });

  it('runs the tests on the Lambda runtime’s major', () => {
    expect(majorOf(process.versions.node)).toBe(NODE_MAJOR);
  });

  it('gives children started as `node` from PATH the same major', async () => {
    const { stdout } = await run('node', ['-p', 'process.versions.node'], { cwd: ROOT });
    expect(majorOf(stdout)).toBe(NODE_MAJOR);
  });

  it('runs tsx (the demo, the CLI, the bench) on that major, with no AWS SDK support warning', async () => {
    // Constructing a client is what makes the SDK check the Node version.
    const script = [
      "import('@aws-sdk/client-rds').then(({ RDSClient }) => {",
      "  new RDSClient({ region: 'eu-west-1' });",
      '  console.log(process.versions.node);',
      '});',
    ].join('\n');
    const { stdout, stderr } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['--eval', script], {
      cwd: ROOT,
    });
    expect(majorOf(stdout)).toBe(NODE_MAJOR);
    expect(stderr).not.toMatch(SDK_SUPPORT_WARNING);
  });
});

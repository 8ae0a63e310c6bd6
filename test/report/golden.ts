/**
 * Golden files: a report is compared byte for byte with test/golden/<name>.
 * Run with UPDATE_GOLDEN=1 to rewrite them after an intended change, then
 * read the diff before committing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIRECTORY, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIRECTORY, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`golden file ${name} is missing: run the tests once with UPDATE_GOLDEN=1`);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

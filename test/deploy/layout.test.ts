/**
 * The layout rules README states: no module in lib/ over 400 lines (a longer
 * file is usually two jobs), and handlers that only wire.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const MAX_LINES = 400;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function lineCount(path: string): number {
  const text = readFileSync(path, 'utf8');
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

describe('the source layout', () => {
  it(`keeps every module in lib/ and handlers/ at ${MAX_LINES} lines or fewer`, () => {
    const files = [...sources(join(ROOT, 'lib')), ...sources(join(ROOT, 'handlers'))];
    expect(files.length).toBeGreaterThan(50);
    const tooLong = files
      .map((path) => ({ file: relative(ROOT, path), lines: lineCount(path) }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(tooLong).toEqual([]);
  });
});

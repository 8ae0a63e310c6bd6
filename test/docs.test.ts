/**
 * The user-facing docs say what the code does. Platform teams and auditors
 * read these tables to learn what a code means and what to do, so each list
 * below is held to the one place in the code that defines it, both ways: a
 * code the code can give and the docs do not name fails, and so does a code a
 * docs table names that the code no longer has.
 *
 * One home per list (a table is found by the first cell of its header):
 * - reasons (static, live with the credential failures, and those the
 *   joining, the run and a snapshot's unreadable records give): README.md, the `reason` tables under
 *   "Reason codes";
 * - scan problem codes: README.md, the `problem` table under "Scan problems";
 * - CLI exit codes: README.md, the `exit` table under "Command line";
 * - probe worker failure codes: docs/deploy.md, the `failure` table;
 * - metric names: docs/deploy.md, the `metric` table under "Observability";
 * - function environment variables: docs/deploy.md, the `variable` table.
 * README's layout section names every folder under lib/, and its two set-up
 * commands after cloning are scripts package.json has.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_HISTORY_ERROR_CODES } from '../lib/config/history.js';
import { SNAPSHOT_RECORD_INVALID } from '../lib/inventory/snapshot/invalid-records.js';
import { functionEnvironmentSchema } from '../lib/lambda/environment.js';
import { METRIC_NAMES } from '../lib/observability/index.js';
import { LIVE_REASONS } from '../lib/probe/reasons.js';
import { EXIT_CODES } from '../lib/report/summary.js';
import { STATIC_REASONS } from '../lib/rules/reasons.js';
import { EVALUATION_FAILED, NOT_JUDGED_IN_TIME } from '../lib/scan.js';
import { PROBE_BATCH_LOST } from '../lib/sinks/scan-result-codec.js';
import { SCAN_PROBLEM_CODES } from '../lib/types.js';
import { WORKER_FAILURE_CODES } from '../lib/use-cases/probe-worker.js';
import { COMBINED_REASONS } from '../lib/verdict.js';

const ROOT = resolve(import.meta.dirname, '..');
const DOCS = ['README.md', 'docs/deploy.md', 'docs/reliability.md'] as const;
type Doc = (typeof DOCS)[number];

/** Every reason a finding, and so a report or a Config annotation, can carry. */
const REASONS: readonly string[] = [
  ...STATIC_REASONS,
  ...LIVE_REASONS,
  ...COMBINED_REASONS,
  NOT_JUDGED_IN_TIME,
  PROBE_BATCH_LOST,
  EVALUATION_FAILED,
  SNAPSHOT_RECORD_INVALID,
];

interface Table {
  doc: Doc;
  /** The nearest heading above the table. */
  heading: string;
  header: string[];
  rows: string[][];
}

function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** A table row's cells; a `|` inside backticks is text, not a border. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let code = false;
  for (const char of line.trim().replace(/^\|/, '').replace(/\|$/, '')) {
    if (char === '`') code = !code;
    if (char === '|' && !code) {
      out.push(cell.trim());
      cell = '';
    } else {
      cell += char;
    }
  }
  out.push(cell.trim());
  return out;
}

function tablesOf(doc: Doc): Table[] {
  const lines = read(doc).split('\n');
  const tables: Table[] = [];
  let heading = '';
  let fenced = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const title = /^#+\s+(.*)$/.exec(line);
    if (title) heading = title[1] ?? '';
    const separator = lines[index + 1] ?? '';
    if (line.startsWith('|') && /^\|\s*:?-{3,}/.test(separator)) {
      const rows: string[][] = [];
      let next = index + 2;
      while ((lines[next] ?? '').startsWith('|')) rows.push(cells(lines[next++] ?? ''));
      tables.push({ doc, heading, header: cells(line).map((c) => c.toLowerCase()), rows });
      index = next - 1;
    }
  }
  return tables;
}

const ALL_TABLES = DOCS.flatMap(tablesOf);

function tablesKeyed(key: string, where?: { doc: Doc; heading: string }): Table[] {
  return ALL_TABLES.filter(
    (table) =>
      table.header[0] === key &&
      (where === undefined || (table.doc === where.doc && table.heading === where.heading)),
  );
}

/** The backticked codes in the first column of the tables. */
function firstColumn(tables: readonly Table[], code: RegExp): string[] {
  return tables.flatMap((table) =>
    table.rows.flatMap((row) =>
      [...(row[0] ?? '').matchAll(/`([^`]+)`/g)]
        .map((match) => match[1] ?? '')
        .filter((token) => code.test(token)),
    ),
  );
}

const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{4,}$/;
const METRIC = /^[A-Z][a-z]+([A-Z][a-z]+)*$/;

function missing(expected: readonly string[], listed: readonly string[]): string[] {
  const have = new Set(listed);
  return [...new Set(expected)].filter((code) => !have.has(code)).sort();
}

/** Each code listed twice in the one home: two meanings for one code is one too many. */
function twice(listed: readonly string[]): string[] {
  return listed.filter((code, index) => listed.indexOf(code) !== index).sort();
}

/** The env keys serverless.yml sets, for every function and per function. */
function templateEnvironment(): string[] {
  const lines = read('serverless.yml').split('\n');
  const keys: string[] = [];
  lines.forEach((line, index) => {
    const block = /^(\s*)environment:\s*$/.exec(line);
    if (!block) return;
    const indent = (block[1] ?? '').length;
    for (let next = index + 1; next < lines.length; next++) {
      const entry = lines[next] ?? '';
      if (entry.trim() === '' || entry.trim().startsWith('#')) continue;
      if (entry.length - entry.trimStart().length <= indent) break;
      const key = /^\s+([A-Z][A-Z0-9_]*):/.exec(entry);
      if (key?.[1]) keys.push(key[1]);
    }
  });
  return keys;
}

describe('the docs name every code the code can give, and only those', () => {
  const reasonHome = tablesKeyed('reason', { doc: 'README.md', heading: 'Reason codes' });

  it('README lists every reason a finding can carry once, under "Reason codes"', () => {
    const listed = firstColumn(reasonHome, CODE);
    expect(missing(REASONS, listed)).toEqual([]);
    expect(twice(listed)).toEqual([]);
  });

  it('no reason table in the docs names a reason the code does not have', () => {
    const tables = tablesKeyed('reason');
    expect(tables.length).toBeGreaterThan(reasonHome.length);
    expect(missing(firstColumn(tables, CODE), REASONS)).toEqual([]);
  });

  it('no table cell gives a verdict with a reason the code does not have', () => {
    // "INSUFFICIENT_DATA `TIMEOUT`", "`NON_COMPLIANT`, `ORACLE_…`": the code after a verdict.
    // A Config event whose history could not be read is named by its error code.
    const known = [...REASONS, ...CONFIG_HISTORY_ERROR_CODES];
    const named = ALL_TABLES.flatMap((table) =>
      table.rows
        .flat()
        .flatMap((cell) =>
          [
            ...cell.matchAll(
              /\b(?:NON_COMPLIANT|COMPLIANT|INSUFFICIENT_DATA|NOT_APPLICABLE)`?,? \(?`([A-Z][A-Z0-9_]+)`/g,
            ),
          ].map((match) => match[1] ?? ''),
        ),
    );
    expect(named.length).toBeGreaterThan(30);
    const verdicts = ['COMPLIANT', 'NON_COMPLIANT', 'INSUFFICIENT_DATA', 'NOT_APPLICABLE'];
    expect(missing(named, [...known, ...verdicts])).toEqual([]);
  });

  it('README lists every scan problem code once, under "Scan problems", and no other', () => {
    const listed = firstColumn(
      tablesKeyed('problem', { doc: 'README.md', heading: 'Scan problems' }),
      CODE,
    );
    expect(missing(SCAN_PROBLEM_CODES, listed)).toEqual([]);
    expect(missing(firstColumn(tablesKeyed('problem'), CODE), SCAN_PROBLEM_CODES)).toEqual([]);
    expect(twice(listed)).toEqual([]);
  });

  it('README lists every CLI exit code once, and no other', () => {
    const listed = firstColumn(
      tablesKeyed('exit', { doc: 'README.md', heading: 'Command line' }),
      /^\d+$/,
    );
    expect(listed.map(Number).sort((a, b) => a - b)).toEqual(
      Object.values(EXIT_CODES).sort((a, b) => a - b),
    );
  });

  it('docs/deploy.md lists every probe worker failure code once, and no other', () => {
    const listed = firstColumn(
      tablesKeyed('failure', { doc: 'docs/deploy.md', heading: 'Probe batches that fail' }),
      CODE,
    );
    expect(missing(WORKER_FAILURE_CODES, listed)).toEqual([]);
    expect(missing(listed, WORKER_FAILURE_CODES)).toEqual([]);
    expect(twice(listed)).toEqual([]);
  });

  it('docs/deploy.md lists every metric once, and no other', () => {
    const listed = firstColumn(
      tablesKeyed('metric', { doc: 'docs/deploy.md', heading: 'Observability' }),
      METRIC,
    );
    const metrics = Object.values(METRIC_NAMES);
    expect(missing(metrics, listed)).toEqual([]);
    expect(missing(listed, metrics)).toEqual([]);
    expect(twice(listed)).toEqual([]);
  });

  it('docs/deploy.md lists every variable the functions read or serverless.yml sets, and no other', () => {
    const variables = [
      ...Object.keys(functionEnvironmentSchema.in.shape),
      ...templateEnvironment(),
    ];
    expect(variables).toContain('PROBE_MAX_RECEIVE_COUNT');
    expect(variables).toContain('POWERTOOLS_LOG_LEVEL');
    const listed = firstColumn(
      tablesKeyed('variable', { doc: 'docs/deploy.md', heading: 'Function environment' }),
      /^[A-Z][A-Z0-9_]+$/,
    );
    expect(missing(variables, listed)).toEqual([]);
    expect(missing(listed, variables)).toEqual([]);
    expect(twice(listed)).toEqual([]);
  });
});

describe("README's set-up and layout", () => {
  const readme = read('README.md');
  const scripts = Object.keys(
    (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
  );

  it('gives after cloning the demo and test commands package.json provides', () => {
    const tryIt = readme.slice(readme.indexOf('## Try it'), readme.indexOf('### Which Node'));
    const commands = [...tryIt.matchAll(/```sh\n([^`]*)```/g)].map((match) => match[1]?.trim());
    expect(commands).toEqual(['npm ci && npm run demo', 'npm test']);
    expect(scripts).toEqual(expect.arrayContaining(['demo', 'test']));
  });

  it('names only npm scripts package.json has', () => {
    const named = [...readme.matchAll(/npm run ([a-z][\w:-]*)/g)].map((match) => match[1] ?? '');
    expect(named.length).toBeGreaterThan(5);
    expect(missing(named, scripts)).toEqual([]);
  });

  it('names every folder under lib/ in its layout section', () => {
    const layout = tablesOf('README.md').find((table) => table.heading === 'Layout');
    const paths = (layout?.rows ?? []).map((row) => row[0] ?? '');
    const folders = readdirSync(join(ROOT, 'lib'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.length).toBeGreaterThan(10);
    const unnamed = folders.filter(
      (folder) => !paths.some((path) => path.includes(`\`lib/${folder}/\``)),
    );
    expect(unnamed).toEqual([]);
    // A folder inside one is named in its parent's row, as `snapshot/`.
    const nested = folders.flatMap((folder) =>
      readdirSync(join(ROOT, 'lib', folder), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => ({ parent: folder, name: entry.name })),
    );
    const unnamedNested = nested.filter(
      ({ parent, name }) =>
        !(layout?.rows ?? []).some(
          (row) =>
            (row[0] ?? '').includes(`\`lib/${parent}/\``) &&
            (row[1] ?? '').includes(`\`${name}/\``),
        ),
    );
    expect(unnamedNested).toEqual([]);
  });
});

/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The HTML report in a real browser (Debian's chromium, driven by
 * playwright-core): filter, sort and search work, evidence opens on demand,
 * nothing is clipped at phone width, nothing is fetched from the network,
 * and a report of 10,000 databases opens in reasonable time. Screenshots are
 * kept in test-artifacts/ (not committed) for a person to look at.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../lib/report/html.js';
import type { ResourceEvaluation, ScanResult } from '../../lib/types.js';
import { fixtureScanResult } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const DATABASES = 10_000;
const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'eu-central-1'];

/** The fixture's five databases repeated to `count`, spread over accounts and regions. */
function fleet(count: number): ScanResult {
  const base = fixtureScanResult();
  const evaluations: ResourceEvaluation[] = [];
  for (let index = 0; index < count; index++) {
    const template = base.evaluations[index % base.evaluations.length]!;
    const account = ACCOUNTS[index % ACCOUNTS.length]!;
    const region = REGIONS[Math.floor(index / 7) % REGIONS.length]!;
    const identifier = `${template.resource.identifier}-${String(index).padStart(5, '0')}`;
    evaluations.push({
      ...template,
      resource: {
        ...template.resource,
        identifier,
        resourceId: `${template.resource.resourceId}-${index}`,
        accountId: account,
        region,
        arn: `arn:aws:rds:${region}:${account}:db:${identifier}`,
      },
    });
  }
  // One hostile name: it must show as text, never become markup.
  evaluations[3]!.resource.identifier = '<img src=x onerror="window.__xss=1">';
  return { ...base, evaluations };
}

let context: BrowserContext;
let page: Page;
let profile: string;
let workDir: string;
let reportUrl: string;
let reportBytes: number;
let result: ScanResult;
const requests: string[] = [];

beforeAll(async () => {
  profile = await mkdtemp(join(tmpdir(), 'rds-tls-guard-chromium-'));
  workDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-html-'));
  await mkdir(ARTIFACTS, { recursive: true });
  result = fleet(DATABASES);
  const path = join(workDir, 'report.html');
  await writeFile(path, renderHtml(result));
  reportBytes = (await stat(path)).size;
  reportUrl = pathToFileURL(path).href;
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('request', (request) => requests.push(request.url()));
});

afterAll(async () => {
  await context?.close();
  await rm(profile, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

async function visibleRows() {
  return page.$$eval('#rows tr.row', (rows) =>
    rows.map((row) => ({
      name: row.querySelector('button.open')?.textContent ?? '',
      verdict: row.getAttribute('data-verdict') ?? '',
      cells: [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''),
    })),
  );
}

async function countLine(): Promise<string> {
  return (await page.textContent('#count')) ?? '';
}

const SEVERITY: Record<string, number> = {
  NON_COMPLIANT: 0,
  INSUFFICIENT_DATA: 1,
  COMPLIANT: 2,
  NOT_APPLICABLE: 3,
};

describe(`HTML report of ${DATABASES} databases in chromium`, () => {
  it('opens in reasonable time and size, fetching nothing from the network', async () => {
    await page.goto(reportUrl);
    await page.waitForSelector('html[data-ready="true"]');
    const renderedMs = await page.evaluate(() => {
      const mark = performance.getEntriesByName('report-rendered')[0];
      return mark ? mark.startTime : Number.NaN;
    });
    console.log(
      `HTML report, ${DATABASES} databases: ${(reportBytes / 1024 / 1024).toFixed(1)} MiB, first render after ${Math.round(renderedMs)} ms`,
    );
    // Loose bounds: a regression by an order of magnitude fails, a busy machine does not.
    expect(reportBytes).toBeLessThan(25 * 1024 * 1024);
    expect(renderedMs).toBeLessThan(15_000);
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, 'html-report-desktop.png') });
  });

  it('lists non-compliant databases first, with remediation in the overview', async () => {
    const rows = await visibleRows();
    expect(rows).toHaveLength(200);
    expect(rows[0]!.verdict).toBe('NON_COMPLIANT');
    const ranks = rows.map((row) => SEVERITY[row.verdict]!);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const nonCompliant = result.evaluations.filter(
      (evaluation) => evaluation.finding.verdict === 'NON_COMPLIANT',
    ).length;
    expect(await countLine()).toBe(
      `Showing 200 of ${DATABASES} matching databases (${DATABASES} in the report)`,
    );
    expect(nonCompliant).toBeGreaterThan(200);
    const expected = result.evaluations.find(
      (evaluation) => evaluation.resource.identifier === rows[0]!.name,
    )!;
    expect(rows[0]!.cells[6]).toBe(expected.finding.remediation);
  });

  it('filters by verdict, engine, account and region together', async () => {
    await page.selectOption('#filter-verdict', 'COMPLIANT');
    await page.selectOption('#filter-account', '444455556666');
    await page.selectOption('#filter-region', 'us-east-1');
    await page.selectOption('#filter-engine', 'postgres');
    const expected = result.evaluations.filter(
      ({ resource, finding }) =>
        finding.verdict === 'COMPLIANT' &&
        resource.accountId === '444455556666' &&
        resource.region === 'us-east-1' &&
        resource.engine === 'postgres',
    );
    expect(expected.length).toBeGreaterThan(0);
    const rows = await visibleRows();
    expect(rows.map((row) => row.name).sort()).toEqual(
      expected.map((evaluation) => evaluation.resource.identifier).sort(),
    );
    expect(new Set(rows.map((row) => row.cells.slice(1, 5).join('|')))).toEqual(
      new Set(['COMPLIANT|postgres 15.7|444455556666|us-east-1']),
    );
    for (const id of ['#filter-verdict', '#filter-account', '#filter-region', '#filter-engine']) {
      await page.selectOption(id, '');
    }
  });

  it('sorts by name, region, account and engine, and the other way round', async () => {
    await page.selectOption('#sort', 'name');
    const names = (await visibleRows()).map((row) => row.name);
    const all = result.evaluations.map((evaluation) => evaluation.resource.identifier).sort();
    expect(names).toEqual(all.slice(0, 200));
    await page.click('#sort-direction');
    expect((await visibleRows()).map((row) => row.name)).toEqual(all.reverse().slice(0, 200));
    await page.click('#sort-direction');
    await page.selectOption('#sort', 'region');
    const regions = (await visibleRows()).map((row) => row.cells[4]);
    expect(new Set(regions)).toEqual(new Set(['ap-southeast-2']));
    await page.selectOption('#sort', 'account');
    const accounts = (await visibleRows()).map((row) => row.cells[3]);
    expect(new Set(accounts)).toEqual(new Set(['111122223333']));
    await page.selectOption('#sort', 'engine');
    const engines = (await visibleRows()).map((row) => row.cells[2]);
    expect(new Set(engines)).toEqual(new Set(['aurora-postgresql 16.4']));
    await page.click('#sort-direction');
    expect((await visibleRows())[0]?.cells[2]).toBe('sqlserver-se 15.00.4385.2.v1');
    await page.click('#sort-direction');
    await page.selectOption('#sort', 'severity');
  });

  it('finds one database by text search and opens its evidence on demand', async () => {
    expect(await page.$$('#rows tr.details')).toHaveLength(0);
    await page.fill('#search', 'orders-pg-00001');
    const rows = await visibleRows();
    expect(rows.map((row) => row.name)).toEqual(['orders-pg-00001']);
    await page.click('#rows button.open');
    const details = (await page.textContent('#rows tr.details')) ?? '';
    expect(details).toContain('pg_hba.conf');
    expect(details).toContain('Configuration');
    await page.fill('#search', 'onerror');
    const hostile = await visibleRows();
    expect(hostile.map((row) => row.name)).toEqual(['<img src=x onerror="window.__xss=1">']);
    expect(await page.$$('#rows img')).toHaveLength(0);
    await page.fill('#search', 'no such database anywhere');
    expect(await visibleRows()).toHaveLength(0);
    expect(await countLine()).toContain('Showing 0 of 0 matching');
    await page.fill('#search', '');
  });

  it('clips no column at phone width', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.fill('#search', 'billing-mariadb-0000');
    await page.click('#rows button.open');
    const overflow = await page.evaluate(() => {
      const clipped = [...document.querySelectorAll('td, th, dd, .controls > *')]
        .filter((node) => (node as HTMLElement).offsetParent !== null)
        .filter((node) => node.scrollWidth > node.clientWidth + 1)
        .map((node) => (node.textContent ?? '').slice(0, 40));
      return { page: document.documentElement.scrollWidth, clipped };
    });
    await page.screenshot({ path: join(ARTIFACTS, 'html-report-phone.png'), fullPage: true });
    expect(overflow).toEqual({ page: 375, clipped: [] });
  });
});

describe('HTML report of hostile values in chromium', () => {
  const HOSTILE =
    '</script><script>window.__xss=2</script><!--<script>window.__xss=3</script>\u2028\u2029<svg onload="window.__xss=4">';

  it('shows every hostile value as text, in the table, the evidence and the problems, and runs none of it', async () => {
    const hostile = fixtureScanResult();
    const target = hostile.evaluations[0]!;
    target.resource.identifier = `db-${HOSTILE}`;
    target.resource.engine = `engine-${HOSTILE}`;
    target.finding.annotation = `annotation-${HOSTILE}`;
    target.staticFinding.evidence = [{ source: 'rds-api', label: 'value', value: HOSTILE }];
    hostile.problems.push({ scope: `db-${HOSTILE}`, code: 'READ_FAILED', message: HOSTILE });
    const path = join(workDir, 'hostile.html');
    await writeFile(path, renderHtml(hostile));
    const hostilePage = await context.newPage();
    try {
      await hostilePage.goto(pathToFileURL(path).href);
      await hostilePage.waitForSelector('html[data-ready="true"]');
      await hostilePage.fill('#search', 'onload');
      await hostilePage.click('#rows button.open');
      const shown = await hostilePage.evaluate(() => ({
        name: document.querySelector('#rows button.open')?.textContent ?? '',
        engines: [...document.querySelectorAll('#filter-engine option')].map((o) => o.textContent),
        evidence: document.querySelector('#rows tr.details table.evidence')?.textContent ?? '',
        problems: document.querySelector('#problems')?.textContent ?? '',
        scripts: document.scripts.length,
        svg: document.querySelectorAll('svg').length,
        xss: (window as { __xss?: number }).__xss,
      }));
      expect(shown).toMatchObject({ name: `db-${HOSTILE}`, scripts: 2, svg: 0 });
      expect(shown.xss).toBeUndefined();
      expect(shown.engines).toContain(`engine-${HOSTILE}`);
      expect(shown.evidence).toContain(HOSTILE);
      expect(shown.problems).toContain(HOSTILE);
    } finally {
      await hostilePage.close();
    }
  });
});

/**
 * The HTML report: one self-contained file (inline CSS and script, no
 * external assets, no network) that an auditor can open, archive or print.
 * The summary, rule parameters and scan problems are plain HTML; the
 * database table is built by the inline script from embedded JSON, so it
 * can be sorted, filtered and searched, and stays quick at 10,000
 * databases. Every string from AWS, a server or a rule passes through
 * `escapeHtml` here, or `textContent` in the script.
 */
import { type ScanResult, type SnapshotProvenance, VERDICTS, type Verdict } from '../types.js';
import { databaseRecord, embeddableJson } from './html-data.js';
import { REPORT_SCRIPT } from './html-script.js';
import { snapshotIgnored, snapshotSource, sortedEvaluations } from './model.js';
import { summarize } from './summary.js';

export interface HtmlOptions {
  /** The page title and heading. Default `RDS TLS compliance report`. */
  title?: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

const VERDICT_CLASS: Record<Verdict, string> = {
  COMPLIANT: 'compliant',
  NON_COMPLIANT: 'non-compliant',
  NOT_APPLICABLE: 'not-applicable',
  INSUFFICIENT_DATA: 'insufficient-data',
};

const STYLE = `
:root { color-scheme: light; --ok: #1a7f37; --bad: #cf222e; --unknown: #9a6700; --na: #6e7781; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0 auto; padding: 24px; max-width: 1200px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 0 0 8px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
.meta { color: var(--muted); margin: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
td.mono { overflow-wrap: anywhere; }
th { background: #f6f8fa; font-weight: 600; }
dl.params { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.params dt { font-weight: 600; }
dl.params dd { margin: 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; }
.tile { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; padding: 8px 14px; min-width: 140px; }
.tile .count { display: block; font-size: 26px; font-weight: 700; }
.tile.compliant { border-left-color: var(--ok); background: #dafbe1; }
.tile.non-compliant { border-left-color: var(--bad); background: #ffebe9; }
.tile.insufficient-data { border-left-color: var(--unknown); background: #fff8c5; }
.tile.not-applicable { border-left-color: var(--na); background: #f6f8fa; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.badge.compliant { background: var(--ok); }
.badge.non-compliant { background: var(--bad); }
.badge.insufficient-data { background: var(--unknown); }
.badge.not-applicable { background: var(--na); }
.database { border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
.remediation { background: #fff8c5; border-radius: 4px; padding: 6px 10px; }
.problems li { margin: 2px 0; }
.none { color: var(--muted); font-style: italic; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin: 8px 0; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.controls input, .controls select, .controls button { font: inherit; padding: 4px 6px; min-width: 0; }
.controls input { width: 16em; max-width: 100%; }
table.overview td.fix { background: #fffbe6; }
table.overview td.account { white-space: nowrap; }
table.overview td.name { min-width: 11em; }
table.overview td.finding code { display: block; font-weight: 600; }
button.open { font: inherit; font-weight: 600; color: #0969da; background: none; border: 0; padding: 0; cursor: pointer; text-align: left; overflow-wrap: anywhere; }
tr.details > td { background: #f6f8fa; }
#count { margin: 4px 0; }
@media (max-width: 720px) {
  body { padding: 12px; }
  table.overview td.name { min-width: 0; }
  table.overview td.account { white-space: normal; }
  table.overview thead { display: none; }
  table.overview tr.row { display: block; border-top: 2px solid var(--line); padding: 6px 0; }
  table.overview tr.row > td { display: grid; grid-template-columns: 7.5em minmax(0, 1fr); gap: 8px; border: 0; padding: 3px 4px; overflow-wrap: anywhere; }
  table.overview tr.row > td::before { content: attr(data-label); font-weight: 600; color: var(--muted); }
  table.overview tr.details, table.overview tr.details > td { display: block; }
  table.evidence, table.evidence tbody, table.evidence tr, table.evidence td { display: block; }
  table.evidence thead { display: none; }
  table.evidence td { border: 0; padding: 1px 4px; overflow-wrap: anywhere; }
  table.evidence tr { border-bottom: 1px solid var(--line); padding: 4px 0; }
  dl.params { grid-template-columns: minmax(0, 1fr); }
  dl.params dd { overflow-wrap: anywhere; }
}
@media print {
  body { padding: 0; max-width: none; font-size: 11px; }
  a { color: inherit; text-decoration: none; }
  .badge, .tile, th, .remediation { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .tile, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  .controls, #more { display: none; }
}
`.trim();

export function renderHtml(result: ScanResult, options: HtmlOptions = {}): string {
  const title = options.title ?? 'RDS TLS compliance report';
  const body = [
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">Scan from ${time(result.startedAt)} to ${time(result.finishedAt)}; regions: ${escapeHtml(result.regions.join(', ') || 'none')}</p>`,
    ...(result.snapshot ? [snapshotParagraph(result.snapshot)] : []),
    '</header>',
    summarySection(result),
    ruleParametersSection(result),
    problemsSection(result),
    overviewSection(result),
    `<footer><p class="meta">Generated by rds-tls-guard at ${time(result.finishedAt)}.</p></footer>`,
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} - ${escapeHtml(result.startedAt.toISOString())}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Where an offline audit's data came from, and the files it did not read. */
function snapshotParagraph(snapshot: SnapshotProvenance): string {
  const ignored = snapshotIgnored(snapshot);
  return `<p class="meta">Source: ${escapeHtml(snapshotSource(snapshot))}${ignored ? `; ${escapeHtml(ignored)}` : ''}</p>`;
}

function time(date: Date): string {
  const iso = date.toISOString();
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</time>`;
}

function summarySection(result: ScanResult): string {
  const summary = summarize(result);
  const tile = (label: string, count: number, className = ''): string =>
    `<div class="tile${className ? ` ${className}` : ''}"><span class="count">${count}</span>${escapeHtml(label)}</div>`;
  return [
    '<section id="summary">',
    '<h2>Summary</h2>',
    '<div class="tiles">',
    tile('databases', summary.databases),
    ...(summary.clusterMembers > 0
      ? [
          tile('cluster members, noted on their cluster', summary.clusterMembers),
          tile('evaluations', summary.total),
        ]
      : []),
    ...VERDICTS.map((verdict) => tile(verdict, summary.verdicts[verdict], VERDICT_CLASS[verdict])),
    tile('probed live', summary.probed),
    tile('scan problems', summary.problems),
    '</div>',
    '</section>',
  ].join('\n');
}

function ruleParametersSection(result: ScanResult): string {
  const parameters = result.ruleParameters;
  const secretArns = Object.entries(parameters.secretArns);
  const rows: [string, string][] = [
    ['minTlsVersion', parameters.minTlsVersion],
    ['caExpiryDays', String(parameters.caExpiryDays)],
    ['requireLiveProbe', String(parameters.requireLiveProbe)],
    ['liveProbe', String(parameters.liveProbe)],
    ['secretTagKey', parameters.secretTagKey],
    [
      'secretArns',
      secretArns.length
        ? secretArns.map(([identifier, arn]) => `${identifier} = ${arn}`).join('; ')
        : 'none',
    ],
    // Shown only when on: it is the one setting that sends a password scramble unencrypted.
    ...(parameters.mysqlPlaintextLogin === true
      ? [
          ['mysqlPlaintextLogin', 'true (a password scramble crossed plaintext)'] as [
            string,
            string,
          ],
        ]
      : []),
  ];
  return [
    '<section id="rule-parameters">',
    '<h2>Rule parameters</h2>',
    '<dl class="params">',
    ...rows.map(
      ([name, value]) => `<dt>${escapeHtml(name)}</dt><dd class="mono">${escapeHtml(value)}</dd>`,
    ),
    '</dl>',
    '</section>',
  ].join('\n');
}

function problemsSection(result: ScanResult): string {
  if (result.problems.length === 0) return '';
  return [
    '<section id="problems">',
    '<h2>Scan problems</h2>',
    '<p>Parts of the estate that could not be read: databases there may be missing from this report or judged on partial data.</p>',
    '<ul class="problems">',
    ...result.problems.map(
      (problem) =>
        `<li><code>${escapeHtml(problem.scope)}</code> <strong>${escapeHtml(problem.code)}</strong>: ${escapeHtml(problem.message)}</li>`,
    ),
    '</ul>',
    '</section>',
  ].join('\n');
}

const VERDICT_OPTIONS = ['NON_COMPLIANT', 'INSUFFICIENT_DATA', 'COMPLIANT', 'NOT_APPLICABLE'];

function overviewSection(result: ScanResult): string {
  if (result.evaluations.length === 0) {
    return '<section id="overview"><h2>Databases</h2><p class="none">No databases found.</p></section>';
  }
  const records = sortedEvaluations(result).map((evaluation) => databaseRecord(evaluation, result));
  const select = (id: string, label: string, values: string[] = []): string =>
    `<label for="${id}">${label}<select id="${id}"><option value="">all</option>${values.map((value) => `<option value="${value}">${value}</option>`).join('')}</select></label>`;
  return [
    '<section id="overview">',
    '<h2>Databases</h2>',
    '<div class="controls" role="search">',
    '<label for="search">Search<input id="search" type="search" placeholder="name, reason, text…" autocomplete="off"></label>',
    select('filter-verdict', 'Verdict', VERDICT_OPTIONS),
    select('filter-engine', 'Engine'),
    select('filter-account', 'Account'),
    select('filter-region', 'Region'),
    '<label for="sort">Sort by<select id="sort"><option value="severity">severity</option><option value="name">name</option><option value="engine">engine</option><option value="account">account</option><option value="region">region</option></select></label>',
    '<button id="sort-direction" type="button" aria-pressed="false">ascending</button>',
    '</div>',
    '<p id="count" class="meta" aria-live="polite"></p>',
    '<noscript><p>The database table needs JavaScript. The JSON report (<code>--format json</code>) holds the same data.</p></noscript>',
    '<table class="overview">',
    '<thead><tr><th>Database</th><th>Verdict</th><th>Engine</th><th>Account</th><th>Region</th><th>Finding</th><th>Remediation</th></tr></thead>',
    '<tbody id="rows"></tbody>',
    '</table>',
    '<button id="more" type="button" hidden>Show more</button>',
    `<script type="application/json" id="report-data">${embeddableJson(records)}</script>`,
    `<script>\n${REPORT_SCRIPT}\n</script>`,
    '</section>',
  ].join('\n');
}

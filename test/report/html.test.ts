import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml } from '../../lib/report/html.js';
import type { DatabaseRecord } from '../../lib/report/html-data.js';
import { fixtureScanResult } from './fixture.js';
import { expectGolden } from './golden.js';

function hostileResult() {
  const result = fixtureScanResult();
  const target = result.evaluations.find(
    (evaluation) => evaluation.resource.identifier === 'billing-mariadb',
  )!;
  target.resource.identifier = '<script>alert(1)</script>';
  target.finding.annotation = 'quote " amp & lt < gt > apostrophe \'';
  target.liveFinding!.evidence.push({
    source: 'server',
    label: '<img src=x onerror=alert(2)>',
    value: '</td></tr></table><iframe src="https://evil.example">',
  });
  target.finding.remediation = '<a href="javascript:alert(3)">fix</a>';
  result.problems.push({
    scope: '<b>scope</b>',
    code: 'ACCESS_DENIED',
    message: '<style>body{}</style>',
  });
  result.ruleParameters.secretTagKey = '"><svg onload=alert(4)>';
  return result;
}

describe('HTML report', () => {
  it('matches the golden file', () => {
    expectGolden('report.html', renderHtml(fixtureScanResult()));
  });

  it('escapes &, <, >, double and single quotes', () => {
    expect(escapeHtml(`"&<>'`)).toBe('&quot;&amp;&lt;&gt;&#39;');
  });

  it('escapes a hostile problem and parameter, and embeds hostile records with no raw <', () => {
    const html = renderHtml(hostileResult());
    for (const raw of [
      '<script>alert',
      '<img',
      '<iframe',
      '<svg',
      '<a href="javascript',
      '<b>scope',
      '<style>body',
    ]) {
      expect(html).not.toContain(raw);
    }
    expect(html).toContain('&lt;b&gt;scope&lt;/b&gt;');
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(4)&gt;');
    const data = /id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    expect(data).not.toContain('<');
    expect(data).toContain('\\u003cscript>alert(1)\\u003c/script>');
    const records = embeddedRecords(html);
    const target = records.find((record) => record.identifier === '<script>alert(1)</script>')!;
    expect(target.annotation).toBe('quote " amp & lt < gt > apostrophe \'');
    expect(target.remediation).toBe('<a href="javascript:alert(3)">fix</a>');
  });

  it('contains only the tags the report itself writes, whatever the input', () => {
    const tags = new Set(
      [...renderHtml(hostileResult()).matchAll(/<\/?([a-zA-Z0-9]+)/g)].map((match) =>
        match[1]!.toLowerCase(),
      ),
    );
    expect([...tags].sort()).toEqual(
      [
        'body',
        'button',
        'code',
        'dd',
        'div',
        'dl',
        'dt',
        'footer',
        'h1',
        'h2',
        'head',
        'header',
        'html',
        'input',
        'label',
        'li',
        'meta',
        'noscript',
        'option',
        'p',
        'script',
        'section',
        'select',
        'span',
        'strong',
        'style',
        'table',
        'tbody',
        'th',
        'thead',
        'time',
        'title',
        'tr',
        'ul',
      ].sort(),
    );
  });

  it('embeds the database records so that no value can close the script element', () => {
    const html = renderHtml(hostileResult());
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const records = embeddedRecords(html);
    expect(records.map((record) => record.identifier)).toContain('<script>alert(1)</script>');
  });

  it('is self-contained: inline script and style only, no external stylesheets, images or fonts', () => {
    const html = renderHtml(fixtureScanResult());
    expect(html).not.toMatch(/<script[^>]+src=|<link|<img|@import|url\(|https?:\/\//i);
  });

  it('has a print stylesheet and a phone layout', () => {
    const html = renderHtml(fixtureScanResult());
    expect(html).toContain('@media print');
    expect(html).toContain('@media (max-width: 720px)');
  });

  it('carries the server’s own words, in full, in the evidence', () => {
    const orders = embeddedRecords(renderHtml(fixtureScanResult())).find(
      (record) => record.identifier === 'orders-pg',
    )!;
    expect(orders.live?.evidence).toContainEqual([
      'server',
      'plaintext attempt (sslmode=disable)',
      'FATAL 28000: no pg_hba.conf entry for host "10.0.12.7", user "auditor", database "orders", no encryption',
    ]);
  });

  it('keeps annotations longer than the Config limit whole', () => {
    const result = fixtureScanResult();
    const long = `${'a'.repeat(300)} end`;
    result.evaluations[0]!.finding.annotation = long;
    const records = embeddedRecords(renderHtml(result));
    expect(records.map((record) => record.annotation)).toContain(long);
  });

  it('lists under a database the scan problems whose scope names it', () => {
    const result = fixtureScanResult();
    result.problems.push({
      scope: 'db-ORDERSPG7QXKZ3LMN4R5T6UVW',
      code: 'READ_FAILED',
      message: 'DescribeOptionGroups failed',
    });
    const orders = embeddedRecords(renderHtml(result)).find(
      (record) => record.identifier === 'orders-pg',
    )!;
    expect(orders.problems).toEqual([['READ_FAILED', 'DescribeOptionGroups failed']]);
  });

  it('says why no live probe ran', () => {
    const result = fixtureScanResult();
    const records = embeddedRecords(renderHtml(result));
    expect(records.find((record) => record.identifier === 'legacy-db2')?.noLiveProbe).toBe(
      'No live probe ran: the database is out of scope, so there was nothing to prove.',
    );
    expect(records.find((record) => record.identifier === 'erp-sqlserver')?.noLiveProbe).toBe(
      'No live probe ran: rds-tls-guard has no live probe for sqlserver-se; the verdict rests on configuration only.',
    );
    result.ruleParameters.liveProbe = false;
    const off = embeddedRecords(renderHtml(result)).find(
      (record) => record.identifier === 'erp-sqlserver',
    );
    expect(off?.noLiveProbe).toContain('liveProbe is off for this scan (--no-probe)');
  });

  it('says so when the scan found no databases, and leaves out the problems section when there are none', () => {
    const html = renderHtml({ ...fixtureScanResult(), evaluations: [], problems: [] });
    expect(html).toContain('<p class="none">No databases found.</p>');
    expect(html).not.toContain('id="problems"');
    expect(html).toContain('<div class="tile"><span class="count">0</span>databases</div>');
  });
});

function embeddedRecords(html: string): DatabaseRecord[] {
  const match = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(match?.[1] ?? '[]') as DatabaseRecord[];
}

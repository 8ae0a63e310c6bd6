import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml } from '../../lib/report/html.js';
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
  result.problems.push({ scope: '<b>scope</b>', code: 'X"Y', message: '<style>body{}</style>' });
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

  it('escapes a hostile identifier, annotation, evidence, remediation, problem and parameter', () => {
    const html = renderHtml(hostileResult());
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<iframe');
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('<a href="javascript');
    expect(html).not.toContain('<b>scope');
    expect(html).not.toContain('<style>body');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('quote &quot; amp &amp; lt &lt; gt &gt; apostrophe &#39;');
    expect(html).toContain(
      '&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;iframe src=&quot;https://evil.example&quot;&gt;',
    );
  });

  it('contains only the tags the report itself writes, whatever the input', () => {
    const tags = new Set(
      [...renderHtml(hostileResult()).matchAll(/<\/?([a-zA-Z0-9]+)/g)].map((match) =>
        match[1]!.toLowerCase(),
      ),
    );
    expect([...tags].sort()).toEqual(
      [
        'a',
        'article',
        'body',
        'code',
        'dd',
        'div',
        'dl',
        'dt',
        'footer',
        'h1',
        'h2',
        'h3',
        'h4',
        'head',
        'header',
        'html',
        'li',
        'meta',
        'p',
        'section',
        'span',
        'strong',
        'style',
        'table',
        'tbody',
        'td',
        'th',
        'thead',
        'time',
        'title',
        'tr',
        'ul',
      ].sort(),
    );
  });

  it('is self-contained: no scripts, no external stylesheets, images or fonts', () => {
    const html = renderHtml(fixtureScanResult());
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html.match(/href="([^"]*)"/g)?.every((href) => href.startsWith('href="#db-'))).toBe(
      true,
    );
  });

  it('has a print stylesheet', () => {
    expect(renderHtml(fixtureScanResult())).toContain('@media print');
  });

  it('quotes the server’s own words in the evidence', () => {
    expect(renderHtml(fixtureScanResult())).toContain(
      '<td>server</td><td class="mono">plaintext attempt (sslmode=disable)</td><td class="mono">FATAL 28000: no pg_hba.conf entry for host &quot;10.0.12.7&quot;, user &quot;auditor&quot;, database &quot;orders&quot;, no encryption</td>',
    );
  });

  it('lists under a database the scan problems whose scope names it', () => {
    const result = fixtureScanResult();
    result.problems.push({
      scope: 'db-ORDERSPG7QXKZ3LMN4R5T6UVW',
      code: 'OPTION_GROUP_UNREADABLE',
      message: 'DescribeOptionGroups failed',
    });
    const html = renderHtml(result);
    const ordersSection = html.slice(html.indexOf('<article class="database" id="db-4">'));
    expect(ordersSection.slice(0, ordersSection.indexOf('</article>'))).toContain(
      '<h4>Problems</h4>\n<ul class="problems">\n<li><strong>OPTION_GROUP_UNREADABLE</strong>: DescribeOptionGroups failed</li>',
    );
  });

  it('says so when the scan found no databases, and leaves out the problems section when there are none', () => {
    const html = renderHtml({ ...fixtureScanResult(), evaluations: [], problems: [] });
    expect(html).toContain('<p class="none">No databases found.</p>');
    expect(html).not.toContain('id="problems"');
    expect(html).toContain('<div class="tile"><span class="count">0</span>databases</div>');
  });
});

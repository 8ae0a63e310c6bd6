import { describe, expect, it } from 'vitest';
import { renderTable } from '../../lib/report/table.js';
import { fixtureScanResult, withClusterMember } from './fixture.js';
import { expectGolden } from './golden.js';

const ESC = '\u001b';

describe('terminal table', () => {
  it('matches the golden file at the default width', () => {
    expectGolden('report.table.txt', renderTable(fixtureScanResult()));
  });

  it('matches the golden file at 80 columns', () => {
    expectGolden('report.table-80.txt', renderTable(fixtureScanResult(), { width: 80 }));
  });

  it('counts a member instance with its cluster and names the cluster’s endpoints and members', () => {
    const table = renderTable(withClusterMember('COMPLIANT'), { width: 400 });
    expect(table).toContain(
      '5 databases (+1 cluster member, noted on their cluster); 6 evaluations: 2 COMPLIANT,',
    );
    expect(table).toContain(
      'cluster analytics-aurora: writer analytics-aurora.cluster-c4xk2p7.us-east-1.rds.amazonaws.com:5432; reader analytics-aurora.cluster-ro-c4xk2p7.us-east-1.rds.amazonaws.com; custom bi (bi.cluster-custom-c4xk2p7.us-east-1.rds.amazonaws.com); members: analytics-aurora-1 (writer), analytics-aurora-2',
    );
  });

  it('fits every line into the requested width', () => {
    for (const width of [72, 100, 120, 160]) {
      const lines = renderTable(fixtureScanResult(), { width }).split('\n');
      const longest = Math.max(...lines.map((line) => line.length));
      expect({ width, fits: longest <= width }).toEqual({ width, fits: true });
    }
  });

  it('marks a cut cell with an ellipsis and keeps the verdict whole', () => {
    const row = renderTable(fixtureScanResult(), { width: 80 })
      .split('\n')
      .find((line) => line.startsWith('analytics'));
    expect(row).toContain('INSUFFICIENT_DATA');
    expect(row).toMatch(/…$/);
  });

  it('does not cut anything when the width allows the full content', () => {
    const output = renderTable(fixtureScanResult(), { width: 400 });
    expect(output).not.toContain('…');
    expect(output).toContain(
      'plaintext login accepted for user "app_admin", @@require_secure_transport = OFF, Ssl_version empty',
    );
  });

  it('colors verdicts only when asked, padding after the color codes', () => {
    expect(renderTable(fixtureScanResult())).not.toContain(ESC);
    const colored = renderTable(fixtureScanResult(), { color: true });
    expect(colored).toContain(`${ESC}[1;31mNON_COMPLIANT${ESC}[0m      PLAINTEXT_ACCEPTED`);
    expect(colored).toContain(`${ESC}[32mCOMPLIANT${ESC}[0m`);
    expect(colored).toContain(`${ESC}[33m1 INSUFFICIENT_DATA${ESC}[0m`);
  });

  it('ends with a summary line and one line per scan problem', () => {
    const lines = renderTable(fixtureScanResult(), { width: 200 }).trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual([
      '5 databases: 1 COMPLIANT, 2 NON_COMPLIANT, 1 NOT_APPLICABLE, 1 INSUFFICIENT_DATA; 3 probed live; 1 scan problem',
      'problem region:ap-southeast-2 ACCESS_DENIED: AccessDenied: not authorized to perform rds:DescribeDBInstances in ap-southeast-2',
    ]);
  });

  it('strips terminal escapes and newlines that arrive inside identifiers or annotations', () => {
    const result = fixtureScanResult();
    result.evaluations[0]!.resource.identifier = `evil${ESC}]0;owned\u0007\nname`;
    const output = renderTable(result, { width: 400 });
    expect(output).not.toContain(ESC);
    expect(output).not.toContain('\u0007');
    expect(output).toContain('evil ]0;owned name');
  });

  it('says so when there are no databases', () => {
    const result = { ...fixtureScanResult(), evaluations: [], problems: [] };
    expect(renderTable(result)).toBe(
      'no databases found\n\n0 databases: 0 COMPLIANT, 0 NON_COMPLIANT, 0 NOT_APPLICABLE, 0 INSUFFICIENT_DATA; 0 probed live; 0 scan problems\n',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { renderAsff } from '../../lib/report/asff.js';
import { renderCsv } from '../../lib/report/csv.js';
import { renderHtml } from '../../lib/report/html.js';
import { isReportFormat, REPORT_FORMATS, renderReport } from '../../lib/report/index.js';
import { renderJson } from '../../lib/report/json.js';
import { renderSarif } from '../../lib/report/sarif.js';
import { renderTable } from '../../lib/report/table.js';
import { fixtureScanResult } from './fixture.js';

describe('renderReport', () => {
  it('dispatches each format to its renderer with the options', () => {
    const result = fixtureScanResult();
    expect(renderReport(result, 'table', { width: 90, color: true })).toBe(
      renderTable(result, { width: 90, color: true }),
    );
    expect(renderReport(result, 'json')).toBe(renderJson(result));
    expect(renderReport(result, 'csv')).toBe(renderCsv(result));
    expect(renderReport(result, 'html', { title: 'Audit Q1' })).toBe(
      renderHtml(result, { title: 'Audit Q1' }),
    );
    expect(renderReport(result, 'sarif')).toBe(renderSarif(result));
    expect(renderReport(result, 'asff')).toBe(renderAsff(result));
  });

  it('knows exactly the six formats', () => {
    expect(REPORT_FORMATS).toEqual(['table', 'json', 'csv', 'html', 'sarif', 'asff']);
    expect(isReportFormat('sarif')).toBe(true);
    expect(isReportFormat('xml')).toBe(false);
  });

  it('renders every format without changing the scan result', () => {
    const result = fixtureScanResult();
    const before = structuredClone(result);
    for (const format of REPORT_FORMATS) renderReport(result, format);
    expect(result).toEqual(before);
  });
});

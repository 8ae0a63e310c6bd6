import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, renderCsv } from '../../lib/report/csv.js';
import { fixtureScanResult } from './fixture.js';
import { expectGolden } from './golden.js';

/** A minimal RFC 4180 reader, enough to check that fields survive a round trip. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') {
        quoted = false;
      } else {
        field += character;
      }
    } else if (character === '"') {
      quoted = true;
    } else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += character;
    }
  }
  return rows;
}

describe('CSV report', () => {
  it('matches the golden file', () => {
    expectGolden('report.csv', renderCsv(fixtureScanResult()));
  });

  it('has a header row and one row per database, all with the fixed columns', () => {
    const rows = parseCsv(renderCsv(fixtureScanResult()));
    expect(rows[0]).toEqual(CSV_COLUMNS.map((column) => column.header));
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
  });

  it('quotes commas, double quotes and newlines so each field reads back unchanged', () => {
    const result = fixtureScanResult();
    const annotation = 'user "app", host a,b\nsecond line';
    result.evaluations = [result.evaluations[1]!];
    result.evaluations[0]!.finding.annotation = annotation;
    const output = renderCsv(result);
    expect(output).toContain('"user ""app"", host a,b\nsecond line"');
    const rows = parseCsv(output);
    expect(rows[1]?.[CSV_COLUMNS.findIndex((column) => column.header === 'annotation')]).toBe(
      annotation,
    );
  });

  it('prefixes a cell that a spreadsheet would run as a formula with an apostrophe', () => {
    const result = fixtureScanResult();
    result.evaluations = [result.evaluations[1]!];
    result.evaluations[0]!.finding.annotation = '=HYPERLINK("http://example.com")';
    const rows = parseCsv(renderCsv(result));
    expect(rows[1]?.[CSV_COLUMNS.findIndex((column) => column.header === 'annotation')]).toBe(
      `'=HYPERLINK("http://example.com")`,
    );
  });

  it('writes only the header for an empty scan', () => {
    const result = { ...fixtureScanResult(), evaluations: [] };
    expect(renderCsv(result)).toBe(`${CSV_COLUMNS.map((column) => column.header).join(',')}\n`);
  });
});

/**
 * One entry point for every audit report format. The CLI, the demo and the
 * on-demand audit Lambda call `renderReport`; the Lambda returns
 * `buildJsonReport`'s object as is.
 */
import { memberOf } from '../codes.js';
import type { ScanResult } from '../types.js';
import { renderAsff } from './asff.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'html', 'sarif', 'asff'] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  /** table: ANSI colors for verdicts. Default false. */
  color?: boolean;
  /** table: maximum line width. Default 120. */
  width?: number;
  /** html: page title. */
  title?: string;
  /** asff: account id for resources whose own account is unknown. */
  accountId?: string;
}

export const isReportFormat = memberOf(REPORT_FORMATS);

export function renderReport(
  result: ScanResult,
  format: ReportFormat,
  options: ReportOptions = {},
): string {
  switch (format) {
    case 'table':
      return renderTable(result, { color: options.color, width: options.width });
    case 'json':
      return renderJson(result);
    case 'csv':
      return renderCsv(result);
    case 'html':
      return renderHtml(result, { title: options.title });
    case 'sarif':
      return renderSarif(result);
    case 'asff':
      return renderAsff(result, { accountId: options.accountId });
  }
}

export { type AsffFinding, buildAsffFindings } from './asff.js';
export { buildJsonReport } from './json.js';
export { type DatabaseReport, type JsonReport, jsonReportSchema } from './json-schema.js';
export { buildSarif, type SarifLog } from './sarif.js';
export { EXIT_CODES, exitCodeFor, type ReportSummary, summarize } from './summary.js';

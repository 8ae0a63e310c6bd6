/**
 * The CSV report: one row per database, a header row, fixed columns (new
 * columns are only ever appended). RFC 4180 quoting via csv-stringify.
 */
import { stringify } from 'csv-stringify/sync';
import type { ResourceEvaluation, ScanResult } from '../types.js';
import { accountIdOf, clusterEndpointsText, snapshotSource, sortedEvaluations } from './model.js';

interface CsvColumn {
  header: string;
  value: (evaluation: ResourceEvaluation) => string;
}

export const CSV_COLUMNS: readonly CsvColumn[] = [
  { header: 'region', value: (e) => e.resource.region },
  { header: 'account_id', value: (e) => accountIdOf(e.resource) ?? '' },
  { header: 'resource_type', value: (e) => e.resource.resourceType },
  { header: 'resource_id', value: (e) => e.resource.resourceId },
  { header: 'identifier', value: (e) => e.resource.identifier },
  { header: 'engine', value: (e) => e.resource.engine },
  { header: 'engine_version', value: (e) => e.resource.engineVersion },
  {
    header: 'endpoint',
    value: (e) =>
      e.resource.endpoint ? `${e.resource.endpoint.address}:${e.resource.endpoint.port}` : '',
  },
  { header: 'verdict', value: (e) => e.finding.verdict },
  { header: 'reason', value: (e) => e.finding.reason },
  { header: 'annotation', value: (e) => e.finding.annotation },
  { header: 'static_verdict', value: (e) => e.staticFinding.verdict },
  { header: 'static_reason', value: (e) => e.staticFinding.reason },
  { header: 'live_verdict', value: (e) => e.liveFinding?.verdict ?? '' },
  { header: 'live_reason', value: (e) => e.liveFinding?.reason ?? '' },
  {
    header: 'live_duration_ms',
    value: (e) => (e.liveFinding ? String(e.liveFinding.durationMs) : ''),
  },
  { header: 'remediation', value: (e) => e.finding.remediation },
  { header: 'evaluated_at', value: (e) => e.orderingTimestamp.toISOString() },
  { header: 'cluster_endpoints', value: (e) => clusterEndpointsText(e.resource) ?? '' },
  {
    header: 'member_of',
    value: (e) =>
      e.resource.resourceType === 'AWS::RDS::DBInstance'
        ? (e.resource.clusterIdentifier ?? '')
        : '',
  },
];

export function renderCsv(result: ScanResult): string {
  // An offline audit appends where its data came from to every row.
  const snapshot = result.snapshot;
  const columns: readonly CsvColumn[] = snapshot
    ? [...CSV_COLUMNS, { header: 'source', value: () => snapshotSource(snapshot) }]
    : CSV_COLUMNS;
  const records = sortedEvaluations(result).map((evaluation) =>
    Object.fromEntries(
      columns.map((column) => [column.header, neutralizeFormula(column.value(evaluation))]),
    ),
  );
  return stringify(records, {
    header: true,
    columns: columns.map((column) => column.header),
    record_delimiter: 'unix',
  });
}

/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-`, `@` (or a tab or
 * carriage return before one) as a formula. Auditors open this file in one,
 * and server messages are not ours, so such a cell gets a leading apostrophe.
 */
function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

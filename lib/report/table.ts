/**
 * The terminal table: one row per database, columns fit to their content and
 * shrunk (annotation first) until the table fits the terminal width.
 */

import { oneLine, truncate } from '../text.js';
import { type ScanResult, VERDICTS, type Verdict } from '../types.js';
import {
  clusterEndpointsText,
  engineLabel,
  snapshotIgnored,
  snapshotSource,
  sortedEvaluations,
} from './model.js';
import { summarize } from './summary.js';

export interface TableOptions {
  /**
   * Maximum line width in characters. Default 120. Below about 65 the columns
   * reach their minimum widths and rows run longer.
   */
  width?: number;
  /** Color verdicts with ANSI escapes (only for a terminal). Default false. */
  color?: boolean;
}

export const DEFAULT_TABLE_WIDTH = 120;

const GAP = '  ';

const ANSI: Record<Verdict, string> = {
  COMPLIANT: '\u001b[32m',
  NON_COMPLIANT: '\u001b[1;31m',
  INSUFFICIENT_DATA: '\u001b[33m',
  NOT_APPLICABLE: '\u001b[90m',
};
const ANSI_RESET = '\u001b[0m';

interface Column {
  header: string;
  /** The narrowest this column may be shrunk to; the verdict column never shrinks. */
  min: number;
}

const COLUMNS: Column[] = [
  { header: 'IDENTIFIER', min: 8 },
  { header: 'ENGINE', min: 6 },
  { header: 'REGION', min: 6 },
  { header: 'VERDICT', min: Number.POSITIVE_INFINITY },
  { header: 'REASON', min: 8 },
  { header: 'ANNOTATION', min: 10 },
];
const ANNOTATION = COLUMNS.length - 1;
const VERDICT = 3;

export function renderTable(result: ScanResult, options: TableOptions = {}): string {
  const width = options.width ?? DEFAULT_TABLE_WIDTH;
  const paint = (verdict: Verdict, text: string): string =>
    options.color ? `${ANSI[verdict]}${text}${ANSI_RESET}` : text;

  const rows = sortedEvaluations(result).map((evaluation) => ({
    verdict: evaluation.finding.verdict,
    cells: [
      evaluation.resource.identifier,
      engineLabel(evaluation.resource),
      evaluation.resource.region,
      evaluation.finding.verdict,
      evaluation.finding.reason,
      evaluation.finding.annotation,
    ].map(oneLine),
  }));

  const lines: string[] = [];
  if (rows.length === 0) {
    lines.push('no databases found');
  } else {
    const widths = fitWidths(
      COLUMNS.map((column, index) =>
        Math.max(column.header.length, ...rows.map((row) => row.cells[index]?.length ?? 0)),
      ),
      width,
    );
    const line = (cells: string[], verdict?: Verdict): string =>
      cells
        .map((cell, index) => {
          const columnWidth = widths[index] ?? 0;
          const text = truncate(cell, columnWidth);
          const padding = ' '.repeat(columnWidth - text.length);
          return index === VERDICT && verdict
            ? `${paint(verdict, text)}${padding}`
            : text + padding;
        })
        .join(GAP)
        .trimEnd();
    lines.push(line(COLUMNS.map((column) => column.header)));
    lines.push(line(widths.map((columnWidth) => '-'.repeat(columnWidth))));
    for (const row of rows) lines.push(line(row.cells, row.verdict));
  }
  // A cluster's reader and custom endpoints and its members: what its writer endpoint's proof stands for.
  for (const evaluation of sortedEvaluations(result)) {
    const endpoints = clusterEndpointsText(evaluation.resource);
    if (endpoints) {
      lines.push(
        truncate(
          oneLine(`cluster ${evaluation.resource.identifier}: ${endpoints}`),
          Math.max(width, 20),
        ),
      );
    }
  }

  lines.push('');
  if (result.snapshot) {
    lines.push(oneLine(`source: ${snapshotSource(result.snapshot)}`));
    const ignored = snapshotIgnored(result.snapshot);
    if (ignored) lines.push(oneLine(ignored));
  }
  lines.push(...summaryLines(result, paint, width));
  for (const problem of result.problems) {
    lines.push(
      truncate(
        oneLine(`problem ${problem.scope} ${problem.code}: ${problem.message}`),
        Math.max(width, 20),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Shrinks the annotation column first, then the widest other shrinkable column, until the row fits. */
function fitWidths(natural: number[], width: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  while (total() > width) {
    const shrinkable = widths
      .map((w, index) => ({ index, room: w - (COLUMNS[index]?.min ?? w) }))
      .filter((column) => column.room > 0);
    if (shrinkable.length === 0) break;
    const annotation = shrinkable.find((column) => column.index === ANNOTATION);
    const target =
      annotation ??
      shrinkable.reduce((widest, column) =>
        (widths[column.index] ?? 0) > (widths[widest.index] ?? 0) ? column : widest,
      );
    const cut = annotation ? Math.min(target.room, total() - width) : 1;
    widths[target.index] = (widths[target.index] ?? 0) - cut;
  }
  return widths;
}

/** The counts, wrapped between items (never inside one) to fit the width. */
function summaryLines(
  result: ScanResult,
  paint: (verdict: Verdict, text: string) => string,
  width: number,
): string[] {
  const summary = summarize(result);
  const counted: { text: string; shown: string }[] =
    summary.clusterMembers > 0
      ? [
          {
            text: `${summary.databases} ${summary.databases === 1 ? 'database' : 'databases'} (+${summary.clusterMembers} cluster ${summary.clusterMembers === 1 ? 'member' : 'members'}, noted on their cluster);`,
            shown: '',
          },
          { text: `${summary.total} evaluations:`, shown: '' },
        ]
      : [
          {
            text: `${summary.total} ${summary.total === 1 ? 'database' : 'databases'}:`,
            shown: '',
          },
        ];
  const items: { text: string; shown: string }[] = [
    ...counted,
    ...VERDICTS.map((verdict, index) => {
      const text = `${summary.verdicts[verdict]} ${verdict}`;
      const separator = index === VERDICTS.length - 1 ? ';' : ',';
      return { text: text + separator, shown: paint(verdict, text) + separator };
    }),
    { text: `${summary.probed} probed live;`, shown: '' },
    {
      text: `${summary.problems} ${summary.problems === 1 ? 'scan problem' : 'scan problems'}`,
      shown: '',
    },
  ];
  const lines: string[] = [];
  let visible = '';
  let shown = '';
  for (const item of items) {
    const itemShown = item.shown || item.text;
    if (visible && visible.length + 1 + item.text.length > width) {
      lines.push(shown);
      visible = item.text;
      shown = itemShown;
    } else {
      visible = visible ? `${visible} ${item.text}` : item.text;
      shown = shown ? `${shown} ${itemShown}` : itemShown;
    }
  }
  lines.push(shown);
  return lines;
}

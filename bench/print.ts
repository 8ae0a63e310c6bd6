/** Plain-text output for the benchmark: section headings, aligned tables, units. */

export function heading(title: string): void {
  console.log('');
  console.log(title);
  console.log('-'.repeat(title.length));
}

/** Columns are right-aligned when every value in them looks like a number. */
export function table(header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  const numeric = header.map((_, column) =>
    rows.every((row) => /^[-+~≈]?[\d.,]+\s?[a-zA-Z%x/]*$/.test(row[column] ?? '')),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function ms(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 100) return `${Math.round(value)} ms`;
  return `${value.toFixed(1)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** One line of the closing table. `met`: undefined when skipped, 'info' for a figure without a target. */
export interface TargetResult {
  section: string;
  target: string;
  measured: string;
  met: boolean | 'info' | undefined;
}

export function verdictOf(met: TargetResult['met']): string {
  if (met === undefined) return 'skipped';
  if (met === 'info') return '-';
  return met ? 'met' : 'MISSED';
}

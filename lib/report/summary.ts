/**
 * Counts for the summary line of every report, and the process exit code the
 * CLI ends with.
 */
import { type ScanResult, VERDICTS, type Verdict } from '../types.js';

export interface ReportSummary {
  /** Databases evaluated. */
  total: number;
  /** Databases per verdict; every verdict is present, zero or not. */
  verdicts: Record<Verdict, number>;
  /** Databases a live probe ran against, whether it concluded or not. */
  probed: number;
  /** Scan problems: regions, groups or pages that could not be read. */
  problems: number;
}

export function summarize(result: ScanResult): ReportSummary {
  const verdicts = Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as Record<
    Verdict,
    number
  >;
  let probed = 0;
  for (const evaluation of result.evaluations) {
    verdicts[evaluation.finding.verdict] += 1;
    if (evaluation.liveFinding) probed += 1;
  }
  return {
    total: result.evaluations.length,
    verdicts,
    probed,
    problems: result.problems.length,
  };
}

/**
 * The CLI's exit codes. Scripts and CI jobs branch on these, so they never
 * change meaning:
 * - 0: nothing NON_COMPLIANT (and, with `failOnInsufficientData`, nothing undecided);
 * - 1: usage or runtime error: the scan did not produce a result (set by the CLI, never here);
 * - 2: at least one database NON_COMPLIANT;
 * - 3: with `failOnInsufficientData` only: nothing NON_COMPLIANT, but at least one
 *   database INSUFFICIENT_DATA or a scan problem (an unreadable region is missing data too).
 * NON_COMPLIANT wins over INSUFFICIENT_DATA: a known failure is the stronger signal.
 */
export const EXIT_CODES = {
  ok: 0,
  error: 1,
  nonCompliant: 2,
  insufficientData: 3,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export interface ExitCodeOptions {
  /** Exit 3 when something could not be decided, instead of 0. Default false. */
  failOnInsufficientData?: boolean;
}

export function exitCodeFor(result: ScanResult, options: ExitCodeOptions = {}): ExitCode {
  const summary = summarize(result);
  if (summary.verdicts.NON_COMPLIANT > 0) return EXIT_CODES.nonCompliant;
  if (
    options.failOnInsufficientData === true &&
    (summary.verdicts.INSUFFICIENT_DATA > 0 || summary.problems > 0)
  ) {
    return EXIT_CODES.insufficientData;
  }
  return EXIT_CODES.ok;
}

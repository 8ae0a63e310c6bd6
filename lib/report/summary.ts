/**
 * Counts for the summary line of every report, and the process exit code the
 * CLI ends with.
 */
import { type ScanProblem, type ScanResult, VERDICTS, type Verdict } from '../types.js';
import { clusterMemberEvaluations } from './model.js';

/**
 * `total` and the verdicts count evaluations: one per resource, as AWS Config
 * gets them. `databases` counts each cluster once: a member instance whose
 * cluster is in the same scan is evaluated (Config records it) but is not a
 * second database; `clusterMembers` says how many were folded that way.
 */
export interface ReportSummary {
  /** Resources evaluated (one evaluation each). */
  total: number;
  /** Databases: `total` less the cluster members counted with their cluster. */
  databases: number;
  /** Member instances whose cluster is in this scan: evaluated, noted on their cluster. */
  clusterMembers: number;
  /** Evaluations per verdict; every verdict is present, zero or not. */
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
  const clusterMembers = clusterMemberEvaluations(result).size;
  return {
    total: result.evaluations.length,
    databases: result.evaluations.length - clusterMembers,
    clusterMembers,
    verdicts,
    probed,
    problems: result.problems.length,
  };
}

/**
 * A problem that means part of the estate was never listed (an unreadable
 * region or account, a failed inventory, a record skipped for lack of a
 * resource id or, in a snapshot, for its shape; an ASFF finding Security Hub
 * would refuse for its account or region): databases may be missing from the
 * report altogether, not just judged on partial data.
 */
export function isCoverageProblem(problem: ScanProblem): boolean {
  return (
    problem.scope === 'inventory' ||
    problem.scope.startsWith('region:') ||
    problem.scope.startsWith('account:') ||
    problem.code === 'REGION_UNREADABLE' ||
    problem.code === 'INVENTORY_FAILED' ||
    problem.code === 'SNAPSHOT_LISTING_INVALID' ||
    problem.code === 'SNAPSHOT_RECORD_INVALID' ||
    problem.code === 'FINDING_ACCOUNT_INVALID' ||
    problem.code === 'FINDING_REGION_INVALID'
  );
}

/** A filter that selected nothing: `--id` naming no database, `--engine` matching none. */
export function isUnmatchedFilter(problem: ScanProblem): boolean {
  return problem.scope.startsWith('filter:');
}

/**
 * The CLI's exit codes. Scripts and CI jobs branch on these, so they never
 * change meaning:
 * - 0: everything asked for was read and evaluated, nothing NON_COMPLIANT and
 *   (unless `allowInsufficientData`) nothing undecided;
 * - 1: runtime error: the scan did not produce a result (set by the CLI, never here);
 * - 2: at least one database NON_COMPLIANT;
 * - 3: nothing NON_COMPLIANT, but at least one database INSUFFICIENT_DATA or a
 *   scan problem: "could not tell" is never the all-clear; `allowInsufficientData`
 *   turns this into 0;
 * - 4: nothing was evaluated (zero databases), or an `--id` named no database;
 *   `allowEmpty` turns this into 0;
 * - 5: a region, account or listing could not be read: the report may be missing
 *   databases, so "nothing non-compliant" proves nothing;
 * - 64: usage error (a flag, a value or a region the CLI does not accept; set by the CLI).
 * NON_COMPLIANT wins over everything: a known failure is the strongest signal.
 * An unreadable listing (5) wins over an empty one (4), since it is the likely cause.
 */
export const EXIT_CODES = {
  ok: 0,
  error: 1,
  nonCompliant: 2,
  insufficientData: 3,
  nothingEvaluated: 4,
  incomplete: 5,
  usage: 64,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export interface ExitCodeOptions {
  /** Exit 0, not 3, when something could not be decided. Default false. */
  allowInsufficientData?: boolean;
  /** Zero databases (or an `--id` that matched none) is a valid result, not exit 4. Default false. */
  allowEmpty?: boolean;
}

export function exitCodeFor(result: ScanResult, options: ExitCodeOptions = {}): ExitCode {
  const summary = summarize(result);
  if (summary.verdicts.NON_COMPLIANT > 0) return EXIT_CODES.nonCompliant;
  if (result.problems.some(isCoverageProblem)) return EXIT_CODES.incomplete;
  if (
    options.allowEmpty !== true &&
    (summary.total === 0 || result.problems.some(isUnmatchedFilter))
  ) {
    return EXIT_CODES.nothingEvaluated;
  }
  if (
    options.allowInsufficientData !== true &&
    (summary.verdicts.INSUFFICIENT_DATA > 0 ||
      result.problems.some((problem) => !isUnmatchedFilter(problem)))
  ) {
    return EXIT_CODES.insufficientData;
  }
  return EXIT_CODES.ok;
}

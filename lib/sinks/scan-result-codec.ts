/**
 * A scan result as stored between invocations (one probe batch's part of a
 * scheduled run, in the report archive) and read back. What comes back from
 * S3 is validated like any other input: the schema, not a cast, makes it a
 * ScanResult again.
 */
import * as z from 'zod';
import { isoDate } from '../database-resource.js';
import type { DatabaseResource, ResourceEvaluation, ScanProblem, ScanResult } from '../types.js';
import {
  resourceEvaluationSchema,
  scanProblemSchema,
  storedRuleParametersSchema,
} from '../types.js';
import type { PartDatabase } from './run-manifest.js';

export { scanProblemSchema };

export const storedScanResultSchema = z.object({
  startedAt: isoDate,
  finishedAt: isoDate,
  regions: z.array(z.string()),
  ruleParameters: storedRuleParametersSchema,
  evaluations: z.array(resourceEvaluationSchema),
  problems: z.array(scanProblemSchema),
});

export function encodeScanResult(result: ScanResult): string {
  return JSON.stringify(result);
}

export type DecodeResult = { ok: true; result: ScanResult } | { ok: false; message: string };

export function decodeScanResult(text: string): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'not JSON' };
  }
  const parsed = storedScanResultSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))];
    return {
      ok: false,
      message: `does not match the stored scan schema at: ${fields.slice(0, 3).join(', ')}`,
    };
  }
  return { ok: true, result: parsed.data };
}

/** Several parts of one run as one result: the run's start, the last part's finish. */
export function mergeScanResults(
  parts: readonly ScanResult[],
  run: { startedAt: Date; ruleParameters: ScanResult['ruleParameters']; problems: ScanProblem[] },
): ScanResult {
  const finished = parts.reduce(
    (latest, part) => Math.max(latest, part.finishedAt.getTime()),
    run.startedAt.getTime(),
  );
  return {
    startedAt: run.startedAt,
    finishedAt: new Date(finished),
    regions: [...new Set(parts.flatMap((part) => part.regions))].sort(),
    ruleParameters: run.ruleParameters,
    evaluations: parts.flatMap((part) => part.evaluations),
    problems: [...run.problems, ...parts.flatMap((part) => part.problems)],
  };
}

export const PROBE_BATCH_LOST = 'PROBE_BATCH_LOST';
export const REPORT_INCOMPLETE = 'REPORT_INCOMPLETE';

/**
 * An overdue run's result with its lost parts in it: each database of a
 * lost part is INSUFFICIENT_DATA (PROBE_BATCH_LOST), never left out, and
 * the problems say which parts were lost and that the report is incomplete.
 */
export function markLostParts(
  result: ScanResult,
  run: { startedAt: Date; parts: string[]; partDatabases?: Record<string, PartDatabase[]> },
  lost: readonly string[],
): ScanResult {
  const evaluated = new Set(result.evaluations.map((evaluation) => evaluation.resource.resourceId));
  const evaluations: ResourceEvaluation[] = [];
  const problems: ScanProblem[] = [
    {
      scope: 'run',
      code: REPORT_INCOMPLETE,
      message: `${lost.length} of ${run.parts.length} probe batches did not report before the run was assembled; their databases are INSUFFICIENT_DATA (${PROBE_BATCH_LOST})`,
    },
  ];
  for (const part of lost) {
    const databases = (run.partDatabases?.[part] ?? []).filter(
      (resource) => !evaluated.has(resource.resourceId),
    );
    problems.push({
      scope: `part:${part}`,
      code: PROBE_BATCH_LOST,
      message: run.partDatabases
        ? `probe batch ${part} (${databases.length} database(s)) never reported: dead-letter queue or an unfinished worker`
        : `probe batch ${part} never reported; the manifest does not name its databases`,
    });
    for (const database of databases) {
      evaluations.push(lostEvaluation(lostResource(database), run.startedAt));
    }
  }
  return {
    ...result,
    evaluations: [...result.evaluations, ...evaluations],
    problems: [...problems, ...result.problems],
  };
}

/**
 * A database the manifest names only by its identity, as the report shows
 * it: no settings, options, tags or endpoint. Nothing here is evaluated; the
 * evaluation is INSUFFICIENT_DATA.
 */
function lostResource(database: PartDatabase): DatabaseResource {
  return { ...database, optionGroups: [], iamDatabaseAuthenticationEnabled: false, tags: {} };
}

/** A database of a probe batch that never reported: INSUFFICIENT_DATA, PROBE_BATCH_LOST. */
export function lostEvaluation(
  resource: DatabaseResource,
  at: Date,
  annotation = 'The probe batch holding this database never reported (dead-letter queue or a worker that did not finish); not evaluated in this run.',
): ResourceEvaluation {
  const finding = {
    verdict: 'INSUFFICIENT_DATA' as const,
    reason: PROBE_BATCH_LOST,
    annotation,
    remediation:
      "Inspect the probe queue's dead-letter queue; redriving the message completes this run's report.",
    evidence: [],
  };
  return { resource, staticFinding: finding, finding, orderingTimestamp: at };
}

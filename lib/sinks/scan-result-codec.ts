/**
 * A scan result as stored between invocations (one probe batch's part of a
 * scheduled run, in the report archive) and read back. What comes back from
 * S3 is validated like any other input: the schema, not a cast, makes it a
 * ScanResult again.
 */
import * as z from 'zod';
import { databaseResourceSchema, ruleParametersSchema } from '../fanout/message.js';
import { evidenceSchema, problemSchema } from '../report/json-schema.js';
import type { ScanProblem, ScanResult } from '../types.js';

const isoDate = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .refine((value) => !Number.isNaN(value.getTime()), 'Invalid timestamp');

const findingSchema = z.object({
  verdict: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']),
  reason: z.string(),
  annotation: z.string(),
  remediation: z.string(),
  evidence: z.array(evidenceSchema),
});

export const scanProblemSchema = problemSchema;

export const storedScanResultSchema = z.object({
  startedAt: isoDate,
  finishedAt: isoDate,
  regions: z.array(z.string()),
  ruleParameters: ruleParametersSchema,
  evaluations: z.array(
    z.object({
      resource: databaseResourceSchema,
      staticFinding: findingSchema,
      liveFinding: findingSchema.extend({ durationMs: z.number() }).optional(),
      finding: findingSchema,
      orderingTimestamp: isoDate,
    }),
  ),
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
  return { ok: true, result: parsed.data as ScanResult };
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

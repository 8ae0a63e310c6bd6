/**
 * The on-demand audit invoke: `{ regions?, filters?, liveProbe?, format?,
 * ruleParameters?, memberAccounts? }` → the scan's report (the JSON report
 * schema v1 by default). A bad event is answered with a named error value;
 * the function does not fail for it. The handler validates the event
 * (auditEventSchema) before the use case runs.
 */
import * as z from 'zod';
import { planScanTargets, type ScanTarget } from '../accounts/index.js';
import { parseRuleParameters, RULE_PARAMETERS_ERROR_CODES } from '../config/rule-parameters.js';
import type { InventoryFilters } from '../inventory/index.js';
import type { Inventory, LiveProber, ReachabilityCheck } from '../pipeline.js';
import {
  buildJsonReport,
  isReportFormat,
  type JsonReport,
  REPORT_FORMATS,
  type ReportFormat,
  renderReport,
} from '../report/index.js';
import { scan } from '../scan.js';
import type { ScanResult } from '../types.js';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
export const MAX_FILTER_ENGINES = 20;
/** Identifiers, resource ids or ARNs named in one audit. */
export const MAX_FILTER_IDENTIFIERS = 1_000;
const MAX_FILTER_IDENTIFIER_LENGTH = 256;
export const MAX_FILTER_TAGS = 50;

/** An invoke without a payload is an audit with every default. */
export const auditEventSchema = z.preprocess(
  (event) => event ?? {},
  z.strictObject({
    regions: z.array(z.string().regex(REGION)).min(1).max(30).optional(),
    /**
     * Bounded: every listed database is matched against each entry. Tags as
     * AWS bounds them (50 per resource, keys 128 and values 256 characters).
     */
    filters: z
      .strictObject({
        engines: z.array(z.string().min(1).max(64)).max(MAX_FILTER_ENGINES).optional(),
        identifiers: z
          .array(z.string().min(1).max(MAX_FILTER_IDENTIFIER_LENGTH))
          .max(MAX_FILTER_IDENTIFIERS)
          .optional(),
        tags: z
          .record(z.string().max(128), z.string().max(256))
          .refine((tags) => Object.keys(tags).length <= MAX_FILTER_TAGS, {
            message: `at most ${MAX_FILTER_TAGS} tags`,
          })
          .optional(),
      })
      .optional(),
    liveProbe: z.boolean().optional(),
    format: z
      .string()
      .refine(isReportFormat, `one of ${REPORT_FORMATS.join(', ')}`)
      .optional(),
    /** Same keys as the Config rule's InputParameters. */
    ruleParameters: z.record(z.string(), z.unknown()).optional(),
    /** false: only the deployment account. Default true: members too. */
    memberAccounts: z.boolean().optional(),
  }),
);

export type AuditEvent = z.infer<typeof auditEventSchema>;

/** Why an audit was answered without a report. */
export const AUDIT_ERROR_CODES = [
  'AUDIT_EVENT_INVALID',
  'AUDIT_REPORT_TOO_LARGE',
  'AUDIT_REPORT_STORE_FAILED',
  ...RULE_PARAMETERS_ERROR_CODES,
] as const;
export type AuditErrorCode = (typeof AUDIT_ERROR_CODES)[number];

export type AuditResponse =
  | JsonReport
  | { format: Exclude<ReportFormat, 'json'>; body: string }
  | { error: { code: AuditErrorCode; message: string } };

export interface AuditDeps {
  /** The deployment region: scanned when the event names none. */
  region: string;
  ownAccountId?: string;
  memberRoleArns?: string;
  collect: (
    targets: readonly ScanTarget[],
    regions: readonly string[],
    filters: InventoryFilters | undefined,
  ) => Promise<Inventory>;
  proberFor: (targets: readonly ScanTarget[]) => LiveProber;
  /** The TCP connect to Oracle's plaintext listener; used when the audit probes. */
  reachability?: ReachabilityCheck;
  now?: () => Date;
}

/** The answer to an event that does not match auditEventSchema: the fields at fault, never values. */
export function auditEventRejected(fields: readonly string[]): AuditResponse {
  return {
    error: {
      code: 'AUDIT_EVENT_INVALID',
      message: `audit event invalid at: ${fields.slice(0, 5).join(', ')}`,
    },
  };
}

/** One audit request, already validated against auditEventSchema. */
export async function runAudit(request: AuditEvent, deps: AuditDeps): Promise<AuditResponse> {
  const parameters = parseRuleParameters(request.ruleParameters ?? {});
  if (!parameters.ok) {
    return { error: { code: parameters.error.code, message: parameters.error.message } };
  }
  const ruleParameters = {
    ...parameters.value,
    ...(request.liveProbe !== undefined ? { liveProbe: request.liveProbe } : {}),
  };

  const plan = planScanTargets({
    ...(request.memberAccounts === false ? {} : { memberRoleArns: deps.memberRoleArns }),
    ...(deps.ownAccountId ? { ownAccountId: deps.ownAccountId } : {}),
  });
  const regions = request.regions ?? [deps.region];
  const result: ScanResult = await scan({
    inventory: async () => {
      const inventory = await deps.collect(plan.targets, regions, request.filters);
      return { ...inventory, problems: [...plan.problems, ...inventory.problems] };
    },
    ruleParameters,
    ...(ruleParameters.liveProbe ? { prober: deps.proberFor(plan.targets) } : {}),
    ...(ruleParameters.liveProbe && deps.reachability ? { reachability: deps.reachability } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });

  const format = request.format ?? 'json';
  if (format === 'json') return buildJsonReport(result);
  return { format, body: renderReport(result, format) };
}

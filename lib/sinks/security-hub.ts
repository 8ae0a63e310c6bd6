/**
 * The Security Hub sink: scan results → BatchImportFindings in ASFF, through
 * the account's own custom-integration product
 * (`arn:<partition>:securityhub:<region>:<account>:product/<account>/default`).
 *
 * - One finding per database and rule, with a stable Id (lib/report/asff.ts),
 *   so every run updates the same finding; a database that became compliant
 *   turns its finding to Compliance PASSED.
 * - A database that is gone is archived (RecordState ARCHIVED). "Gone" is
 *   decided from Security Hub's own memory: the ACTIVE findings of this
 *   product (GetFindings) whose database a complete listing of the same
 *   account and region no longer contains. Config's ResourceDeleted status
 *   would only cover accounts and regions Config records, and only the Config
 *   path; the scheduled scan has the listing anyway.
 * - BatchImportFindings takes at most 100 findings and 6 MB per call, 240 KB
 *   per finding; FailedFindings are retried with backoff, as are throttled
 *   calls. Nothing here throws: what did not get in is returned.
 */
import type {
  AwsSecurityFinding,
  AwsSecurityFindingFilters,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { type BackoffOptions, backoff } from '../aws/retry.js';
import { describeError, errorName } from '../errors.js';
import { planCalls } from '../fanout/enqueue.js';
import {
  type AsffFinding,
  buildAsffFindings,
  type FindingFirstSeen,
  findingId,
} from '../report/asff.js';
import type { ScanResult } from '../types.js';

export const MAX_FINDINGS_PER_CALL = 100;
export const MAX_FINDING_BYTES = 240 * 1024;
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
/** GetFindings pages read per account and region before giving up (100 findings each). */
export const MAX_FINDING_PAGES = 100;

/** The finding Id prefix of one account and region (see asffFinding). */
export function findingIdPrefix(accountId: string, region: string): string {
  return `rds-tls-guard/${accountId}/${region}/`;
}

/** The default product of a custom integration: findings an account sends about itself. */
export function productArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** Where findings go: Security Hub of one account in one region, called with that account's credentials. */
export interface SecurityHubTarget {
  /** A promise lets the SDK's Security Hub client load on the first call, not at init. */
  client: SecurityHubClient | Promise<SecurityHubClient>;
  accountId: string;
  region: string;
  partition?: string;
}

export interface ImportFailure {
  id: string;
  /**
   * Security Hub's ErrorCode, the SDK error name, or one of ours for a
   * finding never sent: FINDING_TOO_LARGE, FINDING_ACCOUNT_INVALID,
   * FINDING_REGION_INVALID (an account or region Security Hub would refuse).
   */
  code: string;
}

export interface ImportSummary {
  submitted: number;
  imported: number;
  failed: ImportFailure[];
  calls: number;
  /** One line per failed call; names and codes only. */
  errors: string[];
}

/** Errors every further call would hit too (Security Hub off, no permission): stop calling. */
const FATAL_ERRORS = new Set([
  'InvalidAccessException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
]);

/** Errors about the request itself: the same batch would fail again. */
const NON_RETRYABLE_ERRORS = new Set(['InvalidInputException', 'ValidationException']);

type Importable = AwsSecurityFinding | AsffFinding;

/**
 * Imports findings in calls of at most 100 findings and 6 MB, retrying the
 * FailedFindings and throttled or failed calls with backoff.
 */
export async function importFindings(
  client: SecurityHubClient | Promise<SecurityHubClient>,
  findings: readonly Importable[],
  options: BackoffOptions = {},
): Promise<ImportSummary> {
  const retry = backoff(options);
  const summary: ImportSummary = {
    submitted: findings.length,
    imported: 0,
    failed: [],
    calls: 0,
    errors: [],
  };
  const sized: { finding: Importable; bytes: number }[] = [];
  for (const finding of findings) {
    const bytes = Buffer.byteLength(JSON.stringify(finding), 'utf8');
    if (bytes > MAX_FINDING_BYTES)
      summary.failed.push({ id: finding.Id ?? '', code: 'FINDING_TOO_LARGE' });
    else sized.push({ finding, bytes });
  }

  let fatal = false;
  // The request's own JSON around the findings stays well inside the margin.
  const calls = planCalls(sized, {
    maxEntries: MAX_FINDINGS_PER_CALL,
    maxBytes: MAX_REQUEST_BYTES - 64 * 1024,
  });
  for (const batch of calls) {
    if (fatal) {
      summary.failed.push(
        ...batch.map((entry) => ({ id: entry.finding.Id ?? '', code: 'NOT_SENT' })),
      );
      continue;
    }
    let pending = batch;
    const lastCode = new Map<string, string>();
    for (let attempt = 1; attempt <= retry.maxAttempts && pending.length > 0; attempt += 1) {
      await retry.wait(attempt);
      summary.calls += 1;
      try {
        const { BatchImportFindingsCommand } = await import('../aws/security-hub.js');
        const response = await (await client).send(
          new BatchImportFindingsCommand({
            // The renderer's type is the ASFF subset; the SDK's is the whole format.
            Findings: pending.map((entry) => entry.finding as AwsSecurityFinding),
          }),
        );
        const failedIds = new Map(
          (response.FailedFindings ?? []).map((failure) => [
            failure.Id ?? '',
            failure.ErrorCode ?? 'UNKNOWN',
          ]),
        );
        for (const [id, code] of failedIds) lastCode.set(id, code);
        pending = pending.filter((entry) => failedIds.has(entry.finding.Id ?? ''));
      } catch (error) {
        const name = errorName(error);
        summary.errors.push(`BatchImportFindings attempt ${attempt}: ${describeError(error)}`);
        for (const entry of pending) lastCode.set(entry.finding.Id ?? '', name);
        if (FATAL_ERRORS.has(name)) {
          fatal = true;
          break;
        }
        if (NON_RETRYABLE_ERRORS.has(name)) break;
      }
    }
    summary.failed.push(
      ...pending.map((entry) => ({
        id: entry.finding.Id ?? '',
        code: lastCode.get(entry.finding.Id ?? '') ?? 'UNKNOWN',
      })),
    );
  }
  summary.imported = summary.submitted - summary.failed.length;
  return summary;
}

export interface PublishSummary extends ImportSummary {
  /** Databases not sent here: another account's or region's, or no account known. */
  skipped: string[];
}

/**
 * Sends a scan's findings to one account's Security Hub in one region. Only
 * that account's databases in that region are sent: BatchImportFindings
 * accepts a custom integration's findings only from the account they name.
 */
export async function publishFindings(
  target: SecurityHubTarget,
  result: ScanResult,
  options: BackoffOptions & { firstSeen?: ReadonlyMap<string, FindingFirstSeen> } = {},
): Promise<PublishSummary> {
  const built = buildAsffFindings(result, {
    accountId: target.accountId,
    ...(options.firstSeen ? { firstSeen: options.firstSeen } : {}),
  });
  const mine: AsffFinding[] = [];
  const skipped = [...built.skipped];
  for (const finding of built.findings) {
    const region = finding.Resources[0]?.Region;
    if (finding.AwsAccountId === target.accountId && region === target.region) mine.push(finding);
    else skipped.push(finding.Id);
  }
  // A database whose own account or region Security Hub would refuse: never sent, counted failed.
  const refused: ImportFailure[] = [];
  for (const rejection of built.rejected) {
    if (rejection.accountId === target.accountId && rejection.region === target.region)
      refused.push({ id: rejection.id, code: rejection.code });
    else skipped.push(rejection.id);
  }
  const summary = await importFindings(target.client, mine, options);
  return {
    ...summary,
    submitted: summary.submitted + refused.length,
    failed: [...refused, ...summary.failed],
    skipped,
  };
}

export interface ArchiveOptions extends BackoffOptions {
  /** DbiResourceId / DbClusterResourceId of every database a complete listing found. */
  currentResourceIds: ReadonlySet<string>;
  now: Date;
  maxPages?: number;
}

/** Why vanished databases' findings could not be archived. */
export const FINDINGS_LOOKUP_ERROR_CODES = [
  'FINDINGS_LOOKUP_FAILED',
  'FINDINGS_LOOKUP_TRUNCATED',
] as const;
export type FindingsLookupErrorCode = (typeof FINDINGS_LOOKUP_ERROR_CODES)[number];

export type ArchiveSummary = (
  | (ImportSummary & { ok: true; archived: string[] })
  | {
      ok: false;
      code: FindingsLookupErrorCode;
      message: string;
      archived: string[];
    }
) & {
  /**
   * CreatedAt and FirstObservedAt of every ACTIVE finding the lookup read,
   * by finding Id (what it read before a failure, too): the next import of
   * the same finding carries them forward.
   */
  firstSeen: Map<string, FindingFirstSeen>;
};

/**
 * Archives the ACTIVE findings of databases that are no longer there. The
 * caller must pass the ids of a complete listing of this account and region:
 * a database missing from a partial listing would be archived here.
 */
export async function archiveVanished(
  target: SecurityHubTarget,
  options: ArchiveOptions,
): Promise<ArchiveSummary> {
  const partition = target.partition ?? 'aws';
  const filters: AwsSecurityFindingFilters = {
    ProductArn: [
      { Value: productArn(partition, target.region, target.accountId), Comparison: 'EQUALS' },
    ],
    Id: [{ Value: findingIdPrefix(target.accountId, target.region), Comparison: 'PREFIX' }],
    RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
  };
  const vanished: AwsSecurityFinding[] = [];
  const currentIds = new Set(
    [...options.currentResourceIds].map((id) => findingId(target.accountId, target.region, id)),
  );
  const firstSeen = new Map<string, FindingFirstSeen>();
  const maxPages = options.maxPages ?? MAX_FINDING_PAGES;
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (pages >= maxPages) {
      return {
        ok: false,
        code: 'FINDINGS_LOOKUP_TRUNCATED',
        message: `more than ${maxPages} pages of active findings; nothing archived`,
        archived: [],
        firstSeen,
      };
    }
    pages += 1;
    try {
      const { GetFindingsCommand } = await import('../aws/security-hub.js');
      const response = await (await target.client).send(
        new GetFindingsCommand({
          Filters: filters,
          MaxResults: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const finding of response.Findings ?? []) {
        const resourceId = resourceIdOf(finding, target);
        if (!resourceId) continue;
        const dates = firstSeenOf(finding);
        if (dates && finding.Id) firstSeen.set(finding.Id, dates);
        // A long resource id is cut in its finding Id (fittedIdentifier): compare whole Ids too.
        if (!options.currentResourceIds.has(resourceId) && !currentIds.has(finding.Id ?? '')) {
          vanished.push(finding);
        }
      }
      nextToken = response.NextToken || undefined;
    } catch (error) {
      return {
        ok: false,
        code: 'FINDINGS_LOOKUP_FAILED',
        message: `GetFindings failed: ${describeError(error)}`,
        archived: [],
        firstSeen,
      };
    }
  } while (nextToken !== undefined);

  const archived = vanished.map((finding) => archivedFinding(finding, options.now));
  const summary = await importFindings(target.client, archived, options);
  const failedIds = new Set(summary.failed.map((failure) => failure.id));
  return {
    ok: true,
    ...summary,
    archived: archived.map((finding) => finding.Id ?? '').filter((id) => !failedIds.has(id)),
    firstSeen,
  };
}

/** A finding's dates from Security Hub, in one form (untrusted text: parsed, never compared raw). */
function firstSeenOf(finding: AwsSecurityFinding): FindingFirstSeen | undefined {
  const created = isoTime(finding.CreatedAt);
  if (!created) return undefined;
  const observed = isoTime(finding.FirstObservedAt);
  return { createdAt: created, firstObservedAt: observed ?? created };
}

function isoTime(value: string | undefined): string | undefined {
  if (!value || value.length > 64) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** Our finding's database id: the last segment of an Id we wrote, nothing else. */
function resourceIdOf(finding: AwsSecurityFinding, target: SecurityHubTarget): string | undefined {
  const prefix = findingIdPrefix(target.accountId, target.region);
  const id = finding.Id ?? '';
  if (!id.startsWith(prefix)) return undefined;
  const rest = id.slice(prefix.length);
  return rest !== '' && !rest.includes('/') ? rest : undefined;
}

/**
 * The finding as we wrote it, with the record archived. Only provider-owned
 * fields are sent back: Security Hub adds its own (Workflow, ProductName,
 * `aws/` product fields…) that BatchImportFindings must not set.
 */
function archivedFinding(finding: AwsSecurityFinding, now: Date): AwsSecurityFinding {
  const productFields = Object.fromEntries(
    Object.entries(finding.ProductFields ?? {}).filter(([key]) => key.startsWith('rds-tls-guard/')),
  );
  return {
    SchemaVersion: finding.SchemaVersion,
    Id: finding.Id,
    ProductArn: finding.ProductArn,
    GeneratorId: finding.GeneratorId,
    AwsAccountId: finding.AwsAccountId,
    CreatedAt: finding.CreatedAt,
    UpdatedAt: now.toISOString(),
    // Archiving is not an observation: both dates stay as they were.
    ...(finding.FirstObservedAt ? { FirstObservedAt: finding.FirstObservedAt } : {}),
    ...(finding.LastObservedAt ? { LastObservedAt: finding.LastObservedAt } : {}),
    // Required by BatchImportFindings; sent back unchanged, so not an update of them.
    Types: finding.Types,
    Severity: finding.Severity,
    Title: finding.Title,
    Description: finding.Description,
    Resources: finding.Resources,
    ...(finding.FindingProviderFields
      ? { FindingProviderFields: finding.FindingProviderFields }
      : {}),
    ...(finding.Compliance?.Status ? { Compliance: { Status: finding.Compliance.Status } } : {}),
    ProductFields: { ...productFields, 'rds-tls-guard/ArchivedReason': 'DATABASE_NOT_FOUND' },
    RecordState: 'ARCHIVED',
  } as AwsSecurityFinding;
}

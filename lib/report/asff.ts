/**
 * AWS Security Hub findings in the AWS Security Finding Format (ASFF), ready
 * for BatchImportFindings. One finding per database, every verdict included,
 * so Security Hub also learns when a database becomes compliant. The finding
 * Id is stable (account, region, resource id), so each scan updates the same
 * finding instead of adding one.
 */

import { createHash } from 'node:crypto';
import { clipServerText, truncate } from '../text.js';
import type {
  ResourceEvaluation,
  ResourceType,
  ScanProblem,
  ScanProblemCode,
  ScanResult,
  SnapshotProvenance,
  Verdict,
} from '../types.js';
import { accountIdOf, partitionOf, snapshotSource, sortedEvaluations } from './model.js';

/** The part of the ASFF this tool fills in (the SDK's AwsSecurityFinding is not a dependency). */
export interface AsffFinding {
  SchemaVersion: '2018-10-08';
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  /** When the finding was first created: kept from Security Hub across runs. */
  CreatedAt: string;
  /** This run. */
  UpdatedAt: string;
  FirstObservedAt: string;
  LastObservedAt: string;
  Severity: { Label: AsffSeverityLabel };
  /**
   * Where a finding provider states severity and types: after a finding is
   * created, BatchImportFindings should not change the top-level Severity
   * and Types (customers may have), so later runs say it here.
   */
  FindingProviderFields: {
    Severity: { Label: AsffSeverityLabel; Original: string };
    Types: string[];
  };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string } };
  ProductFields: Record<string, string>;
  Resources: {
    Type: 'AwsRdsDbInstance' | 'AwsRdsDbCluster' | 'Other';
    Id: string;
    Partition: string;
    Region: string;
  }[];
  Compliance: { Status: AsffComplianceStatus };
  RecordState: 'ACTIVE';
}

export type AsffSeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type AsffComplianceStatus = 'PASSED' | 'FAILED' | 'NOT_AVAILABLE' | 'WARNING';

export interface AsffOptions {
  /** Used when a resource carries neither an account id nor an ARN. */
  accountId?: string;
  /**
   * The dates Security Hub already holds for a finding, by finding Id: an
   * update keeps CreatedAt and FirstObservedAt, and only UpdatedAt and
   * LastObservedAt move to this run.
   */
  firstSeen?: ReadonlyMap<string, FindingFirstSeen>;
}

/** When a finding was created and first observed, as Security Hub holds it. */
export interface FindingFirstSeen {
  createdAt: string;
  firstObservedAt: string;
}

/**
 * The stable finding Id of one database: one finding per database and rule,
 * within the Id's 512 characters (fittedIdentifier).
 */
export function findingId(accountId: string, region: string, resourceId: string): string {
  return fittedIdentifier(`rds-tls-guard/${accountId}/${region}/${resourceId}`, ASFF_LIMITS.id);
}

/**
 * ASFF field limits: longer values are rejected by BatchImportFindings.
 * Security Hub API Reference, AwsSecurityFinding: Id and GeneratorId
 * "Maximum length of 512", Title 256, Description 1024, ProductFields values
 * 2048; Recommendation.Text 512; Resource: Type 256, Region 16. Resource.Id
 * has no length in the API reference (the resource identifier of Security
 * Hub's OCSF findings allows 768): it is held to the finding Id's 512.
 */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  recommendation: 512,
  productFieldValue: 2048,
  resourceId: 512,
} as const;

/** Hex digits of the SHA-256 of the whole value that end an identifier too long to keep. */
const IDENTIFIER_HASH_LENGTH = 16;

/**
 * An identifier within `max` characters that stays unique and stable: as it
 * is when it fits, else its start and `~` and a hash of the whole value, so
 * two long ARNs that differ only past the cut are still two findings, and
 * the same database gets the same Id on every run.
 */
export function fittedIdentifier(value: string, max: number): string {
  if (value.length <= max) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, IDENTIFIER_HASH_LENGTH);
  return `${clipServerText(value, max - IDENTIFIER_HASH_LENGTH - 1)}~${hash}`;
}

const COMPLIANCE: Record<Verdict, AsffComplianceStatus> = {
  COMPLIANT: 'PASSED',
  NON_COMPLIANT: 'FAILED',
  // Security Hub's own mapping of Config results: NOT_APPLICABLE is NOT_AVAILABLE,
  // and WARNING means the check ran but could not decide.
  NOT_APPLICABLE: 'NOT_AVAILABLE',
  INSUFFICIENT_DATA: 'WARNING',
};

function severity(evaluation: ResourceEvaluation): AsffSeverityLabel {
  const { verdict, reason } = evaluation.finding;
  if (verdict === 'NON_COMPLIANT') return reason.startsWith('CA_') ? 'MEDIUM' : 'HIGH';
  if (verdict === 'INSUFFICIENT_DATA') return 'LOW';
  return 'INFORMATIONAL';
}

/**
 * Why a finding is not built: Security Hub would refuse it. Security Hub API
 * Reference, AwsSecurityFinding.AwsAccountId "Length Constraints: 12" (an
 * account id is 12 digits); Resource.Region at most 16 characters. The
 * account and region also make the ProductArn, so one bad value spoils the
 * whole finding.
 */
export type AsffRejectionCode = Extract<
  ScanProblemCode,
  'FINDING_ACCOUNT_INVALID' | 'FINDING_REGION_INVALID'
>;

/** A database whose account or region (from RDS, Config or a snapshot file) cannot be sent to Security Hub. */
export interface AsffRejection {
  identifier: string;
  accountId: string;
  region: string;
  /** The finding Id it would have had. */
  id: string;
  field: 'AwsAccountId' | 'Region';
  code: AsffRejectionCode;
  /** One line naming the database, the field and the value. */
  message: string;
}

const ACCOUNT_ID = /^\d{12}$/;
/** A region name as AWS spells them (eu-west-1, us-gov-east-1, eusc-de-east-1), within Resource.Region's 16. */
const REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const ASFF_REGION_MAX = 16;
/** How much of an odd value a message quotes. */
const QUOTED_VALUE_MAX = 64;

function rejectionOf(
  identifier: string,
  accountId: string,
  region: string,
  resourceId: string,
): AsffRejection | undefined {
  const id = findingId(accountId, region, resourceId);
  const because = (field: AsffRejection['field'], value: string, why: string) => ({
    identifier,
    accountId,
    region,
    id,
    field,
    code:
      field === 'AwsAccountId'
        ? ('FINDING_ACCOUNT_INVALID' as const)
        : ('FINDING_REGION_INVALID' as const),
    message: `database ${identifier}: ${field} ${JSON.stringify(clipServerText(value, QUOTED_VALUE_MAX))} ${why}; Security Hub would refuse its finding, so it is not in the ASFF output`,
  });
  if (!ACCOUNT_ID.test(accountId)) {
    return because('AwsAccountId', accountId, 'is not a 12-digit account id');
  }
  if (region.length > ASFF_REGION_MAX || !REGION_NAME.test(region)) {
    return because('Region', region, 'is not an AWS region name');
  }
  return undefined;
}

export interface AsffBuild {
  findings: AsffFinding[];
  /** Databases left out because no account id is known for them. */
  skipped: string[];
  /** Databases left out because Security Hub would refuse their account or region. */
  rejected: AsffRejection[];
}

export function buildAsffFindings(result: ScanResult, options: AsffOptions = {}): AsffBuild {
  const findings: AsffFinding[] = [];
  const skipped: string[] = [];
  const rejected: AsffRejection[] = [];
  for (const evaluation of sortedEvaluations(result)) {
    const { resource } = evaluation;
    const accountId = accountIdOf(resource) ?? options.accountId;
    if (!accountId) {
      skipped.push(resource.identifier);
      continue;
    }
    const rejection = rejectionOf(
      resource.identifier,
      accountId,
      resource.region,
      resource.resourceId,
    );
    if (rejection) rejected.push(rejection);
    else findings.push(asffFinding(evaluation, accountId, result.snapshot, options.firstSeen));
  }
  return { findings, skipped, rejected };
}

/**
 * The databases an ASFF file leaves out, as scan problems: a finding Security
 * Hub would refuse is not written, and a report that lacks a database must
 * say so (the CLI exits 5, as for any database missing from a report).
 */
export function asffGaps(result: ScanResult, options: AsffOptions = {}): ScanProblem[] {
  const built = buildAsffFindings(result, options);
  return [
    ...built.skipped.map((identifier) => ({
      scope: 'report:asff',
      code: 'FINDING_ACCOUNT_INVALID' as const,
      message: `database ${identifier}: AwsAccountId unknown (neither an account id nor an ARN); it is not in the ASFF output`,
    })),
    ...built.rejected.map(({ code, message }) => ({ scope: 'report:asff', code, message })),
  ];
}

/** The findings as a JSON array, the `Findings` argument of BatchImportFindings (at most 100 per call). */
export function renderAsff(result: ScanResult, options: AsffOptions = {}): string {
  return `${JSON.stringify(buildAsffFindings(result, options).findings, null, 2)}\n`;
}

const RESOURCE_KIND: Record<ResourceType, string> = {
  'AWS::RDS::DBInstance': 'DB instance',
  'AWS::RDS::DBCluster': 'DB cluster',
  'AWS::RDS::DBProxy': 'Proxy',
};

/** ASFF has no RDS Proxy resource type; `Other` is its documented value for the rest. */
const ASFF_RESOURCE_TYPE: Record<ResourceType, AsffFinding['Resources'][number]['Type']> = {
  'AWS::RDS::DBInstance': 'AwsRdsDbInstance',
  'AWS::RDS::DBCluster': 'AwsRdsDbCluster',
  'AWS::RDS::DBProxy': 'Other',
};

function asffFinding(
  evaluation: ResourceEvaluation,
  accountId: string,
  snapshot: SnapshotProvenance | undefined,
  firstSeen: ReadonlyMap<string, FindingFirstSeen> | undefined,
): AsffFinding {
  const { resource, finding } = evaluation;
  const partition = partitionOf(resource);
  const timestamp = evaluation.orderingTimestamp.toISOString();
  const id = findingId(accountId, resource.region, resource.resourceId);
  const prior = firstSeen?.get(id);
  const createdAt = prior?.createdAt ?? timestamp;
  // UpdatedAt may not precede CreatedAt; a clock behind Security Hub's keeps the created date.
  const updatedAt = [createdAt, timestamp].sort()[1] ?? timestamp;
  const resourceArn = resource.arn ?? resource.resourceId;
  const kind = RESOURCE_KIND[resource.resourceType];
  const types = ['Software and Configuration Checks/AWS Security Best Practices'];
  const label = severity(evaluation);
  const remediation =
    finding.remediation ||
    (finding.verdict === 'COMPLIANT'
      ? 'No action needed: the database accepts only TLS connections.'
      : 'No action available from rds-tls-guard for this database.');
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: `arn:${partition}:securityhub:${resource.region}:${accountId}:product/${accountId}/default`,
    GeneratorId: fittedIdentifier(`rds-tls-guard/${finding.reason}`, ASFF_LIMITS.generatorId),
    AwsAccountId: accountId,
    Types: types,
    CreatedAt: createdAt,
    UpdatedAt: updatedAt,
    FirstObservedAt: prior?.firstObservedAt ?? createdAt,
    LastObservedAt: updatedAt,
    Severity: { Label: label },
    FindingProviderFields: { Severity: { Label: label, Original: finding.verdict }, Types: types },
    Title: truncate(
      `RDS ${kind} ${resource.identifier} TLS-only connections: ${finding.verdict} (${finding.reason})`,
      ASFF_LIMITS.title,
    ),
    Description: truncate(
      `${resource.engine} ${resource.engineVersion} in ${resource.region}: ${finding.annotation}`,
      ASFF_LIMITS.description,
    ),
    Remediation: { Recommendation: { Text: truncate(remediation, ASFF_LIMITS.recommendation) } },
    ProductFields: productFields({
      'rds-tls-guard/Verdict': finding.verdict,
      'rds-tls-guard/Reason': finding.reason,
      'rds-tls-guard/StaticReason': evaluation.staticFinding.reason,
      'rds-tls-guard/LiveReason': evaluation.liveFinding?.reason ?? 'NOT_PROBED',
      'rds-tls-guard/Identifier': resource.identifier,
      'rds-tls-guard/ResourceId': resource.resourceId,
      'rds-tls-guard/Engine': `${resource.engine} ${resource.engineVersion}`,
      ...(snapshot ? { 'rds-tls-guard/Source': snapshotSource(snapshot) } : {}),
    }),
    Resources: [
      {
        Type: ASFF_RESOURCE_TYPE[resource.resourceType],
        Id: fittedIdentifier(resourceArn, ASFF_LIMITS.resourceId),
        Partition: partition,
        Region: resource.region,
      },
    ],
    Compliance: { Status: COMPLIANCE[finding.verdict] },
    RecordState: 'ACTIVE',
  };
}

/** Identifiers, versions and a snapshot's folder are not ours: each value is cut to the ASFF limit. */
function productFields(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      truncate(value, ASFF_LIMITS.productFieldValue),
    ]),
  );
}

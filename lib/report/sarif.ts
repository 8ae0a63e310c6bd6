/**
 * SARIF 2.1.0 for code-scanning dashboards. A rule is a reason code; a result
 * is a database that is NON_COMPLIANT (level `error`) or INSUFFICIENT_DATA
 * (level `warning`). Databases have no source file, so each result points at
 * a logical location: the resource ARN, or its resource id when the ARN is
 * unknown.
 */
import type { ResourceEvaluation, ScanResult, Verdict } from '../types.js';
import { accountIdOf, snapshotSource, sortedEvaluations } from './model.js';
import { summarize } from './summary.js';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export interface SarifMessage {
  text: string;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[] };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: {
    logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, string | number | null>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; rules: SarifRule[] } };
    invocations: {
      executionSuccessful: boolean;
      startTimeUtc: string;
      endTimeUtc: string;
      toolExecutionNotifications: {
        level: SarifLevel;
        message: SarifMessage;
        descriptor: { id: string };
        properties: { scope: string };
      }[];
    }[];
    results: SarifResult[];
    properties: Record<string, number | string | string[]>;
  }[];
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVELS: Partial<Record<Verdict, SarifLevel>> = {
  NON_COMPLIANT: 'error',
  INSUFFICIENT_DATA: 'warning',
};

/** `PLAINTEXT_ACCEPTED` → `Plaintext accepted`. */
function describeReason(reason: string): string {
  const words = reason.toLowerCase().split('_').filter(Boolean).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `PLAINTEXT_ACCEPTED` → `PlaintextAccepted`. */
function ruleName(reason: string): string {
  return reason
    .toLowerCase()
    .split('_')
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

export function buildSarif(result: ScanResult): SarifLog {
  const reported = sortedEvaluations(result).filter(
    (evaluation) => LEVELS[evaluation.finding.verdict] !== undefined,
  );
  const reasons = [...new Set(reported.map((evaluation) => evaluation.finding.reason))].sort();
  const rules: SarifRule[] = reasons.map((reason) => {
    const failing = reported.some(
      (evaluation) =>
        evaluation.finding.reason === reason && evaluation.finding.verdict === 'NON_COMPLIANT',
    );
    return {
      id: reason,
      name: ruleName(reason),
      shortDescription: { text: describeReason(reason) },
      defaultConfiguration: { level: failing ? 'error' : 'warning' },
      properties: { tags: ['security', 'tls', 'rds'] },
    };
  });
  const summary = summarize(result);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'rds-tls-guard', rules } },
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: result.startedAt.toISOString(),
            endTimeUtc: result.finishedAt.toISOString(),
            toolExecutionNotifications: result.problems.map((problem) => ({
              level: 'warning',
              message: { text: `${problem.scope}: ${problem.message}` },
              descriptor: { id: problem.code },
              properties: { scope: problem.scope },
            })),
          },
        ],
        results: reported.map((evaluation) => sarifResult(evaluation, reasons)),
        properties: {
          ...(result.snapshot
            ? {
                source: snapshotSource(result.snapshot),
                snapshotFolder: result.snapshot.folder,
                snapshotIgnoredFiles: [...result.snapshot.ignoredFiles],
                snapshotIgnoredFileCount: result.snapshot.ignoredFileCount,
              }
            : {}),
          databases: summary.databases,
          ...(summary.clusterMembers > 0
            ? { clusterMembers: summary.clusterMembers, evaluations: summary.total }
            : {}),
          compliant: summary.verdicts.COMPLIANT,
          nonCompliant: summary.verdicts.NON_COMPLIANT,
          notApplicable: summary.verdicts.NOT_APPLICABLE,
          insufficientData: summary.verdicts.INSUFFICIENT_DATA,
          probed: summary.probed,
          problems: summary.problems,
        },
      },
    ],
  };
}

export function renderSarif(result: ScanResult): string {
  return `${JSON.stringify(buildSarif(result), null, 2)}\n`;
}

function sarifResult(evaluation: ResourceEvaluation, reasons: string[]): SarifResult {
  const { resource, finding } = evaluation;
  return {
    ruleId: finding.reason,
    ruleIndex: reasons.indexOf(finding.reason),
    level: LEVELS[finding.verdict] ?? 'none',
    message: {
      text: `${resource.identifier} (${resource.engine}, ${resource.region}): ${finding.annotation}`,
    },
    locations: [
      {
        logicalLocations: [
          {
            name: resource.identifier,
            fullyQualifiedName: resource.arn ?? resource.resourceId,
            kind: 'resource',
          },
        ],
      },
    ],
    // Stable across scans, so a dashboard tracks one alert per database and reason.
    partialFingerprints: { 'rdsTlsGuardResource/v1': `${resource.resourceId}/${finding.reason}` },
    properties: {
      verdict: finding.verdict,
      resourceType: resource.resourceType,
      resourceId: resource.resourceId,
      region: resource.region,
      accountId: accountIdOf(resource) ?? null,
      engine: resource.engine,
      engineVersion: resource.engineVersion,
      staticReason: evaluation.staticFinding.reason,
      liveReason: evaluation.liveFinding?.reason ?? null,
      remediation: finding.remediation,
    },
  };
}

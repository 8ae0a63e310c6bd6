/**
 * The data behind the HTML report's database table: one compact record per
 * database, embedded in the page as JSON and turned into rows by the page's
 * own script. Evidence travels in the same record but becomes DOM only when
 * a reader opens a database, so a report of 10,000 databases opens quickly.
 */
import { probeProtocol } from '../rules/engines.js';
import type { Evidence, Finding, ResourceEvaluation, ScanResult } from '../types.js';
import { accountIdOf, clusterEndpointsText, problemsFor } from './model.js';

/** `[source, label, value]`: arrays, not objects, because there are many. */
export type EvidenceRow = [string, string, string];

export interface FindingRecord {
  verdict: string;
  reason: string;
  annotation: string;
  evidence: EvidenceRow[];
  /** Live probe only. */
  durationMs?: number;
}

export interface DatabaseRecord {
  identifier: string;
  resourceType: string;
  resourceId: string;
  arn: string;
  account: string;
  region: string;
  engine: string;
  engineVersion: string;
  endpoint: string;
  /** On a cluster: its writer, reader and custom endpoints and its members. */
  clusterEndpoints?: string;
  /** On a member instance: its cluster. */
  memberOf?: string;
  verdict: string;
  reason: string;
  annotation: string;
  remediation: string;
  evaluatedAt: string;
  configuration: FindingRecord;
  live?: FindingRecord;
  /** Why there is no live finding, when there is none. */
  noLiveProbe?: string;
  problems: [string, string][];
}

/**
 * Why no live probe ran for a database: said in the report instead of a bare
 * "none", because "not probed" reads differently when probing was switched
 * off, impossible for the engine, or pointless for an out-of-scope database.
 */
export function whyNoLiveProbe(evaluation: ResourceEvaluation, result: ScanResult): string {
  const { resource, staticFinding } = evaluation;
  if (!result.ruleParameters.liveProbe) {
    return 'No live probe ran: liveProbe is off for this scan (--no-probe), so the verdict rests on configuration only.';
  }
  if (staticFinding.verdict === 'NOT_APPLICABLE') {
    return 'No live probe ran: the database is out of scope, so there was nothing to prove.';
  }
  if (probeProtocol(resource.engine) === undefined) {
    return `No live probe ran: rds-tls-guard has no live probe for ${resource.engine}; the verdict rests on configuration only.`;
  }
  return 'No live probe ran: this scan had no prober (it read configuration only).';
}

function evidenceRows(evidence: Evidence[]): EvidenceRow[] {
  return evidence.map((item) => [item.source, item.label, item.value]);
}

function findingRecord(finding: Finding, durationMs?: number): FindingRecord {
  return {
    verdict: finding.verdict,
    reason: finding.reason,
    annotation: finding.annotation,
    evidence: evidenceRows(finding.evidence),
    ...(durationMs !== undefined ? { durationMs } : {}),
  };
}

export function databaseRecord(evaluation: ResourceEvaluation, result: ScanResult): DatabaseRecord {
  const { resource, staticFinding, liveFinding, finding } = evaluation;
  const clusterEndpoints = clusterEndpointsText(resource);
  return {
    identifier: resource.identifier,
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    arn: resource.arn ?? 'unknown',
    account: accountIdOf(resource) ?? 'unknown',
    region: resource.region,
    engine: resource.engine,
    engineVersion: resource.engineVersion,
    endpoint: resource.endpoint ? `${resource.endpoint.address}:${resource.endpoint.port}` : 'none',
    ...(clusterEndpoints ? { clusterEndpoints } : {}),
    ...(resource.resourceType === 'AWS::RDS::DBInstance' && resource.clusterIdentifier
      ? { memberOf: resource.clusterIdentifier }
      : {}),
    verdict: finding.verdict,
    reason: finding.reason,
    annotation: finding.annotation,
    remediation: finding.remediation,
    evaluatedAt: evaluation.orderingTimestamp.toISOString(),
    configuration: findingRecord(staticFinding),
    ...(liveFinding
      ? { live: findingRecord(liveFinding, liveFinding.durationMs) }
      : { noLiveProbe: whyNoLiveProbe(evaluation, result) }),
    problems: problemsFor(resource, result.problems).map((problem) => [
      problem.code,
      problem.message,
    ]),
  };
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<` is
 * escaped so no value can close the element, and the two line separators
 * that older parsers treat as line ends are escaped too.
 */
export function embeddableJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

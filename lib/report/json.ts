/**
 * The JSON report (schema in json-schema.ts). Objects are built key by key in
 * the schema's order so that two scans of the same estate diff line by line.
 */
import type {
  DatabaseResource,
  Evidence,
  ResourceEvaluation,
  ScanProblem,
  ScanResult,
} from '../types.js';
import type { DatabaseReport, JsonReport } from './json-schema.js';
import { accountIdOf, problemsFor, sortedEvaluations } from './model.js';
import { summarize } from './summary.js';

export function buildJsonReport(result: ScanResult): JsonReport {
  const summary = summarize(result);
  const { ruleParameters } = result;
  return {
    schemaVersion: 1,
    tool: 'rds-tls-guard',
    scan: {
      startedAt: result.startedAt.toISOString(),
      finishedAt: result.finishedAt.toISOString(),
      durationMs: Math.max(0, result.finishedAt.getTime() - result.startedAt.getTime()),
      regions: [...result.regions],
      ruleParameters: {
        minTlsVersion: ruleParameters.minTlsVersion,
        caExpiryDays: ruleParameters.caExpiryDays,
        requireLiveProbe: ruleParameters.requireLiveProbe,
        liveProbe: ruleParameters.liveProbe,
        secretTagKey: ruleParameters.secretTagKey,
        secretArns: sortedRecord(ruleParameters.secretArns),
        // Shown only when on: it is the one setting that sends a password scramble unencrypted.
        ...(ruleParameters.mysqlPlaintextLogin === true ? { mysqlPlaintextLogin: true } : {}),
      },
      snapshot: result.snapshot
        ? {
            folder: result.snapshot.folder,
            capturedAt: result.snapshot.capturedAt?.toISOString() ?? null,
            oldestFileAt: result.snapshot.oldestFileAt?.toISOString() ?? null,
            newestFileAt: result.snapshot.newestFileAt?.toISOString() ?? null,
            filesRead: [...result.snapshot.filesRead],
            ignoredFiles: [...result.snapshot.ignoredFiles],
            ignoredFileCount: result.snapshot.ignoredFileCount,
          }
        : null,
    },
    summary: {
      total: summary.total,
      databases: summary.databases,
      clusterMembers: summary.clusterMembers,
      verdicts: {
        COMPLIANT: summary.verdicts.COMPLIANT,
        NON_COMPLIANT: summary.verdicts.NON_COMPLIANT,
        NOT_APPLICABLE: summary.verdicts.NOT_APPLICABLE,
        INSUFFICIENT_DATA: summary.verdicts.INSUFFICIENT_DATA,
      },
      probed: summary.probed,
      problems: summary.problems,
    },
    databases: sortedEvaluations(result).map((evaluation) =>
      databaseReport(evaluation, result.problems),
    ),
    problems: result.problems.map(problemReport),
  };
}

/** The JSON report as text: two-space indent, trailing newline. */
export function renderJson(result: ScanResult): string {
  return `${JSON.stringify(buildJsonReport(result), null, 2)}\n`;
}

function databaseReport(evaluation: ResourceEvaluation, problems: ScanProblem[]): DatabaseReport {
  const { resource, staticFinding, liveFinding, finding } = evaluation;
  return {
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    arn: resource.arn ?? null,
    identifier: resource.identifier,
    region: resource.region,
    accountId: accountIdOf(resource) ?? null,
    engine: resource.engine,
    engineVersion: resource.engineVersion,
    endpoint: resource.endpoint
      ? { address: resource.endpoint.address, port: resource.endpoint.port }
      : null,
    cluster: clusterReport(resource),
    memberOf:
      resource.resourceType === 'AWS::RDS::DBInstance'
        ? (resource.clusterIdentifier ?? null)
        : null,
    verdict: finding.verdict,
    reason: finding.reason,
    annotation: finding.annotation,
    remediation: finding.remediation,
    evaluatedAt: evaluation.orderingTimestamp.toISOString(),
    static: {
      verdict: staticFinding.verdict,
      reason: staticFinding.reason,
      annotation: staticFinding.annotation,
      evidence: staticFinding.evidence.map(evidenceReport),
    },
    live: liveFinding
      ? {
          verdict: liveFinding.verdict,
          reason: liveFinding.reason,
          annotation: liveFinding.annotation,
          durationMs: liveFinding.durationMs,
          evidence: liveFinding.evidence.map(evidenceReport),
        }
      : null,
    problems: problemsFor(resource, problems).map(problemReport),
  };
}

function clusterReport(resource: DatabaseResource): DatabaseReport['cluster'] {
  if (resource.resourceType !== 'AWS::RDS::DBCluster') return null;
  const endpoints = resource.clusterEndpoints;
  return {
    readerEndpoint: endpoints?.reader ?? null,
    customEndpoints:
      endpoints === undefined || endpoints.customUnread
        ? null
        : endpoints.custom.map((endpoint) => ({
            name: endpoint.name,
            address: endpoint.address,
            type: endpoint.type ?? null,
            status: endpoint.status ?? null,
          })),
    members: (resource.clusterMembers ?? []).map((member) => ({
      identifier: member.identifier,
      writer: member.writer,
    })),
  };
}

function evidenceReport(evidence: Evidence): Evidence {
  return { source: evidence.source, label: evidence.label, value: evidence.value };
}

function problemReport(problem: ScanProblem): ScanProblem {
  return { scope: problem.scope, code: problem.code, message: problem.message };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * Logging and metrics shared by every Lambda entry point: Powertools Logger
 * (JSON, service `rds-tls-guard`, credentials redacted) and Metrics (EMF,
 * namespace `RdsTlsGuard`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type {
  LogAttributes,
  LogItemExtraInput,
  LogItemMessage,
} from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Log } from '../log.js';
import type { ScanResult, Verdict } from '../types.js';
import type { ConfigRuleOutcome } from '../use-cases/config-rule.js';
import { redactingReplacer } from './redaction.js';

export { isSensitiveKey, REDACTED, redact, redactingReplacer, redactText } from './redaction.js';

export const SERVICE_NAME = 'rds-tls-guard';
export const METRICS_NAMESPACE = 'RdsTlsGuard';

export const METRIC_NAMES = {
  databasesScanned: 'DatabasesScanned',
  nonCompliant: 'NonCompliant',
  probeFailures: 'ProbeFailures',
  evaluationsFailed: 'EvaluationsFailed',
  eventsRejected: 'EventsRejected',
  /** Databases by verdict; dimensions Account, Region, Verdict (the dashboard's counts). */
  evaluations: 'Evaluations',
  /** Live probes by their outcome code; dimension Outcome (e.g. PLAINTEXT_REFUSED). */
  probeOutcomes: 'ProbeOutcomes',
  /** Findings or reports a sink did not take; dimension Sink (SecurityHub, ReportArchive). */
  sinkFailures: 'SinkFailures',
  /** Databases handed to the probe workers by a fanned-out run. */
  databasesQueued: 'DatabasesQueued',
  /** Probe batches a worker invocation handed back to SQS (0 when all were done). */
  batchesFailed: 'BatchesFailed',
  /** Databases of Config batches given up on their last delivery, sent to Config as could not be judged. */
  databasesGivenUp: 'DatabasesGivenUp',
  /** Audit invocations answered with a report. */
  auditsAnswered: 'AuditsAnswered',
} as const;

/**
 * Every invocation records at least one of these counts (zero included), so
 * Powertools never flushes an empty set and warns "no metrics to publish".
 */
export function recordCount(
  metrics: Metrics,
  name: (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES],
  count: number,
): void {
  metrics.addMetric(name, MetricUnit.Count, count);
}

export interface LoggerOptions {
  /** Defaults to POWERTOOLS_LOG_LEVEL, then INFO. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Keys printed on every line, e.g. the function's role in the fan-out. */
  persistentKeys?: Record<string, string>;
}

/**
 * Powertools' own keys: an extra field with one of these names is dropped with
 * a warning, so a problem's `message` would never reach the log.
 */
const POWERTOOLS_KEYS: ReadonlyMap<string, string> = new Map([
  ['message', 'detail'],
  ['level', 'level_field'],
  ['sampling_rate', 'sampling_rate_field'],
  ['service', 'service_field'],
  ['timestamp', 'timestamp_field'],
]);

function keepOwnKeys(extra: LogItemExtraInput): LogItemExtraInput {
  const first = extra[0];
  if (typeof first === 'string' || first instanceof Error) return extra;
  return (extra as LogAttributes[]).map((item) =>
    Object.keys(item).some((key) => POWERTOOLS_KEYS.has(key))
      ? Object.fromEntries(
          Object.entries(item).map(([key, value]) => [POWERTOOLS_KEYS.get(key) ?? key, value]),
        )
      : item,
  );
}

/** Renames fields that Powertools would drop, so every field a caller logs is written. */
class FieldKeepingLogger extends Logger {
  override debug(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    super.debug(input, ...keepOwnKeys(extra));
  }
  override info(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    super.info(input, ...keepOwnKeys(extra));
  }
  override warn(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    super.warn(input, ...keepOwnKeys(extra));
  }
  override error(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    super.error(input, ...keepOwnKeys(extra));
  }
}

/**
 * A JSON logger that blanks credentials before a line is written and keeps
 * fields named like Powertools' own keys (`message` is written as `detail`).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return new FieldKeepingLogger({
    serviceName: SERVICE_NAME,
    jsonReplacerFn: redactingReplacer,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.persistentKeys ? { persistentKeys: options.persistentKeys } : {}),
  });
}

export function createMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
}

export interface ScanMetricValues {
  databasesScanned: number;
  nonCompliant: number;
  /** Live probes that ran but could not reach a conclusion (unreachable, no credentials, …). */
  probeFailures: number;
}

/** The numbers a scan contributes to the dashboard; pure, so tests can pin them. */
export function scanMetricValues(result: ScanResult): ScanMetricValues {
  let nonCompliant = 0;
  let probeFailures = 0;
  for (const evaluation of result.evaluations) {
    if (evaluation.finding.verdict === 'NON_COMPLIANT') nonCompliant += 1;
    if (evaluation.liveFinding?.verdict === 'INSUFFICIENT_DATA') probeFailures += 1;
  }
  return { databasesScanned: result.evaluations.length, nonCompliant, probeFailures };
}

export function recordScanMetrics(metrics: Metrics, result: ScanResult): void {
  const values = scanMetricValues(result);
  metrics.addMetric(METRIC_NAMES.databasesScanned, MetricUnit.Count, values.databasesScanned);
  metrics.addMetric(METRIC_NAMES.nonCompliant, MetricUnit.Count, values.nonCompliant);
  metrics.addMetric(METRIC_NAMES.probeFailures, MetricUnit.Count, values.probeFailures);
  recordMetricPoints(metrics, breakdownMetricPoints(result));
}

/** One EMF data point with its own dimensions. */
export interface MetricPoint {
  name: string;
  dimensions: Record<string, string>;
  value: number;
}

/**
 * The dashboard's breakdown of a scan: databases per account, region and
 * verdict, and live probes per outcome. Pure, so tests can pin it.
 */
export function breakdownMetricPoints(result: ScanResult): MetricPoint[] {
  const byPlace = new Map<string, MetricPoint>();
  const byOutcome = new Map<string, MetricPoint>();
  for (const evaluation of result.evaluations) {
    const { resource, finding, liveFinding } = evaluation;
    const account = resource.accountId ?? resource.arn?.split(':')[4] ?? 'unknown';
    const dimensions = { Account: account, Region: resource.region, Verdict: finding.verdict };
    const key = `${account}|${resource.region}|${finding.verdict}`;
    const point = byPlace.get(key) ?? { name: METRIC_NAMES.evaluations, dimensions, value: 0 };
    point.value += 1;
    byPlace.set(key, point);
    if (liveFinding) {
      const outcome = byOutcome.get(liveFinding.reason) ?? {
        name: METRIC_NAMES.probeOutcomes,
        dimensions: { Outcome: liveFinding.reason },
        value: 0,
      };
      outcome.value += 1;
      byOutcome.set(liveFinding.reason, outcome);
    }
  }
  return [...byPlace.values(), ...byOutcome.values()];
}

/** Each point as its own EMF record: one set of dimensions per record. */
export function recordMetricPoints(metrics: Metrics, points: readonly MetricPoint[]): void {
  for (const point of points) {
    const single = metrics.singleMetric();
    single.addDimensions(point.dimensions);
    single.addMetric(point.name, MetricUnit.Count, point.value);
  }
}

/** Findings or reports a sink did not take after its retries. */
export function recordSinkFailure(metrics: Metrics, sink: string, count: number): void {
  recordMetricPoints(metrics, [
    { name: METRIC_NAMES.sinkFailures, dimensions: { Sink: sink }, value: count },
  ]);
}

/** Evaluations Config did not accept after every retry. */
export function recordEvaluationsFailed(metrics: Metrics, count: number): void {
  metrics.addMetric(METRIC_NAMES.evaluationsFailed, MetricUnit.Count, count);
}

/** An event that could not be handled at all (a Config event naming no resource, an invalid audit request, invalid settings). */
export function recordEventRejected(metrics: Metrics): void {
  metrics.addMetric(METRIC_NAMES.eventsRejected, MetricUnit.Count, 1);
}

/** The counts a Config rule invocation leaves; every answered event leaves one, zero included. */
export function recordConfigRuleOutcome(metrics: Metrics, outcome: ConfigRuleOutcome): void {
  if (outcome.status === 'rejected' && !outcome.put) recordEventRejected(metrics);
  if (outcome.status !== 'rejected' && outcome.scan) recordScanMetrics(metrics, outcome.scan);
  if (outcome.put) recordEvaluationsFailed(metrics, outcome.put.failed.length);
  if (outcome.status === 'fanned-out') {
    recordCount(metrics, METRIC_NAMES.databasesQueued, outcome.databases);
  }
}

export interface ScanSummary {
  databases: number;
  verdicts: Record<Verdict, number>;
  probeFailures: number;
  problems: number;
  /** Problem codes only: problem messages name resources, which is fine, but the codes are what alerts key on. */
  problemCodes: string[];
  regions: string[];
  durationMs: number;
}

/** One log line's worth of a scan: counts, never findings or evidence. */
export function summarizeScan(result: ScanResult): ScanSummary {
  const verdicts: Record<Verdict, number> = {
    COMPLIANT: 0,
    NON_COMPLIANT: 0,
    NOT_APPLICABLE: 0,
    INSUFFICIENT_DATA: 0,
  };
  for (const evaluation of result.evaluations) verdicts[evaluation.finding.verdict] += 1;
  return {
    databases: result.evaluations.length,
    verdicts,
    probeFailures: scanMetricValues(result).probeFailures,
    problems: result.problems.length,
    problemCodes: [...new Set(result.problems.map((problem) => problem.code))].sort(),
    regions: result.regions,
    durationMs: result.finishedAt.getTime() - result.startedAt.getTime(),
  };
}

/**
 * The process-wide logger and metrics of a Lambda function. Handlers attach
 * them with Powertools' `injectLambdaContext` / `logMetrics` middlewares.
 */
export const logger: Logger = createLogger();
export const metrics: Metrics = createMetrics();

/** Powertools' Logger as lib/'s one log contract (lib/log.ts). */
export function structuredLog(target: Logger = logger): Required<Log> {
  return {
    debug: (message, fields) => (fields ? target.debug(message, fields) : target.debug(message)),
    info: (message, fields) => (fields ? target.info(message, fields) : target.info(message)),
    warn: (message, fields) => (fields ? target.warn(message, fields) : target.warn(message)),
    error: (message, fields) => (fields ? target.error(message, fields) : target.error(message)),
  };
}

export const log: Required<Log> = structuredLog(logger);

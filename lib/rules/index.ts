/**
 * The static rules: what a database's configuration (parameter groups,
 * option groups, certificate authority) says about TLS enforcement. Pure: data
 * in, one Finding out. One module per engine family; `combine.ts` folds
 * their checks together.
 */
import { clampAnnotation } from '../text.js';
import type { Finding, StaticRuleInput } from '../types.js';
import { evaluateCertificate } from './certificate.js';
import type { CheckResult } from './check.js';
import { combineChecks } from './combine.js';
import { classifyEngine, type EngineFamily, isOtherService } from './engines.js';
import { selectGroup } from './group.js';
import { evaluateMysql } from './mysql.js';
import { evaluateOracle } from './oracle.js';
import { evaluatePostgres } from './postgres.js';
import { networkExposureNote } from './security-groups.js';
import { evaluateSqlServer } from './sqlserver.js';

export { isDeprecatedCa } from './certificate.js';
export type { CheckResult, CheckVerdict } from './check.js';
export { combineChecks } from './combine.js';
export {
  classifyEngine,
  type EngineFamily,
  majorVersion,
  type ProbeProtocol,
  probeProtocol,
} from './engines.js';
export { readsClusterGroup } from './group.js';
export {
  isStaticReason,
  STATIC_REASON_TEXT,
  STATIC_REASONS,
  type StaticReason,
} from './reasons.js';

export function evaluateStatic(input: StaticRuleInput): Finding {
  const { resource } = input;
  const family = classifyEngine(resource.engine);
  const engineLabel = `${resource.engine} ${resource.engineVersion}`;

  if (family === 'db2' || family === 'custom' || isOtherService(resource.engine)) {
    const why =
      family === 'custom'
        ? 'RDS Custom databases are configured on the host, outside parameter groups'
        : 'TLS enforcement for this engine is not assessed by rds-tls-guard';
    return {
      verdict: 'NOT_APPLICABLE',
      reason: 'ENGINE_NOT_ASSESSED',
      annotation: clampAnnotation(`engine ${engineLabel} not assessed: ${why}`),
      remediation: 'Review TLS enforcement for this database by hand.',
      evidence: [{ source: 'rds-api', label: 'engine', value: engineLabel }],
    };
  }

  // Oracle's engine check already judges its listener port; every other engine gets a note.
  const note =
    family === 'oracle' ? undefined : networkExposureNote(resource, input.securityGroups);
  return combineChecks([
    ...evaluateEngine(input, family),
    ...evaluateCertificate(input),
    ...(note ? [note] : []),
  ]);
}

/**
 * Certificate findings alone, for the verdict stage: a live TLS proof says
 * nothing about the CA's lifetime, so these stand whatever the probe finds.
 */
export function certificateFindings(input: StaticRuleInput): Finding[] {
  const checks = evaluateCertificate(input);
  return checks.length > 0 ? [combineChecks(checks)] : [];
}

function evaluateEngine(input: StaticRuleInput, family: EngineFamily): CheckResult[] {
  const minimum = input.ruleParameters.minTlsVersion;
  // An engine this code does not know is not out of scope: it stays visible
  // as INSUFFICIENT_DATA instead of silently dropping out of the dashboard.
  if (family === 'unknown') {
    const engineLabel = `${input.resource.engine} ${input.resource.engineVersion}`;
    return [
      {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'ENGINE_UNKNOWN',
        summary: `engine ${engineLabel} unknown to the rules: TLS enforcement not assessed`,
        remediation:
          'Review TLS enforcement for this database by hand, or add the engine to the rules.',
        evidence: [{ source: 'rds-api', label: 'engine', value: engineLabel }],
      },
    ];
  }
  if (family === 'oracle') return evaluateOracle(input);

  const selection = selectGroup(input, family);
  if ('unreadable' in selection) return [selection.unreadable];
  const { group } = selection;
  switch (family) {
    case 'postgres':
    case 'aurora-postgresql':
      return evaluatePostgres(group, minimum);
    case 'mysql':
    case 'mariadb':
    case 'aurora-mysql':
      return evaluateMysql(group, minimum);
    case 'sqlserver':
      return evaluateSqlServer(group, minimum);
    default:
      return [];
  }
}

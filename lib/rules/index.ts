/**
 * The static rules: what a database's configuration (parameter groups,
 * option groups, certificate authority) says about TLS enforcement. Pure: data
 * in, one Finding out. One module per engine family; `combine.ts` folds
 * their checks together.
 */
import { clampAnnotation, shellWord } from '../text.js';
import type { DatabaseResource, Finding, StaticRuleInput } from '../types.js';
import { evaluateCertificate } from './certificate.js';
import { type CheckResult, passed } from './check.js';
import { combineChecks } from './combine.js';
import { clusterMemberEvidence } from './endpoints.js';
import { classifyEngine, type EngineFamily, isOtherService } from './engines.js';
import { selectGroup } from './group.js';
import { evaluateMysql } from './mysql.js';
import { evaluateOracle } from './oracle.js';
import { evaluatePostgres } from './postgres.js';
import { evaluateFrontingProxies, evaluateProxy } from './proxy.js';
import { networkExposureNote } from './security-groups.js';
import { evaluateSqlServer } from './sqlserver.js';

export { isDeprecatedCa } from './certificate.js';
export type { CheckResult, CheckVerdict } from './check.js';
export { combineChecks } from './combine.js';
export { clusterMemberEvidence, provenEndpointEvidence } from './endpoints.js';
export {
  classifyEngine,
  type EngineFamily,
  majorVersion,
  type ProbeProtocol,
  probeProtocol,
} from './engines.js';
export { readsClusterGroup } from './group.js';
export { evaluateFrontingProxies, evaluateProxy, requireTlsCommand } from './proxy.js';
export {
  isStaticReason,
  STATIC_REASON_TEXT,
  STATIC_REASONS,
  type StaticReason,
} from './reasons.js';

export function evaluateStatic(input: StaticRuleInput): Finding {
  const { resource } = input;
  if (resource.resourceType === 'AWS::RDS::DBProxy') return combineChecks(evaluateProxy(input));
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
      remediation:
        family === 'db2'
          ? db2Remediation(resource)
          : 'Review TLS enforcement for this database by hand.',
      evidence: [{ source: 'rds-api', label: 'engine', value: engineLabel }],
    };
  }

  // Oracle's engine check already judges its listener port; every other engine gets a note.
  const note =
    family === 'oracle' ? undefined : networkExposureNote(resource, input.securityGroups);
  const memberNote = clusterMemberEvidence(resource);
  return combineChecks([
    ...evaluateEngine(input, family),
    ...evaluateCertificate(input),
    ...(note ? [note] : []),
    ...evaluateFrontingProxies(resource),
    ...(memberNote.length > 0 ? [passed('', memberNote)] : []),
  ]);
}

/**
 * RDS for Db2 turns TLS on with DB2COMM and SSL_SVCENAME in the parameter
 * group; DB2COMM=TCPIP,SSL serves plaintext and TLS on two ports, SSL alone
 * only TLS (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Db2.Concepts.SSL.html).
 */
function db2Remediation(resource: DatabaseResource): string {
  const group = resource.parameterGroup?.name;
  const named = group === undefined ? 'its parameter group' : `parameter group ${group}`;
  const command = `aws rds describe-db-parameters --db-parameter-group-name ${shellWord(group ?? '<group>', '<group>')}`;
  return `RDS for Db2 accepts plaintext on its port unless ${named} sets DB2COMM to SSL alone (TCPIP,SSL keeps both): check it with ${command}, and that SSL_SVCENAME names the TLS port.`;
}

/**
 * Findings a live proof of the database's own endpoint cannot speak to, for
 * the verdict stage: the CA's lifetime, and the proxies in front of it (a
 * plaintext door the database's endpoint does not show). These stand
 * whatever the probe finds.
 */
export function certificateFindings(input: StaticRuleInput): Finding[] {
  if (input.resource.resourceType === 'AWS::RDS::DBProxy') return [];
  const checks = [...evaluateCertificate(input), ...evaluateFrontingProxies(input.resource)];
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

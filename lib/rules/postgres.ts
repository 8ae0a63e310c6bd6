/**
 * PostgreSQL and Aurora PostgreSQL: `rds.force_ssl` must be on and
 * `ssl_min_protocol_version` at least the rule's minimum.
 */
import type { TlsVersion } from '../types.js';
import { type CheckResult, passed } from './check.js';
import { enforcementCheck } from './enforcement.js';
import {
  describeValue,
  effectiveValue,
  type GroupContext,
  parameterEvidence,
  parameterMissing,
  readParameter,
  requireInEffect,
} from './group.js';
import { rebootCommand, setParametersRemediation } from './remediation.js';
import { isBelow, parseTlsVersion } from './values.js';

export function evaluatePostgres(group: GroupContext, minTlsVersion: TlsVersion): CheckResult[] {
  return [forceSsl(group), minProtocolVersion(group, minTlsVersion)];
}

function forceSsl(group: GroupContext): CheckResult {
  const name = 'rds.force_ssl';
  const reading = readParameter(group, name);
  const fix = setParametersRemediation(group, [{ name, value: '1' }], 'immediate');
  const effective = effectiveValue(group, reading);
  if (effective === undefined || 'missing' in effective) {
    return parameterMissing(group, name, effective?.missing, fix);
  }
  return enforcementCheck(group, {
    name,
    reading,
    effective,
    described: `${describeValue(group, name, effective)} (${group.engineLabel})`,
    offReason: 'FORCE_SSL_OFF',
    remediation: fix,
    staticParameter: false,
  });
}

function minProtocolVersion(group: GroupContext, minimum: TlsVersion): CheckResult {
  const name = 'ssl_min_protocol_version';
  const reading = readParameter(group, name);
  const fix = setParametersRemediation(group, [{ name, value: minimum }], 'immediate');
  const effective = effectiveValue(group, reading);
  if (effective === undefined || 'missing' in effective) {
    return parameterMissing(group, name, effective?.missing, fix);
  }
  const { value } = effective;
  const described = describeValue(group, name, effective);
  const evidence = [parameterEvidence(group, name, effective)];
  const version = parseTlsVersion(value);

  if (version === undefined) {
    return {
      verdict: 'INSUFFICIENT_DATA',
      reason: 'PARAMETER_VALUE_UNKNOWN',
      summary: `${name}="${value}" in ${group.phrase}: value not understood`,
      remediation: fix,
      evidence,
    };
  }
  if (isBelow(version, minimum)) {
    return {
      verdict: 'NON_COMPLIANT',
      reason: 'TLS_MIN_VERSION_TOO_LOW',
      summary: `${described}: below ${minimum}`,
      remediation: fix,
      evidence,
    };
  }
  return requireInEffect(
    group,
    reading,
    value,
    passed(described, evidence),
    false,
    rebootCommand(group),
  );
}

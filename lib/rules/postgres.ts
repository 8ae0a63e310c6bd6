/**
 * PostgreSQL and Aurora PostgreSQL: `rds.force_ssl` must be on and
 * `ssl_min_protocol_version` at least the rule's minimum.
 */
import type { TlsVersion } from '../types.js';
import { type CheckResult, passed } from './check.js';
import { enforcementCheck } from './enforcement.js';
import { majorVersion } from './engines.js';
import {
  describeValue,
  type GroupContext,
  parameterEvidence,
  readParameter,
  requireInEffect,
} from './group.js';
import { rebootCommand, setParametersRemediation } from './remediation.js';
import { isBelow, parseTlsVersion } from './values.js';

export function evaluatePostgres(group: GroupContext, minTlsVersion: TlsVersion): CheckResult[] {
  return [forceSsl(group), minProtocolVersion(group, minTlsVersion)];
}

interface DefaultValue {
  value: string;
  note: string;
}

/**
 * RDS for PostgreSQL turned `rds.force_ssl` on by default from major 15.
 * Aurora PostgreSQL defaults to off (not verified for the newest majors, so
 * the annotation always says a default was assumed).
 */
function forceSslDefault(group: GroupContext): DefaultValue | undefined {
  if (group.engineFamily === 'aurora-postgresql') {
    return { value: '0', note: ' for Aurora PostgreSQL' };
  }
  const major = majorVersion(group.resource.engineVersion);
  if (major === undefined) return undefined;
  return { value: major >= 15 ? '1' : '0', note: ` for PostgreSQL ${major}` };
}

/**
 * PostgreSQL 13 raised the default minimum protocol to TLSv1.2; 12 (which
 * introduced the parameter) and older accept TLSv1.
 */
function minProtocolDefault(group: GroupContext): DefaultValue | undefined {
  const major = majorVersion(group.resource.engineVersion);
  if (major === undefined) return undefined;
  const label = group.engineFamily === 'aurora-postgresql' ? 'Aurora PostgreSQL' : 'PostgreSQL';
  return { value: major >= 13 ? 'TLSv1.2' : 'TLSv1', note: ` assumed for ${label} ${major}` };
}

function versionUnknown(group: GroupContext, name: string, fix: string): CheckResult {
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'ENGINE_VERSION_UNKNOWN',
    summary: `${name} unset in ${group.phrase} and engine version "${group.resource.engineVersion}" not understood: default unknown`,
    remediation: setParametersRemediation(group, [{ name, value: fix }], 'immediate'),
    evidence: [],
  };
}

function forceSsl(group: GroupContext): CheckResult {
  const name = 'rds.force_ssl';
  const reading = readParameter(group, name);
  const fallback = reading.value === undefined ? forceSslDefault(group) : undefined;
  const value = reading.value ?? fallback?.value;
  if (value === undefined) return versionUnknown(group, name, '1');

  const described = `${describeValue(group, name, value, reading.defaulted, fallback?.note)} (${group.engineLabel})`;
  const fix = setParametersRemediation(group, [{ name, value: '1' }], 'immediate');
  return enforcementCheck(group, {
    name,
    reading,
    value,
    described,
    offReason: 'FORCE_SSL_OFF',
    remediation: fix,
    staticParameter: false,
  });
}

function minProtocolVersion(group: GroupContext, minimum: TlsVersion): CheckResult {
  const name = 'ssl_min_protocol_version';
  const reading = readParameter(group, name);
  const fallback = reading.value === undefined ? minProtocolDefault(group) : undefined;
  const value = reading.value ?? fallback?.value;
  if (value === undefined) return versionUnknown(group, name, minimum);

  const described = describeValue(group, name, value, reading.defaulted, fallback?.note);
  const evidence = [parameterEvidence(group, name, value, reading.defaulted)];
  const fix = setParametersRemediation(group, [{ name, value: minimum }], 'immediate');
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

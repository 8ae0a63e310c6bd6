/**
 * PostgreSQL and Aurora PostgreSQL: `rds.force_ssl` must be on and
 * `ssl_min_protocol_version` at least the rule's minimum.
 */
import type { TlsVersion } from '../types.js';
import type { CheckResult } from './check.js';
import { enforcementCheck, forceSslSwitch } from './enforcement.js';
import {
  type GroupContext,
  parameterInEffect,
  requireInEffect,
  valueNotUnderstood,
} from './group.js';
import { setParametersRemediation } from './remediation.js';
import { isBelow, parseTlsVersion } from './values.js';

export function evaluatePostgres(group: GroupContext, minTlsVersion: TlsVersion): CheckResult[] {
  return [enforcementCheck(group, forceSslSwitch(false)), minProtocolVersion(group, minTlsVersion)];
}

function minProtocolVersion(group: GroupContext, minimum: TlsVersion): CheckResult {
  const name = 'ssl_min_protocol_version';
  const fix = setParametersRemediation(group, [{ name, value: minimum }], 'immediate');
  const read = parameterInEffect(group, name, fix);
  if ('missing' in read) return read.missing;
  const { reading, value, described, evidence } = read;
  const version = parseTlsVersion(value);

  if (version === undefined) {
    return valueNotUnderstood(group, name, value, fix, evidence);
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
  return requireInEffect(group, reading, value, described, evidence);
}

/**
 * MySQL, MariaDB and Aurora MySQL: `require_secure_transport` must be on and
 * `tls_version` must not list a version below the rule's minimum.
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
import { isBelow, parseTlsVersionList, TLS_VERSIONS } from './values.js';

export function evaluateMysql(group: GroupContext, minTlsVersion: TlsVersion): CheckResult[] {
  return [requireSecureTransport(group), tlsVersion(group, minTlsVersion)];
}

/** RDS documents `1` for RDS MySQL/MariaDB and `ON` for Aurora MySQL. */
function onValue(group: GroupContext): string {
  return group.engineFamily === 'aurora-mysql' ? 'ON' : '1';
}

function requireSecureTransport(group: GroupContext): CheckResult {
  const name = 'require_secure_transport';
  const reading = readParameter(group, name);
  const fix = setParametersRemediation(group, [{ name, value: onValue(group) }], 'immediate');
  const effective = effectiveValue(group, reading);
  if (effective === undefined || 'missing' in effective) {
    return parameterMissing(group, name, effective?.missing, fix);
  }
  return enforcementCheck(group, {
    name,
    reading,
    effective,
    described: `${describeValue(group, name, effective)} (${group.engineLabel})`,
    offReason: 'REQUIRE_SECURE_TRANSPORT_OFF',
    remediation: fix,
    staticParameter: false,
  });
}

function tlsVersion(group: GroupContext, minimum: TlsVersion): CheckResult {
  const name = 'tls_version';
  const reading = readParameter(group, name);
  const allowed = TLS_VERSIONS.filter((version) => !isBelow(version, minimum)).join(',');
  // tls_version is static on some engine versions: changing it may need a reboot.
  const fix = setParametersRemediation(group, [{ name, value: allowed }], 'pending-reboot');

  if (reading.value === undefined) {
    // The engine default differs by engine and version and is not known here.
    // With the usual TLSv1.2 minimum the rules do not fail on it (the live
    // probe reads @@tls_version); no default allows only TLSv1.3, so a
    // TLSv1.3 minimum cannot be met by an unset parameter.
    const evidence = [
      parameterEvidence(group, name, {
        value: 'engine default',
        origin: 'built-in',
        basis: 'differs by engine version; not checked statically',
      }),
    ];
    if (minimum === 'TLSv1.3') {
      return {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'PARAMETER_VALUE_UNKNOWN',
        summary: `${name} unset in ${group.phrase}: engine default may allow below ${minimum}`,
        remediation: fix,
        evidence,
      };
    }
    return passed(`${name} unset in ${group.phrase} → engine default (not checked)`, evidence);
  }

  const value = reading.value;
  const effective = {
    value,
    origin:
      reading.origin === 'engine-default'
        ? ('engine-default' as const)
        : ('parameter-group' as const),
  };
  const described = describeValue(group, name, effective);
  const evidence = [parameterEvidence(group, name, effective)];
  const list = parseTlsVersionList(value);
  const legacy = list.versions.filter((version) => isBelow(version, minimum));

  if (legacy.length > 0) {
    return {
      verdict: 'NON_COMPLIANT',
      reason: 'TLS_VERSION_ALLOWS_LEGACY',
      summary: `${described}: allows ${legacy.join(', ')} (minimum ${minimum})`,
      remediation: fix,
      evidence,
    };
  }
  if (list.unknown.length > 0) {
    return {
      verdict: 'INSUFFICIENT_DATA',
      reason: 'PARAMETER_VALUE_UNKNOWN',
      summary: `${name}="${value}" in ${group.phrase}: ${list.unknown.join(', ')} not understood`,
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

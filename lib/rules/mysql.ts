/**
 * MySQL, MariaDB and Aurora MySQL: `require_secure_transport` must be on and
 * `tls_version` must not list a version below the rule's minimum.
 */
import type { TlsVersion } from '../types.js';
import { allowedVersionsCheck } from './allowed-versions.js';
import { type CheckResult, passed } from './check.js';
import { enforcementCheck } from './enforcement.js';
import { builtInDefault, legacyTlsOnSomeMinors } from './engine-defaults.js';
import {
  describeValue,
  type GroupContext,
  parameterEvidence,
  readParameter,
  requireInEffect,
} from './group.js';
import { setParametersRemediation } from './remediation.js';
import { isBelow, parseTlsVersionList, TLS_VERSIONS } from './values.js';

export function evaluateMysql(group: GroupContext, minTlsVersion: TlsVersion): CheckResult[] {
  return [requireSecureTransport(group), tlsVersion(group, minTlsVersion)];
}

/** RDS documents `1` for RDS MySQL/MariaDB and `ON` for Aurora MySQL. */
function onValue(group: GroupContext): string {
  return group.engineFamily === 'aurora-mysql' ? 'ON' : '1';
}

function requireSecureTransport(group: GroupContext): CheckResult {
  return enforcementCheck(group, {
    name: 'require_secure_transport',
    onValue: onValue(group),
    offReason: 'REQUIRE_SECURE_TRANSPORT_OFF',
    staticParameter: false,
  });
}

function tlsVersion(group: GroupContext, minimum: TlsVersion): CheckResult {
  const name = 'tls_version';
  const reading = readParameter(group, name);
  const allowed = TLS_VERSIONS.filter((version) => !isBelow(version, minimum)).join(',');
  // tls_version is static on some engine versions: changing it may need a reboot.
  const fix = setParametersRemediation(group, [{ name, value: allowed }], 'pending-reboot');

  const documented =
    reading.value === undefined
      ? builtInDefault(group.engineFamily, name, group.resource.engineVersion)
      : undefined;
  if (documented?.value) {
    // A version whose default RDS documents: judged like a value the group sets.
    const effective = {
      value: documented.value,
      origin: 'built-in' as const,
      basis: documented.basis,
    };
    const evidence = [parameterEvidence(group, name, effective)];
    const described = describeValue(group, name, effective);
    return (
      allowedVersionsCheck(
        parseTlsVersionList(documented.value),
        minimum,
        { described, unreadable: described },
        fix,
        evidence,
      ) ?? passed(described, evidence)
    );
  }
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
    const legacySource =
      minimum === 'TLSv1'
        ? undefined
        : legacyTlsOnSomeMinors(group.engineFamily, group.resource.engineVersion);
    if (legacySource !== undefined) {
      return {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'PARAMETER_VALUE_UNKNOWN',
        summary: `${name} unset in ${group.phrase}: the engine default allows TLS below ${minimum} on some minor versions of ${group.engineLabel}`,
        remediation: fix,
        evidence: [
          parameterEvidence(group, name, {
            value: 'engine default',
            origin: 'built-in',
            basis: legacySource,
          }),
        ],
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
  const failed = allowedVersionsCheck(
    parseTlsVersionList(value),
    minimum,
    { described, unreadable: `${name}="${value}" in ${group.phrase}` },
    fix,
    evidence,
  );
  if (failed) return failed;
  return requireInEffect(group, reading, value, described, evidence);
}

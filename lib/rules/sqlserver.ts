/**
 * SQL Server: `rds.force_ssl` must be 1 and the `rds.tlsNN` switches for
 * versions below the rule's minimum must be `disabled`. All of these are
 * static parameters: a change is not in effect until the instance reboots.
 */
import type { TlsVersion } from '../types.js';
import { type CheckResult, passed } from './check.js';
import { enforcementCheck } from './enforcement.js';
import {
  describeValue,
  type EffectiveValue,
  effectiveValue,
  type GroupContext,
  parameterEvidence,
  parameterMissing,
  readParameter,
  requireInEffect,
} from './group.js';
import { rebootCommand, setParametersRemediation } from './remediation.js';
import { isBelow, parseSwitch } from './values.js';

const PROTOCOL_SWITCHES: ReadonlyArray<{ name: string; version: TlsVersion }> = [
  { name: 'rds.tls10', version: 'TLSv1' },
  { name: 'rds.tls11', version: 'TLSv1.1' },
  { name: 'rds.tls12', version: 'TLSv1.2' },
];

export function evaluateSqlServer(group: GroupContext, minTlsVersion: TlsVersion): CheckResult[] {
  const checks = [forceSsl(group)];
  for (const protocol of PROTOCOL_SWITCHES) {
    if (isBelow(protocol.version, minTlsVersion)) checks.push(protocolSwitch(group, protocol));
  }
  return checks;
}

function forceSsl(group: GroupContext): CheckResult {
  const name = 'rds.force_ssl';
  const reading = readParameter(group, name);
  const fix = setParametersRemediation(group, [{ name, value: '1' }], 'pending-reboot');
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
    staticParameter: true,
  });
}

/** `default` leaves the choice to Windows, which keeps the old protocols on: counted as allowed. */
function protocolSwitch(
  group: GroupContext,
  protocol: { name: string; version: TlsVersion },
): CheckResult {
  const { name } = protocol;
  const reading = readParameter(group, name);
  const effective: EffectiveValue =
    reading.value === undefined
      ? { value: 'default', origin: 'built-in', basis: 'RDS leaves the choice to Windows' }
      : {
          value: reading.value,
          origin: reading.origin === 'engine-default' ? 'engine-default' : 'parameter-group',
        };
  const { value } = effective;
  const described =
    reading.value === undefined
      ? `${name} unset in ${group.phrase} → 'default' (left to Windows)`
      : describeValue(group, name, effective);
  const evidence = [parameterEvidence(group, name, effective)];
  const fix = setParametersRemediation(group, [{ name, value: 'disabled' }], 'pending-reboot');
  const normalized = value.toLowerCase();

  if (normalized === 'disabled' || parseSwitch(value) === 'off') {
    return requireInEffect(
      group,
      reading,
      value,
      passed(described, evidence),
      true,
      rebootCommand(group),
    );
  }
  if (normalized === 'enabled' || normalized === 'default' || parseSwitch(value) === 'on') {
    return {
      verdict: 'NON_COMPLIANT',
      reason: 'TLS_VERSION_ALLOWS_LEGACY',
      summary: `${described}: ${protocol.version} allowed`,
      remediation: fix,
      evidence,
    };
  }
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'PARAMETER_VALUE_UNKNOWN',
    summary: `${name}="${value}" in ${group.phrase}: value not understood`,
    remediation: fix,
    evidence,
  };
}

/**
 * SQL Server: `rds.force_ssl` must be 1 and the `rds.tlsNN` switches for
 * versions below the rule's minimum must be `disabled`. All of these are
 * static parameters: a change is not in effect until the instance reboots.
 */
import type { TlsVersion } from '../types.js';
import type { CheckResult } from './check.js';
import { enforcementCheck, forceSslSwitch } from './enforcement.js';
import {
  describeValue,
  type EffectiveValue,
  type GroupContext,
  parameterEvidence,
  readParameter,
  requireInEffect,
  valueNotUnderstood,
} from './group.js';
import { setParametersRemediation } from './remediation.js';
import { isBelow, parseSwitch } from './values.js';

const PROTOCOL_SWITCHES: ReadonlyArray<{ name: string; version: TlsVersion }> = [
  { name: 'rds.tls10', version: 'TLSv1' },
  { name: 'rds.tls11', version: 'TLSv1.1' },
  { name: 'rds.tls12', version: 'TLSv1.2' },
];

export function evaluateSqlServer(group: GroupContext, minTlsVersion: TlsVersion): CheckResult[] {
  const checks = [enforcementCheck(group, forceSslSwitch(true))];
  for (const protocol of PROTOCOL_SWITCHES) {
    if (isBelow(protocol.version, minTlsVersion)) checks.push(protocolSwitch(group, protocol));
  }
  return checks;
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
    return requireInEffect(group, reading, value, described, evidence, true);
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
  return valueNotUnderstood(group, name, value, fix, evidence);
}

/**
 * The on/off switch every engine family has for "TLS only" (rds.force_ssl,
 * require_secure_transport): on is compliant once in effect, off is not, and
 * anything else is a value the rules do not understand.
 */
import type { CheckResult } from './check.js';
import { type GroupContext, parameterInEffect, requireInEffect } from './group.js';
import type { StaticReason } from './reasons.js';
import { setParametersRemediation } from './remediation.js';
import { parseSwitch } from './values.js';

/** The switch of one engine family, as its rule names it. */
export interface EnforcementSwitch {
  name: string;
  /** The value RDS documents for on: `1`, or `ON` on Aurora MySQL. */
  onValue: string;
  offReason: Extract<StaticReason, 'FORCE_SSL_OFF' | 'REQUIRE_SECURE_TRANSPORT_OFF'>;
  /** Static parameters need a reboot to take effect even when RDS does not say so. */
  staticParameter: boolean;
}

/** `rds.force_ssl` (PostgreSQL, SQL Server): `1` requires TLS; static on SQL Server. */
export function forceSslSwitch(staticParameter: boolean): EnforcementSwitch {
  return { name: 'rds.force_ssl', onValue: '1', offReason: 'FORCE_SSL_OFF', staticParameter };
}

/** Reads the switch from the group and judges it; a switch the group cannot show is missing. */
export function enforcementCheck(group: GroupContext, setting: EnforcementSwitch): CheckResult {
  const { name } = setting;
  const remediation = setParametersRemediation(
    group,
    [{ name, value: setting.onValue }],
    setting.staticParameter ? 'pending-reboot' : 'immediate',
  );
  const read = parameterInEffect(group, name, remediation);
  if ('missing' in read) return read.missing;
  const { reading, value, evidence } = read;
  const described = `${read.described} (${group.engineLabel})`;
  switch (parseSwitch(value)) {
    case 'on':
      return requireInEffect(
        group,
        reading,
        value,
        `${described}: TLS required`,
        evidence,
        setting.staticParameter,
      );
    case 'off':
      return {
        verdict: 'NON_COMPLIANT',
        reason: setting.offReason,
        summary: `${described}: plaintext connections allowed`,
        remediation,
        evidence,
      };
    default:
      return {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'PARAMETER_VALUE_UNKNOWN',
        summary: `${name}="${value}" in ${group.phrase} (${group.engineLabel}): value not understood`,
        remediation,
        evidence,
      };
  }
}

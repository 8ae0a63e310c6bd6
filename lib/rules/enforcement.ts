/**
 * The on/off switch every engine family has for "TLS only" (rds.force_ssl,
 * require_secure_transport): on is compliant once in effect, off is not, and
 * anything else is a value the rules do not understand.
 */
import { type CheckResult, passed } from './check.js';
import {
  type EffectiveValue,
  type GroupContext,
  type ParameterReading,
  parameterEvidence,
  requireInEffect,
} from './group.js';
import type { StaticReason } from './reasons.js';
import { rebootCommand } from './remediation.js';
import { parseSwitch } from './values.js';

export interface EnforcementSwitch {
  name: string;
  reading: ParameterReading;
  /** The group's value, or the default that stands in for it, with where it came from. */
  effective: EffectiveValue;
  /** How the value is shown in the annotation, engine label included. */
  described: string;
  offReason: Extract<StaticReason, 'FORCE_SSL_OFF' | 'REQUIRE_SECURE_TRANSPORT_OFF'>;
  remediation: string;
  /** Static parameters need a reboot to take effect even when RDS does not say so. */
  staticParameter: boolean;
}

export function enforcementCheck(group: GroupContext, setting: EnforcementSwitch): CheckResult {
  const { name, reading, effective, described, remediation } = setting;
  const { value } = effective;
  const evidence = [parameterEvidence(group, name, effective)];
  switch (parseSwitch(value)) {
    case 'on':
      return requireInEffect(
        group,
        reading,
        value,
        passed(`${described}: TLS required`, evidence),
        setting.staticParameter,
        rebootCommand(group),
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

/**
 * A list of TLS versions a server allows (MySQL's `tls_version`, Oracle's
 * `SQLNET.SSL_VERSION`) judged against the rule's minimum: a version below
 * it fails, a token that is not understood leaves the verdict open.
 */
import type { Evidence, TlsVersion } from '../types.js';
import type { CheckResult } from './check.js';
import { isBelow, type VersionList } from './values.js';

export interface AllowedVersionsText {
  /** How the setting is shown when it allows a version below the minimum. */
  described: string;
  /** How it is shown when a token is not understood. */
  unreadable: string;
}

/** The failing or undecided check, or undefined when every version is at or above the minimum. */
export function allowedVersionsCheck(
  list: VersionList,
  minimum: TlsVersion,
  text: AllowedVersionsText,
  remediation: string,
  evidence: Evidence[],
): CheckResult | undefined {
  const legacy = list.versions.filter((version) => isBelow(version, minimum));
  if (legacy.length > 0) {
    return {
      verdict: 'NON_COMPLIANT',
      reason: 'TLS_VERSION_ALLOWS_LEGACY',
      summary: `${text.described}: allows ${legacy.join(', ')} (minimum ${minimum})`,
      remediation,
      evidence,
    };
  }
  if (list.unknown.length > 0) {
    return {
      verdict: 'INSUFFICIENT_DATA',
      reason: 'PARAMETER_VALUE_UNKNOWN',
      summary: `${text.unreadable}: ${list.unknown.join(', ')} not understood`,
      remediation,
      evidence,
    };
  }
  return undefined;
}

/**
 * The certificate authority behind the server certificate: a retired CA, or a
 * CA or server certificate close to expiry, breaks verify-full clients and
 * is a finding whatever the engine. Missing certificate information is not.
 */
import type { Evidence, StaticRuleInput } from '../types.js';
import type { CheckResult } from './check.js';
import { caRemediation, rotationRemediation } from './remediation.js';

/** CAs AWS has retired: `rds-ca-2019` expired in August 2024, the older ones before it. */
const DEPRECATED_CA = /^rds-ca-(2010|2012|2015|2019)\b/i;

const DAY_MS = 24 * 60 * 60 * 1000;

export function isDeprecatedCa(identifier: string): boolean {
  return DEPRECATED_CA.test(identifier.trim());
}

export function evaluateCertificate(input: StaticRuleInput): CheckResult[] {
  const { resource, certificateAuthority, now } = input;
  const identifier = resource.caCertificateIdentifier ?? certificateAuthority?.identifier;
  const pendingCa = resource.pendingModifiedValues?.caCertificateIdentifier;
  const remediation = caRemediation(
    resource,
    pendingCa !== undefined && !isDeprecatedCa(pendingCa) ? pendingCa : undefined,
  );
  const evidence: Evidence[] = [];
  const checks: CheckResult[] = [];
  if (identifier !== undefined) {
    evidence.push({ source: 'rds-api', label: 'CA certificate identifier', value: identifier });
  }
  if (pendingCa !== undefined) {
    evidence.push({
      source: 'rds-api',
      label: 'pending CA change (PendingModifiedValues)',
      value: pendingCa,
    });
  }

  const deadlines: Array<{ what: string; validTill: Date; source: Evidence['source'] }> = [];
  const caValidTill = certificateAuthority?.validTill;
  if (isValidDate(caValidTill)) {
    deadlines.push({
      what: `CA ${certificateAuthority?.identifier ?? identifier ?? ''}`.trim(),
      validTill: caValidTill,
      source: 'certificate',
    });
  }
  if (isValidDate(resource.certificateValidTill)) {
    deadlines.push({
      what: 'server certificate',
      validTill: resource.certificateValidTill,
      source: 'rds-api',
    });
  }
  for (const deadline of deadlines) {
    evidence.push({
      source: deadline.source,
      label: `${deadline.what} valid till`,
      value: deadline.validTill.toISOString(),
    });
  }

  const caCurrent =
    identifier !== undefined &&
    !isDeprecatedCa(identifier) &&
    !(isValidDate(caValidTill) && caValidTill.getTime() - now.getTime() <= windowMs(input));
  for (const { what, validTill, source } of deadlines) {
    const remainingMs = validTill.getTime() - now.getTime();
    const day = validTill.toISOString().slice(0, 10);
    // The server certificate alone runs out under a CA that is still good:
    // rotate the certificate, do not switch to the CA it already uses.
    const fix =
      source === 'rds-api' && caCurrent && identifier !== undefined && pendingCa === undefined
        ? rotationRemediation(resource, identifier)
        : remediation;
    if (remainingMs <= 0) {
      checks.push({
        verdict: 'NON_COMPLIANT',
        reason: 'CA_EXPIRED',
        summary: `${what} expired ${day}`,
        remediation: fix,
        evidence,
      });
    } else if (remainingMs <= windowMs(input)) {
      const days = Math.ceil(remainingMs / DAY_MS);
      checks.push({
        verdict: 'NON_COMPLIANT',
        reason: 'CA_EXPIRING',
        summary: `${what} expires ${day} (in ${days} day${days === 1 ? '' : 's'}, limit ${input.ruleParameters.caExpiryDays})`,
        remediation: fix,
        evidence,
      });
    }
  }

  if (identifier !== undefined && isDeprecatedCa(identifier)) {
    checks.push({
      verdict: 'NON_COMPLIANT',
      reason: 'CA_DEPRECATED',
      summary: `CA ${identifier} is deprecated`,
      remediation,
      evidence,
    });
  }

  if (checks.length === 0 && evidence.length > 0) {
    checks.push({
      verdict: 'COMPLIANT',
      reason: 'TLS_ENFORCED',
      summary: '',
      remediation: '',
      evidence,
    });
  }
  return checks;
}

function windowMs(input: StaticRuleInput): number {
  return input.ruleParameters.caExpiryDays * DAY_MS;
}

function isValidDate(value: Date | undefined): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

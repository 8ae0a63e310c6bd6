/** The last guard before a finding leaves the probe: every secret replaced by a marker. */
import { clampAnnotation, MAX_FINDING_TEXT } from '../text.js';
import type { Finding } from '../types.js';

/** Replaces every occurrence of each secret with a marker; the last guard before text leaves the probe. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    clean = clean.split(secret).join('[redacted]');
  }
  return clean;
}

export function scrubFinding<T extends Finding>(finding: T, secrets: readonly string[]): T {
  return {
    ...finding,
    reason: scrubText(finding.reason, secrets),
    annotation: clampAnnotation(scrubText(finding.annotation, secrets), MAX_FINDING_TEXT),
    remediation: scrubText(finding.remediation, secrets),
    evidence: finding.evidence.map((item) => ({
      ...item,
      label: scrubText(item.label, secrets),
      value: scrubText(item.value, secrets),
    })),
  };
}

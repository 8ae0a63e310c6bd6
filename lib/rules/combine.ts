/**
 * Folds a database's checks into one Finding: the worst verdict wins
 * (NON_COMPLIANT > INSUFFICIENT_DATA > COMPLIANT), the first check with that
 * verdict is the primary one and gives the reason, and the annotation leads
 * with it and counts the rest.
 */
import type { Evidence, Finding } from '../types.js';
import type { CheckResult, CheckVerdict } from './check.js';

const SEVERITY: Record<CheckVerdict, number> = {
  COMPLIANT: 0,
  INSUFFICIENT_DATA: 1,
  NON_COMPLIANT: 2,
};

export function combineChecks(checks: readonly CheckResult[]): Finding {
  const evidence = uniqueEvidence(checks.flatMap((check) => check.evidence));
  const failing = checks
    .filter((check) => check.verdict !== 'COMPLIANT')
    .sort((a, b) => SEVERITY[b.verdict] - SEVERITY[a.verdict]);
  const primary = failing[0];

  if (!primary) {
    const summaries = checks.map((check) => check.summary).filter((summary) => summary !== '');
    // A check that passes on its own terms (native encryption accepted) names the reason.
    const reason =
      checks.find((check) => check.reason !== 'TLS_ENFORCED')?.reason ?? 'TLS_ENFORCED';
    return {
      verdict: 'COMPLIANT',
      reason,
      annotation: summaries.join('; ') || 'TLS enforced',
      remediation: unique(checks.map((check) => check.remediation)).join('\n'),
      evidence,
    };
  }

  const others = failing.slice(1);
  return {
    verdict: primary.verdict,
    reason: primary.reason,
    annotation: failureAnnotation(primary, others),
    remediation: unique(failing.map((check) => check.remediation)).join('\n'),
    evidence,
  };
}

/**
 * `primary; +N more: summary; summary`, naming each of the N other failing
 * checks (its summary, or its reason code when it has none). The full text
 * goes into findings; only the Config sink cuts it to 256 characters.
 */
function failureAnnotation(primary: CheckResult, others: readonly CheckResult[]): string {
  const lead = oneLine(primary.summary) || primary.reason;
  if (others.length === 0) return lead;
  const items = others.map((check) => oneLine(check.summary) || check.reason);
  return `${lead}; +${others.length} more: ${items.join('; ')}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))];
}

function uniqueEvidence(entries: readonly Evidence[]): Evidence[] {
  const seen = new Set<string>();
  const result: Evidence[] = [];
  for (const entry of entries) {
    const key = `${entry.source}\u0000${entry.label}\u0000${entry.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(entry);
  }
  return result;
}

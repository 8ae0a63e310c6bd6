/**
 * One check's outcome, before the combiner folds all checks of a database
 * into a single Finding. Engine modules and the certificate module return
 * these; only the combiner builds Findings.
 */
import type { Evidence } from '../types.js';
import type { StaticReason } from './reasons.js';

export type CheckVerdict = 'COMPLIANT' | 'NON_COMPLIANT' | 'INSUFFICIENT_DATA';

export interface CheckResult {
  verdict: CheckVerdict;
  reason: StaticReason;
  /** One clause of the annotation naming parameter, group and value; empty for evidence-only checks. */
  summary: string;
  /** What to do about it; for a compliant check, a caveat or empty. */
  remediation: string;
  evidence: Evidence[];
}

export function passed(summary: string, evidence: Evidence[], remediation = ''): CheckResult {
  return { verdict: 'COMPLIANT', reason: 'TLS_ENFORCED', summary, remediation, evidence };
}

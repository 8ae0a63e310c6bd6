/**
 * Joins the static finding (what the configuration says) with the live
 * finding (what the server did). Live evidence wins for TLS enforcement,
 * because it is what a client actually meets; it says nothing about the
 * certificate authority's lifetime, so certificate findings stand.
 */
import type { LiveReason } from './probe/reasons.js';
import type { StaticReason } from './rules/reasons.js';
import type { CredentialFailureReason } from './secrets/secret-document.js';
import { labelled } from './text.js';
import type { Evidence, Finding, LiveFinding, RuleParameters, Verdict } from './types.js';

/**
 * The reasons only the joining gives: both sides agree on TLS
 * (TLS_PROVEN), a required proof is missing (LIVE_PROOF_MISSING), or the
 * server's behaviour and its configuration disagree
 * (LIVE_CONTRADICTS_CONFIGURATION). Every other combined reason is the
 * static or the live finding's own.
 */
export const COMBINED_REASONS = [
  'TLS_PROVEN',
  'LIVE_PROOF_MISSING',
  'LIVE_CONTRADICTS_CONFIGURATION',
] as const;
type CombinedReason = (typeof COMBINED_REASONS)[number];

/** The live evidence line of the TLS downgrade handshake (lib/probe/decision.ts writes it). */
export const LEGACY_TLS_LABEL = 'legacy TLS attempt';

/** Whether a live finding's evidence shows the server refusing a handshake below the minimum. */
export function legacyTlsRefused(evidence: readonly Evidence[]): boolean {
  return evidence.some(
    (entry) =>
      entry.source === 'probe' &&
      entry.label === LEGACY_TLS_LABEL &&
      entry.value.startsWith('refused '),
  );
}

/** Static reasons a live probe of the database's own endpoint cannot speak to. */
function isCertificateReason(reason: string): boolean {
  // A proxy's RequireTLS=false stands too: a refusal seen through it (a MySQL
  // database behind it answering for itself) does not make the proxy require TLS.
  return (
    reason.startsWith('CA_') ||
    reason === 'PROXY_PLAINTEXT_PATH' ||
    reason === 'PROXY_TLS_NOT_REQUIRED'
  );
}

/**
 * Static reasons about the lowest TLS version the server accepts: a live
 * proof settles them only when its downgrade handshake was refused.
 */
const TLS_FLOOR_REASONS: ReadonlySet<string> = new Set<StaticReason>([
  'TLS_VERSION_ALLOWS_LEGACY',
  'TLS_MIN_VERSION_TOO_LOW',
]);

/**
 * Live reasons that mean no connection to the database was attempted: no
 * endpoint, a stopped database, a cluster with no writer instance, or no
 * credentials (every secret failure, none configured, no IAM token).
 */
const NOT_ATTEMPTED_REASONS: { readonly [reason in NotAttemptedReason]: true } = {
  NO_ENDPOINT: true,
  DATABASE_STOPPED: true,
  NO_WRITER_INSTANCE: true,
  CREDENTIALS_FAILED: true,
  // Written out, not imported: the credential module is the live probe's, and
  // the key type makes the compiler name any credential failure left out.
  NO_SECRET_CONFIGURED: true,
  IAM_TOKEN_FAILED: true,
  SECRET_NOT_FOUND: true,
  SECRET_ACCESS_DENIED: true,
  SECRET_DECRYPTION_FAILED: true,
  SECRET_INVALID_REQUEST: true,
  SECRET_BINARY_ONLY: true,
  SECRET_NOT_JSON: true,
  SECRET_INCOMPLETE: true,
  SECRET_LOOKUP_FAILED: true,
  SECRET_FOR_OTHER_DATABASE: true,
};
type NotAttemptedReason =
  | Extract<
      LiveReason,
      'NO_ENDPOINT' | 'DATABASE_STOPPED' | 'NO_WRITER_INSTANCE' | 'CREDENTIALS_FAILED'
    >
  | CredentialFailureReason;

function isNotAttemptedReason(reason: string): boolean {
  return Object.hasOwn(NOT_ATTEMPTED_REASONS, reason);
}

const SEVERITY: Record<Verdict, number> = {
  NOT_APPLICABLE: 0,
  COMPLIANT: 1,
  INSUFFICIENT_DATA: 2,
  NON_COMPLIANT: 3,
};

export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  let worst: Verdict = 'NOT_APPLICABLE';
  for (const verdict of verdicts) {
    if (SEVERITY[verdict] > SEVERITY[worst]) worst = verdict;
  }
  return worst;
}

export interface CombineInput {
  staticFinding: Finding;
  liveFinding?: LiveFinding;
  /** Certificate findings that hold whatever the probe says (already included in staticFinding or not). */
  certificateFindings?: Finding[];
  /** True when the engine has a live probe at all (PostgreSQL and MySQL families). */
  probeApplies: boolean;
  ruleParameters: RuleParameters;
}

export function combineFindings(input: CombineInput): Finding {
  const { staticFinding, liveFinding, ruleParameters } = input;
  const certificateProblem = (input.certificateFindings ?? []).find(
    (finding) => finding.verdict === 'NON_COMPLIANT',
  );
  const evidence = [...staticFinding.evidence, ...(liveFinding?.evidence ?? [])];

  if (staticFinding.verdict === 'NOT_APPLICABLE') return staticFinding;

  if (!liveFinding) {
    if (
      input.probeApplies &&
      ruleParameters.requireLiveProbe &&
      staticFinding.verdict !== 'NON_COMPLIANT'
    ) {
      return {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'LIVE_PROOF_MISSING' satisfies CombinedReason,
        annotation: `live proof required but no probe ran (${
          ruleParameters.liveProbe ? 'this scan had no prober' : 'liveProbe is off'
        }); configuration: ${staticFinding.annotation}`,
        remediation:
          'Run the probe inside the VPC with access to the database and its secret, or set requireLiveProbe=false.',
        evidence,
      };
    }
    return staticFinding;
  }

  if (liveFinding.verdict === 'NON_COMPLIANT') {
    const disagrees = staticFinding.verdict === 'COMPLIANT';
    return {
      verdict: 'NON_COMPLIANT',
      reason: disagrees
        ? ('LIVE_CONTRADICTS_CONFIGURATION' satisfies CombinedReason)
        : liveFinding.reason,
      annotation: disagrees
        ? `configuration says TLS-only (${staticFinding.annotation}) but the server disagrees: ${liveFinding.annotation}`
        : liveFinding.annotation,
      remediation: disagrees
        ? `${liveFinding.remediation} The parameter group already asks for TLS: check for a pending reboot or a parameter group not yet applied.`
        : liveFinding.remediation,
      evidence,
    };
  }

  if (liveFinding.verdict === 'COMPLIANT') {
    const staticCertificateProblem =
      staticFinding.verdict === 'NON_COMPLIANT' && isCertificateReason(staticFinding.reason);
    // Plaintext refused says nothing of TLS 1.0: without the downgrade check
    // the configuration's word on the version floor stands, and so does a
    // configuration that could not be judged (it may be the floor that was
    // unreadable: an unknown tls_version token, a group that could not be read).
    const floorUnproven =
      !legacyTlsRefused(liveFinding.evidence) &&
      ((staticFinding.verdict === 'NON_COMPLIANT' && TLS_FLOOR_REASONS.has(staticFinding.reason)) ||
        staticFinding.verdict === 'INSUFFICIENT_DATA');
    if (certificateProblem || staticCertificateProblem || floorUnproven) {
      const problem = certificateProblem ?? staticFinding;
      return {
        ...problem,
        annotation: `${problem.annotation}; ${labelled('live probe', liveFinding.annotation)}`,
        evidence,
      };
    }
    if (staticFinding.verdict === 'COMPLIANT') {
      return {
        verdict: 'COMPLIANT',
        reason: 'TLS_PROVEN' satisfies CombinedReason,
        annotation: `${liveFinding.annotation}; ${staticFinding.annotation}`,
        remediation: '',
        evidence,
      };
    }
    return {
      verdict: 'COMPLIANT',
      reason: 'LIVE_CONTRADICTS_CONFIGURATION' satisfies CombinedReason,
      annotation: `server proved TLS-only (${liveFinding.annotation}) although configuration reads ${staticFinding.reason}: ${staticFinding.annotation}`,
      remediation: `The server enforces TLS now, but its configuration does not say so and may revert: ${staticFinding.remediation}`,
      evidence,
    };
  }

  // The probe could not conclude. If it never reached the server (no secret,
  // no endpoint) the configuration verdict stands unless a proof is required.
  // If it did try and the server misbehaved (refused, hung, garbage), the
  // configuration cannot be trusted either: a wrong COMPLIANT is the worst
  // answer this tool can give.
  const connectionAttempted = !isNotAttemptedReason(liveFinding.reason);
  if (
    staticFinding.verdict === 'COMPLIANT' &&
    (ruleParameters.requireLiveProbe || connectionAttempted)
  ) {
    return {
      verdict: 'INSUFFICIENT_DATA',
      reason: liveFinding.reason,
      annotation: connectionAttempted
        ? `${labelled('live probe inconclusive', liveFinding.annotation)}; the server did not answer as a database should, so its configuration is not trusted: ${staticFinding.annotation}`
        : `live proof required but ${labelled('live probe', liveFinding.annotation)}; configuration: ${staticFinding.annotation}`,
      remediation: liveFinding.remediation,
      evidence,
    };
  }
  return {
    ...staticFinding,
    annotation: `${staticFinding.annotation}; ${labelled('live probe', liveFinding.annotation)}`,
    evidence,
  };
}

/**
 * How the steps of a probe join into one finding (with the remediation of
 * its reason, from reasons.ts), and the evidence lines the steps leave.
 * Pure: no sockets here.
 */
import { clampAnnotation, MAX_FINDING_TEXT } from '../text.js';
import type { Evidence, Finding } from '../types.js';
import { LEGACY_TLS_LABEL } from '../verdict.js';
import type {
  LegacyTlsStep,
  PlaintextStep,
  ProbeOptions,
  ProbeTarget,
  ProtocolObservation,
  TlsStep,
} from './model.js';
import { type LiveReason, remediationFor } from './reasons.js';

/** The downgrade check ran and answered (refused), or had nothing to try. */
function legacyChecked(legacy: LegacyTlsStep): boolean {
  return legacy.kind === 'refused' || legacy.kind === 'accepted' || legacy.kind === 'skipped';
}

function legacyNote(legacy: LegacyTlsStep): string {
  return legacy.kind === 'refused' ? `; ≤${legacy.offered} refused` : '';
}

/** One line for the evidence list and the annotation. */
export function legacyEvidence(legacy: LegacyTlsStep): string {
  switch (legacy.kind) {
    case 'accepted':
      return `accepted ${legacy.protocol}`;
    case 'skipped':
      return `skipped: ${legacy.detail}`;
    case 'failed':
      return `did not run: ${legacy.detail}`;
    default:
      return `${legacy.kind} (≤${legacy.offered}): ${legacy.detail}`;
  }
}

/**
 * Joins the steps into one finding. Order of precedence: plaintext accepted,
 * a certificate a verify-full client refuses, legacy TLS accepted, then the
 * good case; anything else is INSUFFICIENT_DATA, never COMPLIANT. A downgrade
 * check that did not run is named in the annotation; with requireLiveProbe it
 * makes the finding INSUFFICIENT_DATA.
 */
export function decide(observation: ProtocolObservation): Finding {
  const { plaintext, tls, legacy, evidence } = observation;
  const tlsNote = tls.kind === 'verified' ? `verify-full ${tls.protocol} ok` : `TLS: ${tls.detail}`;
  const finding = (verdict: Finding['verdict'], reason: LiveReason, text: string): Finding => ({
    verdict,
    reason,
    annotation: clampAnnotation(text, MAX_FINDING_TEXT),
    remediation: remediationFor(reason),
    evidence,
  });

  if (plaintext.kind === 'accepted') {
    return finding('NON_COMPLIANT', plaintext.reason, `${plaintext.detail}; ${tlsNote}`);
  }
  if (tls.kind === 'rejected') {
    return finding('NON_COMPLIANT', tls.reason, `${tls.detail}; plaintext: ${plaintext.detail}`);
  }
  if (legacy.kind === 'accepted') {
    return finding(
      'NON_COMPLIANT',
      'LEGACY_TLS_ACCEPTED',
      `server accepted ${legacy.protocol}, below the minimum ${observation.minTlsVersion}; ${plaintext.detail}`,
    );
  }
  if (plaintext.kind === 'refused' && tls.kind === 'verified') {
    if (!legacyChecked(legacy)) {
      // First in the text, so no later cut to the Config limit can drop it.
      const unchecked = `TLS downgrade check below ${observation.minTlsVersion} did not run (${legacyEvidence(legacy)})`;
      return observation.requireLiveProbe
        ? finding(
            'INSUFFICIENT_DATA',
            'LEGACY_TLS_UNCHECKED',
            `${unchecked}; ${plaintext.detail}; ${tlsNote}`,
          )
        : finding('COMPLIANT', plaintext.reason, `${unchecked}; ${plaintext.detail}; ${tlsNote}`);
    }
    return finding(
      'COMPLIANT',
      plaintext.reason,
      `${plaintext.detail}; ${tlsNote}${legacyNote(legacy)}`,
    );
  }
  const inconclusive = tls.kind === 'inconclusive' ? tls : plaintext;
  return finding(
    'INSUFFICIENT_DATA',
    inconclusive.reason,
    `live probe inconclusive: ${inconclusive.detail}${inconclusive === tls ? `; plaintext: ${plaintext.detail}` : `; ${tlsNote}`}`,
  );
}

/** The verify-full step as one evidence line. */
export function tlsEvidence(tls: TlsStep): Evidence {
  return {
    source: 'probe',
    label: 'verify-full TLS',
    value:
      tls.kind === 'verified'
        ? `${tls.protocol} ${tls.cipher ?? ''}`.trim()
        : `${tls.reason}: ${tls.detail}`,
  };
}

/** The downgrade step as one evidence line. */
export function legacyTlsEvidence(legacy: LegacyTlsStep): Evidence {
  return { source: 'probe', label: LEGACY_TLS_LABEL, value: legacyEvidence(legacy) };
}

/** What a protocol's probe decides with, besides its three steps. */
export interface ProbeContext {
  protocol: ProtocolObservation['protocol'];
  target: ProbeTarget;
  options: ProbeOptions;
  evidence: Evidence[];
}

/** decide() for one probe's steps, with the rule's minimum version and requireLiveProbe. */
export function decideSteps(
  context: ProbeContext,
  steps: { plaintext: PlaintextStep; tls: TlsStep; legacy: LegacyTlsStep },
): Finding {
  return decide({
    protocol: context.protocol,
    ...steps,
    minTlsVersion: context.target.minTlsVersion,
    requireLiveProbe: context.options.requireLiveProbe,
    evidence: context.evidence,
  });
}

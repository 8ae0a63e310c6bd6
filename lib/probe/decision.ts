/**
 * How the steps of a probe join into one finding, the remediation for each
 * reason, and the evidence lines the steps leave. Pure: no sockets here.
 */
import { clampAnnotation, MAX_FINDING_TEXT } from '../text.js';
import type { Evidence, Finding } from '../types.js';
import type {
  LegacyTlsStep,
  PlaintextStep,
  ProbeOptions,
  ProbeTarget,
  ProtocolObservation,
  TlsStep,
} from './model.js';

const REMEDIATION: Record<string, string> = {
  PLAINTEXT_REFUSED: 'None: the server refuses unencrypted connections and serves verified TLS.',
  SERVER_REQUIRES_TLS: 'None: the server reports that it requires secure transport.',
  PLAINTEXT_ACCEPTED:
    'Enforce TLS in the parameter group (PostgreSQL: rds.force_ssl=1; MySQL/MariaDB: require_secure_transport=ON) and apply it.',
  PLAINTEXT_REFUSED_PER_USER_ONLY:
    'Plaintext is refused only for the probe user: set rds.force_ssl=1 (PostgreSQL) or require_secure_transport=ON (MySQL/MariaDB) so every user needs TLS.',
  PLAINTEXT_REFUSED_PER_DATABASE_ONLY:
    'Plaintext is refused only for the probe database: set rds.force_ssl=1 so every database needs TLS.',
  RESPONSE_TOO_LARGE:
    'The endpoint sent far more than any database answer needs: check that the endpoint is the database and not something else listening on its port.',
  LEGACY_TLS_UNCHECKED:
    'The TLS downgrade check could not run: run the probe where it can open a second connection to the endpoint, then re-evaluate.',
  CLIENT_CERTIFICATE_REQUIRED:
    'The probe user needs a client certificate the probe does not have: give the probe a user that logs in with a password over TLS.',
  TLS_LOGIN_REFUSED:
    'The server refused the probe user over TLS before authentication (pg_hba.conf): allow it a hostssl line with password authentication.',
  TLS_VERIFY_FAILED_UNTRUSTED:
    'Clients cannot verify the server certificate with the RDS CA bundle: check the instance CA (CACertificateIdentifier) and the endpoint used.',
  TLS_VERIFY_FAILED_EXPIRED:
    'Rotate the server certificate: modify the instance to a current CA (e.g. rds-ca-rsa2048-g1).',
  TLS_VERIFY_FAILED_NOT_YET_VALID:
    'The server certificate is not valid yet: check the host clock and the certificate rotation.',
  TLS_VERIFY_FAILED_HOSTNAME:
    'Connect through the RDS endpoint name the certificate names; a verify-full client rejects any other name.',
  TLS_NOT_OFFERED: 'The server does not offer TLS at all: enable SSL for the instance.',
  TLS_VERSION_BELOW_MINIMUM:
    'The server cannot negotiate the minimum TLS version: raise its TLS support (engine version or tls parameters).',
  LEGACY_TLS_ACCEPTED:
    'Disallow old TLS versions (PostgreSQL: ssl_min_protocol_version=TLSv1.2; MySQL/MariaDB: tls_version=TLSv1.2,TLSv1.3).',
};

const INCONCLUSIVE_REMEDIATION =
  'Run the probe where it can reach the database endpoint with working credentials, then re-evaluate.';

export function remediationFor(reason: string): string {
  return REMEDIATION[reason] ?? INCONCLUSIVE_REMEDIATION;
}

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
  const finding = (verdict: Finding['verdict'], reason: string, text: string): Finding => ({
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
  return { source: 'probe', label: 'legacy TLS attempt', value: legacyEvidence(legacy) };
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

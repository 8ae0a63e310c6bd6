/**
 * The protocol-independent half of the live probe: what each step observed,
 * how errors map to named reasons, and how the steps join into one finding.
 * Pure: no sockets here.
 */
import type { SecretValue } from '../secret-value.js';
import { clampAnnotation, MAX_FINDING_TEXT } from '../text.js';
import type { Evidence, Finding, TlsVersion } from '../types.js';
import { READ_LIMIT_EXCEEDED } from './read-limit.js';

/** Where and how to connect; `host` may differ from `servername` (tunnels, tests). */
export interface ProbeTarget {
  host: string;
  port: number;
  /** The endpoint's DNS name: sent as SNI and checked against the certificate. */
  servername: string;
  ca: string | string[];
  minTlsVersion: TlsVersion;
  connectTimeoutMs: number;
}

/** Rule parameters that change how a probe runs. */
export interface ProbeOptions {
  /** A check that could not run makes the finding INSUFFICIENT_DATA instead of a note. */
  requireLiveProbe: boolean;
  /**
   * MySQL family only: also log in over plaintext with the real credentials
   * (challenge-response only). Off by default: it puts a scramble of the real
   * password on an unencrypted connection.
   */
  mysqlPlaintextLogin: boolean;
}

export interface ProbeCredentials {
  username: string;
  password: SecretValue;
  database?: string;
}

/** The plaintext attempt: did the server let a client in without TLS? */
export type PlaintextStep =
  | { kind: 'refused'; reason: string; detail: string }
  | { kind: 'accepted'; reason: string; detail: string }
  | { kind: 'inconclusive'; reason: string; detail: string };

/** The verify-full TLS session with the real credentials. */
export type TlsStep =
  | { kind: 'verified'; protocol: string; cipher?: string }
  /** The server answered, but a verify-full client cannot trust or reach it over TLS. */
  | { kind: 'rejected'; reason: string; detail: string }
  | { kind: 'inconclusive'; reason: string; detail: string };

/** A handshake that offers only versions below the rule's minimum. */
export type LegacyTlsStep =
  | { kind: 'refused'; offered: TlsVersion; detail: string }
  | { kind: 'accepted'; offered: TlsVersion; protocol: string }
  /** This client's OpenSSL cannot offer the old versions, so nothing was learned. */
  | { kind: 'untestable'; offered: TlsVersion; detail: string }
  | { kind: 'inconclusive'; offered: TlsVersion; detail: string }
  /** The attempt itself broke (a bug or an unexpected error): nothing was learned. */
  | { kind: 'failed'; detail: string }
  /** Nothing to try: no version below the minimum, or the endpoint was not reachable. */
  | { kind: 'skipped'; detail: string };

export interface ProtocolObservation {
  protocol: 'postgres' | 'mysql';
  plaintext: PlaintextStep;
  tls: TlsStep;
  legacy: LegacyTlsStep;
  minTlsVersion: TlsVersion;
  /** The rule's requireLiveProbe: a check that could not run is then not proof. */
  requireLiveProbe: boolean;
  evidence: Evidence[];
}

const TLS_ORDER: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The newest version that is still below the minimum, or undefined when nothing is below it. */
export function highestVersionBelow(minimum: TlsVersion): TlsVersion | undefined {
  const index = TLS_ORDER.indexOf(minimum);
  return index > 0 ? TLS_ORDER[index - 1] : undefined;
}

const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'UNREACHABLE',
  EHOSTUNREACH: 'UNREACHABLE',
  ENETUNREACH: 'UNREACHABLE',
  ENOTFOUND: 'UNREACHABLE',
  EAI_AGAIN: 'UNREACHABLE',
  ETIMEDOUT: 'TIMEOUT',
  ECONNRESET: 'CONNECTION_RESET',
  EPIPE: 'CONNECTION_RESET',
};

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}

/**
 * At most this many characters of any server-supplied text are ever matched
 * or quoted: a hostile server can make an error message as long as the read
 * limit allows, and no pattern should ever see more than this.
 */
export const SERVER_TEXT_LIMIT = 512;

/** The first `SERVER_TEXT_LIMIT` characters of untrusted text: what every match and quote works on. */
export function clipServerText(text: string, limit = SERVER_TEXT_LIMIT): string {
  return text.length <= limit ? text : text.slice(0, limit);
}

/** An error's message, clipped: it may be the server's own text. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return clipServerText(error.message);
  return typeof error === 'string' ? clipServerText(error) : 'unknown error';
}

/**
 * Node's certificate errors by code, and by message for drivers (mysql2) that
 * overwrite the code with their own.
 */
const CERTIFICATE_MESSAGES: readonly [RegExp, string][] = [
  [/certificate has expired/i, 'CERT_HAS_EXPIRED'],
  [/certificate is not yet valid/i, 'CERT_NOT_YET_VALID'],
  [/does not match certificate's altnames/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
  [/unable to verify the first certificate/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/self[- ]signed certificate in certificate chain/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/self[- ]signed certificate/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/unable to get local issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/unable to get issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT'],
  [/certificate signature failure/i, 'CERT_SIGNATURE_FAILURE'],
];

function certificateErrorCode(error: unknown): string | undefined {
  const code = errorCode(error);
  if (
    code === 'CERT_HAS_EXPIRED' ||
    code === 'CERT_NOT_YET_VALID' ||
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
    (code !== undefined && UNTRUSTED_CODES.has(code))
  ) {
    return code;
  }
  const message = errorMessage(error);
  return CERTIFICATE_MESSAGES.find(([pattern]) => pattern.test(message))?.[1];
}

/** A certificate a verify-full client refuses: the reason code and words for the annotation. */
export function certificateProblem(error: unknown): { reason: string; detail: string } | undefined {
  const code = certificateErrorCode(error);
  if (code === undefined) return undefined;
  if (code === 'CERT_HAS_EXPIRED') {
    return { reason: 'TLS_VERIFY_FAILED_EXPIRED', detail: 'server certificate has expired' };
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return {
      reason: 'TLS_VERIFY_FAILED_NOT_YET_VALID',
      detail: 'server certificate not yet valid',
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      reason: 'TLS_VERIFY_FAILED_HOSTNAME',
      detail: 'server certificate does not name the endpoint host',
    };
  }
  return {
    reason: 'TLS_VERIFY_FAILED_UNTRUSTED',
    detail: `server certificate not issued by a trusted CA (${code})`,
  };
}

/** The server and this client share no protocol version at or above the minimum. */
export function isProtocolVersionFailure(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  // OpenSSL's "wrong version number" is a record that is not TLS at all (a
  // server answering the ClientHello with anything else): garbage, not a version.
  return (
    code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' ||
    code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' ||
    // Over an upgraded socket Node reports the alert as EPROTO with OpenSSL's text.
    /alert protocol version|unsupported protocol/i.test(errorMessage(error))
  );
}

/** The local OpenSSL refused to offer the requested versions: nothing reached the server. */
export function isLocalProtocolRefusal(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  const message = errorMessage(error);
  return (
    code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' ||
    code === 'ERR_SSL_NO_CIPHERS_AVAILABLE' ||
    code === 'ERR_TLS_INVALID_PROTOCOL_VERSION' ||
    /no protocols available|no ciphers available/i.test(message)
  );
}

/** Connection-level failures: the server's answer, or its absence, says nothing about TLS. */
export function networkProblem(error: unknown): { reason: string; detail: string } | undefined {
  const code = errorCode(error);
  const message = errorMessage(error);
  if (code === READ_LIMIT_EXCEEDED) {
    return { reason: 'RESPONSE_TOO_LARGE', detail: message };
  }
  if (code !== undefined && NETWORK_REASONS[code]) {
    return { reason: NETWORK_REASONS[code], detail: `${code}` };
  }
  if (/timeout|timed out/i.test(message) || code === 'PROBE_TIMEOUT') {
    return { reason: 'TIMEOUT', detail: 'no answer before the timeout' };
  }
  if (/terminated unexpectedly|closed|ended by the other party|socket hang up/i.test(message)) {
    return { reason: 'CONNECTION_CLOSED', detail: 'server closed the connection' };
  }
  return undefined;
}

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

/** Shortens a server's message for an annotation without losing its meaning. */
export function shortServerText(text: string, max = 90): string {
  const oneLine = clipServerText(text).replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

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

/** Races work against a deadline; on expiry calls `abort` (close sockets) and rejects with PROBE_TIMEOUT. */
export async function withDeadline<T>(work: Promise<T>, ms: number, abort: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort();
      reject(Object.assign(new Error('probe step timed out'), { code: 'PROBE_TIMEOUT' }));
    }, ms);
  });
  work.catch(() => {});
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a probe is given (target, options, credentials) and what each of its
 * steps observed, before the steps are joined into a finding.
 */
import type { SecretValue } from '../secret-value.js';
import type { Evidence, TlsVersion } from '../types.js';
import type { LiveReason, ProbeReason } from './reasons.js';

/** Where and how to connect; `host` may differ from `servername` (tunnels, tests). */
export interface ProbeTarget {
  host: string;
  port: number;
  /** The endpoint's DNS name: sent as SNI and checked against the certificate. */
  servername: string;
  ca: string | string[];
  minTlsVersion: TlsVersion;
  connectTimeoutMs: number;
  /** Aborts when the scan's time ran out: every connection of the probe is closed then. */
  signal?: AbortSignal;
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
  /**
   * The endpoint is a proxy's (RDS Proxy): only the proxy's own refusal of an
   * unencrypted client proves its stance (see proxy-answers.ts), the
   * plaintext attempt uses a random identity, and the TLS step is this
   * side's session with the proxy, not the database's view of its own leg.
   */
  throughProxy?: boolean;
}

export interface ProbeCredentials {
  username: string;
  password: SecretValue;
  database?: string;
}

/** The plaintext attempt: did the server let a client in without TLS? */
export type PlaintextStep =
  | { kind: 'refused'; reason: ProbeReason; detail: string }
  | { kind: 'accepted'; reason: ProbeReason; detail: string }
  | { kind: 'inconclusive'; reason: LiveReason; detail: string };

/** The verify-full TLS session with the real credentials. */
export type TlsStep =
  | { kind: 'verified'; protocol: string; cipher?: string }
  /** The server answered, but a verify-full client cannot trust or reach it over TLS. */
  | { kind: 'rejected'; reason: ProbeReason; detail: string }
  | { kind: 'inconclusive'; reason: LiveReason; detail: string };

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

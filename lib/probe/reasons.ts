/**
 * Every reason code a live finding can carry, and the remediation for each.
 * Reports and dashboards key on these, so a code once published keeps its
 * meaning. The remediation map is typed against the list: a code without
 * remediation text, or text for a code that does not exist, fails the build.
 */
import {
  CREDENTIAL_FAILURE_REASONS,
  type CredentialFailureReason,
} from '../secrets/secret-document.js';

export const PROBE_REASONS = [
  /** Plaintext refused by the server for everyone, verify-full TLS succeeded. */
  'PLAINTEXT_REFUSED',
  /** The server reports that it requires secure transport (MySQL family). */
  'SERVER_REQUIRES_TLS',
  'PLAINTEXT_ACCEPTED',
  'PLAINTEXT_REFUSED_PER_USER_ONLY',
  'PLAINTEXT_REFUSED_PER_DATABASE_ONLY',
  'PLAINTEXT_RESULT_AMBIGUOUS',
  /** Through a proxy: its answer to a plaintext client did not show whether it requires TLS. */
  'PROXY_PLAINTEXT_COULD_NOT_TELL',
  'PLAINTEXT_NOT_ATTEMPTED',
  'UNSAFE_AUTH_REFUSED',
  'SERVER_SETTING_UNREADABLE',
  'SESSION_FACTS_UNAVAILABLE',
  'LOGIN_NOT_PERMITTED',
  'AUTH_FAILED',
  'SERVER_ERROR',
  'PROTOCOL_ERROR',
  'RESPONSE_TOO_LARGE',
  'UNREACHABLE',
  'TIMEOUT',
  'CONNECTION_RESET',
  'CONNECTION_CLOSED',
  'NO_ENDPOINT',
  /** RDS reports the database stopped or stopping: no connection was attempted. */
  'DATABASE_STOPPED',
  /**
   * RDS lists no writer among the cluster's members (none at all, or readers
   * only) and the cluster is not Aurora Serverless v1: no connection was attempted.
   */
  'NO_WRITER_INSTANCE',
  'CREDENTIALS_FAILED',
  'PROBE_FAILED',
  'CLIENT_CERTIFICATE_REQUIRED',
  'TLS_LOGIN_REFUSED',
  'TLS_NOT_OFFERED',
  /**
   * This side's verify-full TLS handshake succeeded, yet the database reports
   * the session unencrypted: something between them ends TLS and passes the
   * connection on in plaintext.
   */
  'TLS_ENDS_BEFORE_SERVER',
  'TLS_HANDSHAKE_FAILED',
  'TLS_UPGRADE_NOT_VERIFIED',
  'TLS_VERSION_BELOW_MINIMUM',
  'TLS_VERIFY_FAILED_UNTRUSTED',
  'TLS_VERIFY_FAILED_EXPIRED',
  'TLS_VERIFY_FAILED_NOT_YET_VALID',
  'TLS_VERIFY_FAILED_HOSTNAME',
  'LEGACY_TLS_ACCEPTED',
  'LEGACY_TLS_UNCHECKED',
] as const;

/** What the probe itself observed. */
export type ProbeReason = (typeof PROBE_REASONS)[number];

/** Every reason of a live finding: what the probe observed, or why it got no credentials. */
export type LiveReason = ProbeReason | CredentialFailureReason;

export const LIVE_REASONS: readonly LiveReason[] = [
  ...PROBE_REASONS,
  ...CREDENTIAL_FAILURE_REASONS,
];

const INCONCLUSIVE_REMEDIATION =
  'Run the probe where it can reach the database endpoint with working credentials, then re-evaluate.';

const REMEDIATION: Record<LiveReason, string> = {
  PLAINTEXT_REFUSED: 'None: the server refuses unencrypted connections and serves verified TLS.',
  SERVER_REQUIRES_TLS: 'None: the server reports that it requires secure transport.',
  PLAINTEXT_ACCEPTED:
    'Enforce TLS in the parameter group (PostgreSQL: rds.force_ssl=1; MySQL/MariaDB: require_secure_transport=ON) and apply it.',
  PLAINTEXT_REFUSED_PER_USER_ONLY:
    'Plaintext is refused only for the probe user: set rds.force_ssl=1 (PostgreSQL) or require_secure_transport=ON (MySQL/MariaDB) so every user needs TLS.',
  PLAINTEXT_REFUSED_PER_DATABASE_ONLY:
    'Plaintext is refused only for the probe database: set rds.force_ssl=1 so every database needs TLS.',
  PLAINTEXT_RESULT_AMBIGUOUS: INCONCLUSIVE_REMEDIATION,
  PROXY_PLAINTEXT_COULD_NOT_TELL:
    'The proxy answered the plaintext attempt without showing whether it requires TLS (an authentication failure, or not its refusal of unencrypted clients): check RequireTLS with aws rds describe-db-proxies and, if it is false, require it with aws rds modify-db-proxy --require-tls.',
  PLAINTEXT_NOT_ATTEMPTED: INCONCLUSIVE_REMEDIATION,
  UNSAFE_AUTH_REFUSED: INCONCLUSIVE_REMEDIATION,
  SERVER_SETTING_UNREADABLE: INCONCLUSIVE_REMEDIATION,
  SESSION_FACTS_UNAVAILABLE: INCONCLUSIVE_REMEDIATION,
  LOGIN_NOT_PERMITTED: INCONCLUSIVE_REMEDIATION,
  AUTH_FAILED: INCONCLUSIVE_REMEDIATION,
  SERVER_ERROR: INCONCLUSIVE_REMEDIATION,
  PROTOCOL_ERROR: INCONCLUSIVE_REMEDIATION,
  RESPONSE_TOO_LARGE:
    'The endpoint sent far more than any database answer needs: check that the endpoint is the database and not something else listening on its port.',
  UNREACHABLE: INCONCLUSIVE_REMEDIATION,
  TIMEOUT: INCONCLUSIVE_REMEDIATION,
  CONNECTION_RESET: INCONCLUSIVE_REMEDIATION,
  CONNECTION_CLOSED: INCONCLUSIVE_REMEDIATION,
  NO_ENDPOINT: INCONCLUSIVE_REMEDIATION,
  DATABASE_STOPPED:
    'The database is stopped, so only its configuration was judged: rescan once it runs again (RDS starts a stopped database after seven days) for a live proof.',
  NO_WRITER_INSTANCE:
    'The cluster has no writer instance (no DB instances, or the secondary cluster of an Aurora global database), so only its configuration was judged and its instances are judged on their own: rescan once it has a writer for a live proof of its endpoint.',
  CREDENTIALS_FAILED: INCONCLUSIVE_REMEDIATION,
  PROBE_FAILED: INCONCLUSIVE_REMEDIATION,
  CLIENT_CERTIFICATE_REQUIRED:
    'The probe user needs a client certificate the probe does not have: give the probe a user that logs in with a password over TLS.',
  TLS_LOGIN_REFUSED:
    'The server refused the probe user over TLS before authentication (pg_hba.conf): allow it a hostssl line with password authentication.',
  TLS_NOT_OFFERED: 'The server does not offer TLS at all: enable SSL for the instance.',
  TLS_ENDS_BEFORE_SERVER:
    'Something between clients and the database ends TLS and forwards the connection in plaintext: connect clients to the database endpoint itself, or require TLS on the leg behind that front.',
  TLS_HANDSHAKE_FAILED: INCONCLUSIVE_REMEDIATION,
  TLS_UPGRADE_NOT_VERIFIED: INCONCLUSIVE_REMEDIATION,
  TLS_VERSION_BELOW_MINIMUM:
    'The server cannot negotiate the minimum TLS version: raise its TLS support (engine version or tls parameters).',
  TLS_VERIFY_FAILED_UNTRUSTED:
    'Clients cannot verify the server certificate with the RDS CA bundle: check the instance CA (CACertificateIdentifier) and the endpoint used.',
  TLS_VERIFY_FAILED_EXPIRED:
    'Rotate the server certificate: modify the instance to a current CA (e.g. rds-ca-rsa2048-g1).',
  TLS_VERIFY_FAILED_NOT_YET_VALID:
    'The server certificate is not valid yet: check the host clock and the certificate rotation.',
  TLS_VERIFY_FAILED_HOSTNAME:
    'Connect through the RDS endpoint name the certificate names; a verify-full client rejects any other name.',
  LEGACY_TLS_ACCEPTED:
    'Disallow old TLS versions (PostgreSQL: ssl_min_protocol_version=TLSv1.2; MySQL/MariaDB: tls_version=TLSv1.2,TLSv1.3).',
  LEGACY_TLS_UNCHECKED:
    'The TLS downgrade check could not run: run the probe where it can open a second connection to the endpoint, then re-evaluate.',
  SECRET_NOT_FOUND: INCONCLUSIVE_REMEDIATION,
  SECRET_ACCESS_DENIED: INCONCLUSIVE_REMEDIATION,
  SECRET_DECRYPTION_FAILED: INCONCLUSIVE_REMEDIATION,
  SECRET_INVALID_REQUEST: INCONCLUSIVE_REMEDIATION,
  SECRET_BINARY_ONLY: INCONCLUSIVE_REMEDIATION,
  SECRET_NOT_JSON: INCONCLUSIVE_REMEDIATION,
  SECRET_INCOMPLETE: INCONCLUSIVE_REMEDIATION,
  SECRET_LOOKUP_FAILED: INCONCLUSIVE_REMEDIATION,
  SECRET_FOR_OTHER_DATABASE: INCONCLUSIVE_REMEDIATION,
  NO_SECRET_CONFIGURED: INCONCLUSIVE_REMEDIATION,
  IAM_TOKEN_FAILED: INCONCLUSIVE_REMEDIATION,
};

export function remediationFor(reason: LiveReason): string {
  return REMEDIATION[reason];
}

/**
 * Every reason code the static rules can give. Reports and dashboards key on
 * these, so a code once published keeps its meaning.
 */
import { memberOf } from '../codes.js';

export const STATIC_REASONS = [
  /** All checks passed. */
  'TLS_ENFORCED',
  /** `rds.force_ssl` is 0 (PostgreSQL, Aurora PostgreSQL, SQL Server). */
  'FORCE_SSL_OFF',
  /** `require_secure_transport` is OFF (MySQL, MariaDB, Aurora MySQL). */
  'REQUIRE_SECURE_TRANSPORT_OFF',
  /** `ssl_min_protocol_version` is below the rule's minimum. */
  'TLS_MIN_VERSION_TOO_LOW',
  /** The allowed protocol list includes a version below the rule's minimum. */
  'TLS_VERSION_ALLOWS_LEGACY',
  /** The group asks for TLS but the setting waits for a reboot. */
  'PENDING_REBOOT',
  /** The group is being applied right now. */
  'PARAMETERS_APPLYING',
  /** RDS reports the database cannot run with its parameter or option group: a passing setting is not in effect. */
  'INSTANCE_STATUS_INCOMPATIBLE',
  /** An option group change waits for a maintenance window, removal, or failed. */
  'OPTION_GROUP_NOT_IN_EFFECT',
  /** A value the rules do not understand; never read as compliant. */
  'PARAMETER_VALUE_UNKNOWN',
  /** The engine default depends on a version that could not be parsed. */
  'ENGINE_VERSION_UNKNOWN',
  /** The engine version has no parameter that requires TLS (MySQL 5.6, MariaDB before 10.5). */
  'TLS_ENFORCEMENT_UNSUPPORTED',
  /** The parameter group the engine reads could not be read. */
  'PARAMETER_GROUP_UNREADABLE',
  /** An option group the database uses could not be read. */
  'OPTION_GROUP_UNREADABLE',
  /** Oracle: no `SSL` option in any option group. */
  'ORACLE_SSL_OPTION_MISSING',
  /** Oracle: a security-group rule admits the plaintext listener port from any address (0.0.0.0/0, ::/0). */
  'ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE',
  /** Oracle: the plaintext listener port is admitted from some sources, or a live TCP connect reached it. */
  'ORACLE_PLAINTEXT_LISTENER_REACHABLE',
  /** Oracle: the instance has no endpoint port, so its plaintext listener cannot be assessed. */
  'ORACLE_PLAINTEXT_PORT_UNKNOWN',
  /** Oracle: native network encryption is required instead of TLS; the rule parameter decides. */
  'ORACLE_NATIVE_NETWORK_ENCRYPTION',
  /** The security groups that decide who reaches a listener could not be read. */
  'SECURITY_GROUPS_UNREADABLE',
  /** The certificate authority is one AWS has retired. */
  'CA_DEPRECATED',
  /** The CA or server certificate expires within the rule's window. */
  'CA_EXPIRING',
  /** The CA or server certificate has expired. */
  'CA_EXPIRED',
  /** Db2 and RDS Custom: the rules do not assess these engines. */
  'ENGINE_NOT_ASSESSED',
  /** An engine name the rules do not know. */
  'ENGINE_UNKNOWN',
  /** An RDS Proxy with RequireTLS false: clients may connect to it in plaintext. */
  'PROXY_TLS_NOT_REQUIRED',
  /** RDS did not say whether a proxy requires TLS; never read as compliant. */
  'PROXY_REQUIRE_TLS_UNKNOWN',
  /** A database an RDS Proxy with RequireTLS false connects to: clients reach it in plaintext through the proxy. */
  'PROXY_PLAINTEXT_PATH',
] as const;

export type StaticReason = (typeof STATIC_REASONS)[number];

export const isStaticReason = memberOf(STATIC_REASONS);

/**
 * What each reason means for people, independent of a particular database.
 * Findings carry concrete commands; reports use these for legends and
 * summaries.
 */
export const STATIC_REASON_TEXT: Record<StaticReason, string> = {
  TLS_ENFORCED: 'The configuration requires TLS at or above the minimum version.',
  FORCE_SSL_OFF: 'Set rds.force_ssl=1 in the parameter group the engine reads.',
  REQUIRE_SECURE_TRANSPORT_OFF:
    'Set require_secure_transport=1 (ON for Aurora MySQL) in the parameter group the engine reads.',
  TLS_MIN_VERSION_TOO_LOW: 'Raise ssl_min_protocol_version to the minimum TLS version.',
  TLS_VERSION_ALLOWS_LEGACY:
    'Remove protocol versions below the minimum (tls_version, rds.tls10/rds.tls11, SQLNET.SSL_VERSION).',
  PENDING_REBOOT: 'Reboot the database so the configured parameters take effect.',
  PARAMETERS_APPLYING: 'Wait for the parameter group to finish applying, then rescan.',
  INSTANCE_STATUS_INCOMPATIBLE:
    'Correct what RDS cannot apply from the parameter or option group (the instance events name it), reboot, then rescan.',
  OPTION_GROUP_NOT_IN_EFFECT:
    'Apply the option group immediately, or wait for the maintenance window.',
  PARAMETER_VALUE_UNKNOWN: 'Set the parameter explicitly to a documented value.',
  ENGINE_VERSION_UNKNOWN:
    'Set the parameter explicitly so the outcome does not depend on the engine default.',
  TLS_ENFORCEMENT_UNSUPPORTED:
    'Upgrade to an engine version that can require TLS, then set the parameter.',
  PARAMETER_GROUP_UNREADABLE:
    'Allow the scanner to read the parameter group (rds:DescribeDBParameters / rds:DescribeDBClusterParameters).',
  OPTION_GROUP_UNREADABLE: 'Allow the scanner to read the option group (rds:DescribeOptionGroups).',
  ORACLE_SSL_OPTION_MISSING:
    'Add the SSL option with SQLNET.SSL_VERSION=1.2 to the option group and block the plaintext port.',
  ORACLE_PLAINTEXT_OPEN_TO_ANYWHERE:
    'Revoke the inbound rule that admits the plaintext listener port from any address; clients use the SSL port.',
  ORACLE_PLAINTEXT_LISTENER_REACHABLE:
    'Move the allowed sources from the plaintext listener port to the SSL port (revoke, then authorize).',
  ORACLE_PLAINTEXT_PORT_UNKNOWN: 'Rescan once the instance has an endpoint.',
  ORACLE_NATIVE_NETWORK_ENCRYPTION:
    'Use the SSL option instead of native network encryption, or accept NNE with acceptNativeNetworkEncryption=true.',
  SECURITY_GROUPS_UNREADABLE:
    'Allow the scanner to read the security groups (ec2:DescribeSecurityGroups).',
  CA_DEPRECATED: 'Rotate the database to a current CA such as rds-ca-rsa2048-g1.',
  CA_EXPIRING: 'Rotate the certificate authority before it expires.',
  CA_EXPIRED: 'Rotate to a current certificate authority now: verify-full clients fail.',
  ENGINE_NOT_ASSESSED: 'This engine is outside what the rules assess; review it by hand.',
  ENGINE_UNKNOWN: 'The engine is not known to the rules; review it by hand or extend the rules.',
  PROXY_TLS_NOT_REQUIRED: 'Require TLS on the proxy: aws rds modify-db-proxy --require-tls.',
  PROXY_REQUIRE_TLS_UNKNOWN: 'Check the proxy with aws rds describe-db-proxies and rescan.',
  PROXY_PLAINTEXT_PATH:
    'Require TLS on every RDS Proxy in front of the database: aws rds modify-db-proxy --require-tls.',
};

/**
 * The configuration files that make a local PostgreSQL behave like an RDS
 * one: the pg_hba.conf lines RDS writes for `rds.force_ssl` (hostssl plus a
 * hostnossl reject), the TLS protocol bounds, and the server settings.
 */
import type { TlsVersion } from '../types.js';

/** pg_hba.conf as RDS writes it: scram-sha-256 everywhere; with force_ssl, plaintext TCP rejected. */
export function hbaLines(forceSsl: boolean): string {
  const tcpType = forceSsl ? 'hostssl' : 'host';
  return [
    'local     all all              scram-sha-256',
    `${tcpType.padEnd(9)} all all 127.0.0.1/32 scram-sha-256`,
    ...(forceSsl ? ['hostnossl all all 0.0.0.0/0    reject'] : []),
    '',
  ].join('\n');
}

/** tls.conf: the protocol bounds, and ciphers an OpenSSL 3 server needs to offer them. */
export function tlsSettings(version: TlsVersion, maxVersion?: TlsVersion): string {
  // OpenSSL 3 disables TLS 1.0/1.1 below security level 0; a server that is
  // meant to accept them (the non-compliant case under test) needs that too.
  const ciphers =
    version === 'TLSv1' || version === 'TLSv1.1'
      ? 'DEFAULT:@SECLEVEL=0'
      : 'HIGH:MEDIUM:+3DES:!aNULL';
  const max = maxVersion ? `ssl_max_protocol_version = '${maxVersion}'\n` : '';
  return `ssl_min_protocol_version = '${version}'\nssl_ciphers = '${ciphers}'\n${max}`;
}

/** What postgresql.conf gains: this server's port and socket folder, TLS on, durability off (throwaway data). */
export function serverSettings(options: {
  port: number;
  socketDir: string;
  maxConnections?: number | undefined;
  lcMessages?: string | undefined;
}): string {
  return [
    `port = ${options.port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${options.socketDir}'`,
    'ssl = on',
    `ssl_cert_file = 'server.crt'`,
    `ssl_key_file = 'server.key'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    `max_connections = ${options.maxConnections ?? 50}`,
    "include_if_exists = 'tls.conf'",
    ...(options.lcMessages ? [`lc_messages = '${options.lcMessages.replace(/'/g, '')}'`] : []),
    '',
  ].join('\n');
}

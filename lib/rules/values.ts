/**
 * Parameter values arrive as strings in several spellings (`1`, `ON`,
 * `true`, `TLSv1.2,TLSv1.3`, `1.2 or 1.0`). Anything not recognised is
 * reported as unknown so it can never pass as compliant.
 */
import type { TlsVersion } from '../types.js';

export type Switch = 'on' | 'off' | 'unknown';

export function parseSwitch(raw: string): Switch {
  const value = raw.trim().toLowerCase();
  if (value === '1' || value === 'on' || value === 'true') return 'on';
  if (value === '0' || value === 'off' || value === 'false') return 'off';
  return 'unknown';
}

export const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export function tlsRank(version: TlsVersion): number {
  return TLS_VERSIONS.indexOf(version);
}

export function isBelow(version: TlsVersion, minimum: TlsVersion): boolean {
  return tlsRank(version) < tlsRank(minimum);
}

/** `TLSv1.2`, `tlsv1.2`; `TLSv1.0` is accepted as `TLSv1`. */
export function parseTlsVersion(raw: string): TlsVersion | undefined {
  const value = raw.trim().toLowerCase();
  if (value === 'tlsv1' || value === 'tlsv1.0') return 'TLSv1';
  return TLS_VERSIONS.find((version) => version.toLowerCase() === value);
}

export interface VersionList {
  versions: TlsVersion[];
  /** Tokens that were not a known version. */
  unknown: string[];
}

/** A MySQL/MariaDB `tls_version` list: `TLSv1.2,TLSv1.3`. */
export function parseTlsVersionList(raw: string): VersionList {
  return parseList(raw.split(','), parseTlsVersion);
}

const ORACLE_VERSIONS: Record<string, TlsVersion> = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

/** An Oracle `SQLNET.SSL_VERSION`: `1.2`, `1.2 or 1.0`. */
export function parseOracleSslVersion(raw: string): VersionList {
  return parseList(raw.split(/\s+or\s+|,/i), (token) => ORACLE_VERSIONS[token.trim()]);
}

function parseList(
  tokens: string[],
  parse: (token: string) => TlsVersion | undefined,
): VersionList {
  const versions: TlsVersion[] = [];
  const unknown: string[] = [];
  for (const token of tokens) {
    if (token.trim() === '') continue;
    const version = parse(token);
    if (version) versions.push(version);
    else unknown.push(token.trim());
  }
  // An empty list allows nothing the rules can reason about.
  if (versions.length === 0 && unknown.length === 0) unknown.push(tokens.join(',') || '""');
  return { versions, unknown };
}

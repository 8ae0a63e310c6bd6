/**
 * What RDS documents as the default of each TLS parameter, per engine and
 * version: the value the rules fall back on when a parameter group leaves a
 * parameter unset and the engine defaults (DescribeEngineDefaultParameters,
 * or its file in an offline audit) were not read. Every row cites the AWS
 * page it comes from; a version no row covers is evaluated with the
 * conservative assumption (TLS not required), and the annotation says so.
 *
 * To add a version: add a row with its source. Versions are [major, minor];
 * Aurora MySQL rows use the Aurora major (2 for 5.7-compatible `…mysql_aurora.2.x`,
 * 3 for 8.0-compatible `…mysql_aurora.3.x`).
 */
import type { EngineFamily } from './engines.js';

type Version = readonly [major: number, minor: number];

interface DocumentedDefault {
  family: EngineFamily;
  parameter: string;
  /** First version the row covers (inclusive); absent: every earlier version. */
  from?: Version;
  /** First version the row no longer covers; absent: every later version. */
  before?: Version;
  /** null: the parameter does not exist in these versions. */
  value: string | null;
  /** Who says so. */
  source: string;
}

const RDS_DOCS = 'https://docs.aws.amazon.com/AmazonRDS/latest';

const SOURCES = {
  postgres: `${RDS_DOCS}/UserGuide/ssl-certificate-rotation-postgresql.html`,
  auroraPostgres: 'https://repost.aws/knowledge-center/aurora-postgresql-ssl-certificates',
  postgresMinProtocol:
    'https://www.postgresql.org/docs/current/runtime-config-connection.html (ssl_min_protocol_version, default TLSv1.2 from PostgreSQL 13; added in 12 with default TLSv1)',
  mysql: `${RDS_DOCS}/UserGuide/mysql-ssl-connections.require-ssl.html`,
  mysql56:
    'https://dev.mysql.com/doc/refman/5.7/en/server-system-variables.html (require_secure_transport added in MySQL 5.7.8)',
  mysql57Tls: `${RDS_DOCS}/UserGuide/MySQL.Concepts.SSLSupport.html (MySQL 5.7 supports TLS 1.0, 1.1 and 1.2, not 1.3)`,
  mariadb: `${RDS_DOCS}/UserGuide/mariadb-ssl-connections.require-ssl.html`,
  mariadbTls: `${RDS_DOCS}/UserGuide/MariaDB.Concepts.SSLSupport.html (TLS 1.0 and 1.1 on some minor versions of 10.4, 10.5 and 10.6; on none from 10.11)`,
  auroraMysql: `${RDS_DOCS}/AuroraUserGuide/AuroraMySQL.Security.html`,
  sqlserver: `${RDS_DOCS}/UserGuide/SQLServer.Concepts.General.SSL.Using.html`,
} as const;

/** The rows of one parameter in one engine family, each naming the versions it covers. */
function rowsOf(
  family: EngineFamily,
  parameter: string,
  spans: readonly Omit<DocumentedDefault, 'family' | 'parameter'>[],
): DocumentedDefault[] {
  return spans.map((span) => ({ family, parameter, ...span }));
}

const DOCUMENTED: readonly DocumentedDefault[] = [
  // RDS for PostgreSQL: off before 15, on from 15.
  ...rowsOf('postgres', 'rds.force_ssl', [
    { before: [15, 0], value: '0', source: SOURCES.postgres },
    { from: [15, 0], value: '1', source: SOURCES.postgres },
  ]),
  // Aurora PostgreSQL: documented as 0 without a split by major.
  ...rowsOf('aurora-postgresql', 'rds.force_ssl', [{ value: '0', source: SOURCES.auroraPostgres }]),
  ...(['postgres', 'aurora-postgresql'] as const).flatMap((family) =>
    rowsOf(family, 'ssl_min_protocol_version', [
      { from: [12, 0], before: [13, 0], value: 'TLSv1', source: SOURCES.postgresMinProtocol },
      { from: [13, 0], value: 'TLSv1.2', source: SOURCES.postgresMinProtocol },
    ]),
  ),
  // RDS for MySQL: no parameter in 5.6; OFF up to 8.4; ON for 9.7 (the page
  // names that version only, so later ones take the conservative assumption).
  ...rowsOf('mysql', 'require_secure_transport', [
    { before: [5, 7], value: null, source: SOURCES.mysql56 },
    { from: [5, 7], before: [8, 5], value: '0', source: SOURCES.mysql },
    { from: [9, 7], before: [9, 8], value: '1', source: SOURCES.mysql },
  ]),
  // RDS for MySQL 5.7 accepts TLS 1.0 and 1.1 unless tls_version says otherwise.
  // Later versions are not listed: the rules do not fail an unset tls_version there.
  ...rowsOf('mysql', 'tls_version', [
    { from: [5, 7], before: [8, 0], value: 'TLSv1,TLSv1.1,TLSv1.2', source: SOURCES.mysql57Tls },
  ]),
  // RDS for MariaDB: parameter from 10.5; OFF up to 11.4; ON from 11.8.
  ...rowsOf('mariadb', 'require_secure_transport', [
    { before: [10, 5], value: null, source: SOURCES.mariadb },
    { from: [10, 5], before: [11, 5], value: '0', source: SOURCES.mariadb },
    { from: [11, 8], value: '1', source: SOURCES.mariadb },
  ]),
  // Aurora MySQL: no parameter in Aurora MySQL 1 (5.6); OFF in 2 and 3.
  ...rowsOf('aurora-mysql', 'require_secure_transport', [
    { before: [2, 0], value: null, source: SOURCES.auroraMysql },
    { from: [2, 0], before: [4, 0], value: 'OFF', source: SOURCES.auroraMysql },
  ]),
  // RDS for SQL Server: off in every version (static parameter).
  ...rowsOf('sqlserver', 'rds.force_ssl', [{ value: '0', source: SOURCES.sqlserver }]),
];

/**
 * Versions whose default tls_version RDS does not give, but which accept
 * TLS below 1.2 on some of their minor versions: an unset tls_version there
 * cannot be judged from the configuration.
 */
const LEGACY_TLS_ON_SOME_MINORS: readonly Omit<DocumentedDefault, 'parameter' | 'value'>[] = [
  // 10.4 also has such minors, but no require_secure_transport: it is not TLS-only either way.
  { family: 'mariadb', from: [10, 5], before: [10, 11], source: SOURCES.mariadbTls },
];

/** The page saying an unset tls_version may allow TLS 1.0/1.1 in this version, or undefined. */
export function legacyTlsOnSomeMinors(
  family: EngineFamily,
  engineVersion: string,
): string | undefined {
  const version = tableVersion(family, engineVersion);
  if (version === undefined) return undefined;
  return LEGACY_TLS_ON_SOME_MINORS.find(
    (row) =>
      row.family === family && covers({ ...row, parameter: 'tls_version', value: null }, version),
  )?.source;
}

/** What the assumption is when no row covers a version: TLS not required. */
const CONSERVATIVE: Readonly<Record<string, string>> = {
  'rds.force_ssl': '0',
  require_secure_transport: '0',
  ssl_min_protocol_version: 'TLSv1',
};

export interface BuiltInDefault {
  /** null: the parameter does not exist in this engine version. */
  value: string | null;
  /** False when a documented row covers the version; true for the conservative assumption. */
  assumed: boolean;
  /** For the annotation: `documented default for this version` or `no documented default: TLS assumed not required`. */
  basis: string;
  /** The page the value comes from, when documented. */
  source?: string;
}

/**
 * The built-in default of `parameter` for an engine family and RDS engine
 * version, or undefined when the parameter is not one this table knows.
 */
export function builtInDefault(
  family: EngineFamily,
  parameter: string,
  engineVersion: string,
): BuiltInDefault | undefined {
  const rows = DOCUMENTED.filter((row) => row.family === family && row.parameter === parameter);
  const conservative = CONSERVATIVE[parameter];
  if (rows.length === 0 && conservative === undefined) return undefined;
  const version = tableVersion(family, engineVersion);
  const row =
    version === undefined ? undefined : rows.find((candidate) => covers(candidate, version));
  if (row) {
    return {
      value: row.value,
      assumed: false,
      basis:
        row.value === null
          ? `${parameter} does not exist in ${family} ${engineVersion}`
          : 'documented default for this version',
      source: row.source,
    };
  }
  if (conservative === undefined) return undefined;
  const why = version === undefined ? 'version not understood' : 'no documented default';
  return { value: conservative, assumed: true, basis: `${why}: TLS assumed not required` };
}

function covers(row: DocumentedDefault, version: Version): boolean {
  if (row.from && compare(version, row.from) < 0) return false;
  if (row.before && compare(version, row.before) >= 0) return false;
  return true;
}

function compare(a: Version, b: Version): number {
  return a[0] === b[0] ? a[1] - b[1] : a[0] - b[0];
}

/**
 * The version the table is keyed on: `8.0.39` → [8, 0]; `16.1-R2` → [16, 1];
 * Aurora MySQL `8.0.mysql_aurora.3.05.2` → [3, 5] and the `aurora` engine's
 * 5.6 line → Aurora 1.
 */
export function tableVersion(family: EngineFamily, engineVersion: string): Version | undefined {
  const text = engineVersion.trim();
  if (family === 'aurora-mysql') {
    const aurora = /mysql_aurora\.(\d+)\.(\d+)/.exec(text);
    if (aurora) return [Number(aurora[1]), Number(aurora[2])];
    if (/^5\.6\b/.test(text)) return [1, 0];
    return undefined;
  }
  const match = /^(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return [Number(match[1]), match[2] === undefined ? 0 : Number(match[2])];
}

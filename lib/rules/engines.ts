/**
 * Which engine family an RDS `Engine` string belongs to, and which live probe
 * speaks its wire protocol. Engine names are RDS's own (`sqlserver-se`,
 * `oracle-ee-cdb`, `aurora` for the Aurora MySQL 5.6 line, …).
 */

export type EngineFamily =
  | 'postgres'
  | 'aurora-postgresql'
  | 'mysql'
  | 'mariadb'
  | 'aurora-mysql'
  | 'sqlserver'
  | 'oracle'
  | 'db2'
  | 'custom'
  | 'unknown';

export function classifyEngine(engine: string): EngineFamily {
  const name = engine.trim().toLowerCase();
  switch (name) {
    case 'postgres':
    // An RDS Proxy's EngineFamily (POSTGRESQL, MYSQL) names its wire protocol.
    case 'postgresql':
      return 'postgres';
    case 'aurora-postgresql':
      return 'aurora-postgresql';
    case 'mysql':
      return 'mysql';
    case 'mariadb':
      return 'mariadb';
    case 'aurora':
    case 'aurora-mysql':
      return 'aurora-mysql';
  }
  // RDS Custom engines start with `custom-` and also contain `oracle`/`sqlserver`,
  // so they must be recognised before the plain prefixes.
  if (name.startsWith('custom-')) return 'custom';
  if (name.startsWith('sqlserver-')) return 'sqlserver';
  if (name.startsWith('oracle-')) return 'oracle';
  if (name.startsWith('db2-')) return 'db2';
  return 'unknown';
}

/**
 * Engines that show up in the RDS API but are other services (DocumentDB,
 * Neptune): out of this tool's scope rather than unknown.
 */
export function isOtherService(engine: string): boolean {
  const name = engine.trim().toLowerCase();
  return name === 'docdb' || name === 'neptune';
}

export type ProbeProtocol = 'postgres' | 'mysql';

export function probeProtocol(engine: string): ProbeProtocol | undefined {
  switch (classifyEngine(engine)) {
    case 'postgres':
    case 'aurora-postgresql':
      return 'postgres';
    case 'mysql':
    case 'mariadb':
    case 'aurora-mysql':
      return 'mysql';
    default:
      return undefined;
  }
}

/** The major version of `14.9`, `9.6.24`, `16.1-R2`; undefined when it does not start with a number. */
export function majorVersion(engineVersion: string): number | undefined {
  const match = /^\s*(\d+)/.exec(engineVersion);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 10);
}

export function isAurora(family: EngineFamily): boolean {
  return family === 'aurora-postgresql' || family === 'aurora-mysql';
}

/**
 * Real database servers on 127.0.0.1 that behave like RDS, for the test suite
 * and the local demo. Nothing here talks to AWS.
 */
export {
  CERTIFICATE_KINDS,
  type CertificateKind,
  type CertificateSet,
  generateCertificates,
  type InstalledCertificate,
  installCertificate,
  type ServerCertificate,
} from './certificates.js';
export {
  attachMariadb,
  type LocalDatabaseUser,
  type LocalMariadb,
  type MariadbDescriptor,
  type StartMariadbOptions,
  startMariadb,
} from './mariadb.js';
export {
  attachPostgres,
  type LocalPostgres,
  type PostgresDescriptor,
  type StartPostgresOptions,
  startPostgres,
} from './postgres.js';
export { freePort, LocalServerError } from './process.js';
export type { LocalDatabase, LocalDatabaseDescriptor, LocalServer } from './server.js';

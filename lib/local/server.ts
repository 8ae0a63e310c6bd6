/**
 * What the local servers have in common: the handle a test or the demo holds,
 * and for a database the plain data that rebuilds that handle in another
 * process.
 */
import type { SecretValue } from '../secret-value.js';
import type { CertificateKind, CertificateSet } from './certificates.js';
import type { ServerAccount } from './process.js';

/** A server started on 127.0.0.1: where it listens, the CA its clients trust, and how to stop it. */
export interface LocalServer {
  host: '127.0.0.1';
  port: number;
  /** PEM of the CA that signed the certificate the server presents to clients. */
  ca: string;
  stop(): Promise<void>;
}

/** A database server shaped like RDS: a master user, and a server certificate that can be swapped. */
export interface LocalDatabase<Descriptor extends LocalDatabaseDescriptor> extends LocalServer {
  masterUser: string;
  masterPassword: SecretValue;
  certificates: CertificateSet;
  /**
   * Presents another server certificate (expired, wrong host, other CA):
   * PostgreSQL after a reload, MariaDB after `FLUSH SSL`.
   */
  setCertificate(kind: CertificateKind): Promise<void>;
  /** Everything needed to rebuild this handle in another process (test workers). */
  describe(): Descriptor;
}

/**
 * A started database server as plain data. It holds the local throwaway
 * passwords in clear because it crosses a process boundary as JSON; it exists
 * only for servers started on 127.0.0.1 by this package.
 */
export interface LocalDatabaseDescriptor {
  dir: string;
  port: number;
  account: ServerAccount;
  masterUser: string;
  masterPassword: string;
  certificates: CertificateSet;
}

/**
 * Per-run certificates for local servers and the failure matrix: a CA and a
 * server certificate it signs for localhost/127.0.0.1, plus certificates a
 * verify-full client must reject (another CA, expired, wrong host name).
 */
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './process.js';

/** Which server certificate a local server presents. */
export const CERTIFICATE_KINDS = ['valid', 'untrusted', 'expired', 'wrong-host'] as const;

export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];

export interface ServerCertificate {
  kind: CertificateKind;
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

export interface CertificateSet {
  dir: string;
  /** The CA clients trust. */
  caFile: string;
  caPem: string;
  /** The CA that signs the `untrusted` certificate; clients do not trust it. */
  otherCaPem: string;
  servers: Record<CertificateKind, ServerCertificate>;
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

async function createCa(dir: string, name: string, commonName: string): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    ...CURVE,
    '-nodes',
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.crt`),
    '-days',
    '3',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

async function createServerCertificate(
  dir: string,
  kind: CertificateKind,
  ca: string,
  subjectAltName: string,
  days: number,
): Promise<void> {
  const base = join(dir, `server-${kind}`);
  const extFile = `${base}.ext`;
  await writeFile(
    extFile,
    `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  await run('openssl', [
    'req',
    '-new',
    ...CURVE,
    '-nodes',
    '-keyout',
    `${base}.key`,
    '-out',
    `${base}.csr`,
    '-subj',
    '/CN=localhost',
  ]);
  // A negative validity puts notAfter in the past: the one way to get an
  // expired certificate from `openssl x509` without a fake clock.
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    `${base}.csr`,
    '-CA',
    join(dir, `${ca}.crt`),
    '-CAkey',
    join(dir, `${ca}.key`),
    '-set_serial',
    `0x${Date.now().toString(16)}${CERTIFICATE_KINDS.indexOf(kind)}`,
    '-out',
    `${base}.crt`,
    '-days',
    String(days),
    '-extfile',
    extFile,
  ]);
  await rm(`${base}.csr`, { force: true });
  await rm(extFile, { force: true });
}

const LOCAL_NAMES = 'DNS:localhost,IP:127.0.0.1';

/** Generates the CA and the four server certificates into `dir` with the openssl CLI. */
export async function generateCertificates(dir: string): Promise<CertificateSet> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await Promise.all([
    createCa(dir, 'ca', 'rds-tls-guard local CA'),
    createCa(dir, 'other-ca', 'rds-tls-guard untrusted CA'),
  ]);
  await Promise.all([
    createServerCertificate(dir, 'valid', 'ca', LOCAL_NAMES, 3),
    createServerCertificate(dir, 'untrusted', 'other-ca', LOCAL_NAMES, 3),
    createServerCertificate(dir, 'expired', 'ca', LOCAL_NAMES, -1),
    createServerCertificate(dir, 'wrong-host', 'ca', 'DNS:wrong.example', 3),
  ]);
  const servers = {} as Record<CertificateKind, ServerCertificate>;
  for (const kind of CERTIFICATE_KINDS) {
    const certFile = join(dir, `server-${kind}.crt`);
    const keyFile = join(dir, `server-${kind}.key`);
    await chmod(keyFile, 0o600);
    servers[kind] = {
      kind,
      certFile,
      keyFile,
      certPem: await readFile(certFile, 'utf8'),
      keyPem: await readFile(keyFile, 'utf8'),
    };
  }
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    caPem: await readFile(join(dir, 'ca.crt'), 'utf8'),
    otherCaPem: await readFile(join(dir, 'other-ca.crt'), 'utf8'),
    servers,
  };
}

export interface InstalledCertificate {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/**
 * Copies a server certificate and the trusted CA into a server's own
 * directory. Servers refuse a key readable by others, so the key is 0600 and
 * owned by the server's OS user.
 */
export async function installCertificate(
  certificates: CertificateSet,
  kind: CertificateKind,
  destination: string,
  owner: { uid?: number; gid?: number },
): Promise<InstalledCertificate> {
  const installed = {
    certFile: join(destination, 'server.crt'),
    keyFile: join(destination, 'server.key'),
    caFile: join(destination, 'ca.crt'),
  };
  const server = certificates.servers[kind];
  await writeFile(installed.certFile, server.certPem, { mode: 0o644 });
  await writeFile(installed.keyFile, server.keyPem, { mode: 0o600 });
  await writeFile(installed.caFile, certificates.caPem, { mode: 0o644 });
  await chmod(installed.keyFile, 0o600);
  if (owner.uid !== undefined && owner.gid !== undefined) {
    for (const file of Object.values(installed)) await chown(file, owner.uid, owner.gid);
  }
  return installed;
}

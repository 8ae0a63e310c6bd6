/**
 * `rds-tls-guard demo`: the whole product on this machine, no AWS account.
 * Starts four real servers configured like RDS (PostgreSQL and MariaDB, each
 * once with TLS enforced and once without) and a PgBouncer standing in for an
 * RDS Proxy without RequireTLS in front of the PostgreSQL that enforces TLS,
 * scans an RDS-shaped inventory that points at them through the same
 * pipeline the Lambdas run, prints the table, writes the HTML report and
 * stops the servers it started.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoFleet, DEMO_REGION, type DemoDatabase, type DemoProxy } from '../demo/fleet.js';
import { collectInventory, createSnapshotRdsClient } from '../inventory/index.js';
import {
  type CertificateSet,
  generateCertificates,
  type LocalMariadb,
  type LocalPostgres,
  type LocalServer,
  startMariadb,
  startPostgres,
} from '../local/index.js';
import { startPgbouncer } from '../local/pgbouncer.js';
import type { LiveProber } from '../pipeline.js';
import { createLiveProber, type LiveProberOptions } from '../probe/index.js';
import { renderReport } from '../report/index.js';
import { summarize } from '../report/summary.js';
import { scan } from '../scan.js';
import { createCredentialResolver } from '../secrets/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../types.js';
import { writeReport } from './output.js';
import { createProgressReporter } from './progress.js';

export interface DemoOptions {
  html: string;
  keepServers?: boolean;
}

/** The host name the demo's endpoints use; the local server certificates are issued for it. */
export const DEMO_ENDPOINT_HOST = 'localhost';

/** The demo's RDS Proxy: RequireTLS off, in front of the PostgreSQL that enforces TLS. */
const DEMO_PROXY = { name: 'orders-proxy', target: 'orders-pg', requireTls: false } as const;

export async function runDemo(
  options: DemoOptions,
  stdout: NodeJS.WriteStream,
  stderr: NodeJS.WriteStream,
): Promise<number> {
  // The demo talks to no AWS endpoint: the SDK's Node support notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const workDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-demo-'));
  const servers: LocalServer[] = [];
  try {
    stderr.write('starting local PostgreSQL and MariaDB servers configured like RDS…\n');
    const certificates = await generateCertificates(join(workDir, 'certs'));
    const { databases, proxied } = await startServers(certificates, servers);
    const bouncer = await startPgbouncer({ backend: proxied, clientTlsMode: 'allow' });
    servers.push(bouncer);
    stderr.write(
      `started ${servers.length} servers on 127.0.0.1 (ports ${servers.map((s) => s.port).join(', ')})\n`,
    );

    const proxy: DemoProxy = {
      ...DEMO_PROXY,
      user: proxied.masterUser,
      password: proxied.masterPassword,
    };
    const fleet = buildDemoFleet(databases, DEMO_ENDPOINT_HOST, [proxy]);
    const rds = createSnapshotRdsClient(fleet.snapshot, DEMO_REGION);
    const proberOptions: LiveProberOptions = {
      credentials: createCredentialResolver({ secretsClientFor: () => fleet.secretsClient }),
      // The local CA stands in for the RDS CA bundle.
      caBundle: certificates.caPem,
    };
    const prober = demoProber(
      createLiveProber(proberOptions),
      // RDS Proxy listens on the engine's standard port; locally PgBouncer's own port stands in, like a port forward.
      createLiveProber({ ...proberOptions, portOverride: bouncer.port }),
    );
    const progress = createProgressReporter(stderr);
    const result = await scan({
      inventory: () => collectInventory({ regions: [DEMO_REGION], clientFor: () => rds }),
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      prober,
      onProgress: (event) => progress.update(event),
    });
    progress.stop();

    stdout.write(
      `${renderReport(result, 'table', { color: stdout.isTTY === true, width: stdout.columns ?? 160 })}\n`,
    );
    await writeReport(options.html, renderReport(result, 'html', { title: 'rds-tls-guard demo' }));
    const summary = summarize(result);
    stderr.write(
      `HTML report: ${options.html} (${summary.total} databases, ${summary.verdicts.NON_COMPLIANT} non-compliant by design)\n`,
    );

    if (options.keepServers) {
      stderr.write('servers left running; press Ctrl-C to stop them\n');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return 0;
  } finally {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Databases through their own endpoints; the proxy through the local PgBouncer. */
function demoProber(databases: LiveProber, proxies: LiveProber): LiveProber {
  return {
    probe: (item, ruleParameters, signal) =>
      (item.resource.proxy ? proxies : databases).probe(item, ruleParameters, signal),
  };
}

async function startServers(
  certificates: CertificateSet,
  started: LocalServer[],
): Promise<{ databases: DemoDatabase[]; proxied: LocalPostgres }> {
  // allSettled, not all: a server that failed to start must not leave the others running.
  const settled = await Promise.allSettled([
    startPostgres({ certificates, forceSsl: true }),
    startPostgres({ certificates, forceSsl: false }),
    startMariadb({ certificates, requireSecureTransport: true }),
    startMariadb({ certificates, requireSecureTransport: false }),
  ] as const);
  for (const outcome of settled) {
    if (outcome.status === 'fulfilled') started.push(outcome.value);
  }
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  const [pgTls, pgOpen, mariaTls, mariaOpen] = settled.map(
    (outcome) => (outcome as PromiseFulfilledResult<LocalServer>).value,
  ) as [LocalPostgres, LocalPostgres, LocalMariadb, LocalMariadb];
  const pg = (server: LocalPostgres, identifier: string, enforcesTls: boolean): DemoDatabase => ({
    identifier,
    engine: 'postgres',
    engineVersion: '16.4',
    port: server.port,
    masterUser: server.masterUser,
    masterPassword: server.masterPassword,
    enforcesTls,
  });
  const maria = (server: LocalMariadb, identifier: string, enforcesTls: boolean): DemoDatabase => ({
    identifier,
    engine: 'mariadb',
    engineVersion: '10.11.9',
    port: server.port,
    masterUser: server.masterUser,
    masterPassword: server.masterPassword,
    enforcesTls,
  });
  return {
    databases: [
      pg(pgTls, DEMO_PROXY.target, true),
      pg(pgOpen, 'legacy-pg', false),
      maria(mariaTls, 'billing-mariadb', true),
      maria(mariaOpen, 'crm-mariadb', false),
    ],
    proxied: pgTls,
  };
}

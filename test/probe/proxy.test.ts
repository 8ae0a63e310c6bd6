/**
 * The live proof through a real proxy: PgBouncer in front of the test
 * PostgreSQL stands in for RDS Proxy, once with client TLS required
 * (RequireTLS on) and once with it only allowed (RequireTLS off).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPostgres } from '../../lib/local/index.js';
import { type LocalPgbouncer, startPgbouncer } from '../../lib/local/pgbouncer.js';
import type { InventoryItem } from '../../lib/pipeline.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { evaluateItem } from '../../lib/scan.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { recordingRelay } from '../fixtures/hostile.js';
import {
  fixedCredentials,
  localProxyItem,
  proxyEndpoint,
  usePostgres,
} from '../fixtures/servers.js';

let database: LocalPostgres;
let requiring: LocalPgbouncer;
let allowing: LocalPgbouncer;

beforeAll(async () => {
  database = usePostgres();
  await database.setForceSsl(true);
  [requiring, allowing] = await Promise.all([
    startPgbouncer({ backend: database, clientTlsMode: 'require' }),
    startPgbouncer({ backend: database, clientTlsMode: 'allow' }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([requiring?.stop(), allowing?.stop()]);
});

/** A proxy item as the inventory builds it, with a default and a read-only custom endpoint. */
function proxyItem(bouncer: LocalPgbouncer, requireTls: boolean): InventoryItem {
  return localProxyItem({
    engineFamily: 'POSTGRESQL',
    identifier: 'orders-proxy',
    resourceId: 'prx-0a1b2c3d4e5f67890',
    port: bouncer.port,
    requireTls,
    target: 'local-postgres',
  });
}

function prober() {
  return createLiveProber({
    credentials: fixedCredentials(database.masterUser, database.masterPassword),
    caBundle: database.ca,
    hostOverride: '127.0.0.1',
    connectTimeoutMs: 2_000,
  });
}

async function evaluate(item: InventoryItem) {
  const now = new Date();
  return evaluateItem(
    item,
    { ruleParameters: DEFAULT_RULE_PARAMETERS, prober: prober() },
    () => now,
    now,
  );
}

describe('live proof through a real PgBouncer standing in for RDS Proxy', () => {
  it('proves every endpoint of a proxy that requires TLS: plaintext refused in the proxy’s words, verify-full TLS ok', async () => {
    const evaluation = await evaluate(proxyItem(requiring, true));
    expect(evaluation.liveFinding?.verdict).toBe('COMPLIANT');
    expect(evaluation.liveFinding?.reason).toBe('PLAINTEXT_REFUSED');
    expect(evaluation.finding.verdict).toBe('COMPLIANT');
    expect(evaluation.finding.reason).toBe('TLS_PROVEN');
    expect(evaluation.finding.annotation).toContain(
      'all 2 proxy endpoint(s) proven (default, orders-reports)',
    );
    for (const name of ['default', 'orders-reports']) {
      expect(evaluation.finding.evidence).toContainEqual({
        source: 'probe',
        label: `${name}: plaintext attempt as random role and database (throwaway password)`,
        value: 'plaintext refused by the proxy before authentication (08P01 SSL required)',
      });
    }
    expect(evaluation.finding.evidence).toContainEqual({
      source: 'probe',
      label: 'proxy endpoint orders-reports (READ_ONLY)',
      value: 'COMPLIANT PLAINTEXT_REFUSED',
    });
  });

  it('is NON_COMPLIANT for a proxy that only allows TLS, quoting the proxy running the login in plaintext', async () => {
    const evaluation = await evaluate(proxyItem(allowing, false));
    expect(evaluation.staticFinding.reason).toBe('PROXY_TLS_NOT_REQUIRED');
    expect(evaluation.liveFinding?.verdict).toBe('NON_COMPLIANT');
    expect(evaluation.liveFinding?.reason).toBe('PLAINTEXT_ACCEPTED');
    expect(evaluation.finding.verdict).toBe('NON_COMPLIANT');
    expect(evaluation.finding.annotation).toContain('proxy endpoint default (default, READ_WRITE)');
    expect(evaluation.finding.annotation).toContain('08P01 SASL authentication failed');
    expect(evaluation.finding.remediation).toContain(
      'aws rds modify-db-proxy --db-proxy-name orders-proxy --require-tls',
    );
  });

  it('catches a proxy whose configuration says RequireTLS but which accepts plaintext', async () => {
    const evaluation = await evaluate(proxyItem(allowing, true));
    expect(evaluation.finding.verdict).toBe('NON_COMPLIANT');
    expect(evaluation.finding.reason).toBe('LIVE_CONTRADICTS_CONFIGURATION');
  });
});

describe('what crosses the wire to a PostgreSQL proxy in plaintext', () => {
  it('is a random role and database: neither the probe user nor its password', async () => {
    const relay = await recordingRelay(requiring.port);
    try {
      const item = proxyItem(requiring, true);
      const evaluation = await evaluate({
        ...item,
        resource: {
          ...item.resource,
          proxy: {
            ...(item.resource.proxy as NonNullable<typeof item.resource.proxy>),
            endpoints: [proxyEndpoint('default', relay.port, 'READ_WRITE', true)],
          },
        },
      });
      expect(evaluation.liveFinding?.reason).toBe('PLAINTEXT_REFUSED');
      const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
      const plaintext = relay.connections.filter(
        (connection) => !Buffer.concat(connection.fromClient).subarray(0, 8).equals(sslRequest),
      );
      expect(plaintext).toHaveLength(1);
      const sent = Buffer.concat(plaintext[0]?.fromClient ?? []);
      expect(sent.includes(Buffer.from('rtg_'))).toBe(true);
      expect(sent.includes(Buffer.from(database.masterUser))).toBe(false);
      expect(sent.includes(Buffer.from(database.masterPassword.reveal()))).toBe(false);
    } finally {
      await relay.close();
    }
  });

  it('proves the client’s own TLS leg; the database’s pg_stat_ssl is named as the proxy’s leg', async () => {
    const evaluation = await evaluate(proxyItem(requiring, true));
    const labels = evaluation.finding.evidence.map((entry) => entry.label);
    expect(labels).toContain('default: database behind the proxy: pg_stat_ssl.version');
    expect(labels).not.toContain('default: pg_stat_ssl.version');
    expect(
      evaluation.finding.evidence.find((entry) => entry.label === 'default: verify-full TLS')
        ?.value,
    ).toMatch(/^TLSv1\.[23] /);
  });
});

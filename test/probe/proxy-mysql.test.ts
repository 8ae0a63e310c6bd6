/**
 * The live proof through a MySQL-family proxy endpoint proves the PROXY's
 * stance, not the database's. Debian has no MySQL proxy, so a real MariaDB
 * (its own, so its settings can change without touching other tests) stands
 * in for the endpoint: directly, where only the endpoint's answer to a random
 * plaintext login matters, and behind a relay that answers a plaintext login
 * the way the RDS User Guide records RDS Proxy does with RequireTLS on
 * (test/fixtures/mysql-proxy.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMariadb, startMariadb } from '../../lib/local/mariadb.js';
import type { InventoryItem } from '../../lib/pipeline.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { evaluateItem } from '../../lib/scan.js';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters } from '../../lib/types.js';
import { credentialDerivedBytes } from '../fixtures/credential-bytes.js';
import { mysqlGreetingNonce, recordingRelay } from '../fixtures/hostile.js';
import { type MysqlProxyStandIn, mysqlProxyStandIn } from '../fixtures/mysql-proxy.js';
import {
  fixedCredentials,
  localProxyItem,
  REAL_SERVER_CONNECT_TIMEOUT_MS,
} from '../fixtures/servers.js';

let server: LocalMariadb;
let requiring: MysqlProxyStandIn;
let relaying: MysqlProxyStandIn;

beforeAll(async () => {
  server = await startMariadb({ requireSecureTransport: true });
  [requiring, relaying] = await Promise.all([
    mysqlProxyStandIn(server.port, { requireTls: true }),
    mysqlProxyStandIn(server.port, { requireTls: false }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([requiring?.close(), relaying?.close()]);
  await server?.stop();
});

function proxyItem(port: number, requireTls: boolean): InventoryItem {
  return localProxyItem({
    engineFamily: 'MYSQL',
    identifier: 'orders-mysql-proxy',
    resourceId: 'prx-0mysql0000000000000',
    port,
    requireTls,
    target: 'local-mariadb',
  });
}

async function evaluate(item: InventoryItem, parameters: Partial<RuleParameters> = {}) {
  const prober = createLiveProber({
    credentials: fixedCredentials(server.masterUser, server.masterPassword),
    caBundle: server.ca,
    hostOverride: '127.0.0.1',
    connectTimeoutMs: REAL_SERVER_CONNECT_TIMEOUT_MS,
  });
  const now = new Date();
  return evaluateItem(
    item,
    { ruleParameters: { ...DEFAULT_RULE_PARAMETERS, ...parameters }, prober },
    () => now,
    now,
  );
}

describe('live proof through a MySQL-family proxy endpoint', () => {
  it('is COMPLIANT when the proxy itself refuses a random plaintext login (3159, RDS Proxy’s words) and verify-full TLS through it works', async () => {
    const before = requiring.refusedPlaintext;
    const evaluation = await evaluate(proxyItem(requiring.port, true));
    expect(evaluation.liveFinding?.verdict).toBe('COMPLIANT');
    expect(evaluation.liveFinding?.reason).toBe('PLAINTEXT_REFUSED');
    expect(evaluation.finding.verdict).toBe('COMPLIANT');
    expect(evaluation.finding.annotation).toContain(
      'all 2 proxy endpoint(s) proven (default, orders-reports)',
    );
    expect(requiring.refusedPlaintext - before).toBe(2);
    for (const name of ['default', 'orders-reports']) {
      expect(evaluation.finding.evidence).toContainEqual({
        source: 'probe',
        label: `${name}: plaintext attempt (random user and password)`,
        value:
          'plaintext refused by the proxy as a random user (3159 This RDS Proxy requires TLS connections.)',
      });
    }
    // The database's own setting is shown, and named as the database's.
    expect(evaluation.finding.evidence).toContainEqual({
      source: 'server',
      label: 'default: database behind the proxy: @@require_secure_transport',
      value: 'ON',
    });
  });

  it('could not tell when the endpoint answers a random plaintext login with 1045, although the database behind says require_secure_transport=ON', async () => {
    await server.setRequireSecureTransport(true);
    const evaluation = await evaluate(proxyItem(server.port, true));
    expect(evaluation.liveFinding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(evaluation.liveFinding?.reason).toBe('PROXY_PLAINTEXT_COULD_NOT_TELL');
    expect(evaluation.finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(evaluation.finding.annotation).toContain(
      'could not tell whether the proxy requires TLS: plaintext login as a random user failed authentication (1045)',
    );
    // verify-full TLS through the endpoint still worked and is in the evidence.
    expect(
      evaluation.finding.evidence.find((entry) => entry.label === 'default: verify-full TLS')
        ?.value,
    ).toMatch(/^TLSv1\.[23]/);
  });

  it('with RequireTLS off, a random login’s 1045 still proves nothing: the proxy is NON_COMPLIANT from its API alone', async () => {
    const evaluation = await evaluate(proxyItem(relaying.port, false));
    expect(evaluation.staticFinding.reason).toBe('PROXY_TLS_NOT_REQUIRED');
    expect(evaluation.liveFinding?.reason).toBe('PROXY_PLAINTEXT_COULD_NOT_TELL');
    expect(evaluation.finding.verdict).toBe('NON_COMPLIANT');
    expect(evaluation.finding.reason).toBe('PROXY_TLS_NOT_REQUIRED');
  });

  it('is NON_COMPLIANT when the proxy lets the probe user in over plaintext (opt-in mysqlPlaintextLogin)', async () => {
    await server.setRequireSecureTransport(false);
    try {
      const evaluation = await evaluate(proxyItem(relaying.port, true), {
        mysqlPlaintextLogin: true,
      });
      expect(evaluation.liveFinding?.verdict).toBe('NON_COMPLIANT');
      expect(evaluation.liveFinding?.reason).toBe('PLAINTEXT_ACCEPTED');
      expect(evaluation.finding.reason).toBe('LIVE_CONTRADICTS_CONFIGURATION');
      expect(evaluation.finding.annotation).toContain(
        'plaintext login with the probe credentials accepted by the proxy',
      );
    } finally {
      await server.setRequireSecureTransport(true);
    }
  });

  it('puts nothing derived from the proxy’s credentials on a plaintext connection', async () => {
    const relay = await recordingRelay(requiring.port);
    try {
      await evaluate(proxyItem(relay.port, true));
      const plaintext = relay.connections.filter((connection) => {
        const first = Buffer.concat(connection.fromClient);
        return first.length >= 8 && (first.readUInt32LE(4) & 0x0800) === 0;
      });
      expect(plaintext.length).toBeGreaterThanOrEqual(2);
      for (const connection of plaintext) {
        const sent = Buffer.concat(connection.fromClient);
        expect(sent.includes(Buffer.from(server.masterUser))).toBe(false);
        const nonce = mysqlGreetingNonce(connection.fromServer);
        for (const secret of credentialDerivedBytes(server.masterPassword.reveal(), nonce)) {
          expect(sent.includes(secret)).toBe(false);
        }
      }
    } finally {
      await relay.close();
    }
  });
});

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
import { classifyPlaintextAnswer } from '../../lib/probe/postgres-plaintext.js';
import { evaluateItem } from '../../lib/scan.js';
import { DEFAULT_RULE_PARAMETERS, type ProxyEndpoint } from '../../lib/types.js';
import { ENDPOINT_HOST, fixedCredentials, usePostgres } from '../fixtures/servers.js';

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

function endpoint(name: string, port: number, role: string, isDefault: boolean): ProxyEndpoint {
  return { name, address: ENDPOINT_HOST, port, role, isDefault };
}

/** A proxy item as the inventory builds it, with a default and a read-only custom endpoint. */
function proxyItem(bouncer: LocalPgbouncer, requireTls: boolean): InventoryItem {
  return {
    resource: {
      resourceType: 'AWS::RDS::DBProxy',
      resourceId: 'prx-0a1b2c3d4e5f67890',
      identifier: 'orders-proxy',
      region: 'eu-west-1',
      engine: 'POSTGRESQL',
      engineVersion: 'proxy',
      endpoint: { address: ENDPOINT_HOST, port: bouncer.port },
      optionGroups: [],
      iamDatabaseAuthenticationEnabled: false,
      tags: {},
      proxy: {
        requireTls,
        engineFamily: 'POSTGRESQL',
        endpoints: [
          endpoint('default', bouncer.port, 'READ_WRITE', true),
          endpoint('orders-reports', bouncer.port, 'READ_ONLY', false),
        ],
        auth: [],
        targets: [{ type: 'RDS_INSTANCE', identifier: 'local-postgres' }],
      },
    },
    optionGroups: [],
    gaps: [],
  };
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
        label: `${name}: plaintext attempt as probe user (throwaway password)`,
        value: 'plaintext refused by proxy before authentication (08P01 SSL required)',
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

describe('what proxies answer a plaintext client', () => {
  const answer = (code: string, message: string, authenticationRequested = false) => ({
    error: Object.assign(new Error(message), { code, severity: 'FATAL' }),
    authenticationRequested,
  });

  it('reads RDS Proxy’s refusal (28000 This RDS Proxy requires TLS connections, before authentication) as refused', () => {
    expect(
      classifyPlaintextAnswer(answer('28000', 'This RDS Proxy requires TLS connections')),
    ).toMatchObject({ kind: 'refused', reason: 'PLAINTEXT_REFUSED' });
  });

  it('reads PgBouncer’s refusal (08P01 SSL required, before authentication) as refused', () => {
    expect(classifyPlaintextAnswer(answer('08P01', 'SSL required'))).toEqual({
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: 'plaintext refused by proxy before authentication (08P01 SSL required)',
    });
  });

  it('reads a login the proxy ran over plaintext (08P01 after a SASL request) as accepted', () => {
    expect(
      classifyPlaintextAnswer(answer('08P01', 'SASL authentication failed', true)),
    ).toMatchObject({ kind: 'accepted', reason: 'PLAINTEXT_ACCEPTED' });
  });

  it('does not read another 08P01 protocol error as a refusal or an acceptance', () => {
    expect(classifyPlaintextAnswer(answer('08P01', 'no more connections allowed')).kind).toBe(
      'inconclusive',
    );
  });
});

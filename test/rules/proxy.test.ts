import { describe, expect, it } from 'vitest';
import type { LiveProber } from '../../lib/pipeline.js';
import { evaluateStatic } from '../../lib/rules/index.js';
import { evaluateItem } from '../../lib/scan.js';
import type { DatabaseResource, LiveFinding, ProxySettings } from '../../lib/types.js';
import { instanceInput, NOW, resource, ruleInput } from './builders.js';

function proxyResource(settings: Partial<ProxySettings> = {}): DatabaseResource {
  return resource({
    resourceType: 'AWS::RDS::DBProxy',
    resourceId: 'prx-0a1b2c3d4e5f67890',
    identifier: 'orders-proxy',
    arn: 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0a1b2c3d4e5f67890',
    engine: 'POSTGRESQL',
    engineVersion: 'proxy',
    endpoint: { address: 'orders-proxy.proxy-c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
    caCertificateIdentifier: undefined,
    proxy: {
      requireTls: true,
      engineFamily: 'POSTGRESQL',
      endpoints: [
        {
          name: 'default',
          address: 'orders-proxy.proxy-c9akciq32.eu-west-1.rds.amazonaws.com',
          port: 5432,
          role: 'READ_WRITE',
          isDefault: true,
        },
      ],
      auth: [],
      targets: [{ type: 'RDS_INSTANCE', identifier: 'app-db' }],
      ...settings,
    },
  });
}

const secureDatabase = {
  engine: 'postgres',
  engineVersion: '15.4',
  group: 'pg15-secure',
  parameters: { 'rds.force_ssl': '1' },
};

describe('RDS Proxy static rule', () => {
  it('is NON_COMPLIANT PROXY_TLS_NOT_REQUIRED when RequireTLS is false, naming the exact command', () => {
    const finding = evaluateStatic(ruleInput({ resource: proxyResource({ requireTls: false }) }));
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('PROXY_TLS_NOT_REQUIRED');
    expect(finding.annotation).toBe(
      'proxy orders-proxy RequireTLS=false: clients may connect to it in plaintext',
    );
    expect(finding.remediation).toContain(
      'aws rds modify-db-proxy --db-proxy-name orders-proxy --require-tls',
    );
    expect(finding.evidence).toContainEqual({
      source: 'rds-api',
      label: 'RequireTLS',
      value: 'false (proxy orders-proxy)',
    });
  });

  it('is COMPLIANT TLS_ENFORCED when RequireTLS is true', () => {
    const finding = evaluateStatic(ruleInput({ resource: proxyResource({ requireTls: true }) }));
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.reason).toBe('TLS_ENFORCED');
    expect(finding.annotation).toBe('proxy orders-proxy RequireTLS=true');
  });

  it('is INSUFFICIENT_DATA when RDS did not report RequireTLS, never COMPLIANT', () => {
    const settings = proxyResource().proxy;
    const withoutFlag = { ...proxyResource(), proxy: { ...settings, requireTls: undefined } };
    delete withoutFlag.proxy.requireTls;
    const finding = evaluateStatic(ruleInput({ resource: withoutFlag as DatabaseResource }));
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PROXY_REQUIRE_TLS_UNKNOWN');
  });
});

describe('a database behind a proxy', () => {
  it('is NON_COMPLIANT PROXY_PLAINTEXT_PATH when a proxy in front does not require TLS, whatever its own group says', () => {
    const input = instanceInput({
      ...secureDatabase,
      resource: { frontingProxies: [{ name: 'orders-proxy', requireTls: false }] },
    });
    const finding = evaluateStatic(input);
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('PROXY_PLAINTEXT_PATH');
    expect(finding.annotation).toBe(
      'reachable in plaintext through RDS Proxy orders-proxy (RequireTLS=false)',
    );
    expect(finding.remediation).toBe(
      'Require TLS on proxy orders-proxy: aws rds modify-db-proxy --db-proxy-name orders-proxy --require-tls',
    );
    expect(finding.evidence).toContainEqual({
      source: 'rds-api',
      label: 'RDS Proxy orders-proxy RequireTLS',
      value: 'false',
    });
  });

  it('stays COMPLIANT behind a proxy that requires TLS, with the proxy in its evidence', () => {
    const input = instanceInput({
      ...secureDatabase,
      resource: { frontingProxies: [{ name: 'orders-proxy', requireTls: true }] },
    });
    const finding = evaluateStatic(input);
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.evidence).toContainEqual({
      source: 'rds-api',
      label: 'RDS Proxy orders-proxy RequireTLS',
      value: 'true',
    });
  });

  it('stays NON_COMPLIANT when its own endpoint proves TLS-only: the proof does not cover the proxy door', async () => {
    const proven: LiveFinding = {
      verdict: 'COMPLIANT',
      reason: 'PLAINTEXT_REFUSED',
      annotation:
        'plaintext refused by server (28000 pg_hba: no encryption); verify-full TLSv1.3 ok',
      remediation: '',
      evidence: [],
      durationMs: 5,
    };
    const prober: LiveProber = { probe: async () => proven };
    const input = instanceInput({
      ...secureDatabase,
      resource: { frontingProxies: [{ name: 'orders-proxy', requireTls: false }] },
    });
    const { ruleParameters, now: _now, ...item } = input;
    const evaluation = await evaluateItem(item, { ruleParameters, prober }, () => NOW, NOW);
    expect(evaluation.liveFinding?.verdict).toBe('COMPLIANT');
    expect(evaluation.finding.verdict).toBe('NON_COMPLIANT');
    expect(evaluation.finding.reason).toBe('PROXY_PLAINTEXT_PATH');
    expect(evaluation.finding.annotation).toContain('live probe: plaintext refused by server');
  });
});

describe('a proxy whose API says RequireTLS false', () => {
  it('stays NON_COMPLIANT when a refusal is seen through it: the database behind may be answering for itself', async () => {
    const refused: LiveFinding = {
      verdict: 'COMPLIANT',
      reason: 'PLAINTEXT_REFUSED',
      annotation: 'plaintext refused by server (3159); verify-full TLSv1.3 ok',
      remediation: '',
      evidence: [],
      durationMs: 5,
    };
    const prober: LiveProber = { probe: async () => refused };
    const evaluation = await evaluateItem(
      {
        resource: proxyResource({ requireTls: false, engineFamily: 'MYSQL' }),
        optionGroups: [],
        gaps: [],
      },
      { ruleParameters: ruleInput().ruleParameters, prober },
      () => NOW,
      NOW,
    );
    expect(evaluation.finding.verdict).toBe('NON_COMPLIANT');
    expect(evaluation.finding.reason).toBe('PROXY_TLS_NOT_REQUIRED');
  });
});

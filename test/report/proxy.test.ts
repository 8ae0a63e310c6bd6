import { describe, expect, it } from 'vitest';
import { REPORT_FORMATS, renderReport } from '../../lib/report/index.js';
import { jsonReportSchema } from '../../lib/report/json-schema.js';
import type { ResourceEvaluation, ScanResult } from '../../lib/types.js';
import { fixtureScanResult } from './fixture.js';

const AT = new Date('2025-03-14T09:27:00.000Z');

/** An RDS Proxy without RequireTLS, as the pipeline evaluates one after a live proof through PgBouncer. */
const plaintextProxy: ResourceEvaluation = {
  resource: {
    resourceType: 'AWS::RDS::DBProxy',
    resourceId: 'prx-0a1b2c3d4e5f67890',
    identifier: 'orders-proxy',
    arn: 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0a1b2c3d4e5f67890',
    accountId: '123456789012',
    region: 'eu-west-1',
    engine: 'POSTGRESQL',
    engineVersion: 'proxy',
    endpoint: { address: 'orders-proxy.proxy-c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
    optionGroups: [],
    iamDatabaseAuthenticationEnabled: false,
    tags: {},
  },
  staticFinding: {
    verdict: 'NON_COMPLIANT',
    reason: 'PROXY_TLS_NOT_REQUIRED',
    annotation: 'proxy orders-proxy RequireTLS=false: clients may connect to it in plaintext',
    remediation: 'aws rds modify-db-proxy --db-proxy-name orders-proxy --require-tls',
    evidence: [{ source: 'rds-api', label: 'RequireTLS', value: 'false (proxy orders-proxy)' }],
  },
  finding: {
    verdict: 'NON_COMPLIANT',
    reason: 'PLAINTEXT_ACCEPTED',
    annotation:
      'proxy endpoint default (default, READ_WRITE): plaintext accepted by the proxy: it went on to authenticate a random role over plaintext (08P01 SASL authentication failed)',
    remediation:
      'Require TLS on proxy orders-proxy (clients must then connect with TLS): aws rds modify-db-proxy --db-proxy-name orders-proxy --require-tls',
    evidence: [{ source: 'rds-api', label: 'RequireTLS', value: 'false (proxy orders-proxy)' }],
  },
  orderingTimestamp: AT,
};

function withProxy(): ScanResult {
  const result = fixtureScanResult();
  return { ...result, evaluations: [...result.evaluations, plaintextProxy] };
}

describe('RDS Proxies in every report format', () => {
  it.each(REPORT_FORMATS)('%s names the proxy and its verdict', (format) => {
    const text = renderReport(withProxy(), format, { width: 400 });
    expect(text).toContain('orders-proxy');
    expect(text).toContain('NON_COMPLIANT');
  });

  it('the JSON report types the proxy row AWS::RDS::DBProxy with the server’s words, within schema v1', () => {
    const report = jsonReportSchema.parse(JSON.parse(renderReport(withProxy(), 'json')));
    expect(report.databases.find((db) => db.identifier === 'orders-proxy')).toMatchObject({
      resourceType: 'AWS::RDS::DBProxy',
      resourceId: 'prx-0a1b2c3d4e5f67890',
      verdict: 'NON_COMPLIANT',
      reason: 'PLAINTEXT_ACCEPTED',
    });
    expect(renderReport(withProxy(), 'json')).toContain('08P01 SASL authentication failed');
  });

  it('ASFF files the proxy under resource type Other, the value Security Hub documents for unlisted types', () => {
    const findings = JSON.parse(renderReport(withProxy(), 'asff')) as Array<{
      Title: string;
      Resources: Array<{ Type: string; Id: string }>;
    }>;
    const proxy = findings.find((finding) => finding.Title.includes('orders-proxy'));
    expect(proxy?.Resources[0]).toMatchObject({
      Type: 'Other',
      Id: 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0a1b2c3d4e5f67890',
    });
    expect(proxy?.Title).toContain('RDS Proxy orders-proxy');
  });
});

/**
 * A big fleet's audit report crosses Lambda's 6 MB response limit: it goes
 * to the reports bucket (aws-sdk-client-mock stands in for S3) and the audit
 * answers with its location and summary.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inventory, InventoryItem } from '../../lib/pipeline.js';
import { jsonReportSchema, type ReportFormat } from '../../lib/report/index.js';
import {
  type AuditDelivery,
  auditReportKey,
  deliverAuditResponse,
  INLINE_RESPONSE_MAX_BYTES,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  s3ReportStore,
} from '../../lib/sinks/audit-delivery.js';
import { type AuditResponse, runAudit } from '../../lib/use-cases/audit.js';
import { memoryBucket } from './memory-bucket.js';

const REQUEST = {
  id: 'c0ffee00-1234-4abc-8def-0123456789ab',
  at: new Date('2025-01-15T13:00:00Z'),
};
const BUCKET = 'rds-tls-guard-reports-example';

function item(index: number): InventoryItem {
  const identifier = `orders-${String(index).padStart(5, '0')}`;
  return {
    resource: {
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: `db-${identifier.toUpperCase()}`,
      arn: `arn:aws:rds:eu-west-1:111111111111:db:${identifier}`,
      identifier,
      accountId: '111111111111',
      region: 'eu-west-1',
      engine: 'postgres',
      engineVersion: '16.3',
      parameterGroup: { name: 'pg16-no-tls', applyStatus: 'in-sync' },
      optionGroups: [],
      iamDatabaseAuthenticationEnabled: false,
      tags: {},
    },
    parameters: {
      groupName: 'pg16-no-tls',
      kind: 'instance',
      parameters: {
        'rds.force_ssl': { name: 'rds.force_ssl', value: '0', origin: 'parameter-group' },
      },
    },
    optionGroups: [],
    gaps: [],
  };
}

/** The audit of a fleet of `count` PostgreSQL instances that allow plaintext. */
async function auditOf(count: number, format?: ReportFormat): Promise<AuditResponse> {
  const inventory: Inventory = {
    items: Array.from({ length: count }, (_, index) => item(index)),
    problems: [],
    regions: ['eu-west-1'],
  };
  return runAudit(
    { liveProbe: false, memberAccounts: false, ...(format ? { format } : {}) },
    {
      region: 'eu-west-1',
      ownAccountId: '111111111111',
      collect: async () => inventory,
      proberFor: () => ({ probe: async () => undefined }),
      now: () => REQUEST.at,
    },
  );
}

function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

function deliverToBucket(report: AuditResponse): Promise<AuditDelivery> {
  return deliverAuditResponse(report, s3ReportStore(BUCKET, 'eu-west-1'), REQUEST);
}

let bucket: ReturnType<typeof memoryBucket> | undefined;
afterEach(() => bucket?.mock.restore());

describe('an audit report over the 6 MB response limit', () => {
  it('is written to the reports bucket, and the answer says where, with the summary', async () => {
    const report = await auditOf(8_000);
    expect(bytesOf(report)).toBeGreaterThan(LAMBDA_RESPONSE_LIMIT_BYTES);
    bucket = memoryBucket();

    const delivered = await deliverToBucket(report);

    const key = 'audits/2025/01/15/c0ffee00-1234-4abc-8def-0123456789ab.json';
    expect(delivered).toEqual({
      stored: {
        bucket: BUCKET,
        key,
        uri: `s3://${BUCKET}/${key}`,
        format: 'json',
        contentType: 'application/json',
        bytes: bytesOf(report),
      },
      summary: {
        total: 8_000,
        databases: 8_000,
        clusterMembers: 0,
        verdicts: { COMPLIANT: 0, NON_COMPLIANT: 8_000, NOT_APPLICABLE: 0, INSUFFICIENT_DATA: 0 },
        probed: 0,
        problems: 0,
      },
    });
    expect(bytesOf(delivered)).toBeLessThan(2_048);
    expect(bucket.mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(bucket.objects.get(key)?.contentType).toBe('application/json');
    const stored = jsonReportSchema.parse(bucket.json(key));
    expect(stored.databases).toHaveLength(8_000);
  });

  it('in another format is stored as that format’s file', async () => {
    const report = await auditOf(6_000, 'html');
    expect(bytesOf(report)).toBeGreaterThan(INLINE_RESPONSE_MAX_BYTES);
    bucket = memoryBucket();

    const delivered = await deliverToBucket(report);

    const key = 'audits/2025/01/15/c0ffee00-1234-4abc-8def-0123456789ab.html';
    expect(delivered).toMatchObject({
      stored: { key, format: 'html', contentType: 'text/html; charset=utf-8' },
    });
    expect('summary' in delivered).toBe(false);
    expect(bucket.objects.get(key)?.body).toBe('body' in report ? report.body : undefined);
  });

  it('without a reports bucket is a named error that says what to do', async () => {
    const report = await auditOf(8_000);
    const delivered: AuditDelivery = await deliverAuditResponse(report, undefined, REQUEST);
    expect(delivered).toEqual({
      error: {
        code: 'AUDIT_REPORT_TOO_LARGE',
        message: `the report is ${bytesOf(report)} bytes, over Lambda's 6 MB response limit, and no reports bucket is configured (REPORTS_BUCKET); narrow the audit with regions or filters`,
      },
    });
  });

  it('that S3 refuses is a named error naming the object, not an exception', async () => {
    const report = await auditOf(8_000);
    bucket = memoryBucket();
    bucket.mock
      .on(PutObjectCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    const delivered = await deliverToBucket(report);

    expect(delivered).toEqual({
      error: {
        code: 'AUDIT_REPORT_STORE_FAILED',
        message: `the report is over Lambda's 6 MB response limit and writing s3://${BUCKET}/audits/2025/01/15/c0ffee00-1234-4abc-8def-0123456789ab.json failed: AccessDenied`,
      },
    });
  });
});

describe('an audit report within the limit', () => {
  it('is returned as it is, and nothing is written', async () => {
    const report = await auditOf(20);
    bucket = memoryBucket();
    const delivered = await deliverToBucket(report);
    expect(delivered).toBe(report);
    expect(bucket.mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('and a rejected audit event pass through unchanged', async () => {
    const rejected: AuditResponse = {
      error: { code: 'AUDIT_EVENT_INVALID', message: 'audit event invalid at: format' },
    };
    expect(await deliverAuditResponse(rejected, undefined, REQUEST)).toBe(rejected);
  });
});

describe('the object key', () => {
  it('is dated by the request and named by its id, reduced to key-safe characters', () => {
    expect(auditReportKey({ id: '../../etc/passwd?x=1', at: REQUEST.at }, 'csv')).toBe(
      'audits/2025/01/15/etcpasswdx1.csv',
    );
    expect(auditReportKey({ id: '', at: REQUEST.at }, 'sarif')).toMatch(
      /^audits\/2025\/01\/15\/[0-9a-f-]{36}\.sarif$/,
    );
  });
});

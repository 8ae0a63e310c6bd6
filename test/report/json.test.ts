import { describe, expect, it } from 'vitest';
import { buildJsonReport, renderJson } from '../../lib/report/json.js';
import { jsonReportSchema } from '../../lib/report/json-schema.js';
import { fixtureScanResult } from './fixture.js';
import { expectGolden } from './golden.js';

describe('JSON report', () => {
  it('matches the golden file', () => {
    expectGolden('report.json', renderJson(fixtureScanResult()));
  });

  it('validates against the schemaVersion 1 schema', () => {
    const parsed = jsonReportSchema.safeParse(JSON.parse(renderJson(fixtureScanResult())));
    expect(parsed.error).toBeUndefined();
    expect(parsed.success).toBe(true);
  });

  it('carries annotations longer than the Config limit whole, and the schema accepts them', () => {
    const result = fixtureScanResult();
    const long = `${'rds.force_ssl=0 in parameter group g; '.repeat(10)}end`;
    result.evaluations[0]!.finding.annotation = long;
    result.evaluations[0]!.staticFinding.annotation = long;
    const report = jsonReportSchema.parse(JSON.parse(renderJson(result)));
    const annotations = report.databases.flatMap((db) => [db.annotation, db.static.annotation]);
    expect(long.length).toBeGreaterThan(256);
    expect(annotations.filter((annotation) => annotation === long)).toHaveLength(2);
  });

  it('is rejected by the schema when a key is added', () => {
    const report = { ...buildJsonReport(fixtureScanResult()), extra: true };
    expect(jsonReportSchema.safeParse(report).success).toBe(false);
  });

  it('lists databases by region, then identifier', () => {
    const report = buildJsonReport(fixtureScanResult());
    expect(report.databases.map((database) => `${database.region}/${database.identifier}`)).toEqual(
      [
        'eu-west-1/billing-mariadb',
        'eu-west-1/erp-sqlserver',
        'eu-west-1/legacy-db2',
        'eu-west-1/orders-pg',
        'us-east-1/analytics-aurora',
      ],
    );
  });

  it('writes keys in the documented order whatever order the input objects had', () => {
    const result = fixtureScanResult();
    const first = result.evaluations[0]!;
    result.evaluations[0] = {
      orderingTimestamp: first.orderingTimestamp,
      finding: first.finding,
      staticFinding: first.staticFinding,
      resource: { ...first.resource },
    };
    const database = buildJsonReport(result).databases.find(
      (candidate) => candidate.identifier === first.resource.identifier,
    );
    expect(Object.keys(database ?? {})).toEqual([
      'resourceType',
      'resourceId',
      'arn',
      'identifier',
      'region',
      'accountId',
      'engine',
      'engineVersion',
      'endpoint',
      'cluster',
      'memberOf',
      'verdict',
      'reason',
      'annotation',
      'remediation',
      'evaluatedAt',
      'static',
      'live',
      'problems',
    ]);
  });

  it('shows a database without a live probe as live null, and unknown fields as null', () => {
    const result = fixtureScanResult();
    const db2 = result.evaluations.find((evaluation) => evaluation.resource.engine === 'db2-se')!;
    delete db2.resource.arn;
    delete db2.resource.accountId;
    delete db2.resource.endpoint;
    const database = buildJsonReport(result).databases.find(
      (candidate) => candidate.identifier === 'legacy-db2',
    );
    expect(database).toMatchObject({ arn: null, accountId: null, endpoint: null, live: null });
    expect(jsonReportSchema.safeParse(buildJsonReport(result)).success).toBe(true);
  });

  it('lists under a database the scan problems whose scope names it', () => {
    const result = fixtureScanResult();
    result.problems.push({
      scope: 'eu-west-1/orders-pg',
      code: 'READ_FAILED',
      message: 'DescribeOptionGroups failed',
    });
    const report = buildJsonReport(result);
    expect(report.databases.find((d) => d.identifier === 'orders-pg')?.problems).toEqual([
      {
        scope: 'eu-west-1/orders-pg',
        code: 'READ_FAILED',
        message: 'DescribeOptionGroups failed',
      },
    ]);
    expect(report.databases.find((d) => d.identifier === 'legacy-db2')?.problems).toEqual([]);
    expect(report.problems).toHaveLength(2);
  });
});

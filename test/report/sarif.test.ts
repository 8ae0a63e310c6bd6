import { describe, expect, it } from 'vitest';
import { buildSarif, renderSarif } from '../../lib/report/sarif.js';
import { fixtureScanResult } from './fixture.js';
import { expectGolden } from './golden.js';

describe('SARIF report', () => {
  it('matches the golden file', () => {
    expectGolden('report.sarif', renderSarif(fixtureScanResult()));
  });

  it('reports NON_COMPLIANT as errors and INSUFFICIENT_DATA as warnings, nothing else', () => {
    const run = buildSarif(fixtureScanResult()).runs[0]!;
    expect(
      run.results.map((result) => [result.locations[0]?.logicalLocations[0]?.name, result.level]),
    ).toEqual([
      ['billing-mariadb', 'error'],
      ['erp-sqlserver', 'error'],
      ['analytics-aurora', 'warning'],
    ]);
  });

  it('declares one rule per reason code and points each result at its rule', () => {
    const run = buildSarif(fixtureScanResult()).runs[0]!;
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual([
      'PENDING_REBOOT',
      'PLAINTEXT_ACCEPTED',
      'SECRET_NOT_FOUND',
    ]);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
    }
  });

  it('locates a result by the resource ARN, or by resource id when the ARN is unknown', () => {
    const result = fixtureScanResult();
    delete result.evaluations.find((e) => e.resource.identifier === 'erp-sqlserver')!.resource.arn;
    const locations = buildSarif(result).runs[0]!.results.map(
      (r) => r.locations[0]?.logicalLocations[0]?.fullyQualifiedName,
    );
    expect(locations).toEqual([
      'arn:aws:rds:eu-west-1:123456789012:db:billing-mariadb',
      'db-ERPSQLSRV9Z8Y7X6W5V4U3T2S1',
      'arn:aws:rds:us-east-1:123456789012:cluster:analytics-aurora',
    ]);
  });

  it('reports scan problems as tool notifications', () => {
    const invocation = buildSarif(fixtureScanResult()).runs[0]!.invocations[0]!;
    expect(invocation.toolExecutionNotifications.map((n) => n.descriptor.id)).toEqual([
      'ACCESS_DENIED',
    ]);
  });
});

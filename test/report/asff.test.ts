import { describe, expect, it } from 'vitest';
import { ASFF_LIMITS, buildAsffFindings, renderAsff } from '../../lib/report/asff.js';
import { fixtureScanResult } from './fixture.js';
import { expectGolden } from './golden.js';

describe('Security Hub ASFF findings', () => {
  it('matches the golden file', () => {
    expectGolden('report.asff.json', renderAsff(fixtureScanResult()));
  });

  it('maps each verdict to a compliance status and severity', () => {
    const { findings } = buildAsffFindings(fixtureScanResult());
    expect(
      findings.map((finding) => [
        finding.ProductFields['rds-tls-guard/Identifier'],
        finding.Compliance.Status,
        finding.Severity.Label,
      ]),
    ).toEqual([
      ['billing-mariadb', 'FAILED', 'HIGH'],
      ['erp-sqlserver', 'FAILED', 'HIGH'],
      ['legacy-db2', 'NOT_AVAILABLE', 'INFORMATIONAL'],
      ['orders-pg', 'PASSED', 'INFORMATIONAL'],
      ['analytics-aurora', 'WARNING', 'LOW'],
    ]);
  });

  it('names the default product of the account and region, and the resource by ARN and type', () => {
    const aurora = buildAsffFindings(fixtureScanResult()).findings.at(-1)!;
    expect(aurora).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: 'rds-tls-guard/123456789012/us-east-1/cluster-ANALYTICS5G7H9J1K3L5M7N9P',
      ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
      GeneratorId: 'rds-tls-guard/SECRET_NOT_FOUND',
      AwsAccountId: '123456789012',
      Types: ['Software and Configuration Checks/AWS Security Best Practices'],
      CreatedAt: '2025-03-14T09:26:53.000Z',
      UpdatedAt: '2025-03-14T09:26:53.000Z',
      Resources: [
        {
          Type: 'AwsRdsDbCluster',
          Id: 'arn:aws:rds:us-east-1:123456789012:cluster:analytics-aurora',
          Partition: 'aws',
          Region: 'us-east-1',
        },
      ],
    });
  });

  it('keeps Title, Description and the recommendation within the ASFF limits', () => {
    const result = fixtureScanResult();
    const target = result.evaluations[0]!;
    target.resource.identifier = 'x'.repeat(300);
    target.resource.engineVersion = 'v'.repeat(2000);
    target.finding.remediation = 'r'.repeat(2000);
    const finding = buildAsffFindings(result).findings.find(
      (f) => f.ProductFields['rds-tls-guard/ResourceId'] === target.resource.resourceId,
    )!;
    expect(finding.Title.length).toBe(ASFF_LIMITS.title);
    expect(finding.Description.length).toBe(ASFF_LIMITS.description);
    expect(finding.Remediation.Recommendation.Text.length).toBe(ASFF_LIMITS.recommendation);
  });

  it('keeps every ProductFields value within the 2048 characters Security Hub accepts', () => {
    const result = fixtureScanResult();
    const target = result.evaluations[0]!;
    target.resource.identifier = 'x'.repeat(3000);
    target.resource.engineVersion = 'v'.repeat(3000);
    result.snapshot = {
      folder: `/audit/${'f'.repeat(3000)}`,
      filesRead: ['describe-db-instances.json'],
      ignoredFiles: [],
      ignoredFileCount: 0,
    };
    const finding = buildAsffFindings(result).findings.find(
      (f) => f.ProductFields['rds-tls-guard/ResourceId'] === target.resource.resourceId,
    )!;
    const lengths = Object.fromEntries(
      Object.entries(finding.ProductFields).map(([key, value]) => [key, value.length]),
    );
    expect(lengths).toMatchObject({
      'rds-tls-guard/Identifier': ASFF_LIMITS.productFieldValue,
      'rds-tls-guard/Engine': ASFF_LIMITS.productFieldValue,
      'rds-tls-guard/Source': ASFF_LIMITS.productFieldValue,
    });
    expect(Math.max(...Object.values(lengths))).toBe(2048);
  });

  it('keeps the finding Id, GeneratorId and resource Id within 512 characters, unique and stable: a long one is cut and ends in a hash of the whole', () => {
    const result = fixtureScanResult();
    const [first, second, third] = result.evaluations;
    // A 300-character resource id still fits: kept whole.
    first!.resource.resourceId = `db-${'a'.repeat(297)}`;
    for (const evaluation of [first!, second!, third!]) evaluation.resource.region = 'us-east-1';
    // Two 600-character ids and ARNs that differ only in their last character.
    for (const [evaluation, last] of [
      [second!, '1'],
      [third!, '2'],
    ] as const) {
      evaluation.resource.resourceId = `db-${'b'.repeat(596)}${last}`;
      evaluation.resource.arn = `arn:aws:rds:us-east-1:123456789012:db:${'c'.repeat(600)}${last}`;
    }
    const findings = buildAsffFindings(result).findings;
    const of = (evaluation: typeof first) =>
      findings.find(
        (f) => f.ProductFields['rds-tls-guard/ResourceId'] === evaluation!.resource.resourceId,
      )!;
    expect(of(first).Id).toBe(`rds-tls-guard/123456789012/us-east-1/db-${'a'.repeat(297)}`);
    const long = [of(second), of(third)];
    for (const finding of long) {
      expect(finding.Id).toHaveLength(ASFF_LIMITS.id);
      expect(finding.Id).toMatch(/^rds-tls-guard\/123456789012\/us-east-1\/db-b+~[0-9a-f]{16}$/);
      expect(finding.Resources[0]!.Id).toHaveLength(ASFF_LIMITS.resourceId);
      expect(finding.Resources[0]!.Id).toMatch(
        /^arn:aws:rds:us-east-1:123456789012:db:c+~[0-9a-f]{16}$/,
      );
      expect(finding.GeneratorId.length).toBeLessThanOrEqual(ASFF_LIMITS.generatorId);
    }
    expect(long[0]!.Id).not.toBe(long[1]!.Id);
    expect(long[0]!.Resources[0]!.Id).not.toBe(long[1]!.Resources[0]!.Id);
    expect(buildAsffFindings(result).findings.map((f) => f.Id)).toEqual(findings.map((f) => f.Id));
  });

  it('leaves out a database whose account is not 12 digits or whose region is not a region name, naming the field', () => {
    const result = fixtureScanResult();
    const byName = (name: string) =>
      result.evaluations.find((e) => e.resource.identifier === name)!.resource;
    byName('orders-pg').accountId = '12345';
    byName('legacy-db2').region = 'eu-west-1-but-longer-than-sixteen';
    byName('erp-sqlserver').region = 'EU-WEST-1';
    const { findings, rejected } = buildAsffFindings(result);
    expect(findings.map((f) => f.ProductFields['rds-tls-guard/Identifier'])).toEqual([
      'billing-mariadb',
      'analytics-aurora',
    ]);
    expect(rejected.map(({ identifier, field, code }) => [identifier, field, code])).toEqual([
      ['erp-sqlserver', 'Region', 'FINDING_REGION_INVALID'],
      ['orders-pg', 'AwsAccountId', 'FINDING_ACCOUNT_INVALID'],
      ['legacy-db2', 'Region', 'FINDING_REGION_INVALID'],
    ]);
    expect(rejected[1]!.message).toBe(
      'database orders-pg: AwsAccountId "12345" is not a 12-digit account id; Security Hub would refuse its finding, so it is not in the ASFF output',
    );
  });

  it('takes the account from the ARN, then from the options, and skips a database with neither', () => {
    const result = fixtureScanResult();
    for (const evaluation of result.evaluations) delete evaluation.resource.accountId;
    const db2 = result.evaluations.find((e) => e.resource.identifier === 'legacy-db2')!;
    delete db2.resource.arn;
    expect(buildAsffFindings(result).skipped).toEqual(['legacy-db2']);
    const withOption = buildAsffFindings(result, { accountId: '210987654321' });
    expect(withOption.skipped).toEqual([]);
    expect(
      withOption.findings.map(
        (f) => `${f.ProductFields['rds-tls-guard/Identifier']}@${f.AwsAccountId}`,
      ),
    ).toEqual([
      'billing-mariadb@123456789012',
      'erp-sqlserver@123456789012',
      'legacy-db2@210987654321',
      'orders-pg@123456789012',
      'analytics-aurora@123456789012',
    ]);
  });
});

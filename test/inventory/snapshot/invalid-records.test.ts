import { describe, expect, it } from 'vitest';
import {
  type UnreadableDatabase,
  unreadableDatabaseEvaluations,
} from '../../../lib/inventory/snapshot/invalid-records.js';

const AT = new Date('2025-04-12T09:13:00Z');

/** An instance record as describe-db-instances prints it, with Engine of the wrong type. */
function badInstance(fields: Record<string, unknown> = {}): UnreadableDatabase {
  return {
    resourceType: 'AWS::RDS::DBInstance',
    record: {
      DBInstanceIdentifier: 'orders',
      DbiResourceId: 'db-ORDERS',
      DBInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders',
      Engine: 5,
      TagList: [{ Key: 'team', Value: 'shop' }],
      ...fields,
    },
    fields: 'DBInstances.0.Engine: Invalid input: expected string, received number',
  };
}

function rows(database: UnreadableDatabase, regions: string[], filters = {}) {
  return unreadableDatabaseEvaluations([database], regions, filters, AT).map((evaluation) => [
    evaluation.resource.identifier,
    evaluation.resource.region,
    evaluation.finding.verdict,
    evaluation.finding.reason,
  ]);
}

describe('unreadableDatabaseEvaluations', () => {
  it('is INSUFFICIENT_DATA SNAPSHOT_RECORD_INVALID, keyed by the resource id, with the field paths and the command to save again', () => {
    const [evaluation] = unreadableDatabaseEvaluations([badInstance()], ['eu-west-1'], {}, AT);
    expect(evaluation?.resource).toEqual({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-ORDERS',
      identifier: 'orders',
      arn: 'arn:aws:rds:eu-west-1:123456789012:db:orders',
      accountId: '123456789012',
      region: 'eu-west-1',
      engine: '',
      engineVersion: '',
      optionGroups: [],
      iamDatabaseAuthenticationEnabled: false,
      tags: { team: 'shop' },
    });
    expect(evaluation?.finding).toEqual({
      verdict: 'INSUFFICIENT_DATA',
      reason: 'SNAPSHOT_RECORD_INVALID',
      annotation:
        'not evaluated: its record in describe-db-instances.json is not what the AWS CLI prints (DBInstances.0.Engine: Invalid input: expected string, received number)',
      remediation:
        'Save describe-db-instances.json again with aws rds describe-db-instances --output json (the record was edited or damaged), then rescan.',
      evidence: [],
    });
    expect(evaluation?.staticFinding).toEqual(evaluation?.finding);
  });

  it('is in the region of its ARN only when that region is scanned', () => {
    expect(rows(badInstance(), ['us-east-1'])).toEqual([]);
  });

  it('without a valid ARN, is in every scanned region under its identifier when it has no resource id', () => {
    const database = badInstance({ DBInstanceArn: 'not-an-arn', DbiResourceId: 3 });
    const evaluations = unreadableDatabaseEvaluations(
      [database],
      ['eu-west-1', 'us-east-1'],
      {},
      AT,
    );
    expect(
      evaluations.map((e) => [e.resource.region, e.resource.resourceId, e.resource.arn]),
    ).toEqual([
      ['eu-west-1', 'orders', undefined],
      ['us-east-1', 'orders', undefined],
    ]);
  });

  it('--id selects by identifier, resource id or ARN', () => {
    expect(rows(badInstance(), ['eu-west-1'], { identifiers: ['other'] })).toEqual([]);
    expect(rows(badInstance(), ['eu-west-1'], { identifiers: ['db-ORDERS'] })).toEqual([
      ['orders', 'eu-west-1', 'INSUFFICIENT_DATA', 'SNAPSHOT_RECORD_INVALID'],
    ]);
  });

  it('an --engine or --tag filter on a field the record does not give readably keeps it; on a readable one, applies', () => {
    expect(rows(badInstance(), ['eu-west-1'], { engines: ['mysql'] })).toHaveLength(1);
    expect(
      rows(badInstance({ Engine: 'postgres', TagList: 'team=shop' }), ['eu-west-1'], {
        engines: ['mysql'],
      }),
    ).toEqual([]);
    expect(rows(badInstance(), ['eu-west-1'], { tags: { team: 'billing' } })).toEqual([]);
    expect(
      rows(badInstance({ TagList: 'team=shop' }), ['eu-west-1'], { tags: { team: 'billing' } }),
    ).toHaveLength(1);
  });
});

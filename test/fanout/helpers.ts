import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { InventoryItem } from '../../lib/pipeline.js';
import type { DatabaseResource } from '../../lib/types.js';

export function database(
  index: number,
  overrides: Partial<DatabaseResource> = {},
): DatabaseResource {
  return {
    resourceType: 'AWS::RDS::DBInstance',
    resourceId: `db-${String(index).padStart(26, 'A')}`,
    identifier: `orders-${index}`,
    arn: `arn:aws:rds:eu-west-1:123456789012:db:orders-${index}`,
    accountId: '123456789012',
    region: 'eu-west-1',
    engine: 'postgres',
    engineVersion: '16.3',
    status: 'available',
    endpoint: { address: `orders-${index}.abc.eu-west-1.rds.amazonaws.com`, port: 5432 },
    parameterGroup: { name: 'pg16-secure', applyStatus: 'in-sync' },
    optionGroups: [{ name: 'default:postgres-16', status: 'in-sync' }],
    caCertificateIdentifier: 'rds-ca-rsa2048-g1',
    certificateValidTill: new Date('2026-03-01T00:00:00.000Z'),
    masterUsername: 'guard',
    masterUserSecretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-${index}`,
    iamDatabaseAuthenticationEnabled: false,
    publiclyAccessible: false,
    tags: { team: 'payments' },
    ...overrides,
  };
}

/**
 * A database with the settings the scanner read for it: a parameter group
 * merged with engine defaults and the CA from DescribeCertificates.
 */
export function settled(resource: DatabaseResource, forceSsl: '0' | '1' = '1'): InventoryItem {
  return {
    resource,
    parameters: {
      groupName: 'pg16-secure',
      kind: 'instance',
      family: 'postgres16',
      parameters: {
        'rds.force_ssl': {
          name: 'rds.force_ssl',
          value: forceSsl,
          origin: 'parameter-group',
          applyType: 'dynamic',
          rdsSource: 'user',
        },
      },
    },
    optionGroups: [],
    certificateAuthority: {
      identifier: 'rds-ca-rsa2048-g1',
      validFrom: new Date('2021-05-25T23:34:57.000Z'),
      validTill: new Date('2061-05-25T23:34:57.000Z'),
    },
    gaps: [],
  };
}

/** The same batch as a version 1 message, as an earlier release queued it: bare databases. */
export function asLegacyBody(body: string): string {
  const { items, ...header } = JSON.parse(body);
  return JSON.stringify({
    ...header,
    version: 1,
    resources: items.map((entry: { resource: unknown }) => entry.resource),
  });
}

/** An SQS client whose SendMessageBatch accepts every entry (its documented shape) and keeps the bodies. */
export function capturingQueue(): { sqs: SQSClient; queued: string[] } {
  const sqs = new SQSClient({ region: 'eu-west-1' });
  const queued: string[] = [];
  mockClient(sqs)
    .on(SendMessageBatchCommand)
    .callsFake(async (input) => {
      queued.push(...input.Entries.map((entry: { MessageBody: string }) => entry.MessageBody));
      return {
        Successful: input.Entries.map((entry: { Id: string }) => ({
          Id: entry.Id,
          MessageId: entry.Id,
        })),
        Failed: [],
      };
    });
  return { sqs, queued };
}

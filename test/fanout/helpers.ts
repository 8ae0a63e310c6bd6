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

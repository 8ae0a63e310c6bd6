import { describe, expect, it } from 'vitest';
import {
  type DatabaseResource,
  databaseResourceSchema,
  MAX_PROXY_ENDPOINTS,
} from '../lib/database-resource.js';

const resource: DatabaseResource = {
  resourceType: 'AWS::RDS::DBInstance',
  resourceId: 'db-ORDERS',
  identifier: 'orders',
  region: 'eu-west-1',
  engine: 'postgres',
  engineVersion: '16.3',
  optionGroups: [],
  certificateValidTill: new Date('2026-08-01T00:00:00.000Z'),
  iamDatabaseAuthenticationEnabled: false,
  tags: { team: 'payments' },
};

describe('databaseResourceSchema', () => {
  it('reads back a resource sent as JSON, its dates as Dates', () => {
    const parsed = databaseResourceSchema.parse(JSON.parse(JSON.stringify(resource)));
    expect(parsed).toEqual(resource);
    expect(parsed.certificateValidTill).toBeInstanceOf(Date);
  });

  it('refuses a proxy listing longer than the inventory ever holds', () => {
    const endpoint = {
      name: 'e',
      address: 'e.proxy',
      port: 5432,
      role: 'READ_WRITE',
      isDefault: false,
    };
    const proxy = {
      ...resource,
      resourceType: 'AWS::RDS::DBProxy',
      proxy: {
        engineFamily: 'POSTGRESQL',
        endpoints: Array.from({ length: MAX_PROXY_ENDPOINTS + 1 }, () => endpoint),
        auth: [],
        targets: [],
      },
    };
    const parsed = databaseResourceSchema.safeParse(JSON.parse(JSON.stringify(proxy)));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['proxy', 'endpoints']);
  });

  it('refuses a timestamp that is not ISO 8601 instead of making an Invalid Date', () => {
    const parsed = databaseResourceSchema.safeParse({
      ...JSON.parse(JSON.stringify(resource)),
      certificateValidTill: 'next August',
    });
    expect(parsed.success).toBe(false);
  });
});

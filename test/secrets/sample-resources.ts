import type { DatabaseResource, RuleParameters } from '../../lib/types.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';

/** A password no message, report or log may ever contain. */
export const CANARY = 'canary-Pa55-7f3e9c1b-QZ';

export const ACCOUNT = '123456789012';

export function secretArn(name: string, region = 'eu-west-1'): string {
  return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-AbCdEf`;
}

export function instance(overrides: Partial<DatabaseResource> = {}): DatabaseResource {
  return {
    resourceType: 'AWS::RDS::DBInstance',
    resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    identifier: 'orders-db',
    region: 'eu-west-1',
    engine: 'postgres',
    engineVersion: '15.18',
    endpoint: { address: 'orders-db.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com', port: 5432 },
    optionGroups: [],
    masterUsername: 'postgres',
    iamDatabaseAuthenticationEnabled: false,
    tags: {},
    ...overrides,
  };
}

export function cluster(overrides: Partial<DatabaseResource> = {}): DatabaseResource {
  return instance({
    resourceType: 'AWS::RDS::DBCluster',
    resourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    identifier: 'billing-cluster',
    engine: 'aurora-postgresql',
    endpoint: {
      address: 'billing-cluster.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
      port: 5432,
    },
    ...overrides,
  });
}

export function ruleParameters(overrides: Partial<RuleParameters> = {}): RuleParameters {
  return { ...DEFAULT_RULE_PARAMETERS, secretArns: {}, ...overrides };
}

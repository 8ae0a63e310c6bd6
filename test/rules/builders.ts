/**
 * Builds StaticRuleInput fixtures in the shapes the inventory produces from
 * DescribeDBInstances / DescribeDBClusters / DescribeDBParameters /
 * DescribeOptionGroups, so each test states only what it is about.
 */
import {
  type DatabaseResource,
  DEFAULT_RULE_PARAMETERS,
  type ListenerReachability,
  type OptionGroupSettings,
  type ParameterGroupSettings,
  type ResolvedParameter,
  type RuleParameters,
  type SecurityGroupReading,
  type StaticRuleInput,
} from '../../lib/types.js';

export const NOW = new Date('2026-03-01T12:00:00.000Z');

export function daysFromNow(days: number): Date {
  return new Date(NOW.getTime() + days * 24 * 60 * 60 * 1000);
}

export function resource(overrides: Partial<DatabaseResource> = {}): DatabaseResource {
  return {
    resourceType: 'AWS::RDS::DBInstance',
    resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    identifier: 'app-db',
    arn: 'arn:aws:rds:eu-west-1:123456789012:db:app-db',
    accountId: '123456789012',
    region: 'eu-west-1',
    engine: 'postgres',
    engineVersion: '15.4',
    status: 'available',
    endpoint: { address: 'app-db.c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
    optionGroups: [],
    caCertificateIdentifier: 'rds-ca-rsa2048-g1',
    iamDatabaseAuthenticationEnabled: false,
    tags: {},
    ...overrides,
  };
}

/** A string is a value the group sets (Source `user`); an object spells out the resolved parameter. */
export type ParameterSpec = string | Omit<ResolvedParameter, 'name'>;

/** A parameter the group does not set and no engine default fills in (`ParameterValue` absent). */
export function unset(applyType = 'dynamic'): Omit<ResolvedParameter, 'name'> {
  return { origin: 'engine-default', rdsSource: 'engine-default', applyType };
}

export function parameterGroup(
  groupName: string,
  parameters: Record<string, ParameterSpec>,
  options: { kind?: 'instance' | 'cluster'; family?: string; applyType?: string } = {},
): ParameterGroupSettings {
  const resolved: Record<string, ResolvedParameter> = {};
  for (const [name, spec] of Object.entries(parameters)) {
    resolved[name] =
      typeof spec === 'string'
        ? {
            name,
            value: spec,
            origin: 'parameter-group',
            rdsSource: 'user',
            applyType: options.applyType ?? 'dynamic',
          }
        : { name, ...spec };
  }
  const settings: ParameterGroupSettings = {
    groupName,
    kind: options.kind ?? 'instance',
    parameters: resolved,
  };
  if (options.family !== undefined) settings.family = options.family;
  return settings;
}

export function ruleInput(overrides: Partial<StaticRuleInput> = {}): StaticRuleInput {
  return {
    resource: resource(),
    optionGroups: [],
    gaps: [],
    ruleParameters: { ...DEFAULT_RULE_PARAMETERS },
    now: NOW,
    ...overrides,
  };
}

export function withRule(overrides: Partial<RuleParameters>): RuleParameters {
  return { ...DEFAULT_RULE_PARAMETERS, ...overrides };
}

export interface InstanceSpec {
  engine: string;
  engineVersion: string;
  group: string;
  parameters: Record<string, ParameterSpec>;
  applyStatus?: string;
  family?: string;
  applyType?: string;
  resource?: Partial<DatabaseResource>;
  rule?: Partial<RuleParameters>;
}

/** A standalone instance reading its instance parameter group. */
export function instanceInput(spec: InstanceSpec): StaticRuleInput {
  return ruleInput({
    resource: resource({
      engine: spec.engine,
      engineVersion: spec.engineVersion,
      parameterGroup: { name: spec.group, applyStatus: spec.applyStatus ?? 'in-sync' },
      ...spec.resource,
    }),
    parameters: parameterGroup(spec.group, spec.parameters, {
      kind: 'instance',
      ...(spec.family === undefined ? {} : { family: spec.family }),
      ...(spec.applyType === undefined ? {} : { applyType: spec.applyType }),
    }),
    ruleParameters: withRule(spec.rule ?? {}),
  });
}

export interface ClusterSpec extends InstanceSpec {
  /** Instance parameter group of a member instance: present but ignored by cluster-group engines. */
  instanceParameters?: Record<string, ParameterSpec>;
  resourceType?: DatabaseResource['resourceType'];
}

/** An Aurora or Multi-AZ DB cluster, or (resourceType DBInstance) one of its members. */
export function clusterInput(spec: ClusterSpec): StaticRuleInput {
  const resourceType = spec.resourceType ?? 'AWS::RDS::DBCluster';
  const isCluster = resourceType === 'AWS::RDS::DBCluster';
  const input = ruleInput({
    resource: resource({
      resourceType,
      resourceId: isCluster
        ? 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0'
        : 'db-ABCDEFGHIJKLMNOPQRSTUVWXY1',
      identifier: isCluster ? 'app-cluster' : 'app-cluster-instance-1',
      engine: spec.engine,
      engineVersion: spec.engineVersion,
      clusterParameterGroup: { name: spec.group, applyStatus: spec.applyStatus ?? 'in-sync' },
      ...(isCluster
        ? {}
        : {
            clusterIdentifier: 'app-cluster',
            parameterGroup: { name: 'instance-group', applyStatus: 'in-sync' },
          }),
      ...spec.resource,
    }),
    clusterParameters: parameterGroup(spec.group, spec.parameters, {
      kind: 'cluster',
      ...(spec.family === undefined ? {} : { family: spec.family }),
      ...(spec.applyType === undefined ? {} : { applyType: spec.applyType }),
    }),
    ruleParameters: withRule(spec.rule ?? {}),
  });
  if (spec.instanceParameters) {
    input.parameters = parameterGroup('instance-group', spec.instanceParameters);
  }
  return input;
}

export function optionGroup(
  name: string,
  options: OptionGroupSettings['options'],
  engineName = 'oracle-ee',
): OptionGroupSettings {
  return { name, engineName, majorEngineVersion: '19', options };
}

export function sslOption(sslVersion?: string): OptionGroupSettings['options'][number] {
  return {
    name: 'SSL',
    port: 2484,
    settings:
      sslVersion === undefined
        ? { 'SQLNET.CIPHER_SUITE': 'SSL_RSA_WITH_AES_256_CBC_SHA' }
        : {
            'SQLNET.SSL_VERSION': sslVersion,
            'SQLNET.CIPHER_SUITE': 'SSL_RSA_WITH_AES_256_CBC_SHA',
            FIPS_VERSION: 'FALSE',
          },
  };
}

export function oracleInput(
  groups: OptionGroupSettings[],
  options: {
    memberships?: DatabaseResource['optionGroups'];
    rule?: Partial<RuleParameters>;
    gaps?: string[];
    securityGroups?: SecurityGroupReading;
    plaintextListener?: ListenerReachability;
    vpcSecurityGroupIds?: string[];
  } = {},
): StaticRuleInput {
  return ruleInput({
    ...(options.securityGroups ? { securityGroups: options.securityGroups } : {}),
    ...(options.plaintextListener ? { plaintextListener: options.plaintextListener } : {}),
    resource: resource({
      vpcSecurityGroupIds: options.vpcSecurityGroupIds ?? ['sg-0db1a2b3c4d5e6f70'],
      engine: 'oracle-ee',
      engineVersion: '19.0.0.0.ru-2024-01.rur-2024-01.r1',
      endpoint: { address: 'ora.c9akciq32.eu-west-1.rds.amazonaws.com', port: 1521 },
      parameterGroup: { name: 'default.oracle-ee-19', applyStatus: 'in-sync' },
      optionGroups:
        options.memberships ?? groups.map((group) => ({ name: group.name, status: 'in-sync' })),
    }),
    optionGroups: groups,
    gaps: options.gaps ?? [],
    ruleParameters: withRule(options.rule ?? {}),
  });
}

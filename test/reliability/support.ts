/**
 * Shared pieces of the reliability matrix: an RDS account served inside the
 * SDK's own retry loop, API-shaped records, a capturing rule log and the
 * canary password every leak check searches for.
 */
import type { DBInstance, Parameter, RDSClient } from '@aws-sdk/client-rds';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { serviceError } from '../../lib/aws/in-process.js';
import { createRdsClientFactory } from '../../lib/inventory/index.js';
import type { Log } from '../../lib/log.js';
import type { InventoryItem } from '../../lib/pipeline.js';
import type { ParameterGroupSettings } from '../../lib/types.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** A password no code path has any reason to print; every leak test greps for it. */
export const CANARY = 'Canary-7f3c9e2a-pw!X';

export { serviceError };

/** Answers one SDK command by name; throwing an error is what the service would have done. */
export type RdsResponder = (command: string, input: Record<string, unknown>) => unknown;

export interface ServedRds {
  client: RDSClient;
  /** Every command the SDK put on the wire, retries included, in order. */
  calls: { command: string; input: Record<string, unknown> }[];
}

/**
 * A real RDSClient from the product's factory whose requests are answered
 * after the retry middleware and before signing would hit the network, so
 * the SDK's real retry strategy sees every throttle. `fastRetries` swaps the
 * product's adaptive backoff (seconds per burst) for 1 ms delays with the
 * same attempt budget.
 */
export function servedRds(
  respond: RdsResponder,
  options: { fastRetries?: boolean; maxAttempts?: number } = {},
): ServedRds {
  const maxAttempts = options.maxAttempts ?? 8;
  const client = createRdsClientFactory({
    maxAttempts,
    clientConfig: {
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-only-not-a-key' },
      ...(options.fastRetries
        ? { retryStrategy: new ConfiguredRetryStrategy(maxAttempts, 1) }
        : {}),
    },
  })(REGION);
  const calls: ServedRds['calls'] = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = String(context.commandName ?? '');
      const input = args.input as Record<string, unknown>;
      calls.push({ command, input });
      const output = await respond(command, input);
      return { output: { $metadata: {}, ...(output as object) }, response: {} };
    },
    { step: 'finalizeRequest', name: 'reliabilityServedRds', priority: 'low' },
  );
  return { client, calls };
}

/** Fails the first `times` calls of a command with `errorName`, then lets `respond` answer. */
export function failingFirst(
  times: number,
  errorName: string,
  respond: RdsResponder,
  commandName: string,
): RdsResponder {
  let failed = 0;
  return (command, input) => {
    if (command === commandName && failed < times) {
      failed += 1;
      throw serviceError(errorName, 'Rate exceeded');
    }
    return respond(command, input);
  };
}

export function postgresInstance(identifier: string, group: string): DBInstance {
  return {
    DBInstanceIdentifier: identifier,
    DbiResourceId: `db-${identifier.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${identifier}`,
    Engine: 'postgres',
    EngineVersion: '15.7',
    DBInstanceStatus: 'available',
    Endpoint: { Address: `${identifier}.c9akciq32.${REGION}.rds.amazonaws.com`, Port: 5432 },
    DBParameterGroups: [{ DBParameterGroupName: group, ParameterApplyStatus: 'in-sync' }],
    OptionGroupMemberships: [{ OptionGroupName: 'default:postgres-15', Status: 'in-sync' }],
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    MasterUsername: 'postgres',
    IAMDatabaseAuthenticationEnabled: false,
    TagList: [],
  };
}

export function forceSslParameters(forceSsl: '0' | '1'): Parameter[] {
  return [
    {
      ParameterName: 'rds.force_ssl',
      ParameterValue: forceSsl,
      Source: 'user',
      ApplyType: 'dynamic',
    },
    {
      ParameterName: 'ssl_min_protocol_version',
      ParameterValue: 'TLSv1.2',
      Source: 'user',
      ApplyType: 'dynamic',
    },
    { ParameterName: 'work_mem', ParameterValue: '4096', Source: 'user', ApplyType: 'dynamic' },
  ];
}

export const CURRENT_CA = {
  CertificateIdentifier: 'rds-ca-rsa2048-g1',
  ValidFrom: new Date('2021-05-26T00:00:00Z'),
  ValidTill: new Date('2061-05-25T00:00:00Z'),
};

/**
 * A small healthy account: the given instances, each parameter group
 * answered from `groups`, the current CA listed, no clusters, no proxies.
 */
export function account(
  instances: DBInstance[],
  groups: Record<string, Parameter[]>,
): RdsResponder {
  return (command, input) => {
    switch (command) {
      case 'DescribeDBInstancesCommand':
        return { DBInstances: instances };
      case 'DescribeDBClustersCommand':
        return { DBClusters: [] };
      case 'DescribeDBParametersCommand': {
        const name = String(input.DBParameterGroupName);
        const parameters = groups[name];
        if (!parameters) throw serviceError('DBParameterGroupNotFoundFault', 'not found');
        return { Parameters: parameters };
      }
      case 'DescribeCertificatesCommand':
        return { Certificates: [CURRENT_CA] };
      case 'DescribeDBProxiesCommand':
        return { DBProxies: [] };
      case 'DescribeDBProxyEndpointsCommand':
        return { DBProxyEndpoints: [] };
      default:
        throw serviceError('UnsupportedOperation', `${command} is not served here`);
    }
  };
}

export interface CapturedLog extends Log {
  lines: string[];
}

/** A Log that keeps every line as the JSON a real logger would print. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const write =
    (level: string) =>
    (message: string, extra?: Record<string, unknown>): void => {
      lines.push(JSON.stringify({ level, message, ...extra }));
    };
  return { lines, info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}

/** An in-memory PostgreSQL 15 item whose group says force_ssl=1: statically COMPLIANT. */
export function compliantPostgresItem(
  identifier: string,
  endpoint: { address: string; port: number },
  tags: Record<string, string> = {},
): InventoryItem {
  const parameters: ParameterGroupSettings = {
    groupName: 'pg15-tls',
    kind: 'instance',
    family: 'postgres15',
    parameters: {
      'rds.force_ssl': {
        name: 'rds.force_ssl',
        value: '1',
        origin: 'parameter-group',
        rdsSource: 'user',
        applyType: 'dynamic',
      },
      ssl_min_protocol_version: {
        name: 'ssl_min_protocol_version',
        value: 'TLSv1.2',
        origin: 'parameter-group',
        rdsSource: 'user',
        applyType: 'dynamic',
      },
    },
  };
  return {
    resource: {
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: `db-${identifier.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
      identifier,
      arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${identifier}`,
      accountId: ACCOUNT,
      region: REGION,
      engine: 'postgres',
      engineVersion: '15.7',
      status: 'available',
      endpoint,
      parameterGroup: { name: 'pg15-tls', applyStatus: 'in-sync' },
      optionGroups: [],
      caCertificateIdentifier: 'rds-ca-rsa2048-g1',
      certificateValidTill: new Date('2061-05-25T00:00:00Z'),
      masterUsername: 'postgres',
      iamDatabaseAuthenticationEnabled: false,
      tags,
    },
    parameters,
    optionGroups: [],
    certificateAuthority: {
      identifier: CURRENT_CA.CertificateIdentifier,
      validFrom: CURRENT_CA.ValidFrom,
      validTill: CURRENT_CA.ValidTill,
    },
    gaps: [],
  };
}

type JsonObject = Record<string, unknown>;

/**
 * A sample event from events/ with its invokingEvent parsed, changed by
 * `mutate`, and written back as the JSON string Config sends.
 */
export function mutatedEvent(
  base: JsonObject,
  mutate: (invoking: JsonObject) => void,
  envelope: JsonObject = {},
): JsonObject {
  const invoking = JSON.parse(String(base.invokingEvent)) as JsonObject;
  mutate(invoking);
  return { ...base, invokingEvent: JSON.stringify(invoking), ...envelope };
}

/** The configuration item inside a change notification's invoking event. */
export function itemOf(invoking: JsonObject): JsonObject & { configuration: JsonObject } {
  return invoking.configurationItem as JsonObject & { configuration: JsonObject };
}

/** The same database as a MariaDB 10.11 whose group requires secure transport: statically COMPLIANT. */
export function compliantMariadbItem(
  identifier: string,
  endpoint: { address: string; port: number },
): InventoryItem {
  const base = compliantPostgresItem(identifier, endpoint);
  return {
    ...base,
    resource: {
      ...base.resource,
      engine: 'mariadb',
      engineVersion: '10.11.8',
      parameterGroup: { name: 'mariadb-tls', applyStatus: 'in-sync' },
    },
    parameters: {
      groupName: 'mariadb-tls',
      kind: 'instance',
      family: 'mariadb10.11',
      parameters: {
        require_secure_transport: {
          name: 'require_secure_transport',
          value: '1',
          origin: 'parameter-group',
          rdsSource: 'user',
          applyType: 'dynamic',
        },
        tls_version: {
          name: 'tls_version',
          value: 'TLSv1.2,TLSv1.3',
          origin: 'parameter-group',
          rdsSource: 'user',
          applyType: 'static',
        },
      },
    },
  };
}

import { readFileSync } from 'node:fs';
import {
  ConfigServiceClient,
  type Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import {
  DescribeCertificatesCommand,
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeDBProxiesCommand,
  DescribeDBProxyEndpointsCommand,
  DescribeDBProxyTargetsCommand,
  DescribeEngineDefaultClusterParametersCommand,
  DescribeEngineDefaultParametersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ConfigRuleDeps, handleConfigRuleEvent } from '../lib/use-cases/config-rule.js';
import { expectCouldNotTell } from './fixtures/config-evaluations.js';

const rds = mockClient(RDSClient);
const config = mockClient(ConfigServiceClient);
const rdsClient = new RDSClient({ region: 'eu-west-1' });
const configClient = new ConfigServiceClient({ region: 'eu-west-1' });

function loadEvent(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8'));
}

interface LogLine {
  level: string;
  message: string;
  extra: Record<string, unknown>;
}

function deps(lines: LogLine[] = []): ConfigRuleDeps {
  const log =
    (level: string) =>
    (message: string, extra: Record<string, unknown>): void => {
      lines.push({ level, message, extra });
    };
  return {
    config: configClient,
    rdsClientFor: () => rdsClient,
    region: 'eu-west-1',
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    // The sample events were captured in January 2025; their CA is valid then.
    now: () => new Date('2025-01-15T12:00:00Z'),
    sleep: async () => {},
  };
}

/**
 * The region's RDS API answering with these PostgreSQL 16 instances on the
 * `shared` parameter group (rds.force_ssl=1), and no clusters.
 */
function servePostgresOnSharedGroup(
  instances: { id: string; resourceId: string; version?: string; ca?: string }[],
): void {
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: instances.map(({ id, resourceId, version, ca }) => ({
      DBInstanceIdentifier: id,
      DbiResourceId: resourceId,
      Engine: 'postgres',
      EngineVersion: version ?? '16.3',
      DBParameterGroups: [{ DBParameterGroupName: 'shared', ParameterApplyStatus: 'in-sync' }],
      ...(ca ? { CACertificateIdentifier: ca } : {}),
    })),
  });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rds.on(DescribeDBParametersCommand).resolves({
    Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user' }],
  });
}

function sentEvaluations(): Evaluation[] {
  return config
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);
}

const certificates = {
  Certificates: [
    {
      CertificateIdentifier: 'rds-ca-rsa2048-g1',
      ValidFrom: new Date('2021-05-25T23:34:57Z'),
      ValidTill: new Date('2061-05-20T23:34:57Z'),
    },
  ],
};

beforeEach(() => {
  rds.reset();
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  rds.on(DescribeCertificatesCommand).resolves(certificates);
  rds.on(DescribeDBProxiesCommand).resolves({ DBProxies: [] });
  rds.on(DescribeDBProxyEndpointsCommand).resolves({ DBProxyEndpoints: [] });
  rds.on(DescribeEngineDefaultParametersCommand).resolves({
    EngineDefaults: { DBParameterGroupFamily: 'postgres15', Parameters: [] },
  });
});

describe('Config rule: change notifications', () => {
  it('evaluates a PostgreSQL instance whose group forces SSL as COMPLIANT, keyed by DbiResourceId', async () => {
    rds.on(DescribeDBParametersCommand, { DBParameterGroupName: 'pg15-force-ssl' }).resolves({
      Parameters: [
        {
          ParameterName: 'rds.force_ssl',
          ParameterValue: '1',
          Source: 'user',
          ApplyType: 'dynamic',
        },
      ],
    });

    const outcome = await handleConfigRuleEvent(
      loadEvent('config-change-instance-postgres.json'),
      deps(),
    );

    expect(outcome.status).toBe('evaluated');
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(1);
    const put = config.commandCalls(PutEvaluationsCommand)[0]!.args[0].input;
    expect(put.ResultToken).toBe('eyJyZXN1bHRUb2tlbiI6ImV4YW1wbGUtdG9rZW4tbm90LXJlYWwifQ==');
    expect(put.TestMode).toBeFalsy();
    expect(put.Evaluations).toEqual([
      {
        ComplianceResourceType: 'AWS::RDS::DBInstance',
        ComplianceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        ComplianceType: 'COMPLIANT',
        Annotation: expect.stringContaining('rds.force_ssl'),
        OrderingTimestamp: new Date('2025-01-15T10:21:37.512Z'),
      },
    ]);
  });

  it('reports NON_COMPLIANT naming the parameter and group when force_ssl is 0', async () => {
    rds.on(DescribeDBParametersCommand).resolves({
      Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '0', Source: 'user' }],
    });

    await handleConfigRuleEvent(loadEvent('config-change-instance-postgres.json'), deps());

    const [evaluation] = sentEvaluations();
    expect(evaluation?.ComplianceType).toBe('NON_COMPLIANT');
    expect(evaluation?.Annotation).toContain('rds.force_ssl');
    expect(evaluation?.Annotation).toContain('pg15-force-ssl');
    expect(evaluation?.Annotation?.length).toBeLessThanOrEqual(256);
  });

  it('reads the CA through Config’s cACertificateIdentifier spelling: a retired CA there makes the verdict NON_COMPLIANT', async () => {
    rds.on(DescribeDBParametersCommand, { DBParameterGroupName: 'pg15-force-ssl' }).resolves({
      Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user' }],
    });
    const withCa = (ca: string): Record<string, unknown> => {
      const event = loadEvent('config-change-instance-postgres.json');
      const invoking = JSON.parse(event.invokingEvent as string);
      // Only the top-level spelling names the CA: no certificateDetails to fall back on.
      delete invoking.configurationItem.configuration.certificateDetails;
      invoking.configurationItem.configuration.cACertificateIdentifier = ca;
      return { ...event, invokingEvent: JSON.stringify(invoking) };
    };

    await handleConfigRuleEvent(withCa('rds-ca-rsa2048-g1'), deps());
    await handleConfigRuleEvent(withCa('rds-ca-2019'), deps());

    const [current, retired] = sentEvaluations();
    expect(current?.ComplianceType).toBe('COMPLIANT');
    expect(retired?.ComplianceType).toBe('NON_COMPLIANT');
    expect(retired?.Annotation).toContain('rds-ca-2019');
  });

  it('evaluates an Aurora MySQL cluster from its cluster parameter group, keyed by DbClusterResourceId', async () => {
    rds
      .on(DescribeDBClusterParametersCommand, {
        DBClusterParameterGroupName: 'aurora-mysql80-secure-transport',
      })
      .resolves({
        Parameters: [
          { ParameterName: 'require_secure_transport', ParameterValue: 'ON', Source: 'user' },
        ],
      });
    rds.on(DescribeEngineDefaultClusterParametersCommand).resolves({
      EngineDefaults: { DBParameterGroupFamily: 'aurora-mysql8.0', Parameters: [] },
    });

    await handleConfigRuleEvent(loadEvent('config-change-cluster-aurora-mysql.json'), deps());

    const evaluations = sentEvaluations();
    expect(evaluations).toHaveLength(1);
    expect(evaluations[0]).toMatchObject({
      ComplianceResourceType: 'AWS::RDS::DBCluster',
      ComplianceResourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      ComplianceType: 'COMPLIANT',
    });
    expect(rds.commandCalls(DescribeDBParametersCommand)).toHaveLength(0);
  });

  it('reports a deleted resource NOT_APPLICABLE without reading RDS', async () => {
    await handleConfigRuleEvent(loadEvent('config-change-deleted.json'), deps());

    expect(sentEvaluations()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: 'db-ZYXWVUTSRQPONMLKJIHGFEDCB9',
        ComplianceType: 'NOT_APPLICABLE',
        OrderingTimestamp: new Date('2025-01-16T08:45:12.004Z'),
      }),
    ]);
    expect(rds.calls()).toHaveLength(0);
  });

  it('reports a resource that left the rule scope NOT_APPLICABLE', async () => {
    await handleConfigRuleEvent(loadEvent('config-left-scope.json'), deps());

    const evaluations = sentEvaluations();
    expect(evaluations).toHaveLength(1);
    expect(evaluations[0]?.ComplianceType).toBe('NOT_APPLICABLE');
    expect(rds.calls()).toHaveLength(0);
  });

  it('fetches an oversized item from the configuration history, then evaluates it', async () => {
    const change = JSON.parse(
      loadEvent('config-change-instance-postgres.json').invokingEvent as string,
    );
    const item = change.configurationItem;
    config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [
        {
          version: '1.3',
          accountId: '123456789012',
          configurationItemCaptureTime: new Date('2025-01-15T12:30:00.150Z'),
          configurationItemStatus: 'OK',
          resourceType: 'AWS::RDS::DBInstance',
          resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
          resourceName: 'app-pg',
          arn: 'arn:aws:rds:eu-west-1:123456789012:db:app-pg',
          awsRegion: 'eu-west-1',
          configuration: JSON.stringify(item.configuration),
          supplementaryConfiguration: {},
          tags: {},
        },
      ],
    });
    rds.on(DescribeDBParametersCommand).resolves({
      Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user' }],
    });

    await handleConfigRuleEvent(loadEvent('config-oversized.json'), deps());

    expect(config.commandCalls(GetResourceConfigHistoryCommand)[0]?.args[0].input).toEqual({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      limit: 1,
    });
    expect(sentEvaluations()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        ComplianceType: 'COMPLIANT',
        OrderingTimestamp: new Date('2025-01-15T12:30:00.150Z'),
      }),
    ]);
  });

  it('does not evaluate an older item in place of the oversized change Config has not yet recorded', async () => {
    const change = JSON.parse(
      loadEvent('config-change-instance-postgres.json').invokingEvent as string,
    );
    // The history's newest item is the one before the change: its group forced SSL.
    config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [
        {
          version: '1.3',
          accountId: '123456789012',
          configurationItemCaptureTime: new Date('2025-01-14T08:00:00.000Z'),
          configurationItemStatus: 'OK',
          resourceType: 'AWS::RDS::DBInstance',
          resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
          resourceName: 'app-pg',
          awsRegion: 'eu-west-1',
          configuration: JSON.stringify(change.configurationItem.configuration),
        },
      ],
    });
    rds.on(DescribeDBParametersCommand).resolves({
      Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user' }],
    });

    await handleConfigRuleEvent(loadEvent('config-oversized.json'), deps());

    const [evaluation, ...rest] = sentEvaluations();
    expect(rest).toEqual([]);
    expect(evaluation).toMatchObject({
      ComplianceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      ComplianceType: 'NON_COMPLIANT',
      Annotation: expect.stringMatching(/^INSUFFICIENT_DATA: /),
      OrderingTimestamp: new Date('2025-01-15T12:30:00.150Z'),
    });
    expect(evaluation?.Annotation).toContain('2025-01-14T08:00:00.000Z');
  });

  it('reports INSUFFICIENT_DATA when the oversized item cannot be fetched', async () => {
    config
      .on(GetResourceConfigHistoryCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    await handleConfigRuleEvent(loadEvent('config-oversized.json'), deps());

    expect(sentEvaluations()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringMatching(/^INSUFFICIENT_DATA: /),
      }),
    ]);
  });
});

describe('Config rule: documented event shapes', () => {
  it('evaluates the developer guide example shape (no notificationCreationTime) at the capture time', async () => {
    rds.on(DescribeDBParametersCommand, { DBParameterGroupName: 'mysql80-billing' }).resolves({
      Parameters: [
        { ParameterName: 'require_secure_transport', ParameterValue: '1', Source: 'user' },
        { ParameterName: 'tls_version', ParameterValue: 'TLSv1.2,TLSv1.3', Source: 'user' },
      ],
    });

    const outcome = await handleConfigRuleEvent(
      loadEvent('config-change-documented-shape.json'),
      deps(),
    );

    expect(outcome.status).toBe('evaluated');
    expect(sentEvaluations()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: 'db-MYSQLBILLING0000000000000',
        ComplianceType: 'COMPLIANT',
        OrderingTimestamp: new Date('2025-02-03T09:15:42.118Z'),
      }),
    ]);
  });

  it('evaluates an API-shape cluster item (RDK example keys) from its cluster parameter group', async () => {
    rds
      .on(DescribeDBClusterParametersCommand, {
        DBClusterParameterGroupName: 'default.aurora-mysql5.7',
      })
      .resolves({
        Parameters: [{ ParameterName: 'require_secure_transport', Source: 'engine-default' }],
      });
    rds.on(DescribeEngineDefaultClusterParametersCommand).resolves({
      EngineDefaults: {
        DBParameterGroupFamily: 'aurora-mysql5.7',
        Parameters: [
          {
            ParameterName: 'require_secure_transport',
            ParameterValue: 'OFF',
            Source: 'engine-default',
          },
        ],
      },
    });

    await handleConfigRuleEvent(loadEvent('config-change-api-shape-cluster.json'), deps());

    expect(sentEvaluations()).toEqual([
      expect.objectContaining({
        ComplianceResourceType: 'AWS::RDS::DBCluster',
        ComplianceResourceId: 'cluster-LEDGERAURORA000000000000',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringContaining('require_secure_transport'),
      }),
    ]);
  });
});

describe('Config rule: scheduled notifications', () => {
  it('evaluates every database in the region and withdraws results for deleted ones', async () => {
    servePostgresOnSharedGroup([
      { id: 'a-pg', resourceId: 'db-AAAAAAAAAAAAAAAAAAAAAAAAA1', ca: 'rds-ca-rsa2048-g1' },
      {
        id: 'b-pg',
        resourceId: 'db-BBBBBBBBBBBBBBBBBBBBBBBBB2',
        version: '14.12',
        ca: 'rds-ca-rsa2048-g1',
      },
    ]);
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        {
          ComplianceType: 'COMPLIANT',
          EvaluationResultIdentifier: {
            EvaluationResultQualifier: {
              ConfigRuleName: 'rds-tls-only',
              ResourceType: 'AWS::RDS::DBInstance',
              ResourceId: 'db-GONEGONEGONEGONEGONEGONE03',
            },
          },
        },
      ],
    });

    const outcome = await handleConfigRuleEvent(loadEvent('config-scheduled.json'), deps());

    expect(outcome.status).toBe('evaluated');
    const byId = new Map(sentEvaluations().map((e) => [e.ComplianceResourceId, e]));
    expect(byId.get('db-AAAAAAAAAAAAAAAAAAAAAAAAA1')?.ComplianceType).toBe('COMPLIANT');
    expect(byId.get('db-BBBBBBBBBBBBBBBBBBBBBBBBB2')?.ComplianceType).toBe('COMPLIANT');
    expect(byId.get('db-GONEGONEGONEGONEGONEGONE03')?.ComplianceType).toBe('NOT_APPLICABLE');
    for (const evaluation of byId.values()) {
      expect(evaluation.OrderingTimestamp).toEqual(new Date('2025-01-15T13:00:00.000Z'));
    }
    // One parameter sweep for the group both instances share.
    expect(rds.commandCalls(DescribeDBParametersCommand)).toHaveLength(1);
  });

  it('still withdraws deleted databases when only a parameter group read failed', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'a-pg',
          DbiResourceId: 'db-AAAAAAAAAAAAAAAAAAAAAAAAA1',
          Engine: 'postgres',
          EngineVersion: '16.3',
          DBParameterGroups: [{ DBParameterGroupName: 'denied', ParameterApplyStatus: 'in-sync' }],
        },
      ],
    });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    rds
      .on(DescribeDBParametersCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        {
          ComplianceType: 'COMPLIANT',
          EvaluationResultIdentifier: {
            EvaluationResultQualifier: {
              ResourceType: 'AWS::RDS::DBInstance',
              ResourceId: 'db-GONEGONEGONEGONEGONEGONE03',
            },
          },
        },
      ],
    });

    await handleConfigRuleEvent(loadEvent('config-scheduled.json'), deps());

    const byId = new Map(sentEvaluations().map((e) => [e.ComplianceResourceId, e]));
    expectCouldNotTell(byId.get('db-AAAAAAAAAAAAAAAAAAAAAAAAA1'));
    expect(byId.get('db-GONEGONEGONEGONEGONEGONE03')?.ComplianceType).toBe('NOT_APPLICABLE');
  });

  it('hands the databases to the workers with the result token, and evaluates those SQS would not take', async () => {
    servePostgresOnSharedGroup(
      ['A1', 'B2', 'C3'].map((suffix) => ({
        id: `pg-${suffix.toLowerCase()}`,
        resourceId: `db-${suffix.repeat(13).slice(0, 26)}`,
      })),
    );
    const requests: { resultToken: string; ids: string[]; forceSsl: (string | undefined)[] }[] = [];
    const fanOut: ConfigRuleDeps['fanOut'] = async (request) => {
      const resources = request.inventory.items.map((item) => item.resource);
      requests.push({
        resultToken: request.resultToken,
        ids: resources.map((r) => r.resourceId),
        // The settings go with the databases: workers read no group again.
        forceSsl: request.inventory.items.map(
          (item) => item.parameters?.parameters['rds.force_ssl']?.value,
        ),
      });
      return { batches: 1, databases: 2, notSent: resources.slice(2) };
    };

    const outcome = await handleConfigRuleEvent(loadEvent('config-scheduled.json'), {
      ...deps(),
      fanOut,
    });

    expect(outcome).toMatchObject({ status: 'fanned-out', batches: 1, databases: 2 });
    expect(requests).toEqual([
      {
        resultToken: 'eyJyZXN1bHRUb2tlbiI6ImV4YW1wbGUtdG9rZW4tbm90LXJlYWwifQ==',
        ids: [
          'db-A1A1A1A1A1A1A1A1A1A1A1A1A1',
          'db-B2B2B2B2B2B2B2B2B2B2B2B2B2',
          'db-C3C3C3C3C3C3C3C3C3C3C3C3C3',
        ],
        forceSsl: ['1', '1', '1'],
      },
    ]);
    expect(rds.commandCalls(DescribeDBParametersCommand)).toHaveLength(1);
    expect(sentEvaluations().map((e) => [e.ComplianceResourceId, e.ComplianceType])).toEqual([
      ['db-C3C3C3C3C3C3C3C3C3C3C3C3C3', 'COMPLIANT'],
    ]);
  });

  it('keeps earlier results when the region listing failed, rather than withdrawing them', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });

    await handleConfigRuleEvent(loadEvent('config-scheduled.json'), deps());

    expect(config.commandCalls(GetComplianceDetailsByConfigRuleCommand)).toHaveLength(0);
    expect(sentEvaluations().filter((e) => e.ComplianceType === 'NOT_APPLICABLE')).toEqual([]);
  });
});

describe('Config rule: bad events', () => {
  it('rejects an invokingEvent that is not JSON with a named error, logged once, nothing sent', async () => {
    const lines: LogLine[] = [];
    const outcome = await handleConfigRuleEvent(
      loadEvent('config-malformed-invoking-event.json'),
      deps(lines),
    );

    expect(outcome).toMatchObject({ status: 'rejected', code: 'INVOKING_EVENT_NOT_JSON' });
    expect(lines.filter((line) => line.level === 'error')).toHaveLength(1);
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });

  it('rejects an unknown message type', async () => {
    const outcome = await handleConfigRuleEvent(
      loadEvent('config-unknown-message-type.json'),
      deps(),
    );
    expect(outcome).toMatchObject({ status: 'rejected', code: 'UNKNOWN_MESSAGE_TYPE' });
  });

  it('reports the named resource INSUFFICIENT_DATA when rule parameters are invalid', async () => {
    const event = {
      ...loadEvent('config-change-instance-postgres.json'),
      ruleParameters: '{"caExpiryDays":"soon"}',
    };

    const outcome = await handleConfigRuleEvent(event, deps());

    expect(outcome).toMatchObject({ status: 'rejected', code: 'RULE_PARAMETERS_INVALID' });
    const [evaluation] = sentEvaluations();
    expect(evaluation).toMatchObject({
      ComplianceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      ComplianceType: 'NON_COMPLIANT',
      Annotation: expect.stringMatching(/^INSUFFICIENT_DATA: /),
    });
    expect(evaluation?.Annotation).toContain('caExpiryDays');
  });

  it('reports every database INSUFFICIENT_DATA on a periodic run whose rule parameters are invalid', async () => {
    servePostgresOnSharedGroup([
      { id: 'a-pg', resourceId: 'db-AAAAAAAAAAAAAAAAAAAAAAAAA1' },
      { id: 'b-pg', resourceId: 'db-BBBBBBBBBBBBBBBBBBBBBBBBB2' },
    ]);
    const event = {
      ...loadEvent('config-scheduled.json'),
      ruleParameters: '{"caExpiryDays":"soon"}',
    };

    const outcome = await handleConfigRuleEvent(event, deps());

    expect(outcome).toMatchObject({ status: 'rejected', code: 'RULE_PARAMETERS_INVALID' });
    expect(outcome.status === 'rejected' && outcome.put?.accepted).toBe(2);
    expect(sentEvaluations()).toEqual(
      ['db-AAAAAAAAAAAAAAAAAAAAAAAAA1', 'db-BBBBBBBBBBBBBBBBBBBBBBBBB2'].map((id) => ({
        ComplianceResourceType: 'AWS::RDS::DBInstance',
        ComplianceResourceId: id,
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringMatching(
          /^INSUFFICIENT_DATA: rule parameters invalid: .*caExpiryDays/,
        ),
        OrderingTimestamp: new Date('2025-01-15T13:00:00.000Z'),
      })),
    );
  });

  it('orders the answer to a malformed event without a capture time at its notification time', async () => {
    const event = loadEvent('config-change-malformed-identifiable.json');
    const invoking = JSON.parse(event.invokingEvent as string);
    invoking.configurationItem.configurationItemCaptureTime = 'yesterday';

    await handleConfigRuleEvent({ ...event, invokingEvent: JSON.stringify(invoking) }, deps());

    expect(sentEvaluations()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringMatching(/^INSUFFICIENT_DATA: /),
        OrderingTimestamp: new Date('2025-02-05T06:02:13.441Z'),
      }),
    ]);
  });

  it('answers a malformed event that still names its database with INSUFFICIENT_DATA and the reason', async () => {
    const lines: LogLine[] = [];
    const outcome = await handleConfigRuleEvent(
      loadEvent('config-change-malformed-identifiable.json'),
      deps(lines),
    );

    expect(outcome).toMatchObject({ status: 'rejected', code: 'INVOKING_EVENT_INVALID' });
    expect(outcome.status === 'rejected' && outcome.put?.accepted).toBe(1);
    expect(sentEvaluations()).toEqual([
      {
        ComplianceResourceType: 'AWS::RDS::DBInstance',
        ComplianceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringMatching(
          /^INSUFFICIENT_DATA: event unreadable \(INVOKING_EVENT_INVALID\): .*awsRegion/,
        ),
        OrderingTimestamp: new Date('2025-02-05T06:02:11.900Z'),
      },
    ]);
    expect(lines.find((line) => line.level === 'error')?.extra).toMatchObject({
      resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    });
  });

  it('answers a malformed event for a deleted database NOT_APPLICABLE, not INSUFFICIENT_DATA', async () => {
    const event = loadEvent('config-change-malformed-identifiable.json');
    const invoking = JSON.parse(event.invokingEvent as string);
    invoking.configurationItem.configurationItemStatus = 'ResourceDeleted';
    await handleConfigRuleEvent({ ...event, invokingEvent: JSON.stringify(invoking) }, deps());
    expect(sentEvaluations().map((e) => e.ComplianceType)).toEqual(['NOT_APPLICABLE']);
  });

  it('rejects without sending when the event names no resource, logging that nothing was identified', async () => {
    const lines: LogLine[] = [];
    const event = loadEvent('config-change-malformed-identifiable.json');
    const invoking = JSON.parse(event.invokingEvent as string);
    delete invoking.configurationItem.resourceId;
    const outcome = await handleConfigRuleEvent(
      { ...event, invokingEvent: JSON.stringify(invoking) },
      deps(lines),
    );
    expect(outcome).toMatchObject({ status: 'rejected', code: 'INVOKING_EVENT_INVALID' });
    expect(outcome.status === 'rejected' && outcome.put).toBeUndefined();
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
    expect(lines.map((line) => line.message)).toContain(
      'config event rejected: no resource identified',
    );
  });

  it('answers a non-object event with a rejection instead of throwing', async () => {
    await expect(handleConfigRuleEvent('not an event', deps())).resolves.toMatchObject({
      status: 'rejected',
      code: 'EVENT_INVALID',
    });
  });
});

describe('Config rule: RDS Proxies', () => {
  /** An RDS Proxy without RequireTLS in front of `target` (DescribeDBProxies / DescribeDBProxyTargets shapes). */
  function plaintextProxyInFrontOf(target: string): void {
    rds.on(DescribeDBProxiesCommand).resolves({
      DBProxies: [
        {
          DBProxyName: 'app-proxy',
          DBProxyArn: 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0a1b2c3d4e5f67890',
          Status: 'available',
          EngineFamily: 'POSTGRESQL',
          Endpoint: 'app-proxy.proxy-c9akciq32.eu-west-1.rds.amazonaws.com',
          RequireTLS: false,
          Auth: [{ AuthScheme: 'SECRETS', IAMAuth: 'DISABLED' }],
        },
      ],
    });
    rds.on(DescribeDBProxyTargetsCommand).resolves({
      Targets: [{ RdsResourceId: target, Type: 'RDS_INSTANCE', Port: 5432, Role: 'READ_WRITE' }],
    });
  }

  it('reports a database whose group forces SSL NON_COMPLIANT on a change event when a plaintext proxy fronts it', async () => {
    plaintextProxyInFrontOf('app-pg');
    rds.on(DescribeDBParametersCommand).resolves({
      Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user' }],
    });

    await handleConfigRuleEvent(loadEvent('config-change-instance-postgres.json'), deps());

    expect(sentEvaluations()).toEqual([
      expect.objectContaining({
        ComplianceResourceType: 'AWS::RDS::DBInstance',
        ComplianceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: 'reachable in plaintext through RDS Proxy app-proxy (RequireTLS=false)',
      }),
    ]);
  });

  it('sends Config no evaluation for the proxy itself on a scheduled run: Config does not record AWS::RDS::DBProxy', async () => {
    plaintextProxyInFrontOf('a-pg');
    servePostgresOnSharedGroup([
      { id: 'a-pg', resourceId: 'db-AAAAAAAAAAAAAAAAAAAAAAAAA1', ca: 'rds-ca-rsa2048-g1' },
    ]);

    const outcome = await handleConfigRuleEvent(loadEvent('config-scheduled.json'), deps());

    expect(sentEvaluations().map((e) => `${e.ComplianceResourceType} ${e.ComplianceType}`)).toEqual(
      ['AWS::RDS::DBInstance NON_COMPLIANT'],
    );
    // The proxy is still evaluated, for the reports, metrics and Security Hub.
    const scanned = outcome.status === 'evaluated' ? outcome.scan?.evaluations : undefined;
    expect(
      scanned?.map(
        (e) => `${e.resource.resourceType} ${e.resource.identifier} ${e.finding.reason}`,
      ),
    ).toEqual([
      'AWS::RDS::DBInstance a-pg PROXY_PLAINTEXT_PATH',
      'AWS::RDS::DBProxy app-proxy PROXY_TLS_NOT_REQUIRED',
    ]);
  });
});

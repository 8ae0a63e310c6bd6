import {
  DescribeCertificatesCommand,
  DescribeDBClustersCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  DescribeEngineDefaultClusterParametersCommand,
  DescribeOptionGroupsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRdsClientFactory,
  enrichResources,
  resourceFromInstance,
} from '../../lib/inventory/index.js';
import { serveAccount, serviceError } from './rds-mock.js';
import { auroraCluster, auroraMember, parameter, postgresInstance } from './rds-samples.js';

const client = new RDSClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const rds = mockClient(client);
const clientFor = () => client;

afterEach(() => {
  rds.reset();
});

const noCa = { CACertificateIdentifier: undefined, CertificateDetails: undefined };

describe('enrichResources', () => {
  it('fills a parameter the group leaves unset from the engine default of a default.<family> group without looking the family up', async () => {
    serveAccount(rds, {
      parameterGroups: {
        'default.postgres14': {
          family: 'postgres14',
          parameters: [
            parameter('rds.force_ssl'),
            parameter('shared_buffers', '{DBInstanceClassMemory/32768}'),
          ],
        },
      },
      engineDefaults: { postgres14: [parameter('rds.force_ssl', '0', 'dynamic')] },
    });
    const resource = resourceFromInstance(
      postgresInstance({
        ...noCa,
        EngineVersion: '14.9',
        DBParameterGroups: [
          { DBParameterGroupName: 'default.postgres14', ParameterApplyStatus: 'in-sync' },
        ],
      }),
      'eu-west-1',
    );

    const inventory = await enrichResources([resource], { clientFor });

    expect(inventory.items[0]?.parameters).toEqual({
      groupName: 'default.postgres14',
      kind: 'instance',
      family: 'postgres14',
      parameters: {
        'rds.force_ssl': {
          name: 'rds.force_ssl',
          value: '0',
          origin: 'engine-default',
          applyType: 'dynamic',
          rdsSource: 'engine-default',
        },
      },
    });
    expect(rds.commandCalls(DescribeDBParameterGroupsCommand)).toHaveLength(0);
    expect(inventory.items[0]?.gaps).toEqual([]);
  });

  it('skips the family lookup and engine defaults when the group sets every TLS parameter', async () => {
    serveAccount(rds, {
      parameterGroups: {
        'pg15-secure': { family: 'postgres15', parameters: [parameter('rds.force_ssl', '1')] },
      },
    });
    const inventory = await enrichResources(
      [resourceFromInstance(postgresInstance(noCa), 'eu-west-1')],
      { clientFor },
    );
    expect(inventory.items[0]?.parameters?.parameters['rds.force_ssl']?.value).toBe('1');
    expect(rds.commandCalls(DescribeDBParameterGroupsCommand)).toHaveLength(0);
    expect(rds.calls()).toHaveLength(1);
  });

  it('looks up an Aurora member’s cluster when it was not listed, and fills the cluster group from cluster defaults', async () => {
    serveAccount(rds, {
      clusters: [auroraCluster()],
      parameterGroups: {
        'default.aurora-postgresql15': { family: 'aurora-postgresql15', parameters: [] },
      },
      clusterParameterGroups: {
        'apg15-tls': { family: 'aurora-postgresql15', parameters: [parameter('rds.force_ssl')] },
      },
      clusterEngineDefaults: { 'aurora-postgresql15': [parameter('rds.force_ssl', '0')] },
    });
    const members = [auroraMember('ledger-1'), auroraMember('ledger-2')].map((m) =>
      resourceFromInstance({ ...m, ...noCa }, 'eu-west-1'),
    );

    const inventory = await enrichResources(members, { clientFor });

    expect(inventory.items.map((item) => item.resource.clusterParameterGroup)).toEqual([
      { name: 'apg15-tls', applyStatus: 'in-sync' },
      { name: 'apg15-tls', applyStatus: 'pending-reboot' },
    ]);
    expect(inventory.items[1]?.clusterParameters?.parameters['rds.force_ssl']).toEqual({
      name: 'rds.force_ssl',
      value: '0',
      origin: 'engine-default',
      applyType: 'dynamic',
      rdsSource: 'engine-default',
    });
    expect(inventory.items[1]?.clusterParameters?.family).toBe('aurora-postgresql15');
    expect(rds.commandCalls(DescribeDBClustersCommand)).toHaveLength(1);
    expect(rds.commandCalls(DescribeEngineDefaultClusterParametersCommand)).toHaveLength(1);
  });

  it('carries the cluster’s RDS-managed master secret onto each member, so a member may be probed with it and with no other database’s', async () => {
    const clusterSecret = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-5c0d9e1f-2a3b-4c5d-8e9f-0a1b2c3d4e5f-Kq7LmN`;
    serveAccount(rds, {
      clusters: [auroraCluster({ MasterUserSecret: { SecretArn: clusterSecret } })],
      parameterGroups: {
        'default.aurora-postgresql15': { family: 'aurora-postgresql15', parameters: [] },
      },
      clusterParameterGroups: {
        'apg15-tls': {
          family: 'aurora-postgresql15',
          parameters: [parameter('rds.force_ssl', '1')],
        },
      },
    });
    const member = resourceFromInstance({ ...auroraMember('ledger-1'), ...noCa }, 'eu-west-1');

    const inventory = await enrichResources([member], { clientFor });

    expect(inventory.items[0]?.resource.clusterMasterUserSecretArn).toBe(clusterSecret);
  });

  it('puts a gap on the items of a group that cannot be read, one problem, and leaves other items alone', async () => {
    serveAccount(rds, {
      parameterGroups: {
        'pg15-secure': { family: 'postgres15', parameters: [parameter('rds.force_ssl', '1')] },
      },
    });
    rds
      .on(DescribeDBParametersCommand, { DBParameterGroupName: 'pg-x' })
      .rejects(serviceError('AccessDenied'));
    const group = (name: string) => [
      { DBParameterGroupName: name, ParameterApplyStatus: 'in-sync' },
    ];
    const resources = [
      postgresInstance({
        ...noCa,
        DBInstanceIdentifier: 'a',
        DbiResourceId: 'db-A',
        DBParameterGroups: group('pg-x'),
      }),
      postgresInstance({
        ...noCa,
        DBInstanceIdentifier: 'b',
        DbiResourceId: 'db-B',
        DBParameterGroups: group('pg-x'),
      }),
      postgresInstance({ ...noCa, DBInstanceIdentifier: 'c', DbiResourceId: 'db-C' }),
    ].map((instance) => resourceFromInstance(instance, 'eu-west-1'));

    const inventory = await enrichResources(resources, { clientFor });

    expect(inventory.items.map((item) => item.gaps)).toEqual([
      ['parameter group pg-x unreadable: AccessDenied'],
      ['parameter group pg-x unreadable: AccessDenied'],
      [],
    ]);
    expect(inventory.items.map((item) => item.parameters?.groupName)).toEqual([
      undefined,
      undefined,
      'pg15-secure',
    ]);
    expect(inventory.problems).toEqual([
      {
        scope: 'parameter-group:eu-west-1:pg-x',
        code: 'ACCESS_DENIED',
        message:
          'DescribeDBParameters for pg-x in eu-west-1 failed: AccessDenied HTTP 400; grant the IAM action rds:DescribeDBParameters to the identity running the scan (docs/deploy.md lists the whole policy)',
      },
    ]);
  });

  it('turns a ThrottlingException that outlasted the SDK retries into a gap and a THROTTLED problem', async () => {
    rds.on(DescribeDBParametersCommand).rejects(serviceError('ThrottlingException'));
    const inventory = await enrichResources(
      [resourceFromInstance(postgresInstance(noCa), 'eu-west-1')],
      { clientFor },
    );
    expect(inventory.items[0]?.gaps).toEqual([
      'parameter group pg15-secure unreadable: ThrottlingException',
    ]);
    expect(inventory.problems.map((problem) => problem.code)).toEqual(['THROTTLED']);
  });

  it('drops a partial parameter listing whose marker repeats: a gap and a PAGINATION_LOOP problem, no settings', async () => {
    rds
      .on(DescribeDBParametersCommand)
      .resolvesOnce({ Parameters: [parameter('rds.force_ssl', '1')], Marker: 'm1' })
      .resolves({ Parameters: [], Marker: 'm1' });
    const inventory = await enrichResources(
      [resourceFromInstance(postgresInstance(noCa), 'eu-west-1')],
      { clientFor },
    );
    expect(rds.commandCalls(DescribeDBParametersCommand)).toHaveLength(2);
    expect(inventory.items[0]?.parameters).toBeUndefined();
    expect(inventory.items[0]?.gaps).toEqual([
      'parameter group pg15-secure incomplete: pagination marker repeated',
    ]);
    expect(inventory.problems.map((problem) => problem.code)).toEqual(['PAGINATION_LOOP']);
  });

  it('reads a non-default Oracle option group once, reports a default one empty, and reads none for PostgreSQL', async () => {
    serveAccount(rds, {
      parameterGroups: {
        'default.oracle-ee-19': { family: 'oracle-ee-19', parameters: [] },
        'pg15-secure': { family: 'postgres15', parameters: [] },
      },
      optionGroups: [
        {
          OptionGroupName: 'oracle-ssl',
          EngineName: 'oracle-ee',
          MajorEngineVersion: '19',
          Options: [
            {
              OptionName: 'SSL',
              Port: 2484,
              OptionSettings: [
                { Name: 'SQLNET.SSL_VERSION', Value: '1.2' },
                {
                  Name: 'SQLNET.CIPHER_SUITE',
                  DefaultValue: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
                },
              ],
            },
          ],
        },
      ],
    });
    const oracle = (id: string, optionGroup: string) =>
      resourceFromInstance(
        postgresInstance({
          ...noCa,
          DBInstanceIdentifier: id,
          DbiResourceId: `db-${id.toUpperCase()}`,
          Engine: 'oracle-ee',
          EngineVersion: '19.0.0.0.ru-2024-01.rur-2024-01.r1',
          DBParameterGroups: [{ DBParameterGroupName: 'default.oracle-ee-19' }],
          OptionGroupMemberships: [{ OptionGroupName: optionGroup, Status: 'in-sync' }],
        }),
        'eu-west-1',
      );
    const resources = [
      oracle('erp1', 'oracle-ssl'),
      oracle('erp2', 'oracle-ssl'),
      oracle('legacy', 'default:oracle-ee-19'),
      resourceFromInstance(postgresInstance(noCa), 'eu-west-1'),
    ];

    const inventory = await enrichResources(resources, { clientFor });

    expect(inventory.items.map((item) => item.optionGroups)).toEqual([
      [
        {
          name: 'oracle-ssl',
          engineName: 'oracle-ee',
          majorEngineVersion: '19',
          options: [
            {
              name: 'SSL',
              port: 2484,
              settings: {
                'SQLNET.SSL_VERSION': '1.2',
                'SQLNET.CIPHER_SUITE': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
              },
            },
          ],
        },
      ],
      [expect.objectContaining({ name: 'oracle-ssl' })],
      [{ name: 'default:oracle-ee-19', options: [] }],
      [],
    ]);
    expect(
      rds.commandCalls(DescribeOptionGroupsCommand).map((c) => c.args[0].input.OptionGroupName),
    ).toEqual(['oracle-ssl']);
  });

  it('reads the CA list once per region and gives each database its CA', async () => {
    serveAccount(rds, {
      pageSize: 2,
      parameterGroups: { 'pg15-secure': { family: 'postgres15', parameters: [] } },
      certificates: [
        {
          CertificateIdentifier: 'rds-ca-2019',
          ValidFrom: new Date('2019-08-22T17:08:50Z'),
          ValidTill: new Date('2024-08-22T17:08:50Z'),
        },
        {
          CertificateIdentifier: 'rds-ca-ecc384-g1',
          ValidFrom: new Date('2021-05-21T22:23:47Z'),
          ValidTill: new Date('2121-05-21T22:23:47Z'),
        },
        {
          CertificateIdentifier: 'rds-ca-rsa2048-g1',
          ValidFrom: new Date('2021-05-25T23:34:57Z'),
          ValidTill: new Date('2061-05-25T23:34:57Z'),
        },
      ],
    });
    const resources = [
      resourceFromInstance(postgresInstance(), 'eu-west-1'),
      resourceFromInstance(
        postgresInstance({
          DBInstanceIdentifier: 'old',
          DbiResourceId: 'db-OLD',
          CACertificateIdentifier: 'rds-ca-2019',
        }),
        'eu-west-1',
      ),
      resourceFromInstance(
        postgresInstance({
          DBInstanceIdentifier: 'odd',
          DbiResourceId: 'db-ODD',
          CACertificateIdentifier: 'rds-ca-unknown',
          CertificateDetails: undefined,
        }),
        'eu-west-1',
      ),
    ];

    const inventory = await enrichResources(resources, { clientFor });

    expect(inventory.items.map((item) => item.certificateAuthority)).toEqual([
      {
        identifier: 'rds-ca-rsa2048-g1',
        validFrom: new Date('2021-05-25T23:34:57Z'),
        validTill: new Date('2061-05-25T23:34:57Z'),
      },
      {
        identifier: 'rds-ca-2019',
        validFrom: new Date('2019-08-22T17:08:50Z'),
        validTill: new Date('2024-08-22T17:08:50Z'),
      },
      undefined,
    ]);
    expect(inventory.items[2]?.gaps).toEqual([
      'certificate authority rds-ca-unknown not listed by DescribeCertificates',
    ]);
    // Three certificates in pages of two: one sweep of two pages.
    expect(rds.commandCalls(DescribeCertificatesCommand)).toHaveLength(2);
  });

  it('reports unreadable engine defaults as a gap, leaving the unset parameter without a value', async () => {
    serveAccount(rds, {
      parameterGroups: {
        'pg14-app': { family: 'postgres14', parameters: [parameter('rds.force_ssl')] },
      },
    });
    rds.on(DescribeDBParameterGroupsCommand).resolves({
      DBParameterGroups: [
        { DBParameterGroupName: 'pg14-app', DBParameterGroupFamily: 'postgres14' },
      ],
    });
    const resource = resourceFromInstance(
      postgresInstance({ ...noCa, DBParameterGroups: [{ DBParameterGroupName: 'pg14-app' }] }),
      'eu-west-1',
    );

    const inventory = await enrichResources([resource], { clientFor });

    expect(inventory.items[0]?.parameters?.parameters['rds.force_ssl']).toEqual({
      name: 'rds.force_ssl',
      origin: 'engine-default',
      applyType: 'dynamic',
      rdsSource: 'engine-default',
    });
    expect(inventory.items[0]?.gaps).toEqual([
      'engine defaults for postgres14 unreadable: InvalidParameterValue',
    ]);
    expect(inventory.problems).toEqual([
      {
        scope: 'engine-defaults:eu-west-1:postgres14',
        code: 'READ_FAILED',
        message:
          'DescribeEngineDefaultParameters for postgres14 in eu-west-1 failed: InvalidParameterValue HTTP 400',
      },
    ]);
  });

  it('never runs more requests at once than the concurrency allows', async () => {
    let inFlight = 0;
    let peak = 0;
    rds.on(DescribeDBParametersCommand).callsFake(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { Parameters: [parameter('rds.force_ssl', '1')] };
    });
    const resources = Array.from({ length: 20 }, (_, i) =>
      resourceFromInstance(
        postgresInstance({
          ...noCa,
          DBInstanceIdentifier: `i${i}`,
          DbiResourceId: `db-${i}`,
          DBParameterGroups: [{ DBParameterGroupName: `g${i}` }],
        }),
        'eu-west-1',
      ),
    );
    await enrichResources(resources, { clientFor, concurrency: 3 });
    expect(rds.commandCalls(DescribeDBParametersCommand)).toHaveLength(20);
    expect(peak).toBe(3);
  });
});

describe('createRdsClientFactory', () => {
  it('makes one adaptive-retry client per region and reuses it', async () => {
    const clientFor = createRdsClientFactory({
      clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    });
    const first = clientFor('eu-west-1');
    expect(clientFor('eu-west-1')).toBe(first);
    expect(clientFor('us-east-1')).not.toBe(first);
    expect(await first.config.region()).toBe('eu-west-1');
    expect(await first.config.retryStrategy()).toHaveProperty('mode', 'adaptive');
    expect(await first.config.maxAttempts()).toBe(8);
  });
});

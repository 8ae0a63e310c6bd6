import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  DescribeEngineDefaultParametersCommand,
  type Parameter,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { collectInventory } from '../../lib/inventory/index.js';
import { evaluateStatic } from '../../lib/rules/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { rdsClients, serveAccount, serviceError } from './rds-mock.js';
import { auroraCluster, auroraMember, parameter, postgresInstance } from './rds-samples.js';

const clients = rdsClients();
const regionClient = clients.client;

afterEach(() => clients.destroyAll());

function numbered(index: number) {
  const id = `db-${String(index).padStart(4, '0')}`;
  return postgresInstance({
    DBInstanceIdentifier: id,
    DbiResourceId: `db-RESOURCE${index}`,
    DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${id}`,
    DBParameterGroups: [
      { DBParameterGroupName: `pg-group-${index % 50}`, ParameterApplyStatus: 'in-sync' },
    ],
    CACertificateIdentifier: undefined,
    CertificateDetails: undefined,
  });
}

/** The Aurora PostgreSQL cluster `ledger` (writer in sync, reader pending-reboot) and its two members. */
function serveLedger(client: RDSClient, clusterParameters: Parameter[]) {
  const rds = mockClient(client);
  serveAccount(rds, {
    instances: [auroraMember('ledger-1'), auroraMember('ledger-2')],
    clusters: [auroraCluster()],
    parameterGroups: {
      'default.aurora-postgresql15': { family: 'aurora-postgresql15', parameters: [] },
    },
    clusterParameterGroups: {
      'apg15-tls': { family: 'aurora-postgresql15', parameters: clusterParameters },
    },
    certificates: [],
  });
  return rds;
}

describe('collectInventory', () => {
  it('reads every page of instances and clusters', async () => {
    const client = regionClient('eu-west-1');
    const rds = mockClient(client);
    serveAccount(rds, {
      pageSize: 2,
      instances: [1, 2, 3, 4, 5].map(numbered),
      clusters: [auroraCluster({ DBClusterParameterGroup: undefined })],
    });

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });

    expect(inventory.items.map((item) => item.resource.identifier)).toEqual([
      'db-0001',
      'db-0002',
      'db-0003',
      'db-0004',
      'db-0005',
      'ledger',
    ]);
    expect(
      rds.commandCalls(DescribeDBInstancesCommand).map((call) => call.args[0].input.Marker),
    ).toEqual([undefined, 'instances#2', 'instances#4']);
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0]?.args[0].input.MaxRecords).toBe(100);
  });

  it('reads 50 parameter groups shared by 1,000 instances once each, and each family’s defaults once', async () => {
    const client = regionClient('eu-west-1');
    const rds = mockClient(client);
    const filler = Array.from({ length: 150 }, (_, i) => parameter(`work_mem_${i}`, '4096'));
    const parameterGroups = Object.fromEntries(
      Array.from({ length: 50 }, (_, g) => [
        `pg-group-${g}`,
        {
          family: g % 2 === 0 ? 'postgres15' : 'postgres14',
          parameters: [
            parameter('rds.force_ssl', '1'),
            ...filler,
            parameter('ssl_min_protocol_version'),
          ],
        },
      ]),
    );
    const defaults = [
      ...Array.from({ length: 120 }, (_, i) => parameter(`other_${i}`, 'x')),
      parameter('ssl_min_protocol_version', 'TLSv1.2'),
    ];
    serveAccount(rds, {
      instances: Array.from({ length: 1000 }, (_, i) => numbered(i)),
      parameterGroups,
      engineDefaults: { postgres15: defaults, postgres14: defaults },
    });

    const inventory = await collectInventory({
      regions: ['eu-west-1'],
      clientFor: () => client,
      concurrency: 16,
    });

    expect(inventory.items).toHaveLength(1000);
    expect(inventory.problems).toEqual([]);
    const parameterCalls = rds.commandCalls(DescribeDBParametersCommand);
    // Each group has 152 parameters: two pages of at most 100.
    expect(parameterCalls).toHaveLength(100);
    const callsPerGroup = new Map<string, number>();
    for (const call of parameterCalls) {
      const name = call.args[0].input.DBParameterGroupName ?? '';
      callsPerGroup.set(name, (callsPerGroup.get(name) ?? 0) + 1);
    }
    expect(callsPerGroup.size).toBe(50);
    expect([...callsPerGroup.values()].every((count) => count === 2)).toBe(true);
    expect(rds.commandCalls(DescribeDBParameterGroupsCommand)).toHaveLength(50);
    const defaultCalls = rds.commandCalls(DescribeEngineDefaultParametersCommand);
    expect(
      defaultCalls.map((call) => [
        call.args[0].input.DBParameterGroupFamily,
        call.args[0].input.Marker,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['postgres15', undefined],
        ['postgres15', 'postgres15#100'],
        ['postgres14', undefined],
        ['postgres14', 'postgres14#100'],
      ]),
    );
    expect(defaultCalls).toHaveLength(4);
    expect(inventory.items[7]?.parameters?.parameters).toEqual({
      'rds.force_ssl': {
        name: 'rds.force_ssl',
        value: '1',
        origin: 'parameter-group',
        applyType: 'dynamic',
        rdsSource: 'user',
      },
      ssl_min_protocol_version: {
        name: 'ssl_min_protocol_version',
        value: 'TLSv1.2',
        origin: 'engine-default',
        applyType: 'dynamic',
        rdsSource: 'engine-default',
      },
    });
  });

  it('gives an Aurora member the cluster parameter group with its own apply status', async () => {
    const client = regionClient('eu-west-1');
    const rds = serveLedger(client, [parameter('rds.force_ssl', '1')]);

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });
    const reader = inventory.items.find((item) => item.resource.identifier === 'ledger-2');

    expect(reader?.resource.clusterParameterGroup).toEqual({
      name: 'apg15-tls',
      applyStatus: 'pending-reboot',
    });
    expect(reader?.clusterParameters).toEqual({
      groupName: 'apg15-tls',
      kind: 'cluster',
      parameters: {
        'rds.force_ssl': {
          name: 'rds.force_ssl',
          value: '1',
          origin: 'parameter-group',
          applyType: 'dynamic',
          rdsSource: 'user',
        },
      },
    });
    // The cluster was listed, so no per-member DescribeDBClusters lookup was made.
    expect(rds.commandCalls(DescribeDBClustersCommand)).toHaveLength(1);
  });

  it('does not call a cluster TLS-only while a reader has not taken up its cluster parameter group', async () => {
    // The writer is in sync; the reader still runs what it had before the
    // group was attached, and the cluster's reader endpoint reaches it.
    const client = regionClient('eu-west-1');
    serveLedger(client, [
      parameter('rds.force_ssl', '1'),
      parameter('ssl_min_protocol_version', 'TLSv1.2'),
    ]);

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });
    const cluster = inventory.items.find(
      (item) => item.resource.resourceType === 'AWS::RDS::DBCluster',
    );
    if (!cluster) throw new Error('cluster not collected');
    const finding = evaluateStatic({
      ...cluster,
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      now: new Date('2026-03-01T12:00:00Z'),
    });

    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PENDING_REBOOT');
    expect(finding.evidence).toContainEqual({
      source: 'rds-api',
      label: 'apply status (apg15-tls)',
      value: 'pending-reboot (member ledger-2)',
    });
  });

  it('does not read an empty ParameterValue as unset: no engine default, no documented default, not TLS-only', async () => {
    // DescribeDBParameters leaves ParameterValue out for a parameter the group
    // does not set (API reference, Parameter); an empty string is a value.
    const client = regionClient('eu-west-1');
    const rds = mockClient(client);
    serveAccount(rds, {
      instances: [
        postgresInstance({
          DBParameterGroups: [
            { DBParameterGroupName: 'pg15-app', ParameterApplyStatus: 'in-sync' },
          ],
          CACertificateIdentifier: undefined,
          CertificateDetails: undefined,
        }),
      ],
      parameterGroups: {
        'pg15-app': {
          family: 'postgres15',
          parameters: [
            parameter('rds.force_ssl', ''),
            parameter('ssl_min_protocol_version', 'TLSv1.2'),
          ],
        },
      },
      engineDefaults: { postgres15: [parameter('rds.force_ssl', '1')] },
      certificates: [],
    });

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });
    const [item] = inventory.items;
    if (!item) throw new Error('instance not collected');
    const finding = evaluateStatic({
      ...item,
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      now: new Date('2026-03-01T12:00:00Z'),
    });

    expect(rds.commandCalls(DescribeEngineDefaultParametersCommand)).toHaveLength(0);
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
    expect(finding.annotation).toContain(
      'rds.force_ssl="" in parameter group pg15-app (postgres 15.4): value not understood',
    );
  });

  it('judges a Multi-AZ DB cluster and each of its member instances from the cluster parameter group, never from the instances’ own group', async () => {
    // A Multi-AZ DB cluster (non-Aurora DBCluster with DBClusterInstanceClass):
    // "the settings in the DB cluster parameter group apply to all of the DB
    // instances in the cluster. The default DB parameter group for the DB
    // engine and DB engine version is used for each DB instance"
    // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/parameter-groups-overview.html).
    const client = regionClient('eu-west-1');
    const rds = mockClient(client);
    const members = ['maz-1', 'maz-2', 'maz-3'];
    serveAccount(rds, {
      instances: members.map((identifier) => ({
        ...auroraMember(identifier, 'maz'),
        Engine: 'postgres',
        EngineVersion: '16.3',
        DBInstanceClass: 'db.m6gd.large',
        CACertificateIdentifier: undefined,
        CertificateDetails: undefined,
        DBParameterGroups: [
          { DBParameterGroupName: 'pg16-instances', ParameterApplyStatus: 'in-sync' },
        ],
      })),
      clusters: [
        auroraCluster({
          DBClusterIdentifier: 'maz',
          Engine: 'postgres',
          EngineVersion: '16.3',
          DBClusterInstanceClass: 'db.m6gd.large',
          StorageType: 'io1',
          DBClusterParameterGroup: 'maz-pg16',
          DBClusterMembers: members.map((identifier, index) => ({
            DBInstanceIdentifier: identifier,
            IsClusterWriter: index === 0,
            DBClusterParameterGroupStatus: 'in-sync',
          })),
        }),
      ],
      parameterGroups: {
        'pg16-instances': { family: 'postgres16', parameters: [parameter('rds.force_ssl', '1')] },
      },
      clusterParameterGroups: {
        'maz-pg16': {
          family: 'postgres16',
          parameters: [
            parameter('rds.force_ssl', '0'),
            parameter('ssl_min_protocol_version', 'TLSv1.2'),
          ],
        },
      },
      certificates: [],
    });

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });
    const findings = inventory.items.map((item) => ({
      identifier: item.resource.identifier,
      finding: evaluateStatic({
        ...item,
        ruleParameters: DEFAULT_RULE_PARAMETERS,
        now: new Date('2026-03-01T12:00:00Z'),
      }),
    }));

    expect(findings.map(({ identifier }) => identifier).sort()).toEqual([
      'maz',
      'maz-1',
      'maz-2',
      'maz-3',
    ]);
    for (const { finding } of findings) {
      expect(finding.verdict).toBe('NON_COMPLIANT');
      expect(finding.reason).toBe('FORCE_SSL_OFF');
      expect(finding.annotation).toBe(
        'rds.force_ssl=0 in cluster parameter group maz-pg16 (postgres 16.3): plaintext connections allowed',
      );
      expect(finding.remediation).toContain('--db-cluster-parameter-group-name maz-pg16');
    }
  });

  it('keeps the readable region’s items and reports the denied region as a problem', async () => {
    const west = regionClient('eu-west-1');
    const central = regionClient('eu-central-1');
    serveAccount(mockClient(west), {
      instances: [
        postgresInstance({ CACertificateIdentifier: undefined, CertificateDetails: undefined }),
      ],
      parameterGroups: {
        'pg15-secure': { family: 'postgres15', parameters: [parameter('rds.force_ssl', '1')] },
      },
    });
    mockClient(central).onAnyCommand().rejects(serviceError('AccessDenied'));

    const inventory = await collectInventory({
      regions: ['eu-west-1', 'eu-central-1'],
      clientFor: (region) => (region === 'eu-west-1' ? west : central),
    });

    expect(inventory.items.map((item) => item.resource.identifier)).toEqual(['orders-db']);
    expect(inventory.regions).toEqual(['eu-west-1', 'eu-central-1']);
    expect(inventory.problems).toContainEqual({
      scope: 'region:eu-central-1',
      code: 'ACCESS_DENIED',
      message:
        'DescribeDBInstances failed in eu-central-1: AccessDenied HTTP 400; grant the IAM action rds:DescribeDBInstances to the identity running the scan (docs/deploy.md lists the whole policy)',
    });
    expect(inventory.problems.every((problem) => problem.scope === 'region:eu-central-1')).toBe(
      true,
    );
  });

  it('turns throttling that outlasted the SDK’s retries into a region problem, not a crash', async () => {
    const client = regionClient('eu-west-1');
    const rds = mockClient(client);
    rds.onAnyCommand().rejects(serviceError('ThrottlingException'));

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });

    expect(inventory.items).toEqual([]);
    expect(inventory.problems).toContainEqual({
      scope: 'region:eu-west-1',
      code: 'THROTTLED',
      message:
        'DescribeDBInstances failed in eu-west-1: ThrottlingException HTTP 400; RDS throttled the requests: scan with lower concurrency or retry later',
    });
  });

  it('stops a listing whose marker repeats and reports PAGINATION_LOOP', async () => {
    const client = regionClient('eu-west-1');
    const rds = mockClient(client);
    serveAccount(rds, {});
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [numbered(1)], Marker: 'A' })
      .resolvesOnce({ DBInstances: [numbered(2)], Marker: 'B' })
      .resolves({ DBInstances: [numbered(3)], Marker: 'A' });
    rds.on(DescribeDBParametersCommand).resolves({ Parameters: [] });

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });

    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(3);
    expect(inventory.items.map((item) => item.resource.identifier)).toEqual([
      'db-0001',
      'db-0002',
      'db-0003',
    ]);
    expect(inventory.problems).toEqual([
      {
        scope: 'region:eu-west-1',
        code: 'PAGINATION_LOOP',
        message:
          'DescribeDBInstances in eu-west-1 repeated a pagination marker after 3 pages; listing stopped',
      },
    ]);
  });

  it('filters by engine, identifier and tags before reading any parameter group', async () => {
    const client = regionClient('eu-west-1');
    const rds = mockClient(client);
    const base = { CACertificateIdentifier: undefined, CertificateDetails: undefined };
    serveAccount(rds, {
      instances: [
        postgresInstance({ ...base }),
        postgresInstance({
          ...base,
          DBInstanceIdentifier: 'reports-db',
          DbiResourceId: 'db-REPORTS',
          DBParameterGroups: [{ DBParameterGroupName: 'pg-reports' }],
          TagList: [{ Key: 'team', Value: 'analytics' }],
        }),
        postgresInstance({
          ...base,
          DBInstanceIdentifier: 'shop-mysql',
          DbiResourceId: 'db-SHOP',
          Engine: 'mysql',
          DBParameterGroups: [{ DBParameterGroupName: 'mysql-shop' }],
        }),
      ],
      parameterGroups: {
        'pg15-secure': { family: 'postgres15', parameters: [] },
        'pg-reports': { family: 'postgres15', parameters: [] },
        'mysql-shop': { family: 'mysql8.0', parameters: [] },
      },
    });

    const byTag = await collectInventory({
      regions: ['eu-west-1'],
      clientFor: () => client,
      filters: { engines: ['POSTGRES'], tags: { team: 'payments', env: 'prod' } },
    });
    expect(byTag.items.map((item) => item.resource.identifier)).toEqual(['orders-db']);
    expect(
      rds
        .commandCalls(DescribeDBParametersCommand)
        .map((c) => c.args[0].input.DBParameterGroupName),
    ).toEqual(['pg15-secure']);

    const byId = await collectInventory({
      regions: ['eu-west-1'],
      clientFor: () => client,
      filters: { identifiers: ['db-SHOP', 'reports-db'] },
    });
    expect(byId.items.map((item) => item.resource.identifier)).toEqual([
      'reports-db',
      'shop-mysql',
    ]);
  });

  it('reports an instance without DbiResourceId as a problem instead of inventing an id', async () => {
    const client = regionClient('eu-west-1');
    serveAccount(mockClient(client), {
      instances: [postgresInstance({ DbiResourceId: undefined, DBParameterGroups: [] })],
    });

    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor: () => client });

    expect(inventory.items).toEqual([]);
    expect(inventory.problems).toEqual([
      {
        scope: 'region:eu-west-1',
        code: 'RESOURCE_ID_MISSING',
        message: 'DBInstance orders-db in eu-west-1 has no resource id; skipped',
      },
    ]);
  });
});

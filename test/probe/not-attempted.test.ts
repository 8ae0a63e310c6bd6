import type { DBCluster } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { resourceFromCluster, resourceFromConfigurationItem } from '../../lib/inventory/index.js';
import { notAttemptedReason } from '../../lib/probe/not-attempted.js';
import type { DatabaseResource } from '../../lib/types.js';
import { loadEvent } from '../config/events.js';
import { auroraCluster } from '../inventory/rds-samples.js';

// DBCluster as DescribeDBClusters returns it
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html):
// DBClusterMembers lists the instances, IsClusterWriter flags the writer
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBClusterMember.html),
// EngineMode is `provisioned`, or `serverless` for Aurora Serverless v1, whose
// cluster has no instances and answers on its endpoint itself.
const fromApi = (overrides: Partial<DBCluster>) =>
  resourceFromCluster(auroraCluster({ EngineMode: 'provisioned', ...overrides }), 'eu-west-1');

/** A secondary cluster of an Aurora global database: reader instances only. */
const secondaryMembers = [
  { DBInstanceIdentifier: 'ledger-eu-1', IsClusterWriter: false, PromotionTier: 1 },
  { DBInstanceIdentifier: 'ledger-eu-2', IsClusterWriter: false, PromotionTier: 1 },
];

/** The Aurora MySQL cluster of events/config-change-api-shape-cluster.json, with its members replaced. */
function fromConfigurationItem(configuration: Record<string, unknown>): DatabaseResource {
  const event = loadEvent('config-change-api-shape-cluster.json');
  const invoking = JSON.parse(String(event.invokingEvent)) as {
    configurationItem: { configuration: Record<string, unknown> };
  };
  const item = invoking.configurationItem;
  const { dbclusterMembers: _members, engineMode: _mode, ...rest } = item.configuration;
  const mapped = resourceFromConfigurationItem({
    ...item,
    configuration: { ...rest, ...configuration },
  });
  if (!mapped.ok) throw new Error(mapped.error.message);
  return mapped.resource;
}

describe('notAttemptedReason', () => {
  it('is NO_WRITER_INSTANCE for a cluster with no DB instances', () => {
    expect(notAttemptedReason(fromApi({ DBClusterMembers: [] }))).toEqual({
      reason: 'NO_WRITER_INSTANCE',
      annotation:
        'live probe not attempted: the cluster has no DB instances, so nothing answers on its endpoint',
    });
  });

  it('is NO_WRITER_INSTANCE for a headless or secondary global database cluster whose members are all readers', () => {
    expect(notAttemptedReason(fromApi({ DBClusterMembers: secondaryMembers }))).toEqual({
      reason: 'NO_WRITER_INSTANCE',
      annotation:
        'live probe not attempted: none of the cluster’s 2 DB instances is its writer, so nothing answers on its writer endpoint',
    });
  });

  it('lets the probe connect to a cluster that has a writer', () => {
    expect(notAttemptedReason(fromApi({}))).toBeUndefined();
  });

  it('lets the probe connect to an Aurora Serverless v1 cluster, which has no instances but answers', () => {
    expect(
      notAttemptedReason(fromApi({ EngineMode: 'serverless', DBClusterMembers: [] })),
    ).toBeUndefined();
    expect(
      notAttemptedReason(fromApi({ EngineMode: ' Serverless ', DBClusterMembers: [] })),
    ).toBeUndefined();
  });

  it('lets the probe connect to an Aurora cluster without members whose engine mode RDS did not give', () => {
    expect(
      notAttemptedReason(fromApi({ EngineMode: undefined, DBClusterMembers: [] })),
    ).toBeUndefined();
  });

  it('is NO_WRITER_INSTANCE for a Multi-AZ DB cluster without members, which cannot be serverless', () => {
    const multiAz = fromApi({
      Engine: 'postgres',
      EngineVersion: '16.3',
      EngineMode: undefined,
      DBClusterInstanceClass: 'db.m6gd.large',
      DBClusterMembers: [],
    });
    expect(notAttemptedReason(multiAz)?.reason).toBe('NO_WRITER_INSTANCE');
  });

  it('lets the probe connect to a cluster whose members RDS did not list', () => {
    expect(notAttemptedReason(fromApi({ DBClusterMembers: undefined }))).toBeUndefined();
  });

  it('does not read member lists on an instance', () => {
    const instance: DatabaseResource = {
      ...fromApi({ DBClusterMembers: [] }),
      resourceType: 'AWS::RDS::DBInstance',
    };
    expect(notAttemptedReason(instance)).toBeUndefined();
  });

  it('names a stopped cluster DATABASE_STOPPED, whatever its members', () => {
    expect(notAttemptedReason(fromApi({ Status: 'stopped', DBClusterMembers: [] }))).toEqual({
      reason: 'DATABASE_STOPPED',
      annotation: 'live probe not attempted: the database is stopped (status stopped)',
    });
  });

  it('decides the same from a Config configuration item as from DescribeDBClusters', () => {
    // The item's all-lower-case spelling (dbclusterMembers, engineMode), as in
    // the AWS Config RDK's example cluster item, and the lower-camel one.
    const cases: [Record<string, unknown>, Partial<DBCluster>][] = [
      [{ engineMode: 'provisioned', dbclusterMembers: [] }, { DBClusterMembers: [] }],
      [{ engineMode: 'provisioned', dBClusterMembers: [] }, { DBClusterMembers: [] }],
      [
        {
          engineMode: 'provisioned',
          dBClusterMembers: [
            { dBInstanceIdentifier: 'ledger-eu-1', isClusterWriter: false },
            { dBInstanceIdentifier: 'ledger-eu-2', isClusterWriter: false },
          ],
        },
        { DBClusterMembers: secondaryMembers },
      ],
      [
        {
          engineMode: 'provisioned',
          dbclusterMembers: [{ dbinstanceIdentifier: 'ledger-1', clusterWriter: true }],
        },
        {},
      ],
      [
        { engineMode: 'serverless', dBClusterMembers: [] },
        { EngineMode: 'serverless', DBClusterMembers: [] },
      ],
      [{ engineMode: 'provisioned' }, { DBClusterMembers: undefined }],
    ];
    for (const [configuration, api] of cases) {
      expect(notAttemptedReason(fromConfigurationItem(configuration))?.reason).toBe(
        notAttemptedReason(fromApi(api))?.reason,
      );
    }
    expect(
      notAttemptedReason(
        fromConfigurationItem({ engineMode: 'provisioned', dBClusterMembers: [] }),
      ),
    ).toMatchObject({ reason: 'NO_WRITER_INSTANCE' });
  });
});

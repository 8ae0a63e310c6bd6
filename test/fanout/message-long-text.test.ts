/**
 * Whatever text RDS answers with, every item the inventory builds travels:
 * the worker's message schema bounds API text at 1,024 characters, so the
 * inventory must never hand the fan-out a longer one. A single item the
 * schema refuses makes its whole batch MESSAGE_INVALID. RDS answers in the
 * documented shapes (rds-samples.ts), with every free-text field 5,000
 * characters long.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  buildMessages,
  inventoryItemSchema,
  parseMessage,
  serializeMessage,
} from '../../lib/fanout/index.js';
import { collectInventory } from '../../lib/inventory/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { serveAccount } from '../inventory/rds-mock.js';
import {
  auroraCluster,
  clusterEndpointRecord,
  postgresInstance,
  proxyEndpointRecord,
  proxyRecord,
  proxyTargetRecord,
} from '../inventory/rds-samples.js';

const LONG = 'x'.repeat(5_000);

/** The SDK does not check a response's enum fields: whatever text RDS sends comes through typed. */
function asSent<T>(text: string): T {
  return text as unknown as T;
}

function rds(): RDSClient {
  const client = new RDSClient({ region: 'eu-west-1' });
  const proxy = proxyRecord({
    DBProxyName: `orders-proxy-${LONG}`,
    DBProxyArn: `arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-${LONG}`,
    EngineFamily: `POSTGRESQL${LONG}`,
    DefaultAuthScheme: `NONE${LONG}`,
    Status: asSent(`available${LONG}`),
    Auth: [
      {
        AuthScheme: asSent(`SECRETS${LONG}`),
        SecretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${LONG}`,
        IAMAuth: asSent(`DISABLED${LONG}`),
        ClientPasswordAuthType: asSent(`POSTGRES_SCRAM_SHA_256${LONG}`),
      },
    ],
  });
  const name = proxy.DBProxyName!;
  serveAccount(mockClient(client), {
    instances: [postgresInstance({ DBInstanceIdentifier: 'orders' })],
    clusters: [
      auroraCluster({
        ReaderEndpoint: `ledger.cluster-ro-${LONG}`,
        DBClusterMembers: [
          { DBInstanceIdentifier: `ledger-${LONG}`, IsClusterWriter: true },
          {
            DBInstanceIdentifier: 'ledger-2',
            IsClusterWriter: false,
            DBClusterParameterGroupStatus: `pending-reboot${LONG}`,
          },
        ],
      }),
    ],
    clusterEndpoints: [
      clusterEndpointRecord(`analytics-${LONG}`, 'ledger', {
        Endpoint: `analytics.cluster-custom-${LONG}`,
        CustomEndpointType: `READER${LONG}`,
        Status: asSent(`available${LONG}`),
      }),
    ],
    proxies: [proxy],
    proxyEndpoints: [
      { ...proxyEndpointRecord(name, 'reads', 'READ_ONLY'), Status: asSent(`available${LONG}`) },
    ],
    proxyTargets: {
      [name]: [
        {
          ...proxyTargetRecord('RDS_INSTANCE', 'orders'),
          Role: asSent(`READ_WRITE${LONG}`),
        },
      ],
    },
  });
  return client;
}

describe('RDS text of any length', () => {
  it('becomes items the message schema accepts, so their batch parses', async () => {
    const inventory = await collectInventory({
      regions: ['eu-west-1'],
      accountId: '123456789012',
      clientFor: rds,
    });
    expect(inventory.items.map((item) => item.resource.resourceType).sort()).toEqual([
      'AWS::RDS::DBCluster',
      'AWS::RDS::DBInstance',
      'AWS::RDS::DBProxy',
    ]);
    const refused = inventory.items.flatMap((item) => {
      const parsed = inventoryItemSchema.safeParse(JSON.parse(JSON.stringify(item)));
      return parsed.success
        ? []
        : [`${item.resource.resourceType}: ${parsed.error.issues.map((i) => i.path.join('.'))}`];
    });
    expect(refused).toEqual([]);
    const { messages, oversized } = buildMessages(
      {
        orderingTimestamp: new Date('2026-02-03T04:05:06.000Z'),
        ruleParameters: DEFAULT_RULE_PARAMETERS,
      },
      inventory.items,
    );
    expect(oversized).toEqual([]);
    expect(messages.map((message) => parseMessage(serializeMessage(message)).ok)).toEqual([true]);
  });
});

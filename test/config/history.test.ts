import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigurationItemSummary } from '../../lib/config/configuration-item.js';
import { parseConfigEvent } from '../../lib/config/event.js';
import { fetchOversizedItem } from '../../lib/report/config-evaluations.js';
import { loadEvent } from './events.js';

const configMock = mockClient(ConfigServiceClient);
const client = new ConfigServiceClient({ region: 'eu-west-1' });

beforeEach(() => {
  configMock.reset();
});

function oversizedSummary(): ConfigurationItemSummary {
  const parsed = parseConfigEvent(loadEvent('config-oversized.json'));
  if (
    !parsed.ok ||
    parsed.event.invokingEvent.messageType !== 'OversizedConfigurationItemChangeNotification'
  ) {
    throw new Error('config-oversized.json no longer parses as an oversized notification');
  }
  return parsed.event.invokingEvent.configurationItemSummary;
}

const rdsConfiguration = {
  dBInstanceIdentifier: 'app-pg',
  engine: 'postgres',
  engineVersion: '15.8',
  dbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
  endpoint: { address: 'app-pg.c1abcdefghij.eu-west-1.rds.amazonaws.com', port: 5432 },
  dBParameterGroups: [{ dBParameterGroupName: 'pg15-force-ssl', parameterApplyStatus: 'in-sync' }],
  cACertificateIdentifier: 'rds-ca-rsa2048-g1',
};

/** The history's one item: the sample configuration, captured at `time`, every other field left out. */
async function fetchNewestCapturedAt(time: string) {
  configMock.on(GetResourceConfigHistoryCommand).resolves({
    configurationItems: [
      {
        configurationItemCaptureTime: new Date(time),
        configuration: JSON.stringify(rdsConfiguration),
      },
    ],
  });
  return fetchOversizedItem(client, oversizedSummary());
}

describe('fetchOversizedItem', () => {
  it('asks for the newest item of the summary resource and maps it to the notification shape', async () => {
    configMock.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [
        {
          version: '1.3',
          accountId: '123456789012',
          configurationItemCaptureTime: new Date('2025-01-15T12:30:00.150Z'),
          configurationItemStatus: 'OK',
          configurationStateId: '1736944200150',
          configurationItemMD5Hash: '',
          arn: 'arn:aws:rds:eu-west-1:123456789012:db:app-pg',
          resourceType: 'AWS::RDS::DBInstance',
          resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
          resourceName: 'app-pg',
          awsRegion: 'eu-west-1',
          availabilityZone: 'eu-west-1a',
          tags: { team: 'payments' },
          relatedEvents: [],
          relationships: [],
          configuration: JSON.stringify(rdsConfiguration),
          supplementaryConfiguration: { Tags: '[{"key":"team","value":"payments"}]' },
        },
      ],
    });

    const outcome = await fetchOversizedItem(client, oversizedSummary());

    expect(
      configMock.commandCalls(GetResourceConfigHistoryCommand).map((c) => c.args[0].input),
    ).toEqual([
      {
        resourceType: 'AWS::RDS::DBInstance',
        resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        limit: 1,
      },
    ]);
    expect(outcome).toEqual({
      ok: true,
      item: {
        configurationItemVersion: '1.3',
        configurationItemCaptureTime: new Date('2025-01-15T12:30:00.150Z'),
        configurationItemStatus: 'OK',
        awsAccountId: '123456789012',
        awsRegion: 'eu-west-1',
        availabilityZone: 'eu-west-1a',
        resourceType: 'AWS::RDS::DBInstance',
        resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        resourceName: 'app-pg',
        ARN: 'arn:aws:rds:eu-west-1:123456789012:db:app-pg',
        configuration: rdsConfiguration,
        supplementaryConfiguration: { Tags: [{ key: 'team', value: 'payments' }] },
        tags: { team: 'payments' },
      },
    });
  });

  it('fills fields the history leaves out from the summary (a capture time within a second is the same item)', async () => {
    const outcome = await fetchNewestCapturedAt('2025-01-15T12:30:00.000Z');
    expect(outcome).toMatchObject({
      ok: true,
      item: {
        awsAccountId: '123456789012',
        resourceType: 'AWS::RDS::DBInstance',
        resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        ARN: 'arn:aws:rds:eu-west-1:123456789012:db:app-pg',
        configurationItemStatus: 'OK',
        tags: {},
      },
    });
  });

  it('reports ITEM_OLDER_THAN_NOTIFICATION when the newest item predates the change', async () => {
    const outcome = await fetchNewestCapturedAt('2025-01-15T12:00:00.000Z');
    if (outcome.ok) throw new Error('the item from before the change was taken for the change');
    expect(outcome.error.code).toBe('ITEM_OLDER_THAN_NOTIFICATION');
    expect(outcome.error.message).toBe(
      "Config's history holds no item for AWS::RDS::DBInstance db-ABCDEFGHIJKLMNOPQRSTUVWXY0 from 2025-01-15T12:30:00.150Z yet, only one from 2025-01-15T12:00:00.000Z",
    );
  });

  it('maps a deleted item without configuration to configuration null', async () => {
    configMock.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [
        {
          configurationItemStatus: 'ResourceDeleted',
          configurationItemCaptureTime: new Date('2025-01-15T12:30:00.150Z'),
          resourceType: 'AWS::RDS::DBInstance',
          resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        },
      ],
    });
    const outcome = await fetchOversizedItem(client, oversizedSummary());
    expect(outcome).toMatchObject({
      ok: true,
      item: { configurationItemStatus: 'ResourceDeleted', configuration: null },
    });
  });

  it('reports NO_CONFIGURATION_ITEM for an empty history', async () => {
    configMock.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
    expect(await fetchOversizedItem(client, oversizedSummary())).toEqual({
      ok: false,
      error: {
        code: 'NO_CONFIGURATION_ITEM',
        message:
          'Config returned no configuration item for AWS::RDS::DBInstance db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      },
    });
  });

  it('reports CONFIGURATION_NOT_JSON for a configuration string that is not a JSON object', async () => {
    configMock
      .on(GetResourceConfigHistoryCommand)
      .resolves({ configurationItems: [{ configuration: '{"dBInstanceIdentifier":' }] });
    const outcome = await fetchOversizedItem(client, oversizedSummary());
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('CONFIGURATION_NOT_JSON');
  });

  it('reports RESOURCE_NOT_DISCOVERED when Config does not know the resource', async () => {
    configMock
      .on(GetResourceConfigHistoryCommand)
      .rejects(
        Object.assign(new Error('not discovered'), { name: 'ResourceNotDiscoveredException' }),
      );
    const outcome = await fetchOversizedItem(client, oversizedSummary());
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'RESOURCE_NOT_DISCOVERED',
        message: 'Config has no history for AWS::RDS::DBInstance db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      },
    });
  });

  it('reports CONFIG_HISTORY_FAILED with the error name for anything else', async () => {
    configMock
      .on(GetResourceConfigHistoryCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const outcome = await fetchOversizedItem(client, oversizedSummary());
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'CONFIG_HISTORY_FAILED',
        message:
          'GetResourceConfigHistory failed for AWS::RDS::DBInstance db-ABCDEFGHIJKLMNOPQRSTUVWXY0: ThrottlingException',
      },
    });
  });
});

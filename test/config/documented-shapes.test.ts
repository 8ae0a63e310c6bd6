/**
 * Events and items in the shapes AWS publishes (see events/README.md for the
 * source of each): they must all parse, with the real key spellings read.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigEvent } from '../../lib/config/event.js';
import { resourceFromConfigurationItem } from '../../lib/inventory/configuration-item.js';
import { loadEvent } from './events.js';

function parsedItem(name: string) {
  const result = parseConfigEvent(loadEvent(name));
  if (!result.ok) throw new Error(`${name} did not parse: ${result.error.message}`);
  const invoking = result.event.invokingEvent;
  if (invoking.messageType !== 'ConfigurationItemChangeNotification') {
    throw new Error(`${name} is not a change notification`);
  }
  return invoking;
}

describe('the developer guide example shape (no notificationCreationTime)', () => {
  it('parses, ordering by the capture time and leaving the notification time out', () => {
    const invoking = parsedItem('config-change-documented-shape.json');
    expect(invoking.notificationCreationTime).toBeUndefined();
    expect(invoking.configurationItem.configurationItemCaptureTime).toEqual(
      new Date('2025-02-03T09:15:42.118Z'),
    );
    expect(invoking.configurationItem.resourceName).toBeUndefined();
  });

  it('reads the recorded spellings cACertificateIdentifier, dBInstanceIdentifier, dbiResourceId, iAMDatabaseAuthenticationEnabled', () => {
    const { configurationItem } = parsedItem('config-change-documented-shape.json');
    const mapped = resourceFromConfigurationItem(configurationItem);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.resource).toMatchObject({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-MYSQLBILLING0000000000000',
      identifier: 'billing-mysql',
      engine: 'mysql',
      engineVersion: '8.0.39',
      caCertificateIdentifier: 'rds-ca-rsa2048-g1',
      certificateValidTill: new Date('2026-06-02T08:28:00.000Z'),
      iamDatabaseAuthenticationEnabled: true,
      pendingModifiedValues: { caCertificateIdentifier: 'rds-ca-rsa4096-g1' },
      parameterGroup: { name: 'mysql80-billing', applyStatus: 'in-sync' },
      endpoint: { address: 'billing-mysql.c9abcdefghij.eu-west-1.rds.amazonaws.com', port: 3306 },
    });
  });
});

describe('a configuration item in the API shape (GetResourceConfigHistory, the RDK example items)', () => {
  it('renames accountId, arn, version and configurationItemMD5Hash to the notification spelling', () => {
    const { configurationItem } = parsedItem('config-change-api-shape-cluster.json');
    expect(configurationItem).toMatchObject({
      awsAccountId: '123456789012',
      ARN: 'arn:aws:rds:eu-west-1:123456789012:cluster:ledger-aurora',
      configurationItemVersion: '1.3',
      configurationItemStatus: 'ResourceDiscovered',
    });
  });

  it('maps the all-lower-case cluster keys (dbclusterIdentifier, dbclusterParameterGroup, dbclusterMembers)', () => {
    const { configurationItem } = parsedItem('config-change-api-shape-cluster.json');
    const mapped = resourceFromConfigurationItem(configurationItem);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.resource).toMatchObject({
      resourceType: 'AWS::RDS::DBCluster',
      resourceId: 'cluster-LEDGERAURORA000000000000',
      identifier: 'ledger-aurora',
      accountId: '123456789012',
      engine: 'aurora-mysql',
      engineVersion: '5.7.mysql_aurora.2.11.5',
      clusterParameterGroup: { name: 'default.aurora-mysql5.7', applyStatus: 'in-sync' },
      endpoint: {
        address: 'ledger-aurora.cluster-c3abcdefghij.eu-west-1.rds.amazonaws.com',
        port: 3306,
      },
      iamDatabaseAuthenticationEnabled: false,
    });
  });

  it('accepts configuration as a JSON string and an epoch-millisecond capture time, as the API gives them', () => {
    const event = loadEvent('config-change-api-shape-cluster.json');
    const invoking = JSON.parse(event.invokingEvent as string);
    invoking.configurationItem.configuration = JSON.stringify(
      invoking.configurationItem.configuration,
    );
    invoking.configurationItem.configurationItemCaptureTime = 1738690803271;
    const result = parseConfigEvent({ ...event, invokingEvent: JSON.stringify(invoking) });
    expect(result.ok).toBe(true);
    if (
      !result.ok ||
      result.event.invokingEvent.messageType !== 'ConfigurationItemChangeNotification'
    )
      return;
    const item = result.event.invokingEvent.configurationItem;
    expect(item.configurationItemCaptureTime).toEqual(new Date(1738690803271));
    expect(item.configuration).toMatchObject({ dbclusterIdentifier: 'ledger-aurora' });
  });

  it("takes the envelope's accountId when the item names no account", () => {
    const event = loadEvent('config-change-api-shape-cluster.json');
    const invoking = JSON.parse(event.invokingEvent as string);
    delete invoking.configurationItem.accountId;
    delete invoking.configurationItem.arn;
    const result = parseConfigEvent({ ...event, invokingEvent: JSON.stringify(invoking) });
    expect(
      result.ok && result.event.invokingEvent.messageType === 'ConfigurationItemChangeNotification'
        ? result.event.invokingEvent.configurationItem.awsAccountId
        : undefined,
    ).toBe('123456789012');
  });

  it('rejects an item with neither a capture time nor a notification time, naming both', () => {
    const event = loadEvent('config-change-documented-shape.json');
    const invoking = JSON.parse(event.invokingEvent as string);
    delete invoking.configurationItem.configurationItemCaptureTime;
    const result = parseConfigEvent({ ...event, invokingEvent: JSON.stringify(invoking) });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVOKING_EVENT_INVALID');
      expect(result.error.message).toContain(
        'configurationItemCaptureTime and notificationCreationTime missing',
      );
    }
  });
});

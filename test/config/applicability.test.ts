import { describe, expect, it } from 'vitest';
import { assessApplicability, orderingTimestampOf } from '../../lib/config/applicability.js';
import { type ParsedConfigEvent, parseConfigEvent } from '../../lib/config/event.js';
import { loadEvent } from './events.js';

function parsed(name: string): ParsedConfigEvent {
  const result = parseConfigEvent(loadEvent(name));
  if (!result.ok) throw new Error(`${name}: ${result.error.code}`);
  return result.event;
}

function itemOf(event: ParsedConfigEvent) {
  const invoking = event.invokingEvent;
  if (invoking.messageType === 'ConfigurationItemChangeNotification')
    return invoking.configurationItem;
  if (invoking.messageType === 'OversizedConfigurationItemChangeNotification') {
    return invoking.configurationItemSummary;
  }
  throw new Error('no item in a scheduled notification');
}

describe('assessApplicability', () => {
  it.each([
    'config-change-instance-postgres.json',
    'config-change-cluster-aurora-mysql.json',
    'config-oversized.json',
  ])('evaluates the resource in %s', (name) => {
    const event = parsed(name);
    expect(assessApplicability(event, itemOf(event))).toEqual({ applicable: true });
  });

  it('reports a deleted resource NOT_APPLICABLE as RESOURCE_DELETED', () => {
    const event = parsed('config-change-deleted.json');
    expect(assessApplicability(event, itemOf(event))).toEqual({
      applicable: false,
      reason: 'RESOURCE_DELETED',
      annotation: 'Resource was deleted.',
    });
  });

  it('reports a resource that left the scope as EVENT_LEFT_SCOPE', () => {
    const event = parsed('config-left-scope.json');
    expect(assessApplicability(event, itemOf(event))).toMatchObject({
      applicable: false,
      reason: 'EVENT_LEFT_SCOPE',
    });
  });

  it.each([
    [
      {
        resourceType: 'AWS::RDS::DBInstance',
        configurationItemStatus: 'ResourceDeletedNotRecorded',
      },
      'RESOURCE_DELETED',
    ],
    [
      { resourceType: 'AWS::RDS::DBInstance', configurationItemStatus: 'ResourceNotRecorded' },
      'RESOURCE_NOT_RECORDED',
    ],
    [
      { resourceType: 'AWS::EC2::Instance', configurationItemStatus: 'OK' },
      'UNSUPPORTED_RESOURCE_TYPE',
    ],
  ])('reports %j as %s', (item, reason) => {
    expect(assessApplicability({ eventLeftScope: false }, item)).toMatchObject({
      applicable: false,
      reason,
    });
  });
});

describe('orderingTimestampOf', () => {
  it.each([
    ['config-change-instance-postgres.json', '2025-01-15T10:21:37.512Z'],
    ['config-oversized.json', '2025-01-15T12:30:00.150Z'],
    ['config-scheduled.json', '2025-01-15T13:00:00.000Z'],
  ])(
    'uses the capture time for changes and the notification time for periodic runs (%s)',
    (name, iso) => {
      expect(orderingTimestampOf(parsed(name))).toEqual(new Date(iso));
    },
  );
});

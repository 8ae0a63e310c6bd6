import { describe, expect, it } from 'vitest';
import { parseConfigEvent } from '../../lib/config/event.js';
import { loadEvent } from './events.js';

describe('the invoking event', () => {
  const scheduled = loadEvent('config-scheduled.json');

  it('reports UNKNOWN_MESSAGE_TYPE naming the type it got', () => {
    const result = parseConfigEvent(loadEvent('config-unknown-message-type.json'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual({
      code: 'UNKNOWN_MESSAGE_TYPE',
      message:
        'invokingEvent messageType "ConfigurationSnapshotDeliveryCompleted" is not one this rule handles',
    });
  });

  it('reports INVOKING_EVENT_INVALID for JSON that is not an object', () => {
    const result = parseConfigEvent({ ...scheduled, invokingEvent: '[1,2]' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toEqual({
        code: 'INVOKING_EVENT_INVALID',
        message: 'invokingEvent is not a JSON object',
      });
    }
  });

  it('reports INVOKING_EVENT_INVALID when messageType is missing', () => {
    const result = parseConfigEvent({ ...scheduled, invokingEvent: '{"awsAccountId":"1"}' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('INVOKING_EVENT_INVALID');
  });

  it('reports INVOKING_EVENT_INVALID naming the field of a change notification without an item', () => {
    const invokingEvent = JSON.stringify({
      messageType: 'ConfigurationItemChangeNotification',
      notificationCreationTime: '2025-01-15T10:21:39.104Z',
    });
    const result = parseConfigEvent({ ...scheduled, invokingEvent });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toEqual({
        code: 'INVOKING_EVENT_INVALID',
        message:
          'invokingEvent (ConfigurationItemChangeNotification) is invalid: configurationItem: Invalid input: expected object, received undefined',
      });
    }
  });

  it('rejects a notification time that is not an ISO timestamp', () => {
    const invokingEvent = JSON.stringify({
      messageType: 'ScheduledNotification',
      awsAccountId: '123456789012',
      notificationCreationTime: 'yesterday',
    });
    const result = parseConfigEvent({ ...scheduled, invokingEvent });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVOKING_EVENT_INVALID');
      expect(result.error.message).toContain('notificationCreationTime');
    }
  });

  it('caps and sanitises a hostile messageType in the error', () => {
    const invokingEvent = JSON.stringify({ messageType: `\u001b[31m${'x'.repeat(100_000)}` });
    const result = parseConfigEvent({ ...scheduled, invokingEvent });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('UNKNOWN_MESSAGE_TYPE');
      expect(result.error.message).toBe(
        `invokingEvent messageType "?[31m${'x'.repeat(35)}…" is not one this rule handles`,
      );
    }
  });

  it('does not echo a large invalid invokingEvent', () => {
    const secretish = 'S3CR3T-'.repeat(20_000);
    const invokingEvent = JSON.stringify({
      messageType: 'ScheduledNotification',
      awsAccountId: 123,
      notificationCreationTime: secretish,
    });
    const result = parseConfigEvent({ ...scheduled, invokingEvent });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).not.toContain('S3CR3T');
      expect(result.error.message.length).toBeLessThanOrEqual(400);
    }
  });
});

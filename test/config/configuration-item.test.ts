import { describe, expect, it } from 'vitest';
import { isDeletedStatus } from '../../lib/config/configuration-item.js';
import { parseConfigEvent } from '../../lib/config/event.js';
import { loadEvent } from './events.js';

describe('a configuration item', () => {
  it('falls back to the notification time when a deleted item has no capture time', () => {
    const deleted = loadEvent('config-change-deleted.json');
    const invoking = JSON.parse(deleted.invokingEvent as string);
    invoking.configurationItem.configurationItemCaptureTime = null;
    const result = parseConfigEvent({ ...deleted, invokingEvent: JSON.stringify(invoking) });
    expect(result.ok).toBe(true);
    if (
      result.ok &&
      result.event.invokingEvent.messageType === 'ConfigurationItemChangeNotification'
    ) {
      expect(result.event.invokingEvent.configurationItem.configurationItemCaptureTime).toEqual(
        new Date('2025-01-16T08:45:13.775Z'),
      );
    }
  });

  it('counts ResourceDeleted and ResourceDeletedNotRecorded as deleted, and no other status', () => {
    expect(
      [
        'OK',
        'ResourceDiscovered',
        'ResourceNotRecorded',
        'ResourceDeleted',
        'ResourceDeletedNotRecorded',
      ].filter(isDeletedStatus),
    ).toEqual(['ResourceDeleted', 'ResourceDeletedNotRecorded']);
  });
});

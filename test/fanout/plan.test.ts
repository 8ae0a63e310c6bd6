import { describe, expect, it } from 'vitest';
import {
  buildMessages,
  databasesOf,
  FANOUT_MESSAGE_VERSION,
  jsonBytes,
  parseMessage,
  planBatches,
  SQS_MAX_MESSAGE_BYTES,
  serializeMessage,
} from '../../lib/fanout/index.js';
import { findingId } from '../../lib/report/asff.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { database, settled } from './helpers.js';

const envelope = {
  orderingTimestamp: new Date('2025-01-15T13:00:00.000Z'),
  ruleParameters: DEFAULT_RULE_PARAMETERS,
};

describe('planBatches', () => {
  it('cuts batches at the item count', () => {
    const plan = planBatches([1, 2, 3, 4, 5, 6, 7], 3, 1_000);
    expect(plan.batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(plan.oversized).toEqual([]);
  });

  it('cuts batches at the byte budget of the JSON array', () => {
    // Each item is a 10-byte string ("xxxxxxxx" with quotes): [a,b] = 2 + 10 + 1 + 10 = 23 bytes.
    const items = ['xxxxxxxx', 'xxxxxxxx', 'xxxxxxxx'];
    expect(planBatches(items, 25, 23).batches).toEqual([['xxxxxxxx', 'xxxxxxxx'], ['xxxxxxxx']]);
    expect(planBatches(items, 25, 22).batches).toEqual([['xxxxxxxx'], ['xxxxxxxx'], ['xxxxxxxx']]);
    for (const batch of planBatches(items, 25, 23).batches) {
      expect(jsonBytes(batch)).toBeLessThanOrEqual(23);
    }
  });

  it('sets aside an item larger than the budget instead of sending an oversized batch', () => {
    const plan = planBatches(['ok', 'y'.repeat(50), 'ok2'], 25, 20);
    expect(plan.batches).toEqual([['ok', 'ok2']]);
    expect(plan.oversized).toEqual(['y'.repeat(50)]);
  });

  it('keeps the input order and loses nothing', () => {
    const items = Array.from({ length: 103 }, (_, index) => index);
    const plan = planBatches(items, 25);
    expect(plan.batches.map((batch) => batch.length)).toEqual([25, 25, 25, 25, 3]);
    expect(plan.batches.flat()).toEqual(items);
  });
});

describe('buildMessages', () => {
  it('keeps every message body under the SQS 256 KiB limit, even with very large databases', () => {
    // About 30 KB of tags per database: eight fill a 240 000-byte budget.
    const bulky = Array.from({ length: 40 }, (_, index) =>
      database(index, {
        tags: Object.fromEntries(
          Array.from({ length: 110 }, (_, t) => [`tag-${t}`, 'v'.repeat(256)]),
        ),
      }),
    );
    const plan = buildMessages(
      { ...envelope, resultToken: 'r'.repeat(5_000) },
      bulky.map((resource) => settled(resource)),
    );
    expect(plan.oversized).toEqual([]);
    expect(plan.messages.length).toBeGreaterThan(40 / 25);
    for (const message of plan.messages) {
      const bytes = Buffer.byteLength(serializeMessage(message), 'utf8');
      expect(bytes).toBeLessThanOrEqual(240_000);
      expect(bytes).toBeLessThan(SQS_MAX_MESSAGE_BYTES);
    }
    expect(plan.messages.flatMap((m) => m.items.map((item) => item.resource.identifier))).toEqual(
      bulky.map((r) => r.identifier),
    );
  });

  it('puts databases of different regions in different messages', () => {
    const plan = buildMessages(
      envelope,
      [database(1), database(2, { region: 'us-east-1' }), database(3)].map((resource) =>
        settled(resource),
      ),
    );
    expect(
      plan.messages.map((m) => [m.region, m.items.map((item) => item.resource.identifier)]),
    ).toEqual([
      ['eu-west-1', ['orders-1', 'orders-3']],
      ['us-east-1', ['orders-2']],
    ]);
    expect(plan.messages.every((m) => m.version === FANOUT_MESSAGE_VERSION)).toBe(true);
  });

  it('reports a database too large for any message as oversized', () => {
    const huge = database(9, { tags: { blob: 'z'.repeat(300_000) } });
    const plan = buildMessages(
      envelope,
      [database(1), huge].map((resource) => settled(resource)),
    );
    expect(plan.oversized.map((item) => item.resource.identifier)).toEqual(['orders-9']);
    expect(plan.messages.flatMap((m) => m.items.map((item) => item.resource.identifier))).toEqual([
      'orders-1',
    ]);
  });
});

describe('message schema', () => {
  it('round-trips a message, turning ISO strings back into dates', () => {
    const [message] = buildMessages(
      { ...envelope, resultToken: 'token-1', configRuleName: 'rds-tls-only', testMode: true },
      [settled(database(1))],
    ).messages;
    const parsed = parseMessage(serializeMessage(message!));
    expect(parsed).toEqual({ ok: true, message });
    if (!parsed.ok || parsed.message.version !== FANOUT_MESSAGE_VERSION) return;
    expect(parsed.message.orderingTimestamp).toBeInstanceOf(Date);
    expect(parsed.message.items[0]?.resource.certificateValidTill).toEqual(
      new Date('2026-03-01T00:00:00.000Z'),
    );
    expect(parsed.message.items[0]?.certificateAuthority?.validTill).toEqual(
      new Date('2061-05-25T23:34:57.000Z'),
    );
  });

  it('carries the settings the scanner read, so the worker reads no group again', () => {
    const [message] = buildMessages(envelope, [settled(database(1))]).messages;
    const parsed = parseMessage(serializeMessage(message!));
    if (!parsed.ok || parsed.message.version !== FANOUT_MESSAGE_VERSION) {
      throw new Error('expected a current message');
    }
    expect(parsed.message.items[0]?.parameters?.parameters['rds.force_ssl']).toEqual({
      name: 'rds.force_ssl',
      value: '1',
      origin: 'parameter-group',
      applyType: 'dynamic',
      rdsSource: 'user',
    });
  });

  it('still reads a version 1 message of bare databases, queued by an earlier release', () => {
    const [message] = buildMessages(envelope, [settled(database(1))]).messages;
    const { items: _items, ...header } = message!;
    const legacy = { ...header, version: 1, resources: [database(1)] };
    const parsed = parseMessage(JSON.stringify(legacy));
    expect(parsed.ok && parsed.message.version).toBe(1);
    if (!parsed.ok || parsed.message.version !== 1) return;
    expect(parsed.message.resources[0]?.identifier).toBe('orders-1');
  });

  it('rejects an unknown version, naming the field', () => {
    const [message] = buildMessages(envelope, [settled(database(1))]).messages;
    const parsed = parseMessage(JSON.stringify({ ...message!, version: 3 }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.code).toBe('MESSAGE_INVALID');
    expect(parsed.message).toContain('version');
  });

  it('rejects a body that is not JSON', () => {
    expect(parseMessage('{not json')).toEqual({
      ok: false,
      code: 'MESSAGE_NOT_JSON',
      message: 'message body is not JSON',
    });
  });

  it('rejects a missing or invalid field, naming the fields only', () => {
    const [message] = buildMessages(envelope, [settled(database(1))]).messages;
    const body = JSON.parse(serializeMessage(message!));
    delete body.items[0].resource.resourceId;
    body.ruleParameters.minTlsVersion = 'SSLv3-secret-looking-value';
    const parsed = parseMessage(JSON.stringify(body));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.code).toBe('MESSAGE_INVALID');
    expect(parsed.message).toContain('items.0.resource.resourceId');
    expect(parsed.message).toContain('ruleParameters.minTlsVersion');
    expect(parsed.message).not.toContain('SSLv3-secret-looking-value');
  });

  it('rejects an empty batch', () => {
    const [message] = buildMessages(envelope, [settled(database(1))]).messages;
    const parsed = parseMessage(serializeMessage({ ...message!, items: [] }));
    expect(parsed.ok).toBe(false);
  });
});

describe('buildMessages with Security Hub dates', () => {
  it('gives each message the dates of its own findings only, and counts them against the size budget', () => {
    const items = Array.from({ length: 12 }, (_, index) =>
      settled(database(index, { accountId: '111111111111' })),
    );
    const firstSeen = new Map(
      items
        .filter((_, index) => index % 2 === 0)
        .map((item) => [
          findingId('111111111111', item.resource.region, item.resource.resourceId),
          { createdAt: '2025-11-01T08:00:00.000Z', firstObservedAt: '2025-11-01T08:00:00.000Z' },
        ]),
    );
    const maxBytes = 4_000;
    const plan = buildMessages(envelope, items, { maxBytes, firstSeen });
    expect(plan.oversized).toEqual([]);
    expect(plan.messages.length).toBeGreaterThan(1);
    for (const message of plan.messages) {
      expect(Buffer.byteLength(serializeMessage(message), 'utf8')).toBeLessThanOrEqual(maxBytes);
      const own = message.items.map((item) =>
        findingId('111111111111', item.resource.region, item.resource.resourceId),
      );
      expect(Object.keys(message.firstSeen ?? {})).toEqual(own.filter((id) => firstSeen.has(id)));
    }
    const parsed = parseMessage(serializeMessage(plan.messages[0]!));
    expect(parsed.ok && parsed.message.firstSeen).toEqual(plan.messages[0]!.firstSeen);
  });
});

describe('buildMessages with a long finding Id', () => {
  it('keeps the dates of a finding whose Id is up to ASFF’s 512 characters, and its batch still parses', () => {
    const long = settled(
      database(1, { accountId: '111111111111', resourceId: `db-${'L'.repeat(600)}` }),
    );
    const items = [settled(database(2, { accountId: '111111111111' })), long];
    const id = findingId('111111111111', long.resource.region, long.resource.resourceId);
    expect(id.length).toBe(512);
    const dates = {
      createdAt: '2025-11-01T08:00:00.000Z',
      firstObservedAt: '2025-11-01T08:00:00.000Z',
    };
    const [message] = buildMessages(envelope, items, {
      firstSeen: new Map([[id, dates]]),
    }).messages;
    const parsed = parseMessage(serializeMessage(message!));
    expect(parsed.ok && parsed.message.firstSeen).toEqual({ [id]: dates });
    expect(parsed.ok && databasesOf(parsed.message).map((resource) => resource.identifier)).toEqual(
      ['orders-2', 'orders-1'],
    );
  });
});

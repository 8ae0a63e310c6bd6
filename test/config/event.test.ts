import { describe, expect, it } from 'vitest';
import { type ParsedConfigEvent, parseConfigEvent } from '../../lib/config/event.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { loadEvent } from './events.js';

function parsedOk(name: string): ParsedConfigEvent {
  const result = parseConfigEvent(loadEvent(name));
  if (!result.ok) throw new Error(`${name} did not parse: ${result.error.code}`);
  return result.event;
}

const envelope = {
  version: '1.0',
  resultToken: 'eyJyZXN1bHRUb2tlbiI6ImV4YW1wbGUtdG9rZW4tbm90LXJlYWwifQ==',
  executionRoleArn: 'arn:aws:iam::123456789012:role/aws-config-role',
  configRuleArn: 'arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-a1b2c3',
  configRuleName: 'rds-tls-only',
  configRuleId: 'config-rule-a1b2c3',
  accountId: '123456789012',
  evaluationMode: 'DETECTIVE',
};

describe('parseConfigEvent on the sample events', () => {
  it('parses a PostgreSQL instance change with its DbiResourceId and lower camel configuration', () => {
    const event = parsedOk('config-change-instance-postgres.json');
    expect(event).toMatchObject({ ...envelope, eventLeftScope: false });
    expect(event.ruleParameters).toEqual({ ...DEFAULT_RULE_PARAMETERS, minTlsVersion: 'TLSv1.2' });
    expect(event.ruleParameterWarnings).toEqual([]);
    const invoking = event.invokingEvent;
    expect(invoking.messageType).toBe('ConfigurationItemChangeNotification');
    if (invoking.messageType !== 'ConfigurationItemChangeNotification') return;
    expect(invoking.notificationCreationTime).toEqual(new Date('2025-01-15T10:21:39.104Z'));
    const item = invoking.configurationItem;
    expect(item).toMatchObject({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      resourceName: 'app-pg',
      ARN: 'arn:aws:rds:eu-west-1:123456789012:db:app-pg',
      awsRegion: 'eu-west-1',
      awsAccountId: '123456789012',
      configurationItemStatus: 'OK',
      configurationItemCaptureTime: new Date('2025-01-15T10:21:37.512Z'),
      tags: { team: 'payments' },
    });
    expect(item.configuration).toMatchObject({
      dBInstanceIdentifier: 'app-pg',
      engine: 'postgres',
      dbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      endpoint: { address: 'app-pg.c1abcdefghij.eu-west-1.rds.amazonaws.com', port: 5432 },
      dBParameterGroups: [
        { dBParameterGroupName: 'pg15-force-ssl', parameterApplyStatus: 'in-sync' },
      ],
    });
  });

  it('parses an Aurora MySQL cluster change keyed by its DbClusterResourceId', () => {
    const event = parsedOk('config-change-cluster-aurora-mysql.json');
    const invoking = event.invokingEvent;
    if (invoking.messageType !== 'ConfigurationItemChangeNotification') {
      throw new Error(`unexpected ${invoking.messageType}`);
    }
    expect(invoking.configurationItem).toMatchObject({
      resourceType: 'AWS::RDS::DBCluster',
      resourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      resourceName: 'orders-aurora',
      configurationItemStatus: 'ResourceDiscovered',
      configurationItemCaptureTime: new Date('2025-01-15T11:02:05.880Z'),
    });
    expect(invoking.configurationItem.configuration).toMatchObject({
      engine: 'aurora-mysql',
      dBClusterParameterGroup: 'aurora-mysql80-secure-transport',
      dbClusterResourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    });
  });

  it('parses a deleted instance with a null configuration', () => {
    const invoking = parsedOk('config-change-deleted.json').invokingEvent;
    if (invoking.messageType !== 'ConfigurationItemChangeNotification') {
      throw new Error(`unexpected ${invoking.messageType}`);
    }
    expect(invoking.configurationItem).toMatchObject({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-ZYXWVUTSRQPONMLKJIHGFEDCB9',
      configurationItemStatus: 'ResourceDeleted',
      configuration: null,
      tags: {},
    });
    expect(invoking.configurationItem.availabilityZone).toBeUndefined();
  });

  it('parses an oversized notification into its summary, without a configuration', () => {
    const invoking = parsedOk('config-oversized.json').invokingEvent;
    expect(invoking).toEqual({
      messageType: 'OversizedConfigurationItemChangeNotification',
      notificationCreationTime: new Date('2025-01-15T12:30:02.009Z'),
      recordVersion: '1.0',
      configurationItemSummary: {
        changeType: 'UPDATE',
        configurationItemVersion: '1.3',
        configurationItemCaptureTime: new Date('2025-01-15T12:30:00.150Z'),
        awsAccountId: '123456789012',
        configurationItemStatus: 'OK',
        resourceType: 'AWS::RDS::DBInstance',
        resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        resourceName: 'app-pg',
        ARN: 'arn:aws:rds:eu-west-1:123456789012:db:app-pg',
        awsRegion: 'eu-west-1',
        availabilityZone: 'eu-west-1a',
        configurationStateMd5Hash: '',
      },
    });
  });

  it('parses a scheduled notification and its string-valued rule parameters', () => {
    const event = parsedOk('config-scheduled.json');
    expect(event.invokingEvent).toEqual({
      messageType: 'ScheduledNotification',
      awsAccountId: '123456789012',
      notificationCreationTime: new Date('2025-01-15T13:00:00.000Z'),
      recordVersion: '1.0',
    });
    expect(event.ruleParameters).toEqual({
      ...DEFAULT_RULE_PARAMETERS,
      caExpiryDays: 45,
      liveProbe: true,
      requireLiveProbe: false,
    });
  });

  it('keeps eventLeftScope true for a resource that left the rule scope', () => {
    const event = parsedOk('config-left-scope.json');
    expect(event.eventLeftScope).toBe(true);
    expect(event.invokingEvent.messageType).toBe('ConfigurationItemChangeNotification');
  });

  it('reports INVOKING_EVENT_NOT_JSON with the envelope and without echoing the input', () => {
    const result = parseConfigEvent(loadEvent('config-malformed-invoking-event.json'));
    expect(result).toEqual({
      ok: false,
      error: { code: 'INVOKING_EVENT_NOT_JSON', message: 'invokingEvent is not valid JSON' },
      envelope: { ...envelope, eventLeftScope: false },
    });
  });
});

describe('parseConfigEvent on invalid input', () => {
  const scheduled = loadEvent('config-scheduled.json');

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a string', 'event'],
    ['an array', []],
    ['an empty object', {}],
  ])('reports EVENT_INVALID for %s', (_label, input) => {
    const result = parseConfigEvent(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('EVENT_INVALID');
  });

  it('names the missing envelope field', () => {
    const { resultToken: _, ...withoutToken } = scheduled;
    const result = parseConfigEvent(withoutToken);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'EVENT_INVALID',
        message:
          'event is not a Config rule event: resultToken: Invalid input: expected string, received undefined',
      },
    });
  });

  it('reports RULE_PARAMETERS_NOT_JSON but still returns the parsed invoking event', () => {
    const result = parseConfigEvent({ ...scheduled, ruleParameters: '{minTlsVersion:' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual({
      code: 'RULE_PARAMETERS_NOT_JSON',
      message: 'ruleParameters is not valid JSON',
      keys: [],
    });
    expect(result.envelope?.resultToken).toBe(envelope.resultToken);
    expect(result.invokingEvent?.messageType).toBe('ScheduledNotification');
  });

  it('reports RULE_PARAMETERS_INVALID naming the key', () => {
    const result = parseConfigEvent({ ...scheduled, ruleParameters: '{"caExpiryDays":"soon"}' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('RULE_PARAMETERS_INVALID');
      expect(result.error.keys).toEqual(['caExpiryDays']);
    }
  });

  it('uses defaults when ruleParameters is absent or "{}"', () => {
    const { ruleParameters: _, ...withoutParameters } = scheduled;
    for (const input of [withoutParameters, { ...scheduled, ruleParameters: '{}' }]) {
      const result = parseConfigEvent(input);
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.event.ruleParameters).toEqual(DEFAULT_RULE_PARAMETERS);
    }
  });

  it('never throws, whatever the input', () => {
    const inputs: unknown[] = [
      Symbol('x'),
      () => 1,
      new Proxy(
        {},
        {
          get() {
            throw new Error('boom');
          },
        },
      ),
      { ...scheduled, invokingEvent: 'null' },
      { ...scheduled, invokingEvent: '"text"' },
      { ...scheduled, eventLeftScope: 'yes' },
    ];
    for (const input of inputs) {
      const result = parseConfigEvent(input);
      expect(result.ok).toBe(false);
    }
  });
});

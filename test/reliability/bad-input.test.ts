/**
 * Bad input through the Config rule's one entry point: every malformed event
 * ends in a named status, and wherever the event still names a resource,
 * Config hears an INSUFFICIENT_DATA with a reason rather than nothing.
 */
import {
  ConfigServiceClient,
  type Evaluation,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import type { Parameter } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ConfigRuleOutcome, handleConfigRuleEvent } from '../../lib/use-cases/config-rule.js';
import { loadEvent } from '../config/events.js';
import { expectCouldNotTell } from '../fixtures/config-evaluations.js';
import {
  account,
  captureLog,
  forceSslParameters,
  itemOf,
  mutatedEvent,
  postgresInstance,
  REGION,
  servedRds,
  serviceError,
} from './support.js';

const NOW = new Date('2025-01-15T13:00:00.000Z');
const RESOURCE_ID = 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0';
const configMock = mockClient(ConfigServiceClient);
const config = new ConfigServiceClient({ region: REGION });
const change = loadEvent('config-change-instance-postgres.json');

beforeEach(() => {
  configMock.reset();
  configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});

async function handle(
  event: unknown,
  groups: Record<string, Parameter[]> = { 'pg15-force-ssl': forceSslParameters('1') },
): Promise<ConfigRuleOutcome> {
  const served = servedRds(account([postgresInstance('app-pg', 'pg15-force-ssl')], groups));
  return handleConfigRuleEvent(event, {
    config,
    rdsClientFor: () => served.client,
    region: REGION,
    log: captureLog(),
    now: () => NOW,
    sleep: async () => {},
  });
}

function sent(): Evaluation[] {
  return configMock
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);
}

function onlyEvaluation(): Evaluation {
  const all = sent();
  expect(all).toHaveLength(1);
  const [evaluation] = all;
  if (!evaluation) throw new Error('no evaluation sent');
  expect(evaluation.ComplianceResourceId).toBe(RESOURCE_ID);
  expect((evaluation.Annotation ?? '').length).toBeLessThanOrEqual(256);
  return evaluation;
}

describe('the unchanged sample event is the control', () => {
  it('a change notification for a force_ssl=1 PostgreSQL 15 instance: COMPLIANT TLS_ENFORCED', async () => {
    const outcome = await handle(change);
    expect(outcome.status).toBe('evaluated');
    expect(onlyEvaluation().ComplianceType).toBe('COMPLIANT');
    if (outcome.status === 'evaluated') {
      expect(outcome.scan?.evaluations[0]?.finding.reason).toBe('TLS_ENFORCED');
    }
  });
});

describe('events the rule cannot read at all are rejected with a code and put nothing', () => {
  for (const [label, input] of [
    ['null', null],
    ['a number', 42],
    ['a string', 'ConfigurationItemChangeNotification'],
    ['an array', [change]],
    ['an envelope without resultToken', { ...change, resultToken: undefined }],
    ['an invokingEvent that is an object, not a string', { ...change, invokingEvent: {} }],
  ] as const) {
    it(`${label} → rejected EVENT_INVALID`, async () => {
      const outcome = await handle(input);
      expect(outcome).toMatchObject({ status: 'rejected', code: 'EVENT_INVALID' });
      expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
    });
  }

  it('invokingEvent cut off mid-JSON (events/config-malformed-invoking-event.json) → rejected INVOKING_EVENT_NOT_JSON', async () => {
    const outcome = await handle(loadEvent('config-malformed-invoking-event.json'));
    expect(outcome).toMatchObject({ status: 'rejected', code: 'INVOKING_EVENT_NOT_JSON' });
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });

  it('messageType ConfigurationSnapshotDeliveryCompleted → rejected UNKNOWN_MESSAGE_TYPE', async () => {
    const outcome = await handle(loadEvent('config-unknown-message-type.json'));
    expect(outcome).toMatchObject({ status: 'rejected', code: 'UNKNOWN_MESSAGE_TYPE' });
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });

  it('a change notification without configurationItem → rejected INVOKING_EVENT_INVALID', async () => {
    const event = mutatedEvent(change, (invoking) => {
      delete invoking.configurationItem;
    });
    expect(await handle(event)).toMatchObject({
      status: 'rejected',
      code: 'INVOKING_EVENT_INVALID',
    });
  });
});

describe('rule parameters with wrong types: rejected, and the resource gets INSUFFICIENT_DATA saying why', () => {
  it('caExpiryDays "soon" and minTlsVersion 5 → RULE_PARAMETERS_INVALID naming both keys', async () => {
    const outcome = await handle({
      ...change,
      ruleParameters: JSON.stringify({ caExpiryDays: 'soon', minTlsVersion: 5 }),
    });
    expect(outcome).toMatchObject({ status: 'rejected', code: 'RULE_PARAMETERS_INVALID' });
    const evaluation = onlyEvaluation();
    expectCouldNotTell(evaluation);
    expect(evaluation.Annotation).toMatch(
      /^INSUFFICIENT_DATA: rule parameters invalid: .*minTlsVersion/,
    );
    expect(evaluation.Annotation).toContain('caExpiryDays');
  });

  it('every key wrong at once → one capped message (≤ 300 characters) that still lists all six keys in error.keys', async () => {
    const { parseRuleParameters } = await import('../../lib/config/rule-parameters.js');
    const result = parseRuleParameters({
      minTlsVersion: 'true',
      caExpiryDays: '0',
      requireLiveProbe: '1.2',
      liveProbe: 'TLSv1.3',
      secretTagKey: 912,
      secretArns: { 'not an id': 1 },
    });
    if (result.ok) throw new Error('accepted');
    expect(result.error.message.length).toBeLessThanOrEqual(300);
    expect(result.error.keys.sort()).toEqual([
      'caExpiryDays',
      'liveProbe',
      'minTlsVersion',
      'requireLiveProbe',
      'secretArns',
      'secretTagKey',
    ]);
  });

  it('ruleParameters that are not JSON → RULE_PARAMETERS_NOT_JSON, INSUFFICIENT_DATA', async () => {
    const outcome = await handle({ ...change, ruleParameters: '{minTlsVersion: TLSv1.2' });
    expect(outcome).toMatchObject({ status: 'rejected', code: 'RULE_PARAMETERS_NOT_JSON' });
    expectCouldNotTell(onlyEvaluation());
  });

  it('secretArns naming a non-ARN → RULE_PARAMETERS_INVALID and the bad value is not echoed', async () => {
    const outcome = await handle({
      ...change,
      ruleParameters: JSON.stringify({ secretArns: 'app-pg=hunter2-not-an-arn' }),
    });
    expect(outcome).toMatchObject({ status: 'rejected', code: 'RULE_PARAMETERS_INVALID' });
    const evaluation = onlyEvaluation();
    expectCouldNotTell(evaluation);
    expect(evaluation.Annotation).not.toContain('hunter2');
  });

  it('requireLiveProbe "yes" on a scheduled event → rejected, every database found gets INSUFFICIENT_DATA', async () => {
    const outcome = await handle({
      ...loadEvent('config-scheduled.json'),
      ruleParameters: JSON.stringify({ requireLiveProbe: 'yes' }),
    });
    expect(outcome).toMatchObject({ status: 'rejected', code: 'RULE_PARAMETERS_INVALID' });
    expect(sent()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: 'db-APPPG',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringMatching(/^INSUFFICIENT_DATA: .*requireLiveProbe/),
      }),
    ]);
  });
});

describe('configuration items the rule cannot use: INSUFFICIENT_DATA, never a crash', () => {
  it('configuration without engine → INSUFFICIENT_DATA naming the missing field', async () => {
    const event = mutatedEvent(change, (invoking) => {
      delete itemOf(invoking).configuration.engine;
    });
    const outcome = await handle(event);
    expect(outcome.status).toBe('evaluated');
    const evaluation = onlyEvaluation();
    expectCouldNotTell(evaluation);
    expect(evaluation.Annotation).toContain('engine');
  });

  it('an oversized configuration (1 MB identifiers and group name): evaluated INSUFFICIENT_DATA with an annotation within 256 characters', async () => {
    const huge = 'x'.repeat(1_000_000);
    const event = mutatedEvent(change, (invoking) => {
      const configuration = itemOf(invoking).configuration;
      configuration.dBInstanceIdentifier = huge;
      configuration.dBParameterGroups = [{ dBParameterGroupName: huge }];
    });
    const outcome = await handle(event);
    expect(outcome.status).toBe('evaluated');
    const evaluation = onlyEvaluation();
    expectCouldNotTell(evaluation);
    expect(evaluation.Annotation?.length).toBeLessThanOrEqual(256);
  });

  it('an oversized-item notification whose history read is denied → INSUFFICIENT_DATA "configuration item unavailable"', async () => {
    configMock
      .on(GetResourceConfigHistoryCommand)
      .rejects(serviceError('AccessDeniedException', 'denied'));
    const outcome = await handle(loadEvent('config-oversized.json'));
    expect(outcome.status).toBe('evaluated');
    const evaluation = onlyEvaluation();
    expectCouldNotTell(evaluation);
    expect(evaluation.Annotation).toMatch(
      /^INSUFFICIENT_DATA: configuration item unavailable: .*AccessDeniedException/,
    );
  });

  it('an oversized-item notification whose history holds non-JSON configuration → INSUFFICIENT_DATA', async () => {
    configMock.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [
        {
          resourceType: 'AWS::RDS::DBInstance',
          resourceId: RESOURCE_ID,
          configuration: '{"dBInstanceIdentifier": "app-pg", ',
          configurationItemStatus: 'OK',
          configurationItemCaptureTime: new Date('2025-01-15T12:30:00.150Z'),
        },
      ],
    });
    const outcome = await handle(loadEvent('config-oversized.json'));
    expect(outcome.status).toBe('evaluated');
    expectCouldNotTell(onlyEvaluation());
  });
});

describe('parameter values the rules do not know are never read as compliant', () => {
  for (const value of ['yes', '2', 'enabled', 'on1', 'TLSv1.2']) {
    it(`rds.force_ssl = ${JSON.stringify(value)} → INSUFFICIENT_DATA PARAMETER_VALUE_UNKNOWN`, async () => {
      const parameters: Parameter[] = [
        { ParameterName: 'rds.force_ssl', ParameterValue: value, Source: 'user' },
        { ParameterName: 'ssl_min_protocol_version', ParameterValue: 'TLSv1.2', Source: 'user' },
      ];
      const outcome = await handle(change, { 'pg15-force-ssl': parameters });
      expectCouldNotTell(onlyEvaluation());
      if (outcome.status !== 'evaluated') throw new Error(outcome.status);
      expect(outcome.scan?.evaluations[0]?.finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
    });
  }

  it('ssl_min_protocol_version = "TLSv1.9" → INSUFFICIENT_DATA PARAMETER_VALUE_UNKNOWN', async () => {
    const parameters: Parameter[] = [
      { ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user' },
      { ParameterName: 'ssl_min_protocol_version', ParameterValue: 'TLSv1.9', Source: 'user' },
    ];
    const outcome = await handle(change, { 'pg15-force-ssl': parameters });
    expectCouldNotTell(onlyEvaluation());
    if (outcome.status !== 'evaluated') throw new Error(outcome.status);
    expect(outcome.scan?.evaluations[0]?.finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
  });
});

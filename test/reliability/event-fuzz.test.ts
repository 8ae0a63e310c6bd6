/**
 * 10,000 generated events through handleConfigRuleEvent: arbitrary JSON, and
 * mutations of the sample events in events/ (fields deleted or replaced,
 * message types swapped, rule parameters of every type, unknown parameter
 * values in the group the item names, oversized strings). Whatever comes in,
 * the rule returns a named status and every PutEvaluations call is one that
 * Config would accept.
 */
import {
  ConfigServiceClient,
  type Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import {
  DescribeCertificatesCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeEngineDefaultParametersCommand,
  type Parameter,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VERDICTS } from '../../lib/types.js';

/** The compliance types PutEvaluations accepts (API reference, Evaluation.ComplianceType). */
const CONFIG_COMPLIANCE_TYPES = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'];

import { handleConfigRuleEvent } from '../../lib/use-cases/config-rule.js';
import { loadEvent } from '../config/events.js';
import { CURRENT_CA, captureLog, postgresInstance, REGION } from './support.js';

const RUNS = 10_000;
const NOW = new Date('2025-01-15T13:00:00.000Z');

const SAMPLES = [
  'config-change-instance-postgres.json',
  'config-change-cluster-aurora-mysql.json',
  'config-change-deleted.json',
  'config-left-scope.json',
  'config-oversized.json',
  'config-scheduled.json',
  'config-unknown-message-type.json',
  'config-malformed-invoking-event.json',
].map((name) => loadEvent(name));

const MESSAGE_TYPES = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
  'ConfigurationSnapshotDeliveryCompleted',
  '',
];

const SWITCH_VALUES = ['1', '0', 'ON', 'off', 'true', 'yes', '2', '', ' ', 'TLSv1.2', 'null'];
const TLS_VALUES = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', 'TLSv1.9', 'tlsv1.2,tlsv1', ''];

/** The account the RDS mock answers with for one run; each run draws its own. */
interface Account {
  forceSsl: string | undefined;
  minTls: string | undefined;
  instances: number;
  historyFails: boolean;
}

type Json = unknown;

/** Paths into the invoking event that a mutation may hit. */
const PATHS: string[][] = [
  ['messageType'],
  ['notificationCreationTime'],
  ['configurationItem'],
  ['configurationItem', 'resourceType'],
  ['configurationItem', 'resourceId'],
  ['configurationItem', 'awsRegion'],
  ['configurationItem', 'configurationItemStatus'],
  ['configurationItem', 'configurationItemCaptureTime'],
  ['configurationItem', 'configuration'],
  ['configurationItem', 'configuration', 'engine'],
  ['configurationItem', 'configuration', 'engineVersion'],
  ['configurationItem', 'configuration', 'dBInstanceIdentifier'],
  ['configurationItem', 'configuration', 'dBParameterGroups'],
  ['configurationItem', 'configuration', 'endpoint'],
  ['configurationItem', 'configuration', 'dbiResourceId'],
  ['configurationItem', 'configuration', 'caCertificateIdentifier'],
  ['configurationItem', 'configuration', 'certificateDetails'],
  ['configurationItem', 'configuration', 'dBClusterParameterGroup'],
  ['configurationItem', 'tags'],
  ['configurationItemSummary'],
  ['configurationItemSummary', 'resourceType'],
  ['configurationItemSummary', 'configurationItemStatus'],
  ['configurationItemSummary', 'configurationItemCaptureTime'],
];

const ENVELOPE_KEYS = [
  'resultToken',
  'configRuleName',
  'accountId',
  'eventLeftScope',
  'ruleParameters',
  'invokingEvent',
  'version',
];

const valueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(...MESSAGE_TYPES),
  fc.constantFrom(
    'AWS::RDS::DBInstance',
    'AWS::RDS::DBCluster',
    'AWS::S3::Bucket',
    'OK',
    'ResourceDeleted',
    'ResourceNotRecorded',
    'ResourceDiscovered',
    'postgres',
    'aurora-mysql',
    'mariadb',
    'sqlserver-se',
    'oracle-ee',
    'db2-se',
    'custom-oracle-ee',
    'mongo',
    '2025-01-15T10:21:37.512Z',
    '1970-01-01T00:00:00Z',
    'not a date',
  ),
  fc.integer({ min: 1, max: 5000 }).map((n) => 'é\n\u001b['.repeat(n)),
);

const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constantFrom(...PATHS),
    value: valueArb,
  }),
);

const ruleParametersArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 20 }),
  fc
    .dictionary(
      fc.constantFrom(
        'minTlsVersion',
        'caExpiryDays',
        'requireLiveProbe',
        'liveProbe',
        'secretTagKey',
        'secretArns',
        'unknownKey',
      ),
      fc.oneof(
        fc.jsonValue({ maxDepth: 1 }),
        fc.constantFrom('TLSv1.3', '1.2', '30', '0', '99999', 'true', 'false', 'app-pg=arn:x'),
      ),
    )
    .map((parameters) => JSON.stringify(parameters)),
);

const envelopeMutationArb = fc.oneof(
  fc.record({ kind: fc.constant('none' as const) }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...ENVELOPE_KEYS) }),
  fc.record({
    kind: fc.constant('set' as const),
    key: fc.constantFrom(...ENVELOPE_KEYS),
    value: valueArb,
  }),
);

const accountArb: fc.Arbitrary<Account> = fc.record({
  forceSsl: fc.option(fc.constantFrom(...SWITCH_VALUES), { nil: undefined }),
  minTls: fc.option(fc.constantFrom(...TLS_VALUES), { nil: undefined }),
  instances: fc.integer({ min: 0, max: 3 }),
  historyFails: fc.boolean(),
});

/** A sample event, its invokingEvent mutated, its envelope perhaps broken. */
const mutatedSampleArb = fc
  .record({
    sample: fc.constantFrom(...SAMPLES),
    mutations: fc.array(mutationArb, { maxLength: 3 }),
    ruleParameters: fc.option(ruleParametersArb, { nil: null }),
    envelope: envelopeMutationArb,
    leftScope: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map(({ sample, mutations, ruleParameters, envelope, leftScope }) => {
    const event: Record<string, Json> = { ...sample };
    let invoking: Json;
    try {
      invoking = JSON.parse(String(sample.invokingEvent));
    } catch {
      invoking = String(sample.invokingEvent);
    }
    for (const mutation of mutations) {
      invoking = mutate(
        invoking,
        mutation.path,
        mutation.kind,
        'value' in mutation ? mutation.value : undefined,
      );
    }
    event.invokingEvent = typeof invoking === 'string' ? invoking : JSON.stringify(invoking);
    if (ruleParameters !== null) event.ruleParameters = ruleParameters;
    if (leftScope !== undefined) event.eventLeftScope = leftScope;
    if (envelope.kind === 'delete') delete event[envelope.key];
    if (envelope.kind === 'set') event[envelope.key] = envelope.value;
    return event;
  });

const eventArb: fc.Arbitrary<Json> = fc.oneof(
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.record({
      resultToken: fc.string(),
      configRuleName: fc.string(),
      accountId: fc.string(),
      invokingEvent: fc.oneof(fc.string(), fc.json({ maxDepth: 3 })),
      ruleParameters: fc.option(fc.oneof(fc.string(), fc.json({ maxDepth: 2 })), {
        nil: undefined,
      }),
    }),
  },
  { weight: 8, arbitrary: mutatedSampleArb },
);

function mutate(root: Json, path: string[], kind: 'delete' | 'set', value: Json): Json {
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return root;
  const copy = structuredClone(root) as Record<string, Json>;
  let node: Record<string, Json> = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) return copy;
    node = next as Record<string, Json>;
  }
  const last = path[path.length - 1] as string;
  if (kind === 'delete') delete node[last];
  else node[last] = value;
  return copy;
}

const STATUSES = ['rejected', 'evaluated', 'fanned-out'];

describe('handleConfigRuleEvent under generated events', () => {
  it(`${RUNS.toLocaleString('en')} events: no exception, a named status, and every PutEvaluations call valid for Config`, async () => {
    const configMock = mockClient(ConfigServiceClient);
    const rdsMock = mockClient(RDSClient);
    const config = new ConfigServiceClient({ region: REGION });
    const rds = new RDSClient({ region: REGION });
    let current: Account = { forceSsl: '1', minTls: 'TLSv1.2', instances: 1, historyFails: false };
    const putCalls: Evaluation[][] = [];

    configMock.on(PutEvaluationsCommand).callsFake((input: { Evaluations?: Evaluation[] }) => {
      putCalls.push(input.Evaluations ?? []);
      return { FailedEvaluations: [] };
    });
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    configMock.on(GetResourceConfigHistoryCommand).callsFake(() => {
      if (current.historyFails)
        throw Object.assign(new Error('x'), { name: 'ResourceNotDiscoveredException' });
      const sample = JSON.parse(String(SAMPLES[0]?.invokingEvent)).configurationItem;
      return {
        configurationItems: [
          {
            resourceType: sample.resourceType,
            resourceId: sample.resourceId,
            awsRegion: sample.awsRegion,
            accountId: sample.awsAccountId,
            configurationItemStatus: 'OK',
            configurationItemCaptureTime: new Date(sample.configurationItemCaptureTime),
            configuration: JSON.stringify(sample.configuration),
          },
        ],
      };
    });
    rdsMock.on(DescribeDBInstancesCommand).callsFake(() => ({
      DBInstances: Array.from({ length: current.instances }, (_, i) =>
        postgresInstance(`fuzz-${i}`, 'pg15-force-ssl'),
      ),
    }));
    rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    rdsMock.on(DescribeCertificatesCommand).resolves({ Certificates: [CURRENT_CA] });
    rdsMock
      .on(DescribeEngineDefaultParametersCommand)
      .resolves({ EngineDefaults: { Parameters: [] } });
    rdsMock.on(DescribeDBParametersCommand).callsFake(() => {
      const parameters: Parameter[] = [];
      if (current.forceSsl !== undefined) {
        parameters.push({
          ParameterName: 'rds.force_ssl',
          ParameterValue: current.forceSsl,
          Source: 'user',
        });
      }
      if (current.minTls !== undefined) {
        parameters.push({
          ParameterName: 'ssl_min_protocol_version',
          ParameterValue: current.minTls,
          Source: 'user',
        });
      }
      parameters.push({
        ParameterName: 'require_secure_transport',
        ParameterValue: current.forceSsl,
        Source: 'user',
      });
      return { Parameters: parameters };
    });

    const seenStatuses = new Set<string>();
    const seenCodes = new Set<string>();
    const seenTypes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(eventArb, accountArb, async (event, drawn) => {
        current = drawn;
        putCalls.length = 0;
        const log = captureLog();
        const outcome = await handleConfigRuleEvent(event, {
          config,
          rdsClientFor: () => rds,
          region: REGION,
          log,
          now: () => NOW,
          sleep: async () => {},
        });
        seenStatuses.add(outcome.status);
        expect(STATUSES).toContain(outcome.status);
        if (outcome.status === 'rejected') {
          seenCodes.add(outcome.code);
          expect(outcome.code).toMatch(/^[A-Z][A-Z_]+$/);
          expect(outcome.message.length).toBeLessThanOrEqual(400);
        }
        if (outcome.status === 'evaluated') {
          expect(outcome.put.accepted + outcome.put.failed.length).toBe(outcome.put.submitted);
        }
        for (const call of putCalls) {
          expect(call.length).toBeGreaterThan(0);
          expect(call.length).toBeLessThanOrEqual(100);
          for (const evaluation of call) {
            // What Config takes: never INSUFFICIENT_DATA, which PutEvaluations does not accept;
            // a verdict of INSUFFICIENT_DATA travels as NON_COMPLIANT and says so first.
            const couldNotTell = evaluation.Annotation?.startsWith('INSUFFICIENT_DATA: ') === true;
            seenTypes.add(couldNotTell ? 'INSUFFICIENT_DATA' : String(evaluation.ComplianceType));
            expect(CONFIG_COMPLIANCE_TYPES).toContain(evaluation.ComplianceType);
            if (couldNotTell) expect(evaluation.ComplianceType).toBe('NON_COMPLIANT');
            expect(evaluation.ComplianceResourceId).toBeTruthy();
            expect(evaluation.ComplianceResourceType).toBeTruthy();
            expect(evaluation.OrderingTimestamp).toBeInstanceOf(Date);
            expect(Number.isNaN(evaluation.OrderingTimestamp?.getTime())).toBe(false);
            if (evaluation.Annotation !== undefined) {
              expect(evaluation.Annotation.length).toBeGreaterThan(0);
              expect(evaluation.Annotation.length).toBeLessThanOrEqual(256);
            }
          }
        }
        // A value the rules do not know may never end in COMPLIANT.
        const knownOn = ['1', 'on', 'true'];
        const forceSslKnown =
          current.forceSsl !== undefined && knownOn.includes(current.forceSsl.trim().toLowerCase());
        if (outcome.status === 'evaluated' && outcome.scan) {
          for (const e of outcome.scan.evaluations) {
            if (e.finding.verdict === 'COMPLIANT' && e.resource.engine === 'postgres') {
              expect(
                forceSslKnown || current.forceSsl === undefined || current.forceSsl.trim() === '',
              ).toBe(true);
            }
          }
        }
      }),
      { numRuns: RUNS, seed: 20250115, endOnFailure: true },
    );
    // The generators reach every outcome, so a pass means something.
    expect([...seenStatuses].sort()).toEqual(['evaluated', 'rejected']);
    for (const code of [
      'EVENT_INVALID',
      'INVOKING_EVENT_NOT_JSON',
      'INVOKING_EVENT_INVALID',
      'UNKNOWN_MESSAGE_TYPE',
      'RULE_PARAMETERS_INVALID',
    ]) {
      expect(seenCodes).toContain(code);
    }
    expect([...seenTypes].sort()).toEqual([...VERDICTS].sort());
    configMock.restore();
    rdsMock.restore();
  }, 120_000);
});

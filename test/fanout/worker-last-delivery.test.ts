/**
 * A Config batch that fails on its last delivery (SQS moves it to the
 * dead-letter queue next) tells Config that its databases could not be
 * judged, so none keeps its last verdict, COMPLIANT included.
 *
 * PutEvaluations shapes as the API reference documents them
 * (https://docs.aws.amazon.com/config/latest/APIReference/API_PutEvaluations.html):
 * the request's Evaluations, ResultToken and TestMode; the response's
 * FailedEvaluations, the evaluations Config did not take; and
 * InvalidResultTokenException among its errors.
 */
import {
  ConfigServiceClient,
  type Evaluation,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { buildMessages, type FanoutMessage, serializeMessage } from '../../lib/fanout/index.js';
import { type DatabaseResource, DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { handleWorkerRecords, type WorkerDeps } from '../../lib/use-cases/probe-worker.js';
import { asLegacyBody, database, settled } from './helpers.js';

const configMock = mockClient(ConfigServiceClient);
const config = new ConfigServiceClient({ region: 'eu-west-1' });
const ORDERING = new Date('2025-01-15T13:00:00.000Z');
const MAX_RECEIVE_COUNT = 3;

const cluster = database(3, {
  resourceType: 'AWS::RDS::DBCluster',
  resourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXY3',
  identifier: 'orders-cluster-3',
  arn: 'arn:aws:rds:eu-west-1:123456789012:cluster:orders-cluster-3',
  engine: 'aurora-postgresql',
});
const DATABASES = [database(1), database(2), cluster];

function body(overrides: Partial<FanoutMessage> = {}): string {
  const [message] = buildMessages(
    {
      orderingTimestamp: ORDERING,
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
    },
    DATABASES.map((resource) => settled(resource)),
  ).messages;
  return serializeMessage({ ...message!, ...overrides });
}

/** A version 1 message, as an earlier release queued it: bare databases. */
function legacyBody(overrides: Partial<FanoutMessage> = {}): string {
  return asLegacyBody(body(overrides));
}

function record(messageBody: string, receiveCount: number) {
  return {
    messageId: 'msg-7',
    body: messageBody,
    attributes: { ApproximateReceiveCount: String(receiveCount) },
  };
}

type Spy = ReturnType<typeof vi.fn>;

function deps(overrides: Partial<WorkerDeps> = {}): WorkerDeps & {
  log: { info: Spy; warn: Spy; error: Spy };
  onDatabasesGivenUp: Spy;
  onEvaluationsFailed: Spy;
} {
  return {
    config,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    // The batch's scan throws before it starts: SCAN_FAILED.
    proberFor: () => {
      throw new Error('credentials provider unavailable');
    },
    log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    onDatabasesGivenUp: vi.fn(),
    onEvaluationsFailed: vi.fn(),
    sleep: async () => {},
    now: () => new Date('2025-01-15T13:05:00.000Z'),
    ...overrides,
  } as never;
}

function givenUp(code: string, resource: DatabaseResource): Evaluation {
  return {
    ComplianceResourceType: resource.resourceType,
    ComplianceResourceId: resource.resourceId,
    ComplianceType: 'NON_COMPLIANT',
    OrderingTimestamp: ORDERING,
    Annotation: `INSUFFICIENT_DATA: probe batch given up after 3 attempts (${code}); the database could not be judged in this run`,
  };
}

/** Runs one record through the worker: it comes back as a batch item failure, bound for the dead-letter queue. */
async function failsRecord(messageBody: string, receiveCount: number, d: WorkerDeps) {
  const response = await handleWorkerRecords([record(messageBody, receiveCount)], d);
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-7' }] });
}

function sentEvaluations(): Evaluation[][] {
  return configMock
    .commandCalls(PutEvaluationsCommand)
    .map((call) => call.args[0].input.Evaluations ?? []);
}

beforeEach(() => {
  configMock.reset();
  configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});

describe('a Config batch that fails on its last delivery', () => {
  it('sends every database as could not be judged, naming the failure, and still fails the record for the dead-letter queue', async () => {
    const d = deps();
    await failsRecord(body({ resultToken: 'token-abc', configRuleName: 'rds-tls-only' }), 3, d);
    const calls = configMock.commandCalls(PutEvaluationsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      ResultToken: 'token-abc',
      Evaluations: DATABASES.map((resource) => givenUp('SCAN_FAILED', resource)),
    });
    expect(d.onDatabasesGivenUp).toHaveBeenCalledWith(3);
    expect(d.onEvaluationsFailed).not.toHaveBeenCalled();
    expect(d.log.error).toHaveBeenCalledWith('probe batch given up', {
      messageId: 'msg-7',
      code: 'SCAN_FAILED',
      attempts: 3,
      databases: 3,
      accepted: 3,
      failed: 0,
    });
  });

  it('sends nothing on an earlier delivery, which SQS will redeliver', async () => {
    const messageBody = body({ resultToken: 'token-abc' });
    const d = deps();
    await failsRecord(messageBody, 2, d);
    expect(sentEvaluations()).toEqual([]);
    expect(d.onDatabasesGivenUp).not.toHaveBeenCalled();
    // The same message on its third delivery is the last one.
    await failsRecord(messageBody, 3, d);
    expect(sentEvaluations()).toEqual([DATABASES.map((r) => givenUp('SCAN_FAILED', r))]);
  });

  it('never sends early when the worker does not know the queue’s maximum receive count', async () => {
    const { maxReceiveCount: _unknown, ...withoutMaximum } = deps();
    await failsRecord(body({ resultToken: 'token-abc' }), 100, withoutMaximum);
    expect(sentEvaluations()).toEqual([]);
    // Control: with the maximum known, the 100th delivery is past the last.
    await failsRecord(body({ resultToken: 'token-abc' }), 100, deps());
    expect(sentEvaluations()).toHaveLength(1);
  });

  it('re-sends only the evaluations Config refused when EVALUATIONS_NOT_ACCEPTED ends it; the accepted ones keep their real verdict', async () => {
    const refused = database(1).resourceId;
    configMock.on(PutEvaluationsCommand).callsFake((input: { Evaluations: Evaluation[] }) => ({
      FailedEvaluations: input.Evaluations.filter(
        (e) => e.ComplianceResourceId === refused && !e.Annotation?.includes('given up'),
      ),
    }));
    const d = deps({ proberFor: () => undefined });
    await failsRecord(body({ resultToken: 'token-abc', testMode: true }), 3, d);
    const calls = configMock.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input);
    // The scan's evaluations go first, each with its own verdict.
    expect(calls[0]?.Evaluations?.map((e) => e.ComplianceResourceId)).toEqual(
      DATABASES.map((r) => r.resourceId),
    );
    expect(calls[0]?.Evaluations?.some((e) => e.Annotation?.includes('given up'))).toBe(false);
    // Then the retries of the refused one, and last the fallback for it alone.
    const fallback = calls.at(-1);
    expect(fallback).toEqual({
      ResultToken: 'token-abc',
      TestMode: true,
      Evaluations: [givenUp('EVALUATIONS_NOT_ACCEPTED', database(1))],
    });
    expect(
      calls.filter((c) => c.Evaluations?.some((e) => e.Annotation?.includes('given up'))),
    ).toHaveLength(1);
    expect(d.onDatabasesGivenUp).toHaveBeenCalledWith(1);
  });

  it('sends nothing to Config for a scheduled batch (no result token)', async () => {
    const d = deps();
    await failsRecord(body(), 3, d);
    expect(sentEvaluations()).toEqual([]);
    expect(d.onDatabasesGivenUp).not.toHaveBeenCalled();
    // Control: the same failure with a result token is reported.
    await failsRecord(body({ resultToken: 'token-abc' }), 3, d);
    expect(sentEvaluations()).toHaveLength(1);
  });

  it('reports the databases of a message that failed before its scan (a version 1 message the worker cannot read)', async () => {
    const legacy = legacyBody({ resultToken: 'token-abc' });
    const d = deps();
    await failsRecord(legacy, 3, d);
    expect(sentEvaluations()).toEqual([
      DATABASES.map((r) => givenUp('LEGACY_MESSAGE_UNREADABLE', r)),
    ]);
  });

  it('reports the databases when none of them could be read (INVENTORY_FAILED)', async () => {
    const legacy = legacyBody({ resultToken: 'token-abc' });
    const d = deps({
      proberFor: () => undefined,
      enrich: async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      },
    });
    await failsRecord(legacy, 3, d);
    expect(sentEvaluations()).toEqual([DATABASES.map((r) => givenUp('INVENTORY_FAILED', r))]);
  });

  it('reports the databases when the worker itself failed (WORKER_DEFECT)', async () => {
    const d = deps({
      proberFor: () => undefined,
      onScan: () => {
        throw new Error('defect');
      },
    });
    await failsRecord(body({ resultToken: 't' }), 4, d);
    expect(sentEvaluations()).toEqual([
      DATABASES.map((r) => ({
        ...givenUp('WORKER_DEFECT', r),
        Annotation: givenUp('WORKER_DEFECT', r).Annotation?.replace('3 attempts', '4 attempts'),
      })),
    ]);
  });

  it('logs and counts a fallback Config refuses, and still fails only this record', async () => {
    configMock
      .on(PutEvaluationsCommand)
      .rejects(Object.assign(new Error('token expired'), { name: 'InvalidResultTokenException' }));
    const d = deps();
    await failsRecord(body({ resultToken: 'token-abc' }), 3, d);
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(1);
    expect(d.onEvaluationsFailed).toHaveBeenCalledWith(3);
    expect(d.onDatabasesGivenUp).not.toHaveBeenCalled();
    expect(d.log.error).toHaveBeenCalledWith(
      'probe batch given up',
      expect.objectContaining({ code: 'SCAN_FAILED', databases: 3, accepted: 0, failed: 3 }),
    );
  });

  it('logs a fallback that cannot even reach Config (a member account role that cannot be assumed), and throws nothing', async () => {
    const d = deps({
      configFor: () => {
        throw Object.assign(new Error('not authorized to assume role'), { name: 'AccessDenied' });
      },
    });
    const member = body({
      resultToken: 'member-token',
      accountId: '210987654321',
      roleArn: 'arn:aws:iam::210987654321:role/rds-tls-guard-member',
    });
    await failsRecord(member, 3, d);
    expect(sentEvaluations()).toEqual([]);
    expect(d.log.error).toHaveBeenCalledWith('probe batch given up', {
      messageId: 'msg-7',
      code: 'WORKER_DEFECT',
      attempts: 3,
      reported: 'not sent',
      reason: expect.stringContaining('AccessDenied'),
    });
  });

  it('cannot report without a Config client, and says so', async () => {
    const { config: _none, ...withoutConfig } = deps();
    await failsRecord(body({ resultToken: 'token-abc' }), 3, withoutConfig);
    expect(sentEvaluations()).toEqual([]);
    expect(withoutConfig.log.error).toHaveBeenCalledWith('probe batch given up', {
      messageId: 'msg-7',
      code: 'NO_CONFIG_CLIENT',
      attempts: 3,
      databases: 3,
      reported: 'no Config client',
    });
  });

  it('cannot name a database of a message that fails the schema, and says so', async () => {
    const d = deps();
    await failsRecord(JSON.stringify({ version: 2, resultToken: 'token-abc', items: 'x' }), 3, d);
    expect(sentEvaluations()).toEqual([]);
    expect(d.log.error).toHaveBeenCalledWith('probe batch given up', {
      messageId: 'msg-7',
      code: 'MESSAGE_INVALID',
      attempts: 3,
      reported: 'message unreadable',
    });
  });
});

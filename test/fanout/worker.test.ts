import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { buildMessages, type FanoutMessage, serializeMessage } from '../../lib/fanout/index.js';
import type { Inventory, InventoryItem } from '../../lib/pipeline.js';
import type { DatabaseResource } from '../../lib/types.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import {
  type BatchLocation,
  handleWorkerMessage,
  handleWorkerRecords,
  type WorkerDeps,
} from '../../lib/use-cases/probe-worker.js';
import { asLegacyBody, database, settled } from './helpers.js';

const configMock = mockClient(ConfigServiceClient);
const config = new ConfigServiceClient({ region: 'eu-west-1' });
const ORDERING = new Date('2025-01-15T13:00:00.000Z');

/** orders-2's group leaves rds.force_ssl off: one finding per batch. */
function settledItem(resource: DatabaseResource): InventoryItem {
  return settled(resource, resource.identifier.endsWith('2') ? '0' : '1');
}

function body(overrides: Partial<FanoutMessage> = {}, resources = [database(1), database(2)]) {
  const [message] = buildMessages(
    {
      orderingTimestamp: ORDERING,
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
    },
    resources.map(settledItem),
  ).messages;
  return serializeMessage({ ...message!, ...overrides });
}

/** A version 1 message, as an earlier release queued it: bare databases. */
function legacyBody(overrides: Partial<FanoutMessage> = {}): string {
  return asLegacyBody(body(overrides));
}

function deps(overrides: Partial<WorkerDeps> = {}): WorkerDeps & {
  enrich: ReturnType<typeof vi.fn>;
  log: {
    info: ReturnType<typeof vi.fn>;
    warn: ReturnType<typeof vi.fn>;
    error: ReturnType<typeof vi.fn>;
  };
} {
  const enrich = vi.fn(
    async (resources: DatabaseResource[], _location: BatchLocation): Promise<Inventory> => ({
      items: resources.map(settledItem),
      problems: [],
      regions: ['eu-west-1'],
    }),
  );
  return {
    enrich,
    config,
    log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    sleep: async () => {},
    now: () => new Date('2025-01-15T13:05:00.000Z'),
    ...overrides,
  } as never;
}

beforeEach(() => {
  configMock.reset();
});

describe('handleWorkerMessage', () => {
  it('scans the settings the message carries, reading nothing itself', async () => {
    const d = deps();
    const outcome = await handleWorkerMessage({ messageId: 'msg-1', body: body() }, d);
    expect(outcome).toEqual({ status: 'done', databases: 2, nonCompliant: 1 });
    expect(d.enrich).not.toHaveBeenCalled();
  });

  it('reads the settings of a version 1 message in its region and account, then scans it', async () => {
    const d = deps();
    const outcome = await handleWorkerMessage(
      {
        messageId: 'msg-1',
        body: legacyBody({
          accountId: '210987654321',
          roleArn: 'arn:aws:iam::210987654321:role/rds-tls-guard-member',
        }),
      },
      d,
    );
    expect(outcome).toEqual({ status: 'done', databases: 2, nonCompliant: 1 });
    expect(d.enrich).toHaveBeenCalledTimes(1);
    expect(d.enrich.mock.calls[0]?.[0].map((r: DatabaseResource) => r.identifier)).toEqual([
      'orders-1',
      'orders-2',
    ]);
    expect(d.enrich.mock.calls[0]?.[1]).toEqual({
      region: 'eu-west-1',
      accountId: '210987654321',
      roleArn: 'arn:aws:iam::210987654321:role/rds-tls-guard-member',
    });
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });

  it('reports a Config batch with its result token, keyed by resource id, at the run’s ordering time', async () => {
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const outcome = await handleWorkerMessage(
      {
        messageId: 'msg-1',
        body: body({ resultToken: 'token-abc', configRuleName: 'rds-tls-only' }),
      },
      deps(),
    );
    expect(outcome).toEqual({
      status: 'done',
      databases: 2,
      nonCompliant: 1,
      reported: { accepted: 2, failed: 0 },
    });
    const input = configMock.commandCalls(PutEvaluationsCommand)[0]?.args[0].input;
    expect(input?.ResultToken).toBe('token-abc');
    expect(input?.TestMode).toBeUndefined();
    expect(
      input?.Evaluations?.map((e) => [
        e.ComplianceResourceId,
        e.ComplianceType,
        e.OrderingTimestamp,
      ]),
    ).toEqual([
      [database(1).resourceId, expect.any(String), ORDERING],
      [database(2).resourceId, 'NON_COMPLIANT', ORDERING],
    ]);
  });

  it('reports an organization rule’s member batch through that member account’s Config', async () => {
    const memberConfig = new ConfigServiceClient({ region: 'eu-west-1' });
    const memberMock = mockClient(memberConfig);
    memberMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const roleArn = 'arn:aws:iam::210987654321:role/rds-tls-guard-member';
    const configFor = vi.fn((_location: BatchLocation) => memberConfig);
    const outcome = await handleWorkerMessage(
      {
        messageId: 'msg-org',
        body: body({ resultToken: 'member-token', accountId: '210987654321', roleArn }),
      },
      deps({ configFor }),
    );
    expect(outcome).toMatchObject({ status: 'done', reported: { accepted: 2, failed: 0 } });
    expect(configFor).toHaveBeenCalledWith({
      region: 'eu-west-1',
      accountId: '210987654321',
      roleArn,
    });
    expect(memberMock.commandCalls(PutEvaluationsCommand)[0]?.args[0].input.ResultToken).toBe(
      'member-token',
    );
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
    memberMock.restore();
  });

  it('passes TestMode through', async () => {
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    await handleWorkerMessage(
      { messageId: 'msg-1', body: body({ resultToken: 'TESTMODE', testMode: true }) },
      deps(),
    );
    expect(configMock.commandCalls(PutEvaluationsCommand)[0]?.args[0].input.TestMode).toBe(true);
  });

  it('fails the message when Config keeps refusing evaluations, so SQS redelivers it', async () => {
    configMock.on(PutEvaluationsCommand).callsFake((input) => ({
      FailedEvaluations: input.Evaluations.slice(0, 1),
    }));
    const onEvaluationsFailed = vi.fn();
    const outcome = await handleWorkerMessage(
      { messageId: 'msg-1', body: body({ resultToken: 'token-abc' }) },
      deps({ onEvaluationsFailed }),
    );
    expect(outcome).toEqual({
      status: 'failed',
      code: 'EVALUATIONS_NOT_ACCEPTED',
      message: '1 of 2 evaluations not accepted',
      refused: [expect.objectContaining({ ComplianceResourceId: database(1).resourceId })],
    });
    expect(onEvaluationsFailed).toHaveBeenCalledWith(1);
  });

  it('fails a body that does not match the schema, without echoing it', async () => {
    const d = deps();
    const outcome = await handleWorkerMessage(
      { messageId: 'msg-9', body: JSON.stringify({ version: 1, password: 'hunter2' }) },
      d,
    );
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.code).toBe('MESSAGE_INVALID');
    expect(JSON.stringify(d.log.error.mock.calls)).not.toContain('hunter2');
    expect(d.enrich).not.toHaveBeenCalled();
  });

  it('fails a version 1 message when the worker has no RDS reader', async () => {
    const { enrich: _enrich, ...withoutReader } = deps();
    const outcome = await handleWorkerMessage(
      { messageId: 'm', body: legacyBody() },
      withoutReader,
    );
    expect(outcome).toEqual({
      status: 'failed',
      code: 'LEGACY_MESSAGE_UNREADABLE',
      message: 'a version 1 message needs the settings read, but the worker has no RDS reader',
    });
  });

  it('fails the message when the batch could not be read at all, so it is retried', async () => {
    const d = deps({
      enrich: vi.fn(async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      }),
    });
    const outcome = await handleWorkerMessage({ messageId: 'm', body: legacyBody() }, d);
    expect(outcome).toEqual({
      status: 'failed',
      code: 'INVENTORY_FAILED',
      message: 'none of 2 databases could be read (INVENTORY_FAILED)',
    });
    expect(d.log.warn).toHaveBeenCalledWith(
      'scan problem',
      expect.objectContaining({ code: 'INVENTORY_FAILED' }),
    );
  });
});

describe('handleWorkerRecords', () => {
  it('returns only the failed messages as batch item failures', async () => {
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const response = await handleWorkerRecords(
      [
        { messageId: 'good-1', body: body() },
        { messageId: 'bad', body: '{"version":1' },
        { messageId: 'good-2', body: body({ resultToken: 'token-abc' }) },
      ],
      deps(),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });

  it('fails a message whose handling throws unexpectedly, and carries on with the rest', async () => {
    const d = deps({
      onScan: () => {
        throw new Error('defect');
      },
    });
    const response = await handleWorkerRecords(
      [
        { messageId: 'a', body: body() },
        { messageId: 'b', body: 'not json' },
      ],
      d,
    );
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }],
    });
  });
});

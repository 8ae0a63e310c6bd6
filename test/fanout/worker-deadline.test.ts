/**
 * The probe worker against its invocation's time: a batch with a real
 * PostgreSQL (force_ssl on) and a server that accepts and never answers.
 * The hung probe is given far more time than the invocation has (connect
 * timeout 60 s, probe deadline 120 s), so only the worker's own deadline
 * (remaining time less the reporting reserve) can end it. The Lambda context
 * is a stand-in whose remaining time runs out SCAN_MS after the reserve.
 *
 * PutEvaluations shapes as the API reference documents them
 * (https://docs.aws.amazon.com/config/latest/APIReference/API_PutEvaluations.html):
 * the request's Evaluations and ResultToken, the response's FailedEvaluations.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildMessages, serializeMessage } from '../../lib/fanout/index.js';
import { reportReserveMs } from '../../lib/lambda/time-budget.js';
import { generateCertificates, type LocalPostgres, startPostgres } from '../../lib/local/index.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { handleWorkerRecords, type WorkerDeps } from '../../lib/use-cases/probe-worker.js';
import { type HostileServer, listen } from '../fixtures/hostile.js';
import { fixedCredentials } from '../fixtures/servers.js';
import { database, settled } from './helpers.js';

/** What the scan gets of the invocation: ample for a loopback probe of a real server. */
const SCAN_MS = 6_000;
/** How far past the deadline the worker may answer on a busy machine. */
const SLACK_MS = 10_000;
const ORDERING = new Date('2025-01-15T13:00:00.000Z');

const configMock = mockClient(ConfigServiceClient);
let workDir: string;
let postgres: LocalPostgres;
let caPem: string;
let hanging: HostileServer;
/** The connections the hanging server accepted, and whether the worker closed each. */
const accepted: { socket: Socket; closed: Promise<void> }[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'worker-deadline-'));
  const certificates = await generateCertificates(workDir);
  caPem = certificates.caPem;
  postgres = await startPostgres({ certificates, forceSsl: true });
  hanging = await listen((socket) => {
    accepted.push({
      socket,
      closed: new Promise((resolve) => socket.once('close', () => resolve())),
    });
  });
}, 120_000);

afterAll(async () => {
  await hanging?.close();
  await postgres?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  configMock.reset();
  configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  accepted.length = 0;
});

const VALID_TILL = new Date('2061-05-25T23:34:57.000Z');
const healthy = () =>
  database(1, {
    endpoint: { address: 'localhost', port: postgres.port },
    certificateValidTill: VALID_TILL,
  });
const stuck = () =>
  database(2, {
    endpoint: { address: 'localhost', port: hanging.port },
    identifier: 'stuck-2',
    certificateValidTill: VALID_TILL,
  });

function messageBody(): string {
  const [message] = buildMessages(
    {
      orderingTimestamp: ORDERING,
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, requireLiveProbe: true },
    },
    [settled(healthy()), settled(stuck())],
  ).messages;
  return serializeMessage({ ...message!, resultToken: 'token-abc', configRuleName: 'rds-tls' });
}

/** A Lambda context's getRemainingTimeInMillis that leaves the scan SCAN_MS. */
function remainingTime(): () => number {
  const end = Date.now() + reportReserveMs(2) + SCAN_MS;
  return () => end - Date.now();
}

function deps(): WorkerDeps {
  const prober = createLiveProber({
    credentials: fixedCredentials(postgres.masterUser, postgres.masterPassword),
    caBundle: caPem,
    hostOverride: '127.0.0.1',
    connectTimeoutMs: 60_000,
    probeTimeoutMs: 120_000,
  });
  return {
    config: new ConfigServiceClient({ region: 'eu-west-1' }),
    proberFor: () => prober,
    maxReceiveCount: 3,
    remainingTime: remainingTime(),
    log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    onDatabasesGivenUp: vi.fn(),
    sleep: async () => {},
  };
}

const NOT_JUDGED = {
  ComplianceResourceType: 'AWS::RDS::DBInstance',
  ComplianceResourceId: database(2).resourceId,
  ComplianceType: 'NON_COMPLIANT',
  OrderingTimestamp: ORDERING,
  Annotation: "INSUFFICIENT_DATA: not judged before the function's time ran out",
};

async function deliver(receiveCount: number, d: WorkerDeps) {
  const started = Date.now();
  const response = await handleWorkerRecords(
    [
      {
        messageId: 'msg-9',
        body: messageBody(),
        attributes: { ApproximateReceiveCount: String(receiveCount) },
      },
    ],
    d,
  );
  return { response, elapsedMs: Date.now() - started };
}

describe('a probe batch that runs out of the invocation’s time', () => {
  it('reports the finished database’s verdict and the hung one as not judged, closes the hung connection, and fails the record for a retry', async () => {
    const d = deps();
    const { response, elapsedMs } = await deliver(1, d);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-9' }] });
    expect(elapsedMs).toBeLessThan(SCAN_MS + SLACK_MS);
    const calls = configMock.commandCalls(PutEvaluationsCommand);
    expect(calls).toHaveLength(1);
    const sent = calls[0]?.args[0].input;
    expect(sent?.ResultToken).toBe('token-abc');
    expect(sent?.Evaluations).toHaveLength(2);
    expect(sent?.Evaluations?.[0]).toMatchObject({
      ComplianceResourceId: healthy().resourceId,
      ComplianceType: 'COMPLIANT',
    });
    expect(sent?.Evaluations?.[1]).toEqual(NOT_JUDGED);
    expect(d.log.error).toHaveBeenCalledWith('probe batch out of time', {
      messageId: 'msg-9',
      databases: 2,
      notJudged: 1,
      identifiers: ['stuck-2'],
    });
    // The abandoned probe's connection to the hung server is closed, not left open.
    expect(accepted.length).toBeGreaterThan(0);
    await Promise.all(accepted.map((connection) => connection.closed));
  }, 60_000);

  it('on the last delivery gives up nothing more: the finished database keeps the verdict Config took', async () => {
    const d = deps();
    const { response } = await deliver(3, d);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-9' }] });
    const sent = configMock
      .commandCalls(PutEvaluationsCommand)
      .map((call) => call.args[0].input.Evaluations);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.map((e) => e.ComplianceType)).toEqual(['COMPLIANT', 'NON_COMPLIANT']);
    expect(sent[0]?.[1]).toEqual(NOT_JUDGED);
    expect(d.onDatabasesGivenUp).not.toHaveBeenCalled();
    expect(d.log.error).toHaveBeenCalledWith('probe batch given up', {
      messageId: 'msg-9',
      code: 'DEADLINE_REACHED',
      attempts: 3,
      databases: 0,
      reported: 'nothing left to send',
    });
  }, 60_000);
});

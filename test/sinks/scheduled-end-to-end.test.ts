/**
 * The scheduled path end to end, in process, for two accounts: the scanner
 * lists both accounts (RDS mocked per account), archives a vanished
 * database's Security Hub finding and queues the batches; every queued
 * message goes through the probe worker, which imports the findings into
 * each account's own Security Hub and writes its part of the run; the run's
 * JSON and HTML reports appear in the bucket. Only AWS is mocked
 * (aws-sdk-client-mock, per client instance so each account has its own).
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { ScanTarget } from '../../lib/accounts/index.js';
import { buildMessages, serializeMessage } from '../../lib/fanout/index.js';
import { collectInventory } from '../../lib/inventory/index.js';
import type { Log } from '../../lib/log.js';
import { jsonReportSchema } from '../../lib/report/index.js';
import type { ScheduledSinks } from '../../lib/sinks/index.js';
import { assembleOverdueRuns } from '../../lib/sinks/overdue-runs.js';
import { writeManifest } from '../../lib/sinks/report-archive.js';
import { partKey, reportKeys } from '../../lib/sinks/run-keys.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { handleWorkerRecords } from '../../lib/use-cases/probe-worker.js';
import { runScheduledScan } from '../../lib/use-cases/scheduled-scan.js';
import { capturingQueue } from '../fanout/helpers.js';
import { serveAccount } from '../inventory/rds-mock.js';
import { parameter, postgresInstance } from '../inventory/rds-samples.js';
import { memoryBucket } from './memory-bucket.js';

const OWN = '111111111111';
const MEMBER = '222222222222';
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/rds-tls-guard-member`;
const QUEUE_URL = `https://sqs.eu-west-1.amazonaws.com/${OWN}/probe`;
const STARTED = new Date('2026-02-03T04:05:06.000Z');
const RUN = { id: '20260203T040506Z-e2e', startedAt: STARTED };
const GONE_ID = 'db-GONEGONEGONEGONEGONEGONE0';
const PAYMENTS_ID = 'db-PAYMENTSPAYMENTSPAYMENTS0';
const PAYMENTS_CREATED = '2025-12-01T00:00:00.000Z';

/** CreatedAt, FirstObservedAt, UpdatedAt, LastObservedAt of the member's payments finding as imported. */
function paymentsDates(imported: Map<string, AwsSecurityFinding[]>): (string | undefined)[] {
  const finding = imported
    .get(MEMBER)!
    .find((entry) => entry.Id?.endsWith(PAYMENTS_ID) && entry.RecordState === 'ACTIVE');
  return [
    finding?.CreatedAt,
    finding?.FirstObservedAt,
    finding?.UpdatedAt,
    finding?.LastObservedAt,
  ];
}
const PAYMENTS_DATES = [
  PAYMENTS_CREATED,
  PAYMENTS_CREATED,
  '2026-02-03T04:05:06.000Z',
  '2026-02-03T04:05:06.000Z',
];

function instance(account: string, identifier: string, resourceId: string, group: string) {
  return postgresInstance({
    DBInstanceIdentifier: identifier,
    DbiResourceId: resourceId,
    DBInstanceArn: `arn:aws:rds:eu-west-1:${account}:db:${identifier}`,
    DBParameterGroups: [{ DBParameterGroupName: group, ParameterApplyStatus: 'in-sync' }],
    CertificateDetails: {
      CAIdentifier: 'rds-ca-rsa2048-g1',
      ValidTill: new Date('2061-05-20T00:00:00Z'),
    },
  });
}

const defaults = [
  parameter('ssl_min_protocol_version', 'TLSv1.2'),
  parameter('rds.force_ssl', '0'),
];
const groups = {
  'pg15-secure': { family: 'postgres15', parameters: [parameter('rds.force_ssl', '1')] },
  'pg15-open': { family: 'postgres15', parameters: [parameter('rds.force_ssl', '0')] },
};

const CAS = [
  {
    CertificateIdentifier: 'rds-ca-rsa2048-g1',
    CertificateType: 'CA',
    ValidFrom: new Date('2021-05-25T00:00:00Z'),
    ValidTill: new Date('2061-05-20T00:00:00Z'),
  },
];

/** One RDS client per account, each answering with that account's databases. */
function rdsAccounts(): Map<string, RDSClient> {
  const accounts = new Map<string, RDSClient>();
  const own = new RDSClient({ region: 'eu-west-1' });
  serveAccount(mockClient(own), {
    instances: [
      instance(OWN, 'orders', 'db-ORDERSORDERSORDERSORDERS0', 'pg15-secure'),
      instance(OWN, 'legacy', 'db-LEGACYLEGACYLEGACYLEGACY0', 'pg15-open'),
    ],
    parameterGroups: groups,
    engineDefaults: { postgres15: defaults },
    certificates: CAS,
  });
  const member = new RDSClient({ region: 'eu-west-1' });
  serveAccount(mockClient(member), {
    instances: [instance(MEMBER, 'payments', 'db-PAYMENTSPAYMENTSPAYMENTS0', 'pg15-secure')],
    parameterGroups: groups,
    engineDefaults: { postgres15: defaults },
    certificates: CAS,
  });
  accounts.set(OWN, own);
  accounts.set(MEMBER, member);
  return accounts;
}

/** An ACTIVE finding of the member's product as GetFindings returns it (ASFF required fields). */
function memberFinding(
  resourceId: string,
  identifier: string,
  created: string,
): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: `rds-tls-guard/${MEMBER}/eu-west-1/${resourceId}`,
    ProductArn: `arn:aws:securityhub:eu-west-1:${MEMBER}:product/${MEMBER}/default`,
    GeneratorId: 'rds-tls-guard/FORCE_SSL_OFF',
    AwsAccountId: MEMBER,
    Types: ['Software and Configuration Checks/AWS Security Best Practices'],
    CreatedAt: created,
    FirstObservedAt: created,
    UpdatedAt: created,
    Severity: { Label: 'HIGH' },
    Title: 'earlier',
    Description: 'earlier',
    Resources: [
      { Type: 'AwsRdsDbInstance', Id: `arn:aws:rds:eu-west-1:${MEMBER}:db:${identifier}` },
    ],
    RecordState: 'ACTIVE',
  };
}

/** Each account's Security Hub: the member has one active finding of a database since deleted. */
function securityHubs() {
  const hubs = new Map<string, SecurityHubClient>();
  const imported = new Map<string, AwsSecurityFinding[]>();
  for (const account of [OWN, MEMBER]) {
    const client = new SecurityHubClient({ region: 'eu-west-1' });
    const stub = mockClient(client);
    imported.set(account, []);
    stub.on(BatchImportFindingsCommand).callsFake(async (input) => {
      imported.get(account)!.push(...input.Findings);
      return { SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] };
    });
    const stored: AwsSecurityFinding[] =
      account === MEMBER
        ? [
            memberFinding(GONE_ID, 'gone', '2026-01-01T00:00:00.000Z'),
            // The finding of a database still there, first created on an earlier run.
            memberFinding(PAYMENTS_ID, 'payments', PAYMENTS_CREATED),
          ]
        : [];
    stub.on(GetFindingsCommand).resolves({ Findings: stored });
    hubs.set(account, client);
  }
  return { hubs, imported };
}

const quiet: Log = { info: () => {}, warn: () => {}, error: () => {} };

/** The message body of the own account's databases as part 0 of RUN, as the scanner queues it. */
async function ownFirstPart(rds: Map<string, RDSClient>): Promise<string> {
  const [message] = buildMessages(
    {
      orderingTimestamp: STARTED,
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
      accountId: OWN,
      run: { ...RUN, part: `${OWN}-0` },
    },
    (
      await collectInventory({
        regions: ['eu-west-1'],
        accountId: OWN,
        clientFor: () => rds.get(OWN)!,
      })
    ).items,
  ).messages;
  return serializeMessage(message!);
}

describe('the scheduled path for two accounts', () => {
  it('reaches Security Hub in each account and archives one dated JSON and HTML report', async () => {
    const rds = rdsAccounts();
    const { hubs, imported } = securityHubs();
    const bucket = memoryBucket();
    const { sqs, queued } = capturingQueue();
    const sinkFailures: string[] = [];
    const sinks: ScheduledSinks = {
      archive: { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports' },
      securityHubFor: (place) => ({
        client: hubs.get(place.accountId)!,
        accountId: place.accountId,
        region: place.region,
      }),
      log: quiet,
      onSinkFailure: (sink) => sinkFailures.push(sink),
      retry: { sleep: async () => {} },
      now: () => STARTED,
    };
    const rdsFor = (accountId?: string) => rds.get(accountId ?? OWN)!;

    // Scheduler: both accounts listed and queued, the deleted database's finding archived.
    const targets: ScanTarget[] = [{ accountId: OWN }, { accountId: MEMBER, roleArn: MEMBER_ROLE }];
    const outcome = await runScheduledScan({
      targets,
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
      collect: (target) =>
        collectInventory({
          regions: ['eu-west-1'],
          ...(target.accountId ? { accountId: target.accountId } : {}),
          clientFor: () => rdsFor(target.accountId),
        }),
      queue: { sqs, queueUrl: QUEUE_URL },
      orderingTimestamp: STARTED,
      run: RUN,
      sinks,
    });
    expect(outcome).toMatchObject({
      mode: 'fanned-out',
      accounts: [
        { accountId: OWN, databases: 2, batches: 1, notSent: [] },
        { accountId: MEMBER, databases: 1, batches: 1, notSent: [] },
      ],
    });
    expect(imported.get(MEMBER)!.map((finding) => [finding.Id, finding.RecordState])).toEqual([
      [`rds-tls-guard/${MEMBER}/eu-west-1/${GONE_ID}`, 'ARCHIVED'],
    ]);
    // The manifest's index, and its one page naming each part's databases.
    expect(bucket.keys()).toEqual([
      'runs/year=2026/month=02/day=03/20260203T040506Z-e2e/manifest.json',
      'runs/year=2026/month=02/day=03/20260203T040506Z-e2e/manifest/0.json',
    ]);

    // Workers: each queued message, as SQS would deliver it. They get no RDS
    // reader: the settings the scanner read travel in the messages.
    const response = await handleWorkerRecords(
      queued.map((body, index) => ({ messageId: `m-${index}`, body })),
      {
        log: quiet,
        sinks,
        ownAccountId: OWN,
      },
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(sinkFailures).toEqual([]);

    // Security Hub: each account got its own databases' findings, through its own product.
    const active = (account: string) =>
      imported
        .get(account)!
        .filter((finding) => finding.RecordState === 'ACTIVE')
        .map((finding) => [
          finding.Title?.split(' ')[3],
          finding.Compliance?.Status,
          finding.ProductArn,
        ]);
    expect(active(OWN)).toEqual([
      ['legacy', 'FAILED', `arn:aws:securityhub:eu-west-1:${OWN}:product/${OWN}/default`],
      ['orders', 'PASSED', `arn:aws:securityhub:eu-west-1:${OWN}:product/${OWN}/default`],
    ]);
    expect(active(MEMBER)).toEqual([
      ['payments', 'PASSED', `arn:aws:securityhub:eu-west-1:${MEMBER}:product/${MEMBER}/default`],
    ]);
    // The scanner's lookup travelled in the message: the worker kept the finding's first dates.
    expect(paymentsDates(imported)).toEqual(PAYMENTS_DATES);

    // Archive: one dated report per run, both accounts in it.
    const keys = reportKeys(RUN);
    expect(keys.json).toBe('reports/year=2026/month=02/day=03/20260203T040506Z-e2e.json');
    const report = jsonReportSchema.parse(bucket.json(keys.json));
    expect(
      report.databases.map((database) => [
        database.accountId,
        database.identifier,
        database.verdict,
      ]),
    ).toEqual([
      [OWN, 'legacy', 'NON_COMPLIANT'],
      [OWN, 'orders', 'COMPLIANT'],
      [MEMBER, 'payments', 'COMPLIANT'],
    ]);
    expect(bucket.objects.get(keys.html)?.body).toContain('payments');
    bucket.mock.restore();
  });
});

describe('a probe batch whose sinks fail', () => {
  it('fails the message when its report part cannot be written, and counts Security Hub refusing without failing', async () => {
    const rds = rdsAccounts();
    const bucket = memoryBucket();
    bucket.mock
      .on(PutObjectCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const hub = new SecurityHubClient({ region: 'eu-west-1' });
    mockClient(hub)
      .on(BatchImportFindingsCommand)
      .rejects(Object.assign(new Error('not subscribed'), { name: 'InvalidAccessException' }));
    const failures: string[] = [];
    const sinks: ScheduledSinks = {
      archive: { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports' },
      securityHubFor: (place) => ({
        client: hub,
        accountId: place.accountId,
        region: place.region,
      }),
      log: quiet,
      onSinkFailure: (sink, count) => failures.push(`${sink}:${count}`),
      retry: { sleep: async () => {} },
    };
    const response = await handleWorkerRecords(
      [{ messageId: 'm-1', body: await ownFirstPart(rds) }],
      { log: quiet, sinks },
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(failures).toEqual(['SecurityHub:2', 'ReportArchive:1']);
    bucket.mock.restore();
  });
});

describe('a probe batch whose part is written but whose run cannot be assembled', () => {
  it('is done, not redelivered: the assembly failure is counted, and the overdue sweep reports the bad part lost', async () => {
    const rds = rdsAccounts();
    const bucket = memoryBucket();
    const failures: string[] = [];
    const sinks: ScheduledSinks = {
      archive: { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports' },
      log: quiet,
      onSinkFailure: (sink, count) => failures.push(`${sink}:${count}`),
      retry: { sleep: async () => {} },
    };
    bucket.clock.now = STARTED;
    // The scanner queued two parts; the other worker's part is in the bucket but unreadable.
    await writeManifest(sinks.archive!, {
      runId: RUN.id,
      startedAt: RUN.startedAt,
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
      parts: [`${OWN}-0`, `${OWN}-1`],
      problems: [],
    });
    bucket.objects.set(partKey(RUN, `${OWN}-1`), { body: '{"evaluations":"no"}' });
    const response = await handleWorkerRecords(
      [{ messageId: 'm-1', body: await ownFirstPart(rds) }],
      { log: quiet, sinks },
    );
    // Redelivery would probe the batch again and end on the dead-letter queue: the part is stored.
    expect(response.batchItemFailures).toEqual([]);
    expect(bucket.objects.has(partKey(RUN, `${OWN}-0`))).toBe(true);
    expect(failures).toEqual(['ReportArchive:1']);

    const swept = await assembleOverdueRuns(sinks.archive!, {
      now: new Date(STARTED.getTime() + 3 * 60 * 60 * 1000),
    });
    expect(swept.assembled.map(({ outcome }) => outcome)).toMatchObject([
      { status: 'written', lostParts: [`${OWN}-1`] },
    ]);
    bucket.mock.restore();
  });
});

describe('the scheduled path without a queue', () => {
  it('evaluates both accounts in one invocation and still reaches Security Hub and the archive', async () => {
    const rds = rdsAccounts();
    const { hubs, imported } = securityHubs();
    const bucket = memoryBucket();
    const sinks: ScheduledSinks = {
      archive: { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports' },
      securityHubFor: (place) => ({
        client: hubs.get(place.accountId)!,
        accountId: place.accountId,
        region: place.region,
      }),
      log: quiet,
      retry: { sleep: async () => {} },
      now: () => STARTED,
    };
    const outcome = await runScheduledScan({
      targets: [{ accountId: OWN }, { accountId: MEMBER, roleArn: MEMBER_ROLE }],
      ruleParameters: DEFAULT_RULE_PARAMETERS,
      collect: (target) =>
        collectInventory({
          regions: ['eu-west-1'],
          ...(target.accountId ? { accountId: target.accountId } : {}),
          clientFor: () => rds.get(target.accountId ?? OWN)!,
        }),
      orderingTimestamp: STARTED,
      run: RUN,
      sinks,
    });
    expect(outcome.mode).toBe('in-process');
    const states = (account: string) =>
      imported.get(account)!.map((finding) => [finding.Id?.split('/').at(-1), finding.RecordState]);
    expect(states(OWN)).toEqual([
      ['db-LEGACYLEGACYLEGACYLEGACY0', 'ACTIVE'],
      ['db-ORDERSORDERSORDERSORDERS0', 'ACTIVE'],
    ]);
    expect(states(MEMBER)).toEqual([
      [GONE_ID, 'ARCHIVED'],
      ['db-PAYMENTSPAYMENTSPAYMENTS0', 'ACTIVE'],
    ]);
    expect(paymentsDates(imported)).toEqual(PAYMENTS_DATES);
    const report = jsonReportSchema.parse(bucket.json(reportKeys(RUN).json));
    expect(report.databases.map((database) => database.identifier)).toEqual([
      'legacy',
      'orders',
      'payments',
    ]);
    // Nothing of a fanned-out run's work in progress.
    expect(bucket.keys('runs/')).toEqual([]);
    bucket.mock.restore();
  });
});

/**
 * AWS faults during a scan: throttling bursts, access denied on a region or
 * a parameter group, pagination markers that repeat, PutEvaluations that
 * fails some evaluations. The RDS side runs through the SDK's real retry
 * middleware (see servedRds); Config is mocked with aws-sdk-client-mock,
 * where putEvaluations' own retry loop is what is under test.
 */
import {
  ConfigServiceClient,
  type Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectInventory } from '../../lib/inventory/index.js';
import { scan } from '../../lib/scan.js';
import { DEFAULT_RULE_PARAMETERS, type ScanResult } from '../../lib/types.js';
import { handleConfigRuleEvent } from '../../lib/use-cases/config-rule.js';
import { loadEvent } from '../config/events.js';
import {
  ACCOUNT,
  account,
  captureLog,
  failingFirst,
  forceSslParameters,
  postgresInstance,
  REGION,
  servedRds,
  serviceError,
} from './support.js';

const NOW = new Date('2025-01-15T13:00:00.000Z');
const noSleep = async () => {};
const configMock = mockClient(ConfigServiceClient);
const config = new ConfigServiceClient({ region: REGION });

beforeEach(() => {
  configMock.reset();
});

const twoDatabases = [
  postgresInstance('orders-pg', 'pg-a'),
  postgresInstance('billing-pg', 'pg-b'),
];
const healthyGroups = { 'pg-a': forceSslParameters('1'), 'pg-b': forceSslParameters('1') };

async function scanAccount(
  clientFor: (region: string) => RDSClient,
  regions: string[] = [REGION],
): Promise<ScanResult> {
  return scan({
    inventory: () => collectInventory({ regions, accountId: ACCOUNT, clientFor }),
    ruleParameters: { ...DEFAULT_RULE_PARAMETERS, liveProbe: false },
    now: () => NOW,
  });
}

function verdicts(result: ScanResult): Record<string, string> {
  return Object.fromEntries(
    result.evaluations.map((e) => [
      e.resource.identifier,
      `${e.finding.verdict} ${e.finding.reason}`,
    ]),
  );
}

describe('RDS throttling bursts are retried by the SDK and lose nothing', () => {
  it('3 ThrottlingExceptions on DescribeDBInstances, then success: both databases COMPLIANT TLS_ENFORCED, no problem', async () => {
    const served = servedRds(
      failingFirst(
        3,
        'ThrottlingException',
        account(twoDatabases, healthyGroups),
        'DescribeDBInstancesCommand',
      ),
      { fastRetries: true },
    );
    const result = await scanAccount(() => served.client);
    expect(result.problems).toEqual([]);
    expect(verdicts(result)).toEqual({
      'orders-pg': 'COMPLIANT TLS_ENFORCED',
      'billing-pg': 'COMPLIANT TLS_ENFORCED',
    });
    expect(served.calls.filter((c) => c.command === 'DescribeDBInstancesCommand')).toHaveLength(4);
  });

  it('3 Throttling errors on DescribeDBParameters, then success: the group is read and nothing is left unevaluated', async () => {
    const served = servedRds(
      failingFirst(
        3,
        'Throttling',
        account(twoDatabases, healthyGroups),
        'DescribeDBParametersCommand',
      ),
      { fastRetries: true },
    );
    const result = await scanAccount(() => served.client);
    expect(result.problems).toEqual([]);
    expect(verdicts(result)).toEqual({
      'orders-pg': 'COMPLIANT TLS_ENFORCED',
      'billing-pg': 'COMPLIANT TLS_ENFORCED',
    });
  });

  it('the shipped client (adaptive retries, 8 attempts, real backoff) rides out a burst of 2 throttles', async () => {
    const served = servedRds(
      failingFirst(
        2,
        'ThrottlingException',
        account(twoDatabases, healthyGroups),
        'DescribeDBInstancesCommand',
      ),
    );
    const result = await scanAccount(() => served.client);
    expect(result.problems).toEqual([]);
    expect(result.evaluations).toHaveLength(2);
  });

  it('throttling that outlasts the retry budget on the listing: region problem THROTTLED, no database reported at all', async () => {
    const served = servedRds(
      failingFirst(
        100,
        'ThrottlingException',
        account(twoDatabases, healthyGroups),
        'DescribeDBInstancesCommand',
      ),
      { fastRetries: true, maxAttempts: 3 },
    );
    const result = await scanAccount(() => served.client);
    expect(result.problems).toEqual([
      {
        scope: `region:${REGION}`,
        code: 'THROTTLED',
        message: `DescribeDBInstances failed in ${REGION}: ThrottlingException HTTP 400; RDS throttled the requests: scan with lower concurrency or retry later`,
      },
    ]);
    expect(result.evaluations).toEqual([]);
  });

  it('throttling that outlasts the budget on one parameter group: that database INSUFFICIENT_DATA PARAMETER_GROUP_UNREADABLE, the other still COMPLIANT', async () => {
    const base = account(twoDatabases, healthyGroups);
    const served = servedRds(
      (command, input) => {
        if (command === 'DescribeDBParametersCommand' && input.DBParameterGroupName === 'pg-a') {
          throw serviceError('ThrottlingException', 'Rate exceeded');
        }
        return base(command, input);
      },
      { fastRetries: true, maxAttempts: 3 },
    );
    const result = await scanAccount(() => served.client);
    expect(verdicts(result)).toEqual({
      'orders-pg': 'INSUFFICIENT_DATA PARAMETER_GROUP_UNREADABLE',
      'billing-pg': 'COMPLIANT TLS_ENFORCED',
    });
    expect(result.problems.map((p) => `${p.scope} ${p.code}`)).toEqual([
      `parameter-group:${REGION}:pg-a THROTTLED`,
    ]);
    const pgA = served.calls.filter(
      (c) => c.command === 'DescribeDBParametersCommand' && c.input.DBParameterGroupName === 'pg-a',
    );
    expect(pgA).toHaveLength(3);
  });
});

describe('access denied is contained to what it denies', () => {
  it('AccessDenied on one region: that region is an ACCESS_DENIED problem, the other region is fully evaluated', async () => {
    const denied = servedRds(() => {
      throw serviceError(
        'AccessDenied',
        'User is not authorized to perform rds:DescribeDBInstances',
      );
    });
    const allowed = servedRds(account(twoDatabases, healthyGroups));
    const result = await scanAccount(
      (region) => (region === 'us-east-1' ? denied.client : allowed.client),
      [REGION, 'us-east-1'],
    );
    expect(verdicts(result)).toEqual({
      'orders-pg': 'COMPLIANT TLS_ENFORCED',
      'billing-pg': 'COMPLIANT TLS_ENFORCED',
    });
    // DescribeDBInstances, DescribeDBClusters, DescribeDBProxies, DescribeDBProxyEndpoints.
    expect(result.problems.map((p) => `${p.scope} ${p.code}`).sort()).toEqual([
      'region:us-east-1 ACCESS_DENIED',
      'region:us-east-1 ACCESS_DENIED',
      'region:us-east-1 ACCESS_DENIED',
      'region:us-east-1 ACCESS_DENIED',
    ]);
  });

  it('AccessDenied on one parameter group: INSUFFICIENT_DATA PARAMETER_GROUP_UNREADABLE for its database only, with the denial in the annotation', async () => {
    const base = account(twoDatabases, healthyGroups);
    const served = servedRds((command, input) => {
      if (command === 'DescribeDBParametersCommand' && input.DBParameterGroupName === 'pg-b') {
        throw serviceError('AccessDenied', 'not authorized');
      }
      return base(command, input);
    });
    const result = await scanAccount(() => served.client);
    expect(verdicts(result)).toEqual({
      'orders-pg': 'COMPLIANT TLS_ENFORCED',
      'billing-pg': 'INSUFFICIENT_DATA PARAMETER_GROUP_UNREADABLE',
    });
    const billing = result.evaluations.find((e) => e.resource.identifier === 'billing-pg');
    expect(billing?.finding.annotation).toContain('AccessDenied');
    expect(result.problems.map((p) => `${p.scope} ${p.code}`)).toEqual([
      `parameter-group:${REGION}:pg-b ACCESS_DENIED`,
    ]);
  });
});

describe('pagination markers that repeat end the listing with a named problem', () => {
  it('DescribeDBInstances answering A → B → A: listing stops, PAGINATION_LOOP, the pages read are still evaluated', async () => {
    const pages: Record<string, { DBInstances: DBInstance[]; Marker?: string }> = {
      first: { DBInstances: [twoDatabases[0] as DBInstance], Marker: 'A' },
      A: { DBInstances: [twoDatabases[1] as DBInstance], Marker: 'B' },
      B: { DBInstances: [], Marker: 'A' },
    };
    const base = account(twoDatabases, healthyGroups);
    const served = servedRds((command, input) => {
      if (command === 'DescribeDBInstancesCommand') {
        return pages[typeof input.Marker === 'string' ? input.Marker : 'first'];
      }
      return base(command, input);
    });
    const result = await scanAccount(() => served.client);
    expect(verdicts(result)).toEqual({
      'orders-pg': 'COMPLIANT TLS_ENFORCED',
      'billing-pg': 'COMPLIANT TLS_ENFORCED',
    });
    expect(result.problems.map((p) => `${p.scope} ${p.code}`)).toEqual([
      `region:${REGION} PAGINATION_LOOP`,
    ]);
    expect(served.calls.filter((c) => c.command === 'DescribeDBInstancesCommand')).toHaveLength(3);
  });

  it('DescribeDBParameters repeating its marker: the group is incomplete, so the database is never COMPLIANT', async () => {
    const base = account(twoDatabases, healthyGroups);
    const served = servedRds((command, input) => {
      if (command === 'DescribeDBParametersCommand' && input.DBParameterGroupName === 'pg-a') {
        // The TLS minimum could sit on a page the loop never reaches.
        return { Parameters: forceSslParameters('1').slice(0, 1), Marker: 'same' };
      }
      return base(command, input);
    });
    const result = await scanAccount(() => served.client);
    expect(verdicts(result)).toEqual({
      'orders-pg': 'INSUFFICIENT_DATA PARAMETER_GROUP_UNREADABLE',
      'billing-pg': 'COMPLIANT TLS_ENFORCED',
    });
    expect(result.problems.map((p) => `${p.scope} ${p.code}`)).toEqual([
      `parameter-group:${REGION}:pg-a PAGINATION_LOOP`,
    ]);
  });
});

function manyInstances(count: number): DBInstance[] {
  return Array.from({ length: count }, (_, i) =>
    postgresInstance(`db-${String(i).padStart(3, '0')}`, 'pg-a'),
  );
}

function sentEvaluations(): Evaluation[][] {
  return configMock
    .commandCalls(PutEvaluationsCommand)
    .map((call) => call.args[0].input.Evaluations ?? []);
}

describe('PutEvaluations faults in a scheduled run: retried with backoff, nothing lost', () => {
  const scheduled = loadEvent('config-scheduled.json');

  it('ThrottlingException 3 times, then accepted: all 150 evaluations reach Config, in calls of at most 100', async () => {
    const served = servedRds(account(manyInstances(150), healthyGroups));
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    configMock
      .on(PutEvaluationsCommand)
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .resolves({ FailedEvaluations: [] });
    const waits: number[] = [];
    const log = captureLog();
    const outcome = await handleConfigRuleEvent(scheduled, {
      config,
      rdsClientFor: () => served.client,
      region: REGION,
      log,
      now: () => NOW,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(outcome.status).toBe('evaluated');
    if (outcome.status !== 'evaluated') return;
    expect(outcome.put.accepted).toBe(150);
    expect(outcome.put.failed).toEqual([]);
    for (const batch of sentEvaluations()) expect(batch.length).toBeLessThanOrEqual(100);
    const acceptedIds = new Set(
      sentEvaluations()
        .slice(-2)
        .flat()
        .map((e) => e.ComplianceResourceId),
    );
    expect(acceptedIds.size).toBe(150);
    expect(waits).toHaveLength(3);
    // Exponential backoff: each wait's ceiling doubles.
    expect(waits[1]).toBeGreaterThan((waits[0] as number) / 2);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1000);
  });

  it('FailedEvaluations that never clear: exactly those resources come back in put.failed and are logged by id', async () => {
    const served = servedRds(account(manyInstances(5), healthyGroups));
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    configMock.on(PutEvaluationsCommand).callsFake((input: { Evaluations?: Evaluation[] }) => ({
      FailedEvaluations: (input.Evaluations ?? []).filter((e) =>
        ['db-DB001', 'db-DB003'].includes(e.ComplianceResourceId ?? ''),
      ),
    }));
    const log = captureLog();
    const outcome = await handleConfigRuleEvent(scheduled, {
      config,
      rdsClientFor: () => served.client,
      region: REGION,
      log,
      now: () => NOW,
      sleep: noSleep,
    });
    if (outcome.status !== 'evaluated') throw new Error(`unexpected ${outcome.status}`);
    expect(outcome.put.accepted).toBe(3);
    expect(outcome.put.failed.map((e) => e.ComplianceResourceId).sort()).toEqual([
      'db-DB001',
      'db-DB003',
    ]);
    expect(outcome.put.errors).toEqual([
      'batch 1/1: 2 evaluation(s) not accepted after 5 attempts',
    ]);
    const errorLine = log.lines.find((line) => line.includes('evaluations not accepted'));
    expect(errorLine).toContain('db-DB001');
    expect(errorLine).toContain('db-DB003');
  });

  it('FailedEvaluations once for 2 of 5, then accepted: the retry sends only those 2 and all 5 are accepted', async () => {
    const served = servedRds(account(manyInstances(5), healthyGroups));
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    let first = true;
    configMock.on(PutEvaluationsCommand).callsFake((input: { Evaluations?: Evaluation[] }) => {
      const failed = first ? (input.Evaluations ?? []).slice(1, 3) : [];
      first = false;
      return { FailedEvaluations: failed };
    });
    const outcome = await handleConfigRuleEvent(scheduled, {
      config,
      rdsClientFor: () => served.client,
      region: REGION,
      log: captureLog(),
      now: () => NOW,
      sleep: noSleep,
    });
    if (outcome.status !== 'evaluated') throw new Error(`unexpected ${outcome.status}`);
    expect(outcome.put.accepted).toBe(5);
    expect(outcome.put.failed).toEqual([]);
    expect(sentEvaluations().map((batch) => batch.length)).toEqual([5, 2]);
  });

  it('AccessDeniedException on PutEvaluations: no further calls, every evaluation returned in put.failed', async () => {
    const served = servedRds(account(manyInstances(120), healthyGroups));
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    configMock.on(PutEvaluationsCommand).rejects(serviceError('AccessDeniedException', 'denied'));
    const outcome = await handleConfigRuleEvent(scheduled, {
      config,
      rdsClientFor: () => served.client,
      region: REGION,
      log: captureLog(),
      now: () => NOW,
      sleep: noSleep,
    });
    if (outcome.status !== 'evaluated') throw new Error(`unexpected ${outcome.status}`);
    expect(outcome.put.failed).toHaveLength(120);
    expect(outcome.put.accepted).toBe(0);
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(1);
  });

  it('a region that cannot be listed keeps earlier results: no stale withdrawal is looked up or sent', async () => {
    const served = servedRds(
      failingFirst(100, 'AccessDenied', account([], {}), 'DescribeDBInstancesCommand'),
    );
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const outcome = await handleConfigRuleEvent(scheduled, {
      config,
      rdsClientFor: () => served.client,
      region: REGION,
      log: captureLog(),
      now: () => NOW,
      sleep: noSleep,
    });
    expect(outcome.status).toBe('evaluated');
    expect(configMock.commandCalls(GetComplianceDetailsByConfigRuleCommand)).toHaveLength(0);
    const sent = sentEvaluations().flat();
    expect(sent.filter((e) => e.ComplianceType === 'NOT_APPLICABLE')).toEqual([]);
  });
});

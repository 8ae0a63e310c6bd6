import {
  ConfigServiceClient,
  type Evaluation,
  type EvaluationResult,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  HANDOFF_MARGIN_MS,
  notApplicableEvaluation,
  putEvaluations,
  toEvaluation,
} from '../../lib/report/config-evaluations.js';
import { STALE_ANNOTATION, staleEvaluations } from '../../lib/report/stale-evaluations.js';
import type { DatabaseResource, Finding, ResourceEvaluation } from '../../lib/types.js';

const configMock = mockClient(ConfigServiceClient);
const client = new ConfigServiceClient({ region: 'eu-west-1' });
const noSleep = async () => {};
const TOKEN = 'result-token-from-event';
const CAPTURED = new Date('2025-01-15T10:21:37.512Z');

beforeEach(() => {
  configMock.reset();
});

function instance(overrides: Partial<DatabaseResource> = {}): DatabaseResource {
  return {
    resourceType: 'AWS::RDS::DBInstance',
    resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    identifier: 'app-pg',
    region: 'eu-west-1',
    engine: 'postgres',
    engineVersion: '15.8',
    optionGroups: [],
    iamDatabaseAuthenticationEnabled: false,
    tags: {},
    ...overrides,
  };
}

function finding(verdict: Finding['verdict'], annotation: string): Finding {
  return { verdict, reason: 'TEST', annotation, remediation: '', evidence: [] };
}

function resourceEvaluation(resource: DatabaseResource, f: Finding): ResourceEvaluation {
  return { resource, staticFinding: f, finding: f, orderingTimestamp: CAPTURED };
}

/** n distinct evaluations with DbiResourceId-shaped ids. */
function evaluations(n: number): Evaluation[] {
  return Array.from({ length: n }, (_, i) => ({
    ComplianceResourceType: 'AWS::RDS::DBInstance',
    ComplianceResourceId: `db-${String(i).padStart(26, '0')}`,
    ComplianceType: 'COMPLIANT',
    Annotation: 'rds.force_ssl = 1',
    OrderingTimestamp: CAPTURED,
  }));
}

function sentBatches(): Evaluation[][] {
  return configMock
    .commandCalls(PutEvaluationsCommand)
    .map((call) => call.args[0].input.Evaluations ?? []);
}

describe('toEvaluation', () => {
  it('keys an instance on its DbiResourceId, not its identifier', () => {
    const e = toEvaluation(
      resourceEvaluation(
        instance(),
        finding('NON_COMPLIANT', 'rds.force_ssl = 0 (group default.postgres14)'),
      ),
    );
    expect(e).toEqual({
      ComplianceResourceType: 'AWS::RDS::DBInstance',
      ComplianceResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'rds.force_ssl = 0 (group default.postgres14)',
      OrderingTimestamp: CAPTURED,
    });
  });

  it('keys a cluster on its DbClusterResourceId', () => {
    const cluster = instance({
      resourceType: 'AWS::RDS::DBCluster',
      resourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0',
      identifier: 'orders-aurora',
      engine: 'aurora-mysql',
    });
    const e = toEvaluation(
      resourceEvaluation(cluster, finding('COMPLIANT', 'require_secure_transport = ON')),
    );
    expect(e.ComplianceResourceType).toBe('AWS::RDS::DBCluster');
    expect(e.ComplianceResourceId).toBe('cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0');
  });

  it('clamps the annotation to 256 characters', () => {
    const e = toEvaluation(
      resourceEvaluation(instance(), finding('NON_COMPLIANT', 'x'.repeat(1000))),
    );
    expect(e.Annotation).toHaveLength(256);
    expect(e.Annotation?.endsWith('…')).toBe(true);
  });

  it('leaves out an empty annotation, which Config would reject', () => {
    const e = toEvaluation(resourceEvaluation(instance(), finding('COMPLIANT', '  ')));
    expect(e).not.toHaveProperty('Annotation');
  });
});

describe('notApplicableEvaluation', () => {
  it('builds a NOT_APPLICABLE evaluation with a clamped annotation', () => {
    expect(
      notApplicableEvaluation(
        'AWS::RDS::DBInstance',
        'db-ZYXWVUTSRQPONMLKJIHGFEDCB9',
        'Resource was deleted.',
        CAPTURED,
      ),
    ).toEqual({
      ComplianceResourceType: 'AWS::RDS::DBInstance',
      ComplianceResourceId: 'db-ZYXWVUTSRQPONMLKJIHGFEDCB9',
      ComplianceType: 'NOT_APPLICABLE',
      Annotation: 'Resource was deleted.',
      OrderingTimestamp: CAPTURED,
    });
  });
});

describe('putEvaluations batching', () => {
  it.each([
    [100, [100]],
    [101, [100, 1]],
    [250, [100, 100, 50]],
  ])('sends %d evaluations in batches of %j', async (count, sizes) => {
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const input = evaluations(count);
    const summary = await putEvaluations(client, input, { resultToken: TOKEN, sleep: noSleep });
    expect(sentBatches().map((batch) => batch.length)).toEqual(sizes);
    expect(sentBatches().flat()).toEqual(input);
    expect(summary).toEqual({
      submitted: count,
      duplicatesDropped: 0,
      accepted: count,
      failed: [],
      batches: sizes.length,
      calls: sizes.length,
      errors: [],
    });
  });

  it('makes no call for no evaluations', async () => {
    const summary = await putEvaluations(client, [], { resultToken: TOKEN, sleep: noSleep });
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
    expect(summary).toMatchObject({ submitted: 0, accepted: 0, batches: 0, calls: 0 });
  });

  it('passes the result token and no TestMode by default', async () => {
    configMock.on(PutEvaluationsCommand).resolves({});
    await putEvaluations(client, evaluations(1), { resultToken: TOKEN, sleep: noSleep });
    const input = configMock.commandCalls(PutEvaluationsCommand)[0]?.args[0].input;
    expect(input?.ResultToken).toBe(TOKEN);
    expect(input).not.toHaveProperty('TestMode');
  });

  it('passes TestMode: true with the token as given', async () => {
    configMock.on(PutEvaluationsCommand).resolves({});
    await putEvaluations(client, evaluations(1), {
      resultToken: 'TESTMODE',
      testMode: true,
      sleep: noSleep,
    });
    const input = configMock.commandCalls(PutEvaluationsCommand)[0]?.args[0].input;
    expect(input?.ResultToken).toBe('TESTMODE');
    expect(input?.TestMode).toBe(true);
  });

  it('keeps only the last evaluation for a resource named twice', async () => {
    configMock.on(PutEvaluationsCommand).resolves({});
    const [first, second] = evaluations(2) as [Evaluation, Evaluation];
    const replacement: Evaluation = {
      ...first,
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'later',
    };
    const summary = await putEvaluations(client, [first, second, replacement], {
      resultToken: TOKEN,
      sleep: noSleep,
    });
    expect(sentBatches()).toEqual([[second, replacement]]);
    expect(summary).toMatchObject({ submitted: 2, duplicatesDropped: 1, accepted: 2 });
  });

  it('clamps an over-long annotation it is given before sending', async () => {
    configMock.on(PutEvaluationsCommand).resolves({});
    const [e] = evaluations(1) as [Evaluation];
    await putEvaluations(client, [{ ...e, Annotation: 'y'.repeat(300) }], {
      resultToken: TOKEN,
      sleep: noSleep,
    });
    expect(sentBatches()[0]?.[0]?.Annotation).toHaveLength(256);
  });

  it('sends a clamped annotation whole: a server message with an emoji at the cut keeps no half of it', async () => {
    configMock.on(PutEvaluationsCommand).resolves({});
    const message = `server said: ${'x'.repeat(241)}\u{1F600} and more`;
    const e = toEvaluation(resourceEvaluation(instance(), finding('NON_COMPLIANT', message)));
    await putEvaluations(client, [e], { resultToken: TOKEN, sleep: noSleep });
    const sent = sentBatches()[0]?.[0]?.Annotation ?? '';
    expect(sent).not.toMatch(/\p{Cs}/u);
    expect(sent).toBe(`server said: ${'x'.repeat(241)}…`);
  });
});

describe('putEvaluations retries', () => {
  it('resends only the FailedEvaluations, then counts all as accepted', async () => {
    const input = evaluations(3);
    configMock
      .on(PutEvaluationsCommand)
      .resolvesOnce({ FailedEvaluations: [input[1] as Evaluation] })
      .resolves({ FailedEvaluations: [] });
    const delays: number[] = [];
    const summary = await putEvaluations(client, input, {
      resultToken: TOKEN,
      sleep: async (ms) => {
        delays.push(ms);
      },
      baseDelayMs: 100,
      random: () => 0.5,
    });
    expect(sentBatches()).toEqual([input, [input[1]]]);
    expect(delays).toEqual([75]);
    expect(summary).toEqual({
      submitted: 3,
      duplicatesDropped: 0,
      accepted: 3,
      failed: [],
      batches: 1,
      calls: 2,
      errors: [],
    });
  });

  it('reports evaluations Config keeps refusing in summary.failed after maxAttempts', async () => {
    const input = evaluations(2);
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [input[0] as Evaluation] });
    const delays: number[] = [];
    const summary = await putEvaluations(client, input, {
      resultToken: TOKEN,
      maxAttempts: 4,
      baseDelayMs: 100,
      random: () => 0,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(4);
    expect(delays).toEqual([50, 100, 200]);
    expect(summary.failed).toEqual([input[0]]);
    expect(summary.accepted).toBe(1);
    expect(summary.errors).toEqual(['batch 1/1: 1 evaluation(s) not accepted after 4 attempts']);
  });

  it('retries a batch after a thrown ThrottlingException', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    configMock.on(PutEvaluationsCommand).rejectsOnce(throttled).resolves({ FailedEvaluations: [] });
    const input = evaluations(2);
    const summary = await putEvaluations(client, input, { resultToken: TOKEN, sleep: noSleep });
    expect(sentBatches()).toEqual([input, input]);
    expect(summary).toMatchObject({ accepted: 2, failed: [], calls: 2 });
    expect(summary.errors).toEqual(['batch 1/1 attempt 1: ThrottlingException HTTP 400']);
  });

  it('retries a network error and gives up after maxAttempts without throwing', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    configMock.on(PutEvaluationsCommand).rejects(reset);
    const input = evaluations(1);
    const summary = await putEvaluations(client, input, {
      resultToken: TOKEN,
      maxAttempts: 3,
      sleep: noSleep,
    });
    expect(summary.calls).toBe(3);
    expect(summary.failed).toEqual(input);
    expect(summary.errors).toEqual([
      'batch 1/1 attempt 1: Error (ECONNRESET)',
      'batch 1/1 attempt 2: Error (ECONNRESET)',
      'batch 1/1 attempt 3: Error (ECONNRESET)',
    ]);
  });

  it('stops calling after an invalid result token and reports every evaluation as failed', async () => {
    const invalidToken = Object.assign(new Error(`bad token ${TOKEN}`), {
      name: 'InvalidResultTokenException',
    });
    configMock.on(PutEvaluationsCommand).rejects(invalidToken);
    const input = evaluations(150);
    const summary = await putEvaluations(client, input, { resultToken: TOKEN, sleep: noSleep });
    expect(summary.calls).toBe(1);
    expect(summary.failed).toEqual(input);
    expect(summary.accepted).toBe(0);
    expect(summary.errors).toEqual(['batch 1/2 attempt 1: InvalidResultTokenException']);
    expect(summary.errors.join(' ')).not.toContain(TOKEN);
  });

  it('isolates the one evaluation Config rejects as invalid, and the rest of its batch is accepted', async () => {
    const input = evaluations(150);
    const tooLong = 'db-'.padEnd(769, 'X');
    input[42] = { ...(input[42] as Evaluation), ComplianceResourceId: tooLong };
    // The documented limit is 768 characters; Config refuses the whole request for one over it.
    configMock.on(PutEvaluationsCommand).callsFake((request: { Evaluations?: Evaluation[] }) => {
      const index = (request.Evaluations ?? []).findIndex(
        (e) => (e.ComplianceResourceId ?? '').length > 768,
      );
      if (index < 0) return {};
      throw Object.assign(
        new Error(
          `1 validation error detected: Value at 'evaluations.${index + 1}.member.complianceResourceId' failed to satisfy constraint: Member must have length less than or equal to 768`,
        ),
        { name: 'ValidationException' },
      );
    });
    const summary = await putEvaluations(client, input, { resultToken: TOKEN, sleep: noSleep });
    expect(summary.failed).toEqual([input[42]]);
    expect(summary.accepted).toBe(149);
    const accepted = sentBatches()
      .filter((batch) => batch.every((e) => (e.ComplianceResourceId ?? '').length <= 768))
      .flat()
      .map((e) => e.ComplianceResourceId);
    expect(accepted.sort()).toEqual(
      input
        .filter((_, i) => i !== 42)
        .map((e) => e.ComplianceResourceId)
        .sort(),
    );
    expect(summary.errors[0]).toMatch(/^batch 1\/2 attempt 1: ValidationException/);
  });

  it('does not retry a single evaluation Config rejects as invalid', async () => {
    const invalid = Object.assign(new Error('bad'), { name: 'InvalidParameterValueException' });
    configMock.on(PutEvaluationsCommand).rejects(invalid);
    const input = evaluations(1);
    const summary = await putEvaluations(client, input, { resultToken: TOKEN, sleep: noSleep });
    expect(summary.calls).toBe(1);
    expect(summary.failed).toEqual(input);
    expect(summary.errors).toEqual(['batch 1/1 attempt 1: InvalidParameterValueException']);
  });

  it('keeps a failed evaluation Config echoes back altered rather than losing it', async () => {
    const input = evaluations(1);
    const altered: Evaluation = { ...(input[0] as Evaluation), ComplianceResourceId: 'DB-ALTERED' };
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [altered] });
    const summary = await putEvaluations(client, input, {
      resultToken: TOKEN,
      maxAttempts: 2,
      sleep: noSleep,
    });
    expect(summary.failed).toEqual([altered]);
    expect(summary.accepted).toBe(0);
  });
});

describe('putEvaluations near the end of the invocation', () => {
  it('abandons a call Config does not answer before the function must hand back its result, and returns its evaluations as failed', async () => {
    // Config throttling the SDK's own retries for longer than the reserve: the call hangs.
    configMock.on(PutEvaluationsCommand).callsFake(() => new Promise(() => {}));
    const started = Date.now();
    const summary = await putEvaluations(client, evaluations(3), {
      resultToken: TOKEN,
      sleep: noSleep,
      remainingTime: () => HANDOFF_MARGIN_MS + 200,
    });
    expect(Date.now() - started).toBeLessThan(HANDOFF_MARGIN_MS + 5_000);
    expect(summary.calls).toBe(1);
    expect(summary.accepted).toBe(0);
    expect(summary.failed.map((e) => e.ComplianceResourceId)).toEqual(
      evaluations(3).map((e) => e.ComplianceResourceId),
    );
    expect(summary.errors).toEqual(["batch 1/1 attempt 1: abandoned, the function's time ran out"]);
  });

  it('starts no call once less than the hand-off margin is left', async () => {
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const summary = await putEvaluations(client, evaluations(150), {
      resultToken: TOKEN,
      sleep: noSleep,
      remainingTime: () => HANDOFF_MARGIN_MS - 1,
    });
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
    expect(summary.failed).toHaveLength(150);
    expect(summary.errors[0]).toBe("batch 1/2: not sent, the function's time ran out");
  });

  it('sends as before when time is left', async () => {
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const summary = await putEvaluations(client, evaluations(150), {
      resultToken: TOKEN,
      sleep: noSleep,
      remainingTime: () => 60_000,
    });
    expect(summary.accepted).toBe(150);
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(2);
  });
});

describe('staleEvaluations', () => {
  const RULE = 'rds-tls-only';
  const NOW = new Date('2025-01-15T13:00:00.000Z');

  function result(
    resourceType: string,
    resourceId: string,
    complianceType: EvaluationResult['ComplianceType'],
    evaluationMode: 'DETECTIVE' | 'PROACTIVE' = 'DETECTIVE',
  ): EvaluationResult {
    return {
      EvaluationResultIdentifier: {
        EvaluationResultQualifier: {
          ConfigRuleName: RULE,
          ResourceType: resourceType,
          ResourceId: resourceId,
          EvaluationMode: evaluationMode,
        },
        OrderingTimestamp: new Date('2025-01-14T13:00:00.000Z'),
      },
      ComplianceType: complianceType,
      ResultRecordedTime: new Date('2025-01-14T13:00:05.000Z'),
    };
  }

  it('withdraws resources Config lists that the scan no longer found, across pages', async () => {
    configMock
      .on(GetComplianceDetailsByConfigRuleCommand, { ConfigRuleName: RULE, Limit: 100 })
      .resolves({
        EvaluationResults: [
          result('AWS::RDS::DBInstance', 'db-LIVE0000000000000000000000', 'COMPLIANT'),
          result('AWS::RDS::DBInstance', 'db-GONE0000000000000000000000', 'NON_COMPLIANT'),
        ],
        NextToken: 'page-2',
      })
      .on(GetComplianceDetailsByConfigRuleCommand, { NextToken: 'page-2' })
      .resolves({
        EvaluationResults: [
          result('AWS::RDS::DBCluster', 'cluster-GONE000000000000000000000', 'INSUFFICIENT_DATA'),
          result('AWS::RDS::DBInstance', 'db-WITHDRAWN00000000000000000', 'NOT_APPLICABLE'),
          result('AWS::EC2::Instance', 'i-0123456789abcdef0', 'COMPLIANT'),
          result(
            'AWS::RDS::DBInstance',
            'db-PROPOSED000000000000000000',
            'NON_COMPLIANT',
            'PROACTIVE',
          ),
        ],
      });

    const outcome = await staleEvaluations(
      client,
      RULE,
      new Set(['db-LIVE0000000000000000000000']),
      NOW,
    );

    const calls = configMock.commandCalls(GetComplianceDetailsByConfigRuleCommand);
    expect(calls.map((call) => call.args[0].input)).toEqual([
      { ConfigRuleName: RULE, Limit: 100 },
      { ConfigRuleName: RULE, Limit: 100, NextToken: 'page-2' },
    ]);
    expect(outcome).toEqual({
      ok: true,
      evaluations: [
        {
          ComplianceResourceType: 'AWS::RDS::DBInstance',
          ComplianceResourceId: 'db-GONE0000000000000000000000',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: STALE_ANNOTATION,
          OrderingTimestamp: NOW,
        },
        {
          ComplianceResourceType: 'AWS::RDS::DBCluster',
          ComplianceResourceId: 'cluster-GONE000000000000000000000',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: STALE_ANNOTATION,
          OrderingTimestamp: NOW,
        },
      ],
    });
    expect(STALE_ANNOTATION.toLowerCase()).toContain('resource no longer exists');
  });

  it('returns a named error with what it found before the failure', async () => {
    configMock
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolvesOnce({
        EvaluationResults: [
          result('AWS::RDS::DBInstance', 'db-GONE0000000000000000000000', 'COMPLIANT'),
        ],
        NextToken: 'page-2',
      })
      .rejects(Object.assign(new Error('no'), { name: 'NoSuchConfigRuleException' }));
    const outcome = await staleEvaluations(client, RULE, new Set(), NOW);
    expect(outcome.ok).toBe(false);
    expect(outcome).toMatchObject({
      error: {
        code: 'COMPLIANCE_DETAILS_FAILED',
        message: 'GetComplianceDetailsByConfigRule failed: NoSuchConfigRuleException',
      },
    });
    expect(outcome.evaluations.map((e) => e.ComplianceResourceId)).toEqual([
      'db-GONE0000000000000000000000',
    ]);
  });

  it('stops on a NextToken it has already seen instead of looping', async () => {
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        result('AWS::RDS::DBInstance', 'db-GONE0000000000000000000000', 'COMPLIANT'),
      ],
      NextToken: 'same',
    });
    const outcome = await staleEvaluations(client, RULE, new Set(), NOW);
    expect(configMock.commandCalls(GetComplianceDetailsByConfigRuleCommand)).toHaveLength(2);
    expect(outcome.ok).toBe(true);
    expect(outcome.evaluations).toHaveLength(1);
  });
});

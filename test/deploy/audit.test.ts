import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { schemaInput } from '../../lib/lambda/handler.js';
import type { Inventory, LiveProber } from '../../lib/pipeline.js';
import { jsonReportSchema } from '../../lib/report/index.js';
import type { DatabaseResource } from '../../lib/types.js';
import {
  type AuditDeps,
  auditEventRejected,
  auditEventSchema,
  runAudit,
} from '../../lib/use-cases/audit.js';

function resource(identifier: string, accountId: string): DatabaseResource {
  return {
    resourceType: 'AWS::RDS::DBInstance',
    resourceId: `db-${identifier.toUpperCase()}`,
    identifier,
    accountId,
    region: 'eu-west-1',
    engine: 'postgres',
    engineVersion: '16.3',
    parameterGroup: { name: 'pg16', applyStatus: 'in-sync' },
    optionGroups: [],
    iamDatabaseAuthenticationEnabled: false,
    tags: {},
  };
}

function deps(overrides: Partial<AuditDeps> = {}) {
  const prober: LiveProber = { probe: vi.fn(async () => undefined) };
  const collect = vi.fn(
    async (): Promise<Inventory> => ({
      items: [
        {
          resource: resource('orders', '111111111111'),
          parameters: {
            groupName: 'pg16',
            kind: 'instance',
            parameters: {
              'rds.force_ssl': { name: 'rds.force_ssl', value: '0', origin: 'parameter-group' },
            },
          },
          optionGroups: [],
          gaps: [],
        },
      ],
      problems: [],
      regions: ['eu-west-1'],
    }),
  );
  return {
    prober,
    collect,
    deps: {
      region: 'eu-west-1',
      ownAccountId: '111111111111',
      memberRoleArns: 'arn:aws:iam::222222222222:role/rds-tls-guard-member',
      collect,
      proberFor: () => prober,
      now: () => new Date('2025-01-15T13:00:00.000Z'),
      ...overrides,
    } satisfies AuditDeps,
  };
}

describe('runAudit', () => {
  it('returns a JSON report that matches the published schema', async () => {
    const { deps: d } = deps();
    const report = await runAudit({ liveProbe: false }, d);
    expect(jsonReportSchema.safeParse(report).success).toBe(true);
    expect('databases' in report && report.databases.map((db) => db.identifier)).toEqual([
      'orders',
    ]);
  });

  it('scans the own account and the member accounts, in the requested regions', async () => {
    const { deps: d, collect } = deps();
    await runAudit({ regions: ['us-east-1', 'eu-west-1'], filters: { engines: ['postgres'] } }, d);
    expect(collect).toHaveBeenCalledWith(
      [
        { accountId: '111111111111' },
        {
          accountId: '222222222222',
          roleArn: 'arn:aws:iam::222222222222:role/rds-tls-guard-member',
        },
      ],
      ['us-east-1', 'eu-west-1'],
      { engines: ['postgres'] },
    );
  });

  it('stays in the own account and region when asked to', async () => {
    const { deps: d, collect } = deps();
    await runAudit({ memberAccounts: false }, d);
    expect(collect).toHaveBeenCalledWith([{ accountId: '111111111111' }], ['eu-west-1'], undefined);
  });

  it('probes only when live probing is on', async () => {
    const off = deps();
    await runAudit({ liveProbe: false }, off.deps);
    expect(off.prober.probe).not.toHaveBeenCalled();
    const on = deps();
    await runAudit({}, on.deps);
    expect(on.prober.probe).toHaveBeenCalledTimes(1);
  });

  it('renders other formats as text', async () => {
    const { deps: d } = deps();
    const response = await runAudit({ format: 'csv', liveProbe: false }, d);
    expect(response).toMatchObject({ format: 'csv', body: expect.stringContaining('orders') });
  });

  it('answers a malformed request with a named error before the use case runs', () => {
    const context = {} as Context;
    const validate = schemaInput(auditEventSchema, 'AUDIT_EVENT_INVALID', auditEventRejected);
    expect(validate({ regions: ['moon-1'], extra: true }, context)).toMatchObject({
      ok: false,
      code: 'AUDIT_EVENT_INVALID',
      response: {
        error: {
          code: 'AUDIT_EVENT_INVALID',
          message: 'audit event invalid at: regions.0, (root)',
        },
      },
    });
    expect(validate(null, context)).toEqual({ ok: true, input: {} });
  });

  it('answers a request whose filters are larger than any audit needs with a named error, before anything is listed', () => {
    const validate = schemaInput(auditEventSchema, 'AUDIT_EVENT_INVALID', auditEventRejected);
    const invalidAt = (event: unknown) => {
      const outcome = validate(event, {} as Context);
      return outcome.ok ? undefined : outcome.response;
    };
    // 100,000 identifiers fit in Lambda's 6 MB payload; every listed database would be matched against each.
    const identifiers = Array.from({ length: 100_000 }, (_, index) => `orders-${index}`);
    expect(invalidAt({ filters: { identifiers } })).toEqual({
      error: {
        code: 'AUDIT_EVENT_INVALID',
        message: 'audit event invalid at: filters.identifiers',
      },
    });
    expect(invalidAt({ filters: { engines: ['postgres'.repeat(1_000)] } })).toEqual({
      error: { code: 'AUDIT_EVENT_INVALID', message: 'audit event invalid at: filters.engines.0' },
    });
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v']));
    expect(invalidAt({ filters: { tags } })).toEqual({
      error: { code: 'AUDIT_EVENT_INVALID', message: 'audit event invalid at: filters.tags' },
    });
    expect(invalidAt({ filters: { tags: { team: 'x'.repeat(257) } } })).toEqual({
      error: { code: 'AUDIT_EVENT_INVALID', message: 'audit event invalid at: filters.tags.team' },
    });
    // The largest request the bounds allow still passes.
    expect(
      validate(
        {
          filters: {
            engines: Array.from({ length: 20 }, () => 'aurora-postgresql'),
            identifiers: Array.from(
              { length: 1_000 },
              (_, index) => `arn:aws:rds:eu-west-1:123456789012:db:orders-${index}`,
            ),
            tags: Object.fromEntries(
              Array.from({ length: 50 }, (_, index) => [
                `${index}`.padEnd(128, 'k'),
                'v'.repeat(256),
              ]),
            ),
          },
        },
        {} as Context,
      ).ok,
    ).toBe(true);
  });

  it('answers invalid rule parameters with a named error', async () => {
    const { deps: d, collect } = deps();
    expect(await runAudit({ ruleParameters: { caExpiryDays: 'soon' } }, d)).toMatchObject({
      error: { code: 'RULE_PARAMETERS_INVALID' },
    });
    expect(collect).not.toHaveBeenCalled();
  });
});

/**
 * The Config rule end to end against real servers: AWS APIs mocked with
 * SDK-shaped responses, databases real (PostgreSQL and MariaDB on 127.0.0.1,
 * configured like RDS), evaluations checked as PutEvaluations receives them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigServiceClient,
  type Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import {
  type DBInstance,
  DescribeCertificatesCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reportReserveMs } from '../lib/lambda/time-budget.js';
import {
  generateCertificates,
  type LocalMariadb,
  type LocalPostgres,
  startMariadb,
  startPostgres,
} from '../lib/local/index.js';
import { createLiveProber } from '../lib/probe/index.js';
import { SecretValue } from '../lib/secret-value.js';
import { createCredentialResolver } from '../lib/secrets/index.js';
import { type ConfigRuleDeps, handleConfigRuleEvent } from '../lib/use-cases/config-rule.js';
import { hangingServer } from './fixtures/hostile.js';
import { REAL_SERVER_CONNECT_TIMEOUT_MS } from './fixtures/servers.js';

const CANARY = 'canary-Pa55-live-9d2f41c7';

const rds = mockClient(RDSClient);
const config = mockClient(ConfigServiceClient);
const secrets = mockClient(SecretsManagerClient);

let workDir: string;
let pgTls: LocalPostgres;
let pgOpen: LocalPostgres;
let mariaTls: LocalMariadb;
let mariaOpen: LocalMariadb;
let caPem: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-live-'));
  const certificates = await generateCertificates(join(workDir, 'certs'));
  caPem = certificates.caPem;
  const password = new SecretValue(CANARY);
  [pgTls, pgOpen, mariaTls, mariaOpen] = await Promise.all([
    startPostgres({ certificates, forceSsl: true, masterPassword: password }),
    startPostgres({ certificates, forceSsl: false, masterPassword: password }),
    startMariadb({ certificates, requireSecureTransport: true, masterPassword: password }),
    startMariadb({ certificates, requireSecureTransport: false, masterPassword: password }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([pgTls, pgOpen, mariaTls, mariaOpen].map((server) => server?.stop()));
  await rm(workDir, { recursive: true, force: true });
});

function instance(
  identifier: string,
  server: LocalPostgres | LocalMariadb,
  group: string,
): DBInstance {
  const postgres = server.engine === 'postgres';
  return {
    DBInstanceIdentifier: identifier,
    DbiResourceId: `db-${identifier.toUpperCase().replace(/-/g, '')}`,
    DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${identifier}`,
    Engine: postgres ? 'postgres' : 'mariadb',
    EngineVersion: postgres ? '16.4' : '10.11.9',
    DBInstanceStatus: 'available',
    Endpoint: { Address: 'localhost', Port: server.port },
    MasterUsername: server.masterUser,
    MasterUserSecret: {
      SecretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-${identifier}`,
      SecretStatus: 'active',
    },
    DBParameterGroups: [{ DBParameterGroupName: group, ParameterApplyStatus: 'in-sync' }],
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    IAMDatabaseAuthenticationEnabled: false,
  };
}

function deps(logLines: string[]): ConfigRuleDeps {
  const log = (message: string, extra: Record<string, unknown>): void => {
    logLines.push(`${message} ${JSON.stringify(extra)}`);
  };
  return {
    config: new ConfigServiceClient({ region: 'eu-west-1' }),
    rdsClientFor: () => new RDSClient({ region: 'eu-west-1' }),
    region: 'eu-west-1',
    prober: createLiveProber({
      credentials: createCredentialResolver({
        secretsClientFor: (region) => new SecretsManagerClient({ region }),
      }),
      caBundle: caPem,
      connectTimeoutMs: REAL_SERVER_CONNECT_TIMEOUT_MS,
    }),
    log: { info: log, warn: log, error: log },
    sleep: async () => {},
  };
}

function evaluations(): Evaluation[] {
  return config
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);
}

beforeEach(() => {
  rds.reset();
  config.reset();
  secrets.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  rds.on(DescribeCertificatesCommand).resolves({
    Certificates: [
      { CertificateIdentifier: 'rds-ca-rsa2048-g1', ValidTill: new Date('2061-05-20T00:00:00Z') },
    ],
  });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rds.on(DescribeDBParametersCommand, { DBParameterGroupName: 'tls-on' }).resolves({
    Parameters: [
      { ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user' },
      { ParameterName: 'require_secure_transport', ParameterValue: '1', Source: 'user' },
    ],
  });
  rds.on(DescribeDBParametersCommand, { DBParameterGroupName: 'tls-off' }).resolves({
    Parameters: [
      { ParameterName: 'rds.force_ssl', ParameterValue: '0', Source: 'user' },
      { ParameterName: 'require_secure_transport', ParameterValue: '0', Source: 'user' },
    ],
  });
  // Every local server has the same master user and the canary password.
  secrets.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({
    ARN: input.SecretId,
    SecretString: JSON.stringify({ username: pgTls.masterUser, password: CANARY }),
  }));
});

describe('Config rule with live proof against real servers', () => {
  it('reports the proven verdict of every local database in a scheduled run', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        instance('orders-pg', pgTls, 'tls-on'),
        instance('legacy-pg', pgOpen, 'tls-off'),
        instance('billing-mariadb', mariaTls, 'tls-on'),
        instance('crm-mariadb', mariaOpen, 'tls-off'),
      ],
    });
    const logLines: string[] = [];
    const event = JSON.parse(
      await import('node:fs/promises').then((fs) =>
        fs.readFile(new URL('../events/config-scheduled.json', import.meta.url), 'utf8'),
      ),
    );

    const outcome = await handleConfigRuleEvent(event, deps(logLines));

    expect(outcome.status).toBe('evaluated');
    const byId = new Map(evaluations().map((e) => [e.ComplianceResourceId, e]));
    expect(byId.get('db-ORDERSPG')?.ComplianceType).toBe('COMPLIANT');
    expect(byId.get('db-BILLINGMARIADB')?.ComplianceType).toBe('COMPLIANT');
    expect(byId.get('db-LEGACYPG')?.ComplianceType).toBe('NON_COMPLIANT');
    expect(byId.get('db-CRMMARIADB')?.ComplianceType).toBe('NON_COMPLIANT');
    expect(byId.get('db-ORDERSPG')?.Annotation).toContain('plaintext refused');
    expect(byId.get('db-LEGACYPG')?.Annotation).toContain('plaintext accepted');

    const everything = JSON.stringify({ outcome, evaluations: evaluations(), logLines });
    expect(everything).not.toContain(CANARY);
  }, 60_000);

  it('names the disagreement when the group says force_ssl=1 but the server accepts plaintext', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [instance('drifted-pg', pgOpen, 'tls-on')],
    });
    const event = JSON.parse(
      await import('node:fs/promises').then((fs) =>
        fs.readFile(new URL('../events/config-scheduled.json', import.meta.url), 'utf8'),
      ),
    );

    await handleConfigRuleEvent(event, deps([]));

    const [evaluation] = evaluations();
    expect(evaluation?.ComplianceType).toBe('NON_COMPLIANT');
    expect(evaluation?.Annotation).toMatch(
      /configuration says TLS-only .* but the server disagrees/,
    );
  }, 60_000);
});

describe('Config rule running out of the invocation’s time', () => {
  it('reports the databases it judged and the hung one as not judged, within the time Lambda gave it', async () => {
    const hanging = await hangingServer();
    try {
      rds.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [
          instance('orders-pg', pgTls, 'tls-on'),
          {
            ...instance('stuck-pg', pgTls, 'tls-on'),
            Endpoint: { Address: '127.0.0.1', Port: hanging.port },
          },
        ],
      });
      const event = JSON.parse(
        await import('node:fs/promises').then((fs) =>
          fs.readFile(new URL('../events/config-scheduled.json', import.meta.url), 'utf8'),
        ),
      );
      // The hung probe would wait minutes; only the invocation's deadline ends it.
      const scanMs = 6_000;
      const end = Date.now() + reportReserveMs(2) + scanMs;
      const started = Date.now();
      const outcome = await handleConfigRuleEvent(event, {
        ...deps([]),
        prober: createLiveProber({
          credentials: createCredentialResolver({
            secretsClientFor: (region) => new SecretsManagerClient({ region }),
          }),
          caBundle: caPem,
          connectTimeoutMs: 60_000,
          probeTimeoutMs: 120_000,
        }),
        remainingTime: () => end - Date.now(),
      });

      expect(Date.now() - started).toBeLessThan(scanMs + 10_000);
      expect(outcome.status).toBe('evaluated');
      const byId = new Map(evaluations().map((e) => [e.ComplianceResourceId, e]));
      expect(byId.get('db-ORDERSPG')?.ComplianceType).toBe('COMPLIANT');
      expect(byId.get('db-STUCKPG')).toEqual({
        ComplianceResourceType: 'AWS::RDS::DBInstance',
        ComplianceResourceId: 'db-STUCKPG',
        ComplianceType: 'NON_COMPLIANT',
        OrderingTimestamp: expect.any(Date),
        Annotation: "INSUFFICIENT_DATA: not judged before the function's time ran out",
      });
    } finally {
      await hanging.close();
    }
  }, 60_000);
});

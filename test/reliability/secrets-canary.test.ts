/**
 * A canary password travels through a whole scan: it is the real master
 * password of a local PostgreSQL, the password in every secret (including
 * secrets that are not JSON or lack fields), and a thief server asks for it
 * in cleartext and quotes it back in its error. It must appear in no log
 * line, error message, annotation, Config evaluation, metric or report.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  ConfigServiceClient,
  type Evaluation,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type CertificateSet,
  generateCertificates,
  type LocalPostgres,
  startPostgres,
} from '../../lib/local/index.js';
import {
  createLogger,
  createMetrics,
  recordScanMetrics,
  structuredLog,
  summarizeScan,
} from '../../lib/observability/index.js';
import type { InventoryItem } from '../../lib/pipeline.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { REPORT_FORMATS, renderReport } from '../../lib/report/index.js';
import { scan } from '../../lib/scan.js';
import { SecretValue } from '../../lib/secret-value.js';
import { createCredentialResolver } from '../../lib/secrets/index.js';
import { DEFAULT_RULE_PARAMETERS, type ScanResult } from '../../lib/types.js';
import { handleConfigRuleEvent } from '../../lib/use-cases/config-rule.js';
import { loadEvent } from '../config/events.js';
import { type HostileServer, type ReceivedPassword, refusedPort, startHostile } from './hostile.js';
import {
  account,
  CANARY,
  compliantMariadbItem,
  compliantPostgresItem,
  forceSslParameters,
  itemOf,
  mutatedEvent,
  postgresInstance,
  REGION,
  servedRds,
  serviceError,
} from './support.js';

const HOST = '127.0.0.1';
const TAG = DEFAULT_RULE_PARAMETERS.secretTagKey;
const ARN = (name: string) => `arn:aws:secretsmanager:${REGION}:123456789012:secret:${name}-AbCdEf`;

/** What each secret holds; every one of them carries the canary somewhere. */
const SECRETS: Record<string, string | Error> = {
  master: JSON.stringify({ username: 'probe_master', password: CANARY, dbname: 'postgres' }),
  bare: CANARY,
  'no-user': JSON.stringify({ password: CANARY }),
  'broken-json': `{"username":"probe_master","password":"${CANARY}"`,
  'other-db': JSON.stringify({
    username: 'probe_master',
    password: CANARY,
    dbInstanceIdentifier: 'someone-else',
  }),
  'error-echo': Object.assign(new Error(`cannot decrypt ${CANARY}`), {
    name: 'InternalServiceError',
  }),
};

const secretsMock = mockClient(SecretsManagerClient);
const configMock = mockClient(ConfigServiceClient);
let workDir: string;
let certificates: CertificateSet;
let postgres: LocalPostgres;
let thief: HostileServer;
const stolen: ReceivedPassword[] = [];
/** Every byte written to stdout/stderr and every console call while the scan runs. */
const output: string[] = [];

function captureOutput(): () => void {
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    }),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    }),
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        output.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '));
      }),
    ),
  ];
  return () => {
    for (const spy of spies) spy.mockRestore();
  };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'reliability-canary-'));
  certificates = await generateCertificates(workDir);
  postgres = await startPostgres({
    certificates,
    masterUser: 'probe_master',
    masterPassword: new SecretValue(CANARY),
    forceSsl: true,
  });
  thief = await startHostile({
    kind: 'postgres-echo',
    cert: certificates.servers.valid.certPem,
    key: certificates.servers.valid.keyPem,
    received: stolen,
  });
  secretsMock.on(GetSecretValueCommand).callsFake((input: { SecretId?: string }) => {
    const name = Object.keys(SECRETS).find((key) => input.SecretId === ARN(key));
    const value = name === undefined ? undefined : SECRETS[name];
    if (value === undefined) throw serviceError('ResourceNotFoundException', 'no such secret');
    if (value instanceof Error) throw value;
    return { ARN: input.SecretId, SecretString: value };
  });
}, 120_000);

afterAll(async () => {
  secretsMock.restore();
  configMock.restore();
  await thief?.close();
  await postgres?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function prober() {
  return createLiveProber({
    credentials: createCredentialResolver({
      secretsClientFor: () => new SecretsManagerClient({ region: REGION }),
    }),
    caBundle: certificates.caPem,
    // Generous: these tests are about what is sent, not about time; a loaded
    // machine must not turn a real server's outcome into TIMEOUT.
    connectTimeoutMs: 10_000,
    probeTimeoutMs: 20_000,
  });
}

function tagged(item: InventoryItem, secret: string): InventoryItem {
  return { ...item, resource: { ...item.resource, tags: { [TAG]: ARN(secret) } } };
}

function outcomes(result: ScanResult): Record<string, string> {
  return Object.fromEntries(
    result.evaluations.map((e) => [
      e.resource.identifier,
      `${e.finding.verdict} ${e.liveFinding?.reason ?? 'no-probe'}`,
    ]),
  );
}

describe('a whole scan with the canary as the real password', () => {
  let result: ScanResult;
  let evaluationsSent: Evaluation[] = [];

  beforeAll(async () => {
    const restore = captureOutput();
    try {
      const logger = createLogger({ logLevel: 'DEBUG' });
      const log = structuredLog(logger);
      const items = [
        tagged(compliantPostgresItem('healthy', { address: HOST, port: postgres.port }), 'master'),
        tagged(compliantPostgresItem('thief', { address: HOST, port: thief.port }), 'master'),
        tagged(
          compliantMariadbItem('maria-down', { address: HOST, port: await refusedPort() }),
          'master',
        ),
        ...['bare', 'no-user', 'broken-json', 'other-db', 'error-echo'].map((secret) =>
          tagged(compliantPostgresItem(secret, { address: HOST, port: postgres.port }), secret),
        ),
      ];
      result = await scan({
        inventory: async () => ({ items, problems: [], regions: [REGION] }),
        ruleParameters: { ...DEFAULT_RULE_PARAMETERS, requireLiveProbe: true },
        prober: prober(),
      });
      // What the handlers log, and a deliberately careless dump of everything.
      log.info('scan done', { ...summarizeScan(result) });
      for (const evaluation of result.evaluations) {
        log.debug('evaluation', { evaluation });
      }
      log.warn('problems', { problems: result.problems });
      const metrics = createMetrics();
      recordScanMetrics(metrics, result);
      metrics.publishStoredMetrics();

      // The same thief reached through the Config rule, logging with Powertools.
      const served = servedRds(
        account([postgresInstance('app-pg', 'pg15-force-ssl')], {
          'pg15-force-ssl': forceSslParameters('1'),
        }),
      );
      configMock.on(PutEvaluationsCommand).callsFake((input: { Evaluations?: Evaluation[] }) => {
        evaluationsSent.push(...(input.Evaluations ?? []));
        return { FailedEvaluations: [] };
      });
      const event = mutatedEvent(loadEvent('config-change-instance-postgres.json'), (invoking) => {
        const item = itemOf(invoking);
        item.configuration.endpoint = { address: HOST, port: thief.port };
        item.tags = { [TAG]: ARN('master') };
      });
      const outcome = await handleConfigRuleEvent(
        { ...event, ruleParameters: JSON.stringify({ requireLiveProbe: 'true' }) },
        {
          config: new ConfigServiceClient({ region: REGION }),
          rdsClientFor: () => served.client,
          region: REGION,
          prober: prober(),
          log: structuredLog(logger),
          sleep: async () => {},
        },
      );
      logger.info('config rule done', { outcome });
    } finally {
      restore();
    }
    evaluationsSent = [...evaluationsSent];
  }, 60_000);

  it('every database is evaluated with the named outcome its secret or server gives', () => {
    expect(outcomes(result)).toEqual({
      healthy: 'COMPLIANT PLAINTEXT_REFUSED',
      thief: 'NON_COMPLIANT PLAINTEXT_ACCEPTED',
      'maria-down': 'INSUFFICIENT_DATA UNREACHABLE',
      bare: 'INSUFFICIENT_DATA SECRET_NOT_JSON',
      'no-user': 'INSUFFICIENT_DATA SECRET_INCOMPLETE',
      'broken-json': 'INSUFFICIENT_DATA SECRET_NOT_JSON',
      'other-db': 'INSUFFICIENT_DATA SECRET_FOR_OTHER_DATABASE',
      'error-echo': 'INSUFFICIENT_DATA SECRET_LOOKUP_FAILED',
    });
  });

  it('the plaintext probe never sent the real password, even to a server that asked for it in cleartext', () => {
    const plaintext = stolen.filter((received) => !received.overTls);
    expect(plaintext.length).toBeGreaterThan(0);
    for (const received of plaintext) expect(received.password).not.toContain(CANARY);
    // Over verified TLS the thief did get it and quoted it back: the leak checks below are live.
    expect(stolen.some((received) => received.overTls && received.password === CANARY)).toBe(true);
  });

  it('no log line, metric or console output contains the canary', () => {
    expect(output.length).toBeGreaterThan(0);
    expect(output.join('\n')).toContain('scan done');
    expect(output.join('\n')).toContain('DatabasesScanned');
    const leaks = output.filter((line) => line.includes(CANARY));
    expect(leaks).toEqual([]);
  });

  it('no annotation, remediation, evidence or problem contains the canary (JSON and util.inspect of the whole result)', () => {
    expect(JSON.stringify(result)).not.toContain(CANARY);
    expect(inspect(result, { depth: null, maxStringLength: null })).not.toContain(CANARY);
  });

  it('no PutEvaluations annotation contains the canary', () => {
    expect(evaluationsSent).toHaveLength(1);
    expect(evaluationsSent[0]?.ComplianceType).toBe('NON_COMPLIANT');
    expect(JSON.stringify(evaluationsSent)).not.toContain(CANARY);
  });

  for (const format of REPORT_FORMATS) {
    it(`the ${format} report does not contain the canary`, () => {
      const report = renderReport(result, format, { accountId: '123456789012' });
      expect(report).toContain('thief');
      expect(report).not.toContain(CANARY);
    });
  }
});

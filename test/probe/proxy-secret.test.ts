/**
 * The proxy's own credentials path end to end: the secret named by the
 * proxy's Secrets Manager auth entry comes from a mocked Secrets Manager,
 * and the verify-full TLS login runs through a real PgBouncer standing in
 * for RDS Proxy with client TLS required.
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPostgres } from '../../lib/local/index.js';
import { type LocalPgbouncer, startPgbouncer } from '../../lib/local/pgbouncer.js';
import type { InventoryItem } from '../../lib/pipeline.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { evaluateWithSecretsManager, localProxyItem, usePostgres } from '../fixtures/servers.js';

const PROXY_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-proxy-app-AbCdEf';

const secretsManager = mockClient(SecretsManagerClient);
let database: LocalPostgres;
let bouncer: LocalPgbouncer;

beforeAll(async () => {
  database = usePostgres();
  await database.setForceSsl(true);
  bouncer = await startPgbouncer({ backend: database, clientTlsMode: 'require' });
}, 60_000);

afterAll(async () => {
  await bouncer?.stop();
});

afterEach(() => secretsManager.reset());

function proxyWithSecretAuth(): InventoryItem {
  const item = localProxyItem({
    engineFamily: 'POSTGRESQL',
    identifier: 'orders-proxy',
    resourceId: 'prx-0a1b2c3d4e5f67890',
    port: bouncer.port,
    requireTls: true,
    target: 'local-postgres',
  });
  const proxy = item.resource.proxy as NonNullable<InventoryItem['resource']['proxy']>;
  return {
    ...item,
    resource: {
      ...item.resource,
      proxy: {
        ...proxy,
        auth: [
          {
            authScheme: 'SECRETS',
            secretArn: PROXY_SECRET,
            iamAuth: 'DISABLED',
            clientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
          },
        ],
      },
    },
  };
}

function evaluate(item: InventoryItem, ruleParameters = DEFAULT_RULE_PARAMETERS) {
  return evaluateWithSecretsManager(item, ruleParameters, {
    ca: database.ca,
    connectTimeoutMs: 2_000,
  });
}

describe('the proxy’s Secrets Manager auth entry as the probe’s credentials', () => {
  it('logs in through the proxy with verify-full TLS using the secret the auth entry names', async () => {
    // GetSecretValue response shape: Secrets Manager API Reference, GetSecretValue;
    // an RDS Proxy secret holds username and password (RDS User Guide, rds-proxy-secrets-arns).
    secretsManager.on(GetSecretValueCommand, { SecretId: PROXY_SECRET }).resolves({
      ARN: PROXY_SECRET,
      Name: 'orders-proxy-app',
      SecretString: JSON.stringify({
        username: database.masterUser,
        password: database.masterPassword.reveal(),
      }),
      VersionStages: ['AWSCURRENT'],
    });

    const evaluation = await evaluate(proxyWithSecretAuth());

    expect(evaluation.liveFinding?.verdict).toBe('COMPLIANT');
    expect(evaluation.finding.reason).toBe('TLS_PROVEN');
    expect(evaluation.finding.evidence).toContainEqual({
      source: 'probe',
      label: 'default: credentials',
      value: `${database.masterUser} from proxy-auth (${PROXY_SECRET})`,
    });
    expect(
      evaluation.finding.evidence.find((entry) => entry.label === 'default: verify-full TLS')
        ?.value,
    ).toMatch(/^TLSv1\.[23] /);
    expect(JSON.stringify(evaluation)).not.toContain(database.masterPassword.reveal());
  });

  it('names a missing proxy secret as the live outcome (INSUFFICIENT_DATA); with live proof required the verdict is INSUFFICIENT_DATA', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const evaluation = await evaluate(proxyWithSecretAuth());
    expect(evaluation.liveFinding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(evaluation.liveFinding?.reason).toBe('SECRET_NOT_FOUND');
    expect(evaluation.liveFinding?.annotation).toContain(`secret ${PROXY_SECRET} was not found`);
    // Nothing was proven: the configuration verdict stands, saying the live probe did not run.
    expect(evaluation.finding.reason).not.toBe('TLS_PROVEN');
    expect(evaluation.finding.annotation).toContain(`secret ${PROXY_SECRET} was not found`);

    const required = await evaluate(proxyWithSecretAuth(), {
      ...DEFAULT_RULE_PARAMETERS,
      requireLiveProbe: true,
    });
    expect(required.finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(required.finding.reason).toBe('SECRET_NOT_FOUND');
  });
});

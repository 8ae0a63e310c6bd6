import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretValue } from '../../lib/secret-value.js';
import {
  checkSecretTarget,
  createCredentialResolver,
  IAM_USER_TAG,
  type IamTokenRequest,
  selectCredentialSource,
} from '../../lib/secrets/index.js';
import type { DatabaseResource, ProxyAuthEntry } from '../../lib/types.js';
import { CANARY, instance, ruleParameters, secretArn } from './sample-resources.js';

const PROXY_SECRET = secretArn('orders-proxy-app');

function proxy(auth: ProxyAuthEntry[]): DatabaseResource {
  return instance({
    resourceType: 'AWS::RDS::DBProxy',
    resourceId: 'prx-0a1b2c3d4e5f67890',
    identifier: 'orders-proxy',
    engine: 'POSTGRESQL',
    engineVersion: 'proxy',
    masterUsername: undefined,
    proxy: {
      requireTls: true,
      engineFamily: 'POSTGRESQL',
      endpoints: [],
      auth,
      targets: [{ type: 'RDS_INSTANCE', identifier: 'orders-db' }],
    },
  });
}

describe('credentials for an RDS Proxy', () => {
  it('uses the secret of the proxy’s Secrets Manager auth entry', () => {
    const resource = proxy([
      { authScheme: 'SECRETS', secretArn: PROXY_SECRET, iamAuth: 'DISABLED' },
    ]);
    expect(selectCredentialSource(resource, ruleParameters(), false)).toEqual({
      kind: 'secret',
      secretId: PROXY_SECRET,
      region: 'eu-west-1',
      origin: 'proxy-auth',
    });
  });

  it('signs an IAM token for the auth entry’s user when the proxy requires IAM authentication', () => {
    const resource = proxy([
      { authScheme: 'SECRETS', secretArn: PROXY_SECRET, iamAuth: 'REQUIRED', userName: 'app' },
    ]);
    expect(selectCredentialSource(resource, ruleParameters(), true)).toEqual({
      kind: 'iam',
      username: 'app',
    });
  });

  it('sends no password to a proxy that requires IAM authentication when the probe may not use IAM', () => {
    const resource = proxy([
      { authScheme: 'SECRETS', secretArn: PROXY_SECRET, iamAuth: 'REQUIRED' },
    ]);
    expect(selectCredentialSource(resource, ruleParameters(), false)).toEqual({
      kind: 'none',
      message:
        'proxy orders-proxy requires IAM authentication: enable IAM authentication for the probe',
    });
  });

  it('lets the secretArns rule parameter override the proxy’s own path', () => {
    const mapped = secretArn('mapped');
    const resource = proxy([{ authScheme: 'SECRETS', secretArn: PROXY_SECRET }]);
    expect(
      selectCredentialSource(
        resource,
        ruleParameters({ secretArns: { 'orders-proxy': mapped } }),
        false,
      ),
    ).toMatchObject({ kind: 'secret', secretId: mapped, origin: 'rule-parameter' });
  });

  it('accepts a secret naming a database behind the proxy and refuses one naming another', () => {
    const resource = proxy([{ authScheme: 'SECRETS', secretArn: PROXY_SECRET }]);
    const secret = (dbInstanceIdentifier: string) => ({
      kind: 'secret' as const,
      username: 'app',
      password: new SecretValue(CANARY),
      dbInstanceIdentifier,
    });
    expect(checkSecretTarget(PROXY_SECRET, secret('orders-db'), resource)).toBeUndefined();
    expect(checkSecretTarget(PROXY_SECRET, secret('billing-db'), resource)).toEqual({
      kind: 'failure',
      reason: 'SECRET_FOR_OTHER_DATABASE',
      message: `secret ${PROXY_SECRET} belongs to database billing-db, not a database behind proxy orders-proxy; credentials not sent`,
    });
  });

  it('prefers the password of an IAMAuth ENABLED entry: either works, and a password needs no IAM grant', () => {
    const resource = proxy([
      { authScheme: 'SECRETS', secretArn: PROXY_SECRET, iamAuth: 'ENABLED' },
    ]);
    expect(selectCredentialSource(resource, ruleParameters(), true)).toMatchObject({
      kind: 'secret',
      secretId: PROXY_SECRET,
      origin: 'proxy-auth',
    });
  });

  it('uses the password entry when another entry requires IAM', () => {
    const other = secretArn('orders-proxy-iam');
    const resource = proxy([
      { authScheme: 'SECRETS', secretArn: other, iamAuth: 'REQUIRED' },
      { authScheme: 'SECRETS', secretArn: PROXY_SECRET, iamAuth: 'DISABLED' },
    ]);
    expect(selectCredentialSource(resource, ruleParameters(), false)).toMatchObject({
      kind: 'secret',
      secretId: PROXY_SECRET,
    });
  });

  it('signs for the user in the entry’s secret when an IAM-only entry names no user', () => {
    const resource = proxy([
      { authScheme: 'SECRETS', secretArn: PROXY_SECRET, iamAuth: 'REQUIRED' },
    ]);
    expect(selectCredentialSource(resource, ruleParameters(), true)).toEqual({
      kind: 'iam-user-from-secret',
      secretId: PROXY_SECRET,
      region: 'eu-west-1',
    });
  });

  it('signs for the user the proxy’s own tag names under end-to-end IAM (DefaultAuthScheme IAM_AUTH)', () => {
    const base = proxy([]);
    const resource: DatabaseResource = {
      ...base,
      tags: { [IAM_USER_TAG]: 'probe_iam' },
      proxy: {
        ...(base.proxy as NonNullable<DatabaseResource['proxy']>),
        defaultAuthScheme: 'IAM_AUTH',
      },
    };
    expect(selectCredentialSource(resource, ruleParameters(), true)).toEqual({
      kind: 'iam',
      username: 'probe_iam',
    });
    expect(selectCredentialSource({ ...resource, tags: {} }, ruleParameters(), true)).toEqual({
      kind: 'none',
      message: `proxy orders-proxy requires IAM authentication but names no user to sign for: tag the proxy ${IAM_USER_TAG}=<user>`,
    });
  });

  it('takes the proxy’s secret tag like a database’s', () => {
    const tagged = secretArn('tagged');
    const resource = {
      ...proxy([{ authScheme: 'SECRETS', secretArn: PROXY_SECRET }]),
      tags: { [ruleParameters().secretTagKey]: tagged },
    };
    expect(selectCredentialSource(resource, ruleParameters(), false)).toMatchObject({
      kind: 'secret',
      secretId: tagged,
      origin: 'tag',
    });
  });
});

describe('resolving an IAM token for the user of a proxy’s IAM-only auth entry', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  afterEach(() => secretsManager.reset());

  it('reads only the user name from the secret and signs a token for it at the proxy endpoint', async () => {
    // GetSecretValue response shape: Secrets Manager API Reference, GetSecretValue.
    secretsManager.on(GetSecretValueCommand).resolves({
      ARN: PROXY_SECRET,
      Name: 'orders-proxy-app',
      SecretString: JSON.stringify({ username: 'app', password: CANARY }),
      VersionStages: ['AWSCURRENT'],
    });
    const requests: IamTokenRequest[] = [];
    const resolver = createCredentialResolver({
      secretsClientFor: () => new SecretsManagerClient({ region: 'eu-west-1' }),
      useIamAuth: true,
      signerFor: (request) => {
        requests.push(request);
        return { getAuthToken: async () => 'signed-token' };
      },
    });
    const resource = {
      ...proxy([{ authScheme: 'SECRETS', secretArn: PROXY_SECRET, iamAuth: 'REQUIRED' }]),
      endpoint: {
        address: 'orders-proxy.proxy-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
        port: 5432,
      },
    };
    const outcome = await resolver.resolve(resource, ruleParameters());
    expect(outcome.kind).toBe('resolved');
    if (outcome.kind !== 'resolved') return;
    expect(outcome.credentials.username).toBe('app');
    expect(outcome.credentials.origin).toBe('iam');
    expect(outcome.credentials.password.reveal()).toBe('signed-token');
    expect(requests.map(({ hostname, port, username }) => ({ hostname, port, username }))).toEqual([
      {
        hostname: 'orders-proxy.proxy-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
        port: 5432,
        username: 'app',
      },
    ]);
  });
});

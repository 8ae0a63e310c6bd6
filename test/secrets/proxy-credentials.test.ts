import { describe, expect, it } from 'vitest';
import { SecretValue } from '../../lib/secret-value.js';
import { checkSecretTarget, selectCredentialSource } from '../../lib/secrets/index.js';
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
});

import { describe, expect, it } from 'vitest';
import { IAM_USER_TAG, selectCredentialSource } from '../../lib/secrets/index.js';
import { instance, ruleParameters, secretArn } from './sample-resources.js';

const MAPPED = secretArn('mapped');
const TAGGED = secretArn('tagged');
const MASTER = secretArn('rds!db-1234');

/** A database offering every source at once, to show which one wins. */
const everything = instance({
  tags: { 'rds-tls-guard:secret-arn': TAGGED, [IAM_USER_TAG]: 'probe_iam' },
  masterUserSecretArn: MASTER,
  iamDatabaseAuthenticationEnabled: true,
});

describe('selectCredentialSource precedence', () => {
  it('prefers the secretArns rule parameter over tag, master secret and IAM', () => {
    expect(
      selectCredentialSource(
        everything,
        ruleParameters({ secretArns: { 'orders-db': MAPPED } }),
        true,
      ),
    ).toEqual({ kind: 'secret', secretId: MAPPED, region: 'eu-west-1', origin: 'rule-parameter' });
  });

  it('uses the secret tag when no rule parameter maps the database', () => {
    expect(
      selectCredentialSource(
        everything,
        ruleParameters({ secretArns: { 'other-db': MAPPED } }),
        true,
      ),
    ).toEqual({ kind: 'secret', secretId: TAGGED, region: 'eu-west-1', origin: 'tag' });
  });

  it('reads the tag named by secretTagKey, not the default one', () => {
    const resource = instance({ tags: { 'team:db-secret': 'prod/orders/probe' } });
    expect(
      selectCredentialSource(resource, ruleParameters({ secretTagKey: 'team:db-secret' }), false),
    ).toEqual({
      kind: 'secret',
      secretId: 'prod/orders/probe',
      region: 'eu-west-1',
      origin: 'tag',
    });
  });

  it('uses the RDS-managed master secret when there is no mapping and no tag', () => {
    const resource = { ...everything, tags: { [IAM_USER_TAG]: 'probe_iam' } };
    expect(selectCredentialSource(resource, ruleParameters(), true)).toEqual({
      kind: 'secret',
      secretId: MASTER,
      region: 'eu-west-1',
      origin: 'MasterUserSecret',
    });
  });

  it('falls back to IAM with the user from the IAM user tag', () => {
    const resource = {
      ...everything,
      tags: { [IAM_USER_TAG]: 'probe_iam' },
      masterUserSecretArn: undefined,
    };
    expect(selectCredentialSource(resource, ruleParameters(), true)).toEqual({
      kind: 'iam',
      username: 'probe_iam',
    });
  });

  it('signs IAM tokens for the master username when no IAM user tag is set', () => {
    const resource = instance({ iamDatabaseAuthenticationEnabled: true });
    expect(selectCredentialSource(resource, ruleParameters(), true)).toEqual({
      kind: 'iam',
      username: 'postgres',
    });
  });

  it('does not use IAM when the database has IAM authentication disabled', () => {
    const resource = instance({ tags: { [IAM_USER_TAG]: 'probe_iam' } });
    expect(selectCredentialSource(resource, ruleParameters(), true).kind).toBe('none');
  });

  it('does not use IAM when the resolver was not asked to, and says IAM is available', () => {
    const resource = instance({ iamDatabaseAuthenticationEnabled: true });
    expect(selectCredentialSource(resource, ruleParameters(), false)).toEqual({
      kind: 'none',
      message:
        'no credentials for orders-db: map it in secretArns, tag it rds-tls-guard:secret-arn=<secret ARN>, or use an RDS-managed master secret, or enable IAM authentication for the probe',
    });
  });

  it('explains that IAM has no user when neither the tag nor a master username exists', () => {
    const resource = instance({
      iamDatabaseAuthenticationEnabled: true,
      masterUsername: undefined,
    });
    expect(selectCredentialSource(resource, ruleParameters(), true)).toEqual({
      kind: 'none',
      message: `orders-db has IAM authentication enabled but no user to sign for: set the tag ${IAM_USER_TAG}`,
    });
  });

  it('ignores an empty secret tag and moves on to the master secret', () => {
    const resource = instance({
      tags: { 'rds-tls-guard:secret-arn': '  ' },
      masterUserSecretArn: MASTER,
    });
    expect(selectCredentialSource(resource, ruleParameters(), false)).toMatchObject({
      secretId: MASTER,
      origin: 'MasterUserSecret',
    });
  });

  it('matches a secretArns key typed in another case than the RDS identifier', () => {
    expect(
      selectCredentialSource(
        instance(),
        ruleParameters({ secretArns: { 'Orders-DB': MAPPED } }),
        false,
      ),
    ).toMatchObject({ secretId: MAPPED, origin: 'rule-parameter' });
  });
});

describe('selectCredentialSource region', () => {
  it('takes the region from the secret ARN when it names one', () => {
    const arn = secretArn('central', 'us-east-1');
    expect(
      selectCredentialSource(
        instance(),
        ruleParameters({ secretArns: { 'orders-db': arn } }),
        false,
      ),
    ).toMatchObject({ region: 'us-east-1' });
  });

  it("uses the database's region for a secret given by name", () => {
    const resource = instance({
      region: 'ap-southeast-2',
      tags: { 'rds-tls-guard:secret-arn': 'prod/orders/probe' },
    });
    expect(selectCredentialSource(resource, ruleParameters(), false)).toMatchObject({
      region: 'ap-southeast-2',
    });
  });
});

import { inspect } from 'node:util';
import {
  DecryptionFailure,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  InvalidRequestException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CredentialOutcome, DatabaseCredentials } from '../../lib/pipeline.js';
import {
  type CredentialResolverOptions,
  createCredentialResolver,
  IAM_USER_TAG,
  type IamTokenRequest,
} from '../../lib/secrets/index.js';
import type { DatabaseResource } from '../../lib/types.js';
import { CANARY, cluster, instance, ruleParameters, secretArn } from './sample-resources.js';

const secretsManager = mockClient(SecretsManagerClient);
const MASTER = secretArn('rds!db-3f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6');
const SHARED = secretArn('prod/shared-probe');

const metadata = { httpStatusCode: 400, requestId: '5a3f0b6e-0d7c-4f1b-9d35-1f0c2d3e4a5b' };

function secretResponse(
  arn: string,
  secretString: string | undefined,
  extra: Partial<GetSecretValueCommandOutput> = {},
): GetSecretValueCommandOutput {
  return {
    $metadata: { httpStatusCode: 200, requestId: '8d2c7e1f-3b4a-4c5d-9e6f-7a8b9c0d1e2f' },
    ARN: arn,
    Name: arn.split(':')[6]?.replace(/-[A-Za-z0-9]{6}$/, ''),
    VersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    ...(secretString !== undefined ? { SecretString: secretString } : {}),
    VersionStages: ['AWSCURRENT'],
    CreatedDate: new Date('2025-03-01T10:00:00Z'),
    ...extra,
  };
}

function accessDenied(): SecretsManagerServiceException {
  return new SecretsManagerServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: metadata,
    message:
      'User: arn:aws:sts::123456789012:assumed-role/rds-tls-guard/probe is not authorized to perform: secretsmanager:GetSecretValue',
  });
}

function throttled(): SecretsManagerServiceException {
  return new SecretsManagerServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { ...metadata, attempts: 3 },
    message: 'Rate exceeded',
  });
}

function resolverWith(options: Partial<CredentialResolverOptions> = {}) {
  const clientRegions: string[] = [];
  const resolver = createCredentialResolver({
    secretsClientFor: (region) => {
      clientRegions.push(region);
      return new SecretsManagerClient({ region });
    },
    ...options,
  });
  return { resolver, clientRegions };
}

function resolved(outcome: CredentialOutcome): DatabaseCredentials {
  if (outcome.kind !== 'resolved') {
    throw new Error(`expected credentials, got ${outcome.reason}: ${outcome.message}`);
  }
  return outcome.credentials;
}

function masterDb(overrides: Partial<DatabaseResource> = {}): DatabaseResource {
  return instance({ masterUserSecretArn: MASTER, ...overrides });
}

function getSecretValueCalls(): string[] {
  return secretsManager
    .commandCalls(GetSecretValueCommand)
    .map((call) => call.args[0].input.SecretId ?? '');
}

beforeEach(() => {
  secretsManager.reset();
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('resolving a secret', () => {
  it('resolves the RDS-managed master secret to its username and a wrapped password', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: MASTER })
      .resolves(secretResponse(MASTER, JSON.stringify({ username: 'postgres', password: CANARY })));
    const { resolver, clientRegions } = resolverWith();

    const credentials = resolved(await resolver.resolve(masterDb(), ruleParameters()));

    expect(credentials).toEqual({
      username: 'postgres',
      password: expect.anything(),
      origin: 'MasterUserSecret',
      reference: MASTER,
    });
    expect(credentials.password.reveal()).toBe(CANARY);
    expect(clientRegions).toEqual(['eu-west-1']);
    expect(getSecretValueCalls()).toEqual([MASTER]);
  });

  it('resolves a rotation-style secret from the tag, with dbname as the database', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'prod/orders/probe' }).resolves(
      secretResponse(
        SHARED,
        JSON.stringify({
          engine: 'postgres',
          host: 'orders-db.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
          port: 5432,
          username: 'tls_probe',
          password: CANARY,
          dbname: 'orders',
          dbInstanceIdentifier: 'orders-db',
        }),
      ),
    );
    const { resolver } = resolverWith();
    const resource = instance({ tags: { 'rds-tls-guard:secret-arn': 'prod/orders/probe' } });

    const credentials = resolved(await resolver.resolve(resource, ruleParameters()));

    expect(credentials).toMatchObject({
      username: 'tls_probe',
      database: 'orders',
      origin: 'tag',
      // The ARN Secrets Manager answers with, not the name the tag used.
      reference: SHARED,
    });
  });

  it('fetches a secret from the region its ARN names, not the database region', async () => {
    const central = secretArn('central-probe', 'us-east-1');
    secretsManager
      .on(GetSecretValueCommand, { SecretId: central })
      .resolves(secretResponse(central, JSON.stringify({ username: 'app', password: CANARY })));
    const { resolver, clientRegions } = resolverWith();

    const outcome = await resolver.resolve(
      instance(),
      ruleParameters({ secretArns: { 'orders-db': central } }),
    );

    expect(resolved(outcome).origin).toBe('rule-parameter');
    expect(clientRegions).toEqual(['us-east-1']);
  });

  it('fetches only the secret that wins precedence', async () => {
    const mapped = secretArn('mapped');
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(secretResponse(mapped, JSON.stringify({ username: 'app', password: CANARY })));
    const signer = vi.fn();
    const { resolver } = resolverWith({ useIamAuth: true, signerFor: signer });
    const resource = masterDb({
      tags: { 'rds-tls-guard:secret-arn': secretArn('tagged') },
      iamDatabaseAuthenticationEnabled: true,
    });

    await resolver.resolve(resource, ruleParameters({ secretArns: { 'orders-db': mapped } }));

    expect(getSecretValueCalls()).toEqual([mapped]);
    expect(signer).not.toHaveBeenCalled();
  });

  it('reports NO_SECRET_CONFIGURED without calling Secrets Manager', async () => {
    const { resolver } = resolverWith();

    const outcome = await resolver.resolve(instance(), ruleParameters());

    expect(outcome).toEqual({
      kind: 'unavailable',
      reason: 'NO_SECRET_CONFIGURED',
      message:
        'no credentials for orders-db: map it in secretArns, tag it rds-tls-guard:secret-arn=<secret ARN>, or use an RDS-managed master secret',
    });
    expect(getSecretValueCalls()).toEqual([]);
  });
});

describe('secrets that cannot be used', () => {
  it.each([
    [
      'ResourceNotFoundException',
      () =>
        new ResourceNotFoundException({
          $metadata: metadata,
          message: "Secrets Manager can't find the specified secret.",
        }),
      'SECRET_NOT_FOUND',
      `secret ${MASTER} was not found`,
    ],
    [
      'AccessDeniedException',
      accessDenied,
      'SECRET_ACCESS_DENIED',
      `access denied to secret ${MASTER}: allow secretsmanager:GetSecretValue (and kms:Decrypt on its key)`,
    ],
    [
      'DecryptionFailure',
      () =>
        new DecryptionFailure({
          $metadata: metadata,
          message:
            'Secrets Manager can not decrypt the protected secret text using the provided KMS key.',
        }),
      'SECRET_DECRYPTION_FAILED',
      `secret ${MASTER} could not be decrypted: allow kms:Decrypt on its KMS key`,
    ],
    [
      'InvalidRequestException',
      () =>
        new InvalidRequestException({
          $metadata: metadata,
          message:
            "You can't perform this operation on the secret because it was marked for deletion.",
        }),
      'SECRET_INVALID_REQUEST',
      `secret ${MASTER} cannot be read now (InvalidRequestException; e.g. scheduled for deletion)`,
    ],
    [
      'ThrottlingException after the SDK retries',
      throttled,
      'SECRET_LOOKUP_FAILED',
      `reading secret ${MASTER} failed: ThrottlingException`,
    ],
  ])('maps %s to %s', async (_label, error, reason, message) => {
    secretsManager.on(GetSecretValueCommand).rejects(error());
    const { resolver } = resolverWith();

    expect(await resolver.resolve(masterDb(), ruleParameters())).toEqual({
      kind: 'unavailable',
      reason,
      message,
    });
  });

  it('reports SECRET_BINARY_ONLY for a secret without SecretString', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(
        secretResponse(MASTER, undefined, { SecretBinary: new TextEncoder().encode(CANARY) }),
      );
    const { resolver } = resolverWith();

    expect(await resolver.resolve(masterDb(), ruleParameters())).toEqual({
      kind: 'unavailable',
      reason: 'SECRET_BINARY_ONLY',
      message: `secret ${MASTER} holds only SecretBinary; store the credentials as a JSON SecretString`,
    });
  });

  it('reports SECRET_NOT_JSON for a secret string that is a bare password', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(secretResponse(MASTER, CANARY));
    const { resolver } = resolverWith();

    expect(await resolver.resolve(masterDb(), ruleParameters())).toEqual({
      kind: 'unavailable',
      reason: 'SECRET_NOT_JSON',
      message: `secret ${MASTER} is not JSON`,
    });
  });

  it('reports SECRET_INCOMPLETE for a secret without a password', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(secretResponse(MASTER, JSON.stringify({ username: 'postgres' })));
    const { resolver } = resolverWith();

    expect(await resolver.resolve(masterDb(), ruleParameters())).toEqual({
      kind: 'unavailable',
      reason: 'SECRET_INCOMPLETE',
      message: `secret ${MASTER}: password is missing`,
    });
  });

  it('refuses a rotation secret written for another instance: SECRET_FOR_OTHER_DATABASE', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(
      secretResponse(
        SHARED,
        JSON.stringify({
          engine: 'postgres',
          host: 'payments-db.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
          port: 5432,
          username: 'app',
          password: CANARY,
          dbname: 'payments',
          dbInstanceIdentifier: 'payments-db',
        }),
      ),
    );
    const { resolver } = resolverWith();
    const resource = instance({ tags: { 'rds-tls-guard:secret-arn': SHARED } });

    expect(await resolver.resolve(resource, ruleParameters())).toEqual({
      kind: 'unavailable',
      reason: 'SECRET_FOR_OTHER_DATABASE',
      message: `secret ${SHARED} belongs to DB instance payments-db, not DB instance orders-db; credentials not sent`,
    });
  });

  it('refuses a cluster secret for a different cluster', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(
        secretResponse(
          SHARED,
          JSON.stringify({ username: 'app', password: CANARY, dbClusterIdentifier: 'ledger' }),
        ),
      );
    const { resolver } = resolverWith();
    const resource = cluster({ tags: { 'rds-tls-guard:secret-arn': SHARED } });

    const outcome = await resolver.resolve(resource, ruleParameters());

    expect(outcome.kind === 'unavailable' && outcome.reason).toBe('SECRET_FOR_OTHER_DATABASE');
  });
});

describe('caching', () => {
  function fiveDatabasesSharing(secret: string): DatabaseResource[] {
    return ['a', 'b', 'c', 'd', 'e'].map((suffix) =>
      instance({
        identifier: `shard-${suffix}`,
        resourceId: `db-SHARD${suffix.toUpperCase()}AAAAAAAAAAAAAAAAAAAA`,
        tags: { 'rds-tls-guard:secret-arn': secret },
      }),
    );
  }

  it('fetches a secret shared by five databases once, even when all resolve at the same time', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(secretResponse(SHARED, JSON.stringify({ username: 'app', password: CANARY })));
    const { resolver } = resolverWith();

    const outcomes = await Promise.all(
      fiveDatabasesSharing(SHARED).map((resource) => resolver.resolve(resource, ruleParameters())),
    );

    expect(outcomes.map((outcome) => resolved(outcome).username)).toEqual([
      'app',
      'app',
      'app',
      'app',
      'app',
    ]);
    expect(getSecretValueCalls()).toEqual([SHARED]);
  });

  it('reuses a settled lookup for a later database in the same scan', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(secretResponse(SHARED, JSON.stringify({ username: 'app', password: CANARY })));
    const { resolver } = resolverWith();

    for (const resource of fiveDatabasesSharing(SHARED)) {
      await resolver.resolve(resource, ruleParameters());
    }

    expect(getSecretValueCalls()).toEqual([SHARED]);
  });

  it('also asks once for a secret that cannot be read, and reports it for every database', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(accessDenied());
    const { resolver } = resolverWith();

    const outcomes = await Promise.all(
      fiveDatabasesSharing(SHARED).map((resource) => resolver.resolve(resource, ruleParameters())),
    );

    expect(outcomes.map((outcome) => outcome.kind === 'unavailable' && outcome.reason)).toEqual(
      Array(5).fill('SECRET_ACCESS_DENIED'),
    );
    expect(getSecretValueCalls()).toEqual([SHARED]);
  });

  it('still checks each database against the shared secret: only the named one gets it', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(
        secretResponse(
          SHARED,
          JSON.stringify({ username: 'app', password: CANARY, dbInstanceIdentifier: 'shard-c' }),
        ),
      );
    const { resolver } = resolverWith();

    const outcomes = await Promise.all(
      fiveDatabasesSharing(SHARED).map((resource) => resolver.resolve(resource, ruleParameters())),
    );

    expect(
      outcomes.map((outcome) => (outcome.kind === 'resolved' ? 'resolved' : outcome.reason)),
    ).toEqual([
      'SECRET_FOR_OTHER_DATABASE',
      'SECRET_FOR_OTHER_DATABASE',
      'resolved',
      'SECRET_FOR_OTHER_DATABASE',
      'SECRET_FOR_OTHER_DATABASE',
    ]);
  });

  it('fetches the secret again once the cache TTL has passed, picking up a rotation', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce(secretResponse(SHARED, JSON.stringify({ username: 'app', password: 'old' })))
      .resolvesOnce(secretResponse(SHARED, JSON.stringify({ username: 'app', password: CANARY })));
    // Only Date is faked: the provider's cache reads Date.now(), the SDK's timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    const { resolver } = resolverWith({ cacheTtlMs: 60_000 });
    const [first] = fiveDatabasesSharing(SHARED);
    if (!first) throw new Error('no database');

    const before = resolved(await resolver.resolve(first, ruleParameters()));
    vi.setSystemTime(1_000_000 + 60_000);
    const stillCached = resolved(await resolver.resolve(first, ruleParameters()));
    vi.setSystemTime(1_000_000 + 60_001);
    const refetched = resolved(await resolver.resolve(first, ruleParameters()));

    expect(before.password.reveal()).toBe('old');
    expect(stillCached.password.reveal()).toBe('old');
    expect(refetched.password.reveal()).toBe(CANARY);
    expect(getSecretValueCalls()).toEqual([SHARED, SHARED]);
  });

  it('keeps secrets with the same name in different regions apart', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves(secretResponse(SHARED, JSON.stringify({ username: 'app', password: CANARY })));
    const { resolver, clientRegions } = resolverWith();
    const tags = { 'rds-tls-guard:secret-arn': 'prod/probe' };

    await resolver.resolve(instance({ tags }), ruleParameters());
    await resolver.resolve(instance({ tags, region: 'eu-central-1' }), ruleParameters());

    expect(getSecretValueCalls()).toEqual(['prod/probe', 'prod/probe']);
    expect(clientRegions).toEqual(['eu-west-1', 'eu-central-1']);
  });
});

describe('IAM database authentication', () => {
  const TOKEN = `orders-db.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com:5432/?Action=connect&DBUser=probe_iam&X-Amz-Signature=${CANARY}`;
  const iamDb = (overrides: Partial<DatabaseResource> = {}) =>
    instance({
      iamDatabaseAuthenticationEnabled: true,
      tags: { [IAM_USER_TAG]: 'probe_iam' },
      ...overrides,
    });

  it('signs a token for the tagged user at the endpoint and region, wrapped as a secret', async () => {
    const requests: IamTokenRequest[] = [];
    const { resolver } = resolverWith({
      useIamAuth: true,
      signerFor: (request) => {
        requests.push(request);
        return { getAuthToken: async () => TOKEN };
      },
    });

    const credentials = resolved(await resolver.resolve(iamDb(), ruleParameters()));

    expect(credentials).toEqual({
      username: 'probe_iam',
      password: expect.anything(),
      origin: 'iam',
      reference: 'iam:probe_iam',
    });
    expect(credentials.password.reveal()).toBe(TOKEN);
    expect(JSON.stringify(credentials)).not.toContain(CANARY);
    expect(requests.map(({ resource: _resource, ...rest }) => rest)).toEqual([
      {
        hostname: 'orders-db.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
        port: 5432,
        username: 'probe_iam',
        region: 'eu-west-1',
      },
    ]);
    expect(getSecretValueCalls()).toEqual([]);
  });

  it('reports IAM_TOKEN_FAILED with only the error name when signing fails', async () => {
    const { resolver } = resolverWith({
      useIamAuth: true,
      signerFor: () => ({
        getAuthToken: async () => {
          throw Object.assign(new Error(`could not load credentials ${CANARY}`), {
            name: 'CredentialsProviderError',
          });
        },
      }),
    });

    expect(await resolver.resolve(iamDb(), ruleParameters())).toEqual({
      kind: 'unavailable',
      reason: 'IAM_TOKEN_FAILED',
      message: 'signing an IAM token for probe_iam on orders-db failed: CredentialsProviderError',
    });
  });

  it('reports IAM_TOKEN_FAILED for a database without an endpoint', async () => {
    const signer = vi.fn();
    const { resolver } = resolverWith({ useIamAuth: true, signerFor: signer });

    expect(await resolver.resolve(iamDb({ endpoint: undefined }), ruleParameters())).toEqual({
      kind: 'unavailable',
      reason: 'IAM_TOKEN_FAILED',
      message: 'no IAM token for probe_iam on orders-db: the database has no endpoint to sign for',
    });
    expect(signer).not.toHaveBeenCalled();
  });

  it('reports IAM_TOKEN_FAILED when the signer returns an empty token', async () => {
    const { resolver } = resolverWith({
      useIamAuth: true,
      signerFor: () => ({ getAuthToken: async () => '' }),
    });

    const outcome = await resolver.resolve(iamDb(), ruleParameters());

    expect(outcome.kind === 'unavailable' && outcome.reason).toBe('IAM_TOKEN_FAILED');
  });

  it('signs with the default @aws-sdk/rds-signer when no signer is given', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    try {
      const { resolver } = resolverWith({ useIamAuth: true });

      const token = resolved(await resolver.resolve(iamDb(), ruleParameters())).password.reveal();

      expect(token).toMatch(
        /^orders-db\.c1a2b3c4d5e6\.eu-west-1\.rds\.amazonaws\.com:5432\/\?Action=connect&DBUser=probe_iam&/,
      );
      expect(token).toContain('X-Amz-Signature=');
      expect(token).toContain('%2Feu-west-1%2Frds-db%2Faws4_request');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('the password never leaks', () => {
  function expectNoCanary(outcome: CredentialOutcome) {
    expect(JSON.stringify(outcome)).not.toContain(CANARY);
    expect(inspect(outcome, { depth: Number.POSITIVE_INFINITY })).not.toContain(CANARY);
    expect(String(outcome)).not.toContain(CANARY);
    if (outcome.kind === 'resolved') {
      expect(String(outcome.credentials.password)).not.toContain(CANARY);
      expect(`${outcome.credentials.password}`).not.toContain(CANARY);
      expect(inspect(outcome.credentials.password)).not.toContain(CANARY);
    } else {
      expect(outcome.message).not.toContain(CANARY);
    }
  }

  const canarySecrets: [string, () => void, string][] = [
    [
      'a resolved master secret',
      () =>
        secretsManager
          .on(GetSecretValueCommand)
          .resolves(
            secretResponse(MASTER, JSON.stringify({ username: 'postgres', password: CANARY })),
          ),
      'resolved',
    ],
    [
      'a secret string that is the bare password',
      () => secretsManager.on(GetSecretValueCommand).resolves(secretResponse(MASTER, CANARY)),
      'SECRET_NOT_JSON',
    ],
    [
      'a secret string that is JSON broken right after the password',
      () =>
        secretsManager
          .on(GetSecretValueCommand)
          .resolves(secretResponse(MASTER, `{"username":"postgres","password":"${CANARY}" }}`)),
      'SECRET_NOT_JSON',
    ],
    [
      'a JSON string holding the password',
      () =>
        secretsManager
          .on(GetSecretValueCommand)
          .resolves(secretResponse(MASTER, JSON.stringify(CANARY))),
      'SECRET_NOT_JSON',
    ],
    [
      'a secret with the password but no username',
      () =>
        secretsManager
          .on(GetSecretValueCommand)
          .resolves(secretResponse(MASTER, JSON.stringify({ password: CANARY }))),
      'SECRET_INCOMPLETE',
    ],
    [
      'a secret whose username is the password by mistake and has no password',
      () =>
        secretsManager
          .on(GetSecretValueCommand)
          .resolves(secretResponse(MASTER, JSON.stringify({ username: 42, pw: CANARY }))),
      'SECRET_INCOMPLETE',
    ],
    [
      'a secret for another database',
      () =>
        secretsManager.on(GetSecretValueCommand).resolves(
          secretResponse(
            MASTER,
            JSON.stringify({
              username: 'app',
              password: CANARY,
              dbInstanceIdentifier: 'payments-db',
            }),
          ),
        ),
      'SECRET_FOR_OTHER_DATABASE',
    ],
    [
      'a binary secret',
      () =>
        secretsManager
          .on(GetSecretValueCommand)
          .resolves(
            secretResponse(MASTER, undefined, { SecretBinary: new TextEncoder().encode(CANARY) }),
          ),
      'SECRET_BINARY_ONLY',
    ],
    [
      'an SDK error whose message echoes the value',
      () =>
        secretsManager.on(GetSecretValueCommand).rejects(
          new InvalidRequestException({
            $metadata: metadata,
            message: `invalid ${CANARY}`,
          }),
        ),
      'SECRET_INVALID_REQUEST',
    ],
    [
      'an unknown error whose message echoes the value',
      () => secretsManager.on(GetSecretValueCommand).rejects(new Error(`socket ${CANARY}`)),
      'SECRET_LOOKUP_FAILED',
    ],
  ];

  it.each(canarySecrets)(
    'keeps it out of the outcome for %s',
    async (_label, arrange, expected) => {
      arrange();
      const { resolver } = resolverWith();

      const outcome = await resolver.resolve(masterDb(), ruleParameters());

      expect(outcome.kind === 'resolved' ? 'resolved' : outcome.reason).toBe(expected);
      expectNoCanary(outcome);
    },
  );
});

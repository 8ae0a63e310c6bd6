/**
 * The credential resolver the live probe calls: picks a source (see
 * credential-source.ts), fetches the secret from Secrets Manager or signs an
 * IAM token, and answers with credentials or a named, log-safe reason.
 */

import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer } from '@aws-sdk/rds-signer';
import { errorName } from '../errors.js';
import type { CredentialOutcome, CredentialResolver } from '../pipeline.js';
import { SecretValue } from '../secret-value.js';
import type { DatabaseResource, RuleParameters } from '../types.js';
import { selectCredentialSource } from './credential-source.js';
import { checkManagedSecretBinding } from './managed-secret.js';
import {
  checkSecretTarget,
  classifyLookupError,
  type DatabaseSecret,
  parseSecretString,
  type SecretFailure,
} from './secret-document.js';
import { checkSecretHost, isUnjudgedHost, UNJUDGED_HOST_NOTE } from './secret-host.js';

/** What an IAM auth token is signed for. */
export interface IamTokenRequest {
  hostname: string;
  port: number;
  username: string;
  region: string;
  resource: DatabaseResource;
}

export interface AuthTokenSigner {
  getAuthToken(): Promise<string>;
}

export interface CredentialResolverOptions {
  /** The Secrets Manager client for a region; called with the secret's region. */
  secretsClientFor: (region: string) => SecretsManagerClient;
  /** Builds the IAM token signer; defaults to `@aws-sdk/rds-signer`. */
  signerFor?: (request: IamTokenRequest) => AuthTokenSigner;
  /** Fall back to IAM database authentication when no secret is configured. */
  useIamAuth?: boolean;
  /**
   * How long a fetched secret (or a failure to fetch it) is reused, counted
   * from when the lookup finished. Lookups in flight are always shared.
   * Default five minutes: long enough for one scan, short enough to pick up a rotation.
   */
  cacheTtlMs?: number;
}

export const DEFAULT_SECRET_CACHE_TTL_MS = 5 * 60 * 1000;

interface FetchedSecret {
  /** The ARN Secrets Manager answered with, else the configured id. */
  reference: string;
  result: DatabaseSecret | SecretFailure;
}

/**
 * Secrets Manager behind Powertools Parameters' provider cache, one provider
 * per region. A lookup never throws: its outcome, the secret or the named
 * reason it could not be read, is what the provider caches, so a hundred
 * databases that share a secret the role cannot read cost one call too.
 * Lookups still in flight are shared, which the provider alone does not do.
 */
class DatabaseSecretProvider extends BaseProvider {
  readonly #secrets: SecretsManagerClient;
  readonly #maxAgeSeconds: number;
  readonly #pending = new Map<string, Promise<FetchedSecret>>();

  constructor(secrets: SecretsManagerClient, maxAgeSeconds: number) {
    super({ awsSdkV3Client: secrets });
    this.#secrets = secrets;
    this.#maxAgeSeconds = maxAgeSeconds;
  }

  lookup(secretId: string): Promise<FetchedSecret> {
    let lookup = this.#pending.get(secretId);
    if (!lookup) {
      lookup = (
        this.get(secretId, { maxAge: this.#maxAgeSeconds }) as Promise<FetchedSecret>
      ).finally(() => this.#pending.delete(secretId));
      this.#pending.set(secretId, lookup);
    }
    return lookup;
  }

  protected override _get(secretId: string): Promise<FetchedSecret> {
    return getSecretValue(this.#secrets, secretId);
  }

  protected override _getMultiple(): Promise<undefined> {
    return Promise.reject(new Error('a database secret is read by its id, never by path'));
  }
}

export function createCredentialResolver(options: CredentialResolverOptions): CredentialResolver {
  const maxAgeSeconds = Math.max(0, options.cacheTtlMs ?? DEFAULT_SECRET_CACHE_TTL_MS) / 1000;
  const signerFor = options.signerFor ?? defaultSigner;
  const useIamAuth = options.useIamAuth === true;
  const providers = new Map<string, DatabaseSecretProvider>();

  function fetchSecret(secretId: string, region: string): Promise<FetchedSecret> {
    let provider = providers.get(region);
    if (!provider) {
      provider = new DatabaseSecretProvider(options.secretsClientFor(region), maxAgeSeconds);
      providers.set(region, provider);
    }
    return provider.lookup(secretId);
  }

  /**
   * The secret, checked to belong to the resource; otherwise the credentials
   * are unavailable. Another database's RDS-managed secret is refused before
   * it is read, and again by the ARN Secrets Manager answers with; a secret
   * naming another database, by identifier or host, once it is read.
   */
  async function fetchSecretFor(
    resource: DatabaseResource,
    secretId: string,
    region: string,
  ): Promise<CredentialOutcome | { reference: string; result: DatabaseSecret }> {
    const foreign = checkManagedSecretBinding(secretId, resource, region);
    if (foreign) return unavailable(foreign);
    const { reference, result } = await fetchSecret(secretId, region);
    if (result.kind === 'failure') return unavailable(result);
    const mismatch =
      checkManagedSecretBinding(reference, resource, region) ??
      checkSecretTarget(reference, result, resource) ??
      (result.host !== undefined ? checkSecretHost(reference, result.host, resource) : undefined);
    if (mismatch) return unavailable(mismatch);
    return { reference, result };
  }

  return {
    async resolve(
      resource: DatabaseResource,
      ruleParameters: RuleParameters,
    ): Promise<CredentialOutcome> {
      const source = selectCredentialSource(resource, ruleParameters, useIamAuth);
      switch (source.kind) {
        case 'none':
          return { kind: 'unavailable', reason: 'NO_SECRET_CONFIGURED', message: source.message };
        case 'iam':
          return iamCredentials(resource, source.username, signerFor);
        case 'iam-user-from-secret': {
          const fetched = await fetchSecretFor(resource, source.secretId, source.region);
          if ('kind' in fetched) return fetched;
          return iamCredentials(resource, fetched.result.username, signerFor);
        }
        case 'secret': {
          const fetched = await fetchSecretFor(resource, source.secretId, source.region);
          if ('kind' in fetched) return fetched;
          const { reference, result } = fetched;
          return {
            kind: 'resolved',
            credentials: {
              username: result.username,
              password: result.password,
              ...(result.database !== undefined ? { database: result.database } : {}),
              ...(result.host !== undefined && isUnjudgedHost(result.host, resource)
                ? { note: UNJUDGED_HOST_NOTE }
                : {}),
              origin: source.origin,
              reference,
            },
          };
        }
      }
    },
  };
}

/** Never rejects: every way the lookup can go wrong is a named failure. */
async function getSecretValue(
  client: SecretsManagerClient,
  secretId: string,
): Promise<FetchedSecret> {
  try {
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const reference = response.ARN ?? secretId;
    if (typeof response.SecretString === 'string') {
      return { reference, result: parseSecretString(reference, response.SecretString) };
    }
    if (response.SecretBinary !== undefined) {
      return {
        reference,
        result: {
          kind: 'failure',
          reason: 'SECRET_BINARY_ONLY',
          message: `secret ${reference} holds only SecretBinary; store the credentials as a JSON SecretString`,
        },
      };
    }
    return {
      reference,
      result: {
        kind: 'failure',
        reason: 'SECRET_LOOKUP_FAILED',
        message: `secret ${reference} returned neither SecretString nor SecretBinary`,
      },
    };
  } catch (error) {
    return { reference: secretId, result: classifyLookupError(secretId, error) };
  }
}

async function iamCredentials(
  resource: DatabaseResource,
  username: string,
  signerFor: (request: IamTokenRequest) => AuthTokenSigner,
): Promise<CredentialOutcome> {
  const reference = `iam:${username}`;
  const endpoint = resource.endpoint;
  if (!endpoint) {
    return {
      kind: 'unavailable',
      reason: 'IAM_TOKEN_FAILED',
      message: `no IAM token for ${username} on ${resource.identifier}: the database has no endpoint to sign for`,
    };
  }
  try {
    const token = await signerFor({
      hostname: endpoint.address,
      port: endpoint.port,
      username,
      region: resource.region,
      resource,
    }).getAuthToken();
    if (typeof token !== 'string' || token === '') {
      return {
        kind: 'unavailable',
        reason: 'IAM_TOKEN_FAILED',
        message: `signing an IAM token for ${username} on ${resource.identifier} returned no token`,
      };
    }
    return {
      kind: 'resolved',
      credentials: { username, password: new SecretValue(token), origin: 'iam', reference },
    };
  } catch (error) {
    // Signer errors can carry credential details; only the error's name is kept.
    const name = errorName(error);
    return {
      kind: 'unavailable',
      reason: 'IAM_TOKEN_FAILED',
      message: `signing an IAM token for ${username} on ${resource.identifier} failed: ${name}`,
    };
  }
}

function defaultSigner(request: IamTokenRequest): AuthTokenSigner {
  return new Signer({
    hostname: request.hostname,
    port: request.port,
    username: request.username,
    region: request.region,
  });
}

function unavailable(failure: SecretFailure): CredentialOutcome {
  return { kind: 'unavailable', reason: failure.reason, message: failure.message };
}

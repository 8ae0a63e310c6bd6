/**
 * Which credentials a database is probed with. Pure: decides from the
 * resource and the rule parameters alone; fetching happens elsewhere.
 *
 * Precedence, most explicit first: the `secretArns` rule parameter, the
 * secret tag, the RDS-managed master secret, then IAM database
 * authentication when enabled on both sides. An RDS Proxy has its own path
 * after the rule parameter and tag (its tags are read like a database's):
 * the secret of its first `SECRETS` auth entry that allows a password (the
 * credentials its clients log in with), else an IAM token when the proxy
 * takes one (see proxySource).
 *
 * Whichever source names it, an RDS-managed master secret (`rds!…`) is used
 * only for the database it belongs to, the `secretArns` rule parameter
 * included (managed-secret.ts): the rule's owner is trusted more than whoever
 * tags a database, but a managed secret never needs pointing at another
 * database, so the binding costs nothing and also catches a slip in the
 * mapping. Any other secret is refused once read if it names another
 * database by identifier or host (secret-document.ts, secret-host.ts).
 */
import type { DatabaseResource, ProxyAuthEntry, RuleParameters } from '../types.js';
import { regionOfArn } from './secret-document.js';

/** Tag naming the database user an IAM auth token is generated for. */
export const IAM_USER_TAG = 'rds-tls-guard:iam-user';

export type CredentialSource =
  | {
      kind: 'secret';
      /** Secret ARN or name, as configured. */
      secretId: string;
      /** Region whose Secrets Manager holds the secret. */
      region: string;
      origin: 'rule-parameter' | 'tag' | 'MasterUserSecret' | 'proxy-auth';
    }
  | { kind: 'iam'; username: string }
  /** IAM token for the user named in a proxy auth entry's secret; its password is not used. */
  | { kind: 'iam-user-from-secret'; secretId: string; region: string }
  | { kind: 'none'; message: string };

export function selectCredentialSource(
  resource: DatabaseResource,
  ruleParameters: RuleParameters,
  useIamAuth: boolean,
): CredentialSource {
  const mapped = mappedSecret(ruleParameters.secretArns, resource.identifier);
  if (mapped !== undefined) return secretSource(mapped, resource, 'rule-parameter');

  const tagged = nonEmpty(resource.tags[ruleParameters.secretTagKey]);
  if (tagged !== undefined) return secretSource(tagged, resource, 'tag');

  if (resource.proxy) return proxySource(resource, useIamAuth);

  const master = nonEmpty(resource.masterUserSecretArn);
  if (master !== undefined) return secretSource(master, resource, 'MasterUserSecret');

  if (useIamAuth && resource.iamDatabaseAuthenticationEnabled) {
    const username = nonEmpty(resource.tags[IAM_USER_TAG]) ?? nonEmpty(resource.masterUsername);
    if (username !== undefined) return { kind: 'iam', username };
    return {
      kind: 'none',
      message: `${resource.identifier} has IAM authentication enabled but no user to sign for: set the tag ${IAM_USER_TAG}`,
    };
  }

  const iamHint =
    resource.iamDatabaseAuthenticationEnabled && !useIamAuth
      ? ', or enable IAM authentication for the probe'
      : '';
  return {
    kind: 'none',
    message: `no credentials for ${resource.identifier}: map it in secretArns, tag it ${ruleParameters.secretTagKey}=<secret ARN>, or use an RDS-managed master secret${iamHint}`,
  };
}

/**
 * RDS stores identifiers in lower case, while people may type them in any
 * case in the rule parameters: an exact key wins, then a case-insensitive one.
 */
function mappedSecret(secretArns: Record<string, string>, identifier: string): string | undefined {
  const exact = nonEmpty(secretArns[identifier]);
  if (exact !== undefined) return exact;
  const wanted = identifier.toLowerCase();
  for (const [key, value] of Object.entries(secretArns)) {
    if (key.toLowerCase() === wanted) return nonEmpty(value);
  }
  return undefined;
}

/** Auth entries whose secret clients may log in with by password (IAMAuth not REQUIRED). */
function passwordEntry(auth: readonly ProxyAuthEntry[]): string | undefined {
  return auth
    .filter((entry) => entry.authScheme === undefined || entry.authScheme === 'SECRETS')
    .filter((entry) => entry.iamAuth !== 'REQUIRED')
    .map((entry) => nonEmpty(entry.secretArn))
    .find((arn) => arn !== undefined);
}

/**
 * A proxy's own path. Each Auth entry's IAMAuth says how its user logs in:
 * DISABLED by the secret's password, REQUIRED by an IAM token only, ENABLED
 * either way. The password is preferred when allowed (it needs no IAM grant);
 * it and a token travel only inside the verify-full TLS session. With
 * DefaultAuthScheme IAM_AUTH (end-to-end IAM) every client signs a token.
 * ClientPasswordAuthType (SCRAM, MD5, MySQL native or caching_sha2, SQL
 * Server) is negotiated inside that session and changes nothing here.
 */
function proxySource(resource: DatabaseResource, useIamAuth: boolean): CredentialSource {
  const proxy = resource.proxy;
  const auth = proxy?.auth ?? [];
  const endToEndIam = proxy?.defaultAuthScheme === 'IAM_AUTH';
  const secret = endToEndIam ? undefined : passwordEntry(auth);
  if (secret !== undefined) return secretSource(secret, resource, 'proxy-auth');

  const iamEntry = auth.find(
    (entry) => entry.iamAuth === 'REQUIRED' || entry.iamAuth === 'ENABLED',
  );
  if (!endToEndIam && iamEntry === undefined) {
    return {
      kind: 'none',
      message: `no credentials for proxy ${resource.identifier}: it has no Secrets Manager auth entry; map it in secretArns`,
    };
  }
  if (!useIamAuth) {
    return {
      kind: 'none',
      message: `proxy ${resource.identifier} requires IAM authentication: enable IAM authentication for the probe`,
    };
  }
  const username = nonEmpty(resource.tags[IAM_USER_TAG]) ?? nonEmpty(iamEntry?.userName);
  if (username !== undefined) return { kind: 'iam', username };
  // A token is signed for the user whose credentials the entry's secret holds.
  const userSecret = nonEmpty(iamEntry?.secretArn);
  if (userSecret !== undefined) {
    return {
      kind: 'iam-user-from-secret',
      secretId: userSecret,
      region: regionOfArn(userSecret) ?? resource.region,
    };
  }
  return {
    kind: 'none',
    message: `proxy ${resource.identifier} requires IAM authentication but names no user to sign for: tag the proxy ${IAM_USER_TAG}=<user>`,
  };
}

function secretSource(
  secretId: string,
  resource: DatabaseResource,
  origin: 'rule-parameter' | 'tag' | 'MasterUserSecret' | 'proxy-auth',
): CredentialSource {
  return { kind: 'secret', secretId, region: regionOfArn(secretId) ?? resource.region, origin };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

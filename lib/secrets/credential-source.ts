/**
 * Which credentials a database is probed with. Pure: decides from the
 * resource and the rule parameters alone; fetching happens elsewhere.
 *
 * Precedence, most explicit first: the `secretArns` rule parameter, the
 * secret tag, the RDS-managed master secret, then IAM database
 * authentication when enabled on both sides.
 */
import type { DatabaseResource, RuleParameters } from '../types.js';
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
      origin: 'rule-parameter' | 'tag' | 'MasterUserSecret';
    }
  | { kind: 'iam'; username: string }
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

function secretSource(
  secretId: string,
  resource: DatabaseResource,
  origin: 'rule-parameter' | 'tag' | 'MasterUserSecret',
): CredentialSource {
  return { kind: 'secret', secretId, region: regionOfArn(secretId) ?? resource.region, origin };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

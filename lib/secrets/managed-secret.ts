/**
 * An RDS-managed master user secret is used only for the database it belongs
 * to. Pure: decides from the secret reference and the resource alone.
 *
 * RDS names the secrets it manages with the `rds!` prefix that Secrets
 * Manager gives a managed secret's service (`rds!db-<uuid>` for an instance,
 * `rds!cluster-<uuid>` for a cluster; Secrets Manager User Guide, "Secrets
 * managed by other AWS services"). Their value holds only `username` and
 * `password`, never which database they are for, so checkSecretTarget cannot
 * refuse one written for another database: the binding comes from the
 * inventory instead. The role may read every `rds!` secret in the account,
 * so without it anyone who may tag a database could have another database's
 * master password sent to an endpoint of theirs.
 *
 * The binding holds for every way a secret is named, the `secretArns` rule
 * parameter included: a managed secret never needs pointing at another
 * database, and a slip in the mapping would send one database's master
 * password to another's endpoint.
 */
import type { DatabaseResource } from '../types.js';
import { databaseLabel, type SecretFailure, secretFailure } from './secret-document.js';

const SECRET_ARN = /^arn:[^:]+:secretsmanager:([^:]*):[^:]*:secret:(.+)$/;
/** The six random characters Secrets Manager appends to a secret's name in its ARN. */
const ARN_SUFFIX_LENGTH = 7;
const ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** Whether a reference (ARN, partial ARN or name) names an RDS-managed secret. */
export function isManagedSecretReference(reference: string): boolean {
  const name = SECRET_ARN.exec(reference)?.[2] ?? reference;
  return name.toLowerCase().startsWith('rds!');
}

/**
 * Refuses an RDS-managed master secret that is not one of the resource's own:
 * its MasterUserSecret, its cluster's for a cluster member, or one of a
 * proxy's own auth entries. A reference that cannot be shown to be the same
 * secret is refused.
 *
 * @param lookupRegion the region a secret given by name is read in.
 */
export function checkManagedSecretBinding(
  reference: string,
  resource: DatabaseResource,
  lookupRegion: string,
): SecretFailure | undefined {
  if (!isManagedSecretReference(reference)) return undefined;
  const own = [
    resource.masterUserSecretArn,
    resource.clusterMasterUserSecretArn,
    ...(resource.proxy?.auth.map((entry) => entry.secretArn) ?? []),
  ].filter((arn): arn is string => arn !== undefined && arn.trim() !== '');
  if (own.some((arn) => sameSecret(reference.trim(), arn.trim(), lookupRegion))) return undefined;

  const unknownCluster =
    resource.clusterIdentifier !== undefined && resource.clusterMasterUserSecretArn === undefined
      ? ` (the master secret of its cluster ${resource.clusterIdentifier} is not known to this scan)`
      : '';
  return secretFailure(
    'SECRET_FOR_OTHER_DATABASE',
    `secret ${reference} is an RDS-managed master user secret that is not ${databaseLabel(resource)}'s own${unknownCluster}: a managed master secret is only used for its own database; credentials not sent`,
  );
}

/**
 * Whether a reference names the secret whose full ARN is `own`: the same ARN,
 * the ARN without its random suffix (a partial ARN), or the secret's name
 * read in the ARN's region. Nothing else proves it.
 */
function sameSecret(reference: string, own: string, lookupRegion: string): boolean {
  if (reference === own) return true;
  const parsed = SECRET_ARN.exec(own);
  const region = parsed?.[1];
  const nameWithSuffix = parsed?.[2];
  if (nameWithSuffix === undefined || !ARN_SUFFIX.test(nameWithSuffix)) return false;
  if (reference === own.slice(0, -ARN_SUFFIX_LENGTH)) return true;
  const name = nameWithSuffix.slice(0, -ARN_SUFFIX_LENGTH);
  return !reference.startsWith('arn:') && reference === name && lookupRegion === region;
}

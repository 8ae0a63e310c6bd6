/**
 * Reading a Secrets Manager secret string into probe credentials. Pure: the
 * raw text comes in, a parsed secret or a named failure goes out.
 *
 * Every message built here names the secret reference and the field at fault,
 * never a value: a secret string that is not JSON may well be a bare password,
 * and JSON.parse quotes its input in its error messages.
 */

import { errorName } from '../errors.js';
import { SecretValue } from '../secret-value.js';
import type { DatabaseResource } from '../types.js';

/** Why a secret could not give credentials. Each is a `CredentialOutcome` reason. */
export const SECRET_FAILURE_REASONS = [
  'SECRET_NOT_FOUND',
  'SECRET_ACCESS_DENIED',
  'SECRET_DECRYPTION_FAILED',
  'SECRET_INVALID_REQUEST',
  'SECRET_BINARY_ONLY',
  'SECRET_NOT_JSON',
  'SECRET_INCOMPLETE',
  'SECRET_LOOKUP_FAILED',
  'SECRET_FOR_OTHER_DATABASE',
] as const;
export type SecretFailureReason = (typeof SECRET_FAILURE_REASONS)[number];

/** Why no credentials came for a database: a secret's failure, none configured, or no IAM token. */
export const CREDENTIAL_FAILURE_REASONS = [
  ...SECRET_FAILURE_REASONS,
  'NO_SECRET_CONFIGURED',
  'IAM_TOKEN_FAILED',
] as const;
export type CredentialFailureReason = (typeof CREDENTIAL_FAILURE_REASONS)[number];

export interface SecretFailure {
  kind: 'failure';
  reason: SecretFailureReason;
  /** Safe to log: the reference and what is wrong, never a value. */
  message: string;
}

/**
 * The fields of an RDS-managed master secret (`username`, `password`) or a
 * rotation-style secret (plus `engine`, `host`, `port`, `dbname` and
 * optionally the identifier of the database it belongs to).
 */
export interface DatabaseSecret {
  kind: 'secret';
  username: string;
  password: SecretValue;
  database?: string;
  /** The endpoint the secret was written for (rotation-style secrets); judged by checkSecretHost. */
  host?: string;
  dbInstanceIdentifier?: string;
  dbClusterIdentifier?: string;
}

export function parseSecretString(reference: string, text: string): DatabaseSecret | SecretFailure {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return secretFailure('SECRET_NOT_JSON', `secret ${reference} is not JSON`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return secretFailure('SECRET_NOT_JSON', `secret ${reference} is JSON but not an object`);
  }
  const fields = document as Record<string, unknown>;

  const problems: string[] = [];
  const username = fields.username;
  const password = fields.password;
  if (username === undefined) problems.push('username is missing');
  else if (typeof username !== 'string') problems.push('username is not a string');
  else if (username.trim() === '') problems.push('username is empty');
  if (password === undefined) problems.push('password is missing');
  else if (typeof password !== 'string') problems.push('password is not a string');
  else if (password === '') problems.push('password is empty');
  if (problems.length > 0 || typeof username !== 'string' || typeof password !== 'string') {
    return secretFailure('SECRET_INCOMPLETE', `secret ${reference}: ${problems.join(', ')}`);
  }

  const secret: DatabaseSecret = { kind: 'secret', username, password: new SecretValue(password) };
  const database = optionalString(fields.dbname);
  if (database !== undefined) secret.database = database;
  const host = optionalString(fields.host);
  if (host !== undefined) secret.host = host;
  const dbInstanceIdentifier = optionalString(fields.dbInstanceIdentifier);
  if (dbInstanceIdentifier !== undefined) secret.dbInstanceIdentifier = dbInstanceIdentifier;
  const dbClusterIdentifier = optionalString(fields.dbClusterIdentifier);
  if (dbClusterIdentifier !== undefined) secret.dbClusterIdentifier = dbClusterIdentifier;
  return secret;
}

/**
 * Refuses a secret that says it belongs to another database, so the probe
 * never sends one database's password to another's endpoint. RDS identifiers
 * are case-insensitive, hence the lower-case comparison.
 */
export function checkSecretTarget(
  reference: string,
  secret: DatabaseSecret,
  resource: DatabaseResource,
): SecretFailure | undefined {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const named = secret.dbInstanceIdentifier;
  const namedCluster = secret.dbClusterIdentifier;

  if (resource.proxy) {
    // A proxy's clients log in as a user of a database behind it: the secret
    // may name that database, and only that.
    const targets = resource.proxy.targets.map((target) => target.identifier);
    const claimed = namedCluster ?? named;
    if (claimed === undefined || targets.some((target) => same(target, claimed))) return undefined;
    return otherDatabase(reference, `database ${claimed}`, resource);
  }

  if (resource.resourceType === 'AWS::RDS::DBCluster') {
    if (namedCluster !== undefined) {
      if (same(namedCluster, resource.identifier)) return undefined;
      return otherDatabase(reference, `DB cluster ${namedCluster}`, resource);
    }
    // A secret naming only an instance belongs here when that instance is one
    // of the members RDS lists for this cluster; unlisted members are not shown.
    const members = resource.clusterMembers ?? [];
    if (named !== undefined && !members.some((member) => same(member.identifier, named))) {
      return otherDatabase(reference, `DB instance ${named}`, resource);
    }
    return undefined;
  }

  if (named !== undefined && !same(named, resource.identifier)) {
    return otherDatabase(reference, `DB instance ${named}`, resource);
  }
  if (namedCluster !== undefined) {
    const cluster = resource.clusterIdentifier;
    if (cluster === undefined || !same(namedCluster, cluster)) {
      return otherDatabase(reference, `DB cluster ${namedCluster}`, resource);
    }
  }
  return undefined;
}

/** Maps a GetSecretValue error to a named failure; only the error's name reaches the message. */
export function classifyLookupError(reference: string, error: unknown): SecretFailure {
  const name = errorName(error);
  switch (name) {
    case 'ResourceNotFoundException':
      return secretFailure('SECRET_NOT_FOUND', `secret ${reference} was not found`);
    case 'AccessDeniedException':
      return secretFailure(
        'SECRET_ACCESS_DENIED',
        `access denied to secret ${reference}: allow secretsmanager:GetSecretValue (and kms:Decrypt on its key)`,
      );
    case 'DecryptionFailure':
      return secretFailure(
        'SECRET_DECRYPTION_FAILED',
        `secret ${reference} could not be decrypted: allow kms:Decrypt on its KMS key`,
      );
    case 'InvalidRequestException':
      return secretFailure(
        'SECRET_INVALID_REQUEST',
        `secret ${reference} cannot be read now (InvalidRequestException; e.g. scheduled for deletion)`,
      );
    default:
      return secretFailure('SECRET_LOOKUP_FAILED', `reading secret ${reference} failed: ${name}`);
  }
}

/** The region an ARN names, or undefined for a secret name or a partial ARN without one. */
export function regionOfArn(reference: string): string | undefined {
  if (!reference.startsWith('arn:')) return undefined;
  const region = reference.split(':')[3];
  return region ? region : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The resource as messages name it: `DB instance x`, `DB cluster x` or `proxy x`. */
export function databaseLabel(resource: DatabaseResource): string {
  const kind =
    resource.resourceType === 'AWS::RDS::DBCluster'
      ? 'DB cluster'
      : resource.resourceType === 'AWS::RDS::DBProxy'
        ? 'proxy'
        : 'DB instance';
  return `${kind} ${resource.identifier}`;
}

/** SECRET_FOR_OTHER_DATABASE: the secret, and what it belongs to, named; never a value. */
export function otherDatabase(
  reference: string,
  named: string,
  resource: DatabaseResource,
): SecretFailure {
  const target = resource.proxy
    ? `a database behind proxy ${resource.identifier}`
    : databaseLabel(resource);
  return secretFailure(
    'SECRET_FOR_OTHER_DATABASE',
    `secret ${reference} belongs to ${named}, not ${target}; credentials not sent`,
  );
}

export function secretFailure(reason: SecretFailureReason, message: string): SecretFailure {
  return { kind: 'failure', reason, message };
}

/**
 * Multi-account scanning: which accounts a scheduled scan covers, and AWS
 * credentials for a member account's role.
 *
 * The deployment account is always scanned with the function's own role.
 * Member accounts are reached through a role in each of them (same name
 * everywhere is the usual setup), listed in MEMBER_ACCOUNT_ROLE_ARNS; the
 * function's IAM policy limits which roles it may assume.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { errorName } from '../errors.js';
import type { Inventory } from '../pipeline.js';
import type { ScanProblem } from '../types.js';

/** What SDK clients accept as `credentials`; refreshed by the provider itself. */
export type AwsCredentialIdentityProvider = ReturnType<typeof fromTemporaryCredentials>;

/** Shows in CloudTrail of the member account as the assumed-role session name. */
export const ROLE_SESSION_NAME = 'rds-tls-guard';

/** One account a scan covers; `roleArn` absent means the function's own credentials. */
export interface ScanTarget {
  accountId?: string;
  roleArn?: string;
}

const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** The account id in a role ARN, or undefined when it is not a role ARN. */
export function accountIdOfRole(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[2];
}

export interface TargetPlan {
  targets: ScanTarget[];
  /** Entries that are not role ARNs, named by position only (the text could be anything). */
  problems: ScanProblem[];
}

/**
 * The deployment account first, then one target per member role. A role in
 * the deployment account itself is skipped (it is already covered), as are
 * duplicates.
 */
export function planScanTargets(options: {
  /** Comma-separated role ARNs, as in MEMBER_ACCOUNT_ROLE_ARNS. */
  memberRoleArns?: string | string[];
  ownAccountId?: string;
}): TargetPlan {
  const entries = (
    Array.isArray(options.memberRoleArns)
      ? options.memberRoleArns
      : (options.memberRoleArns ?? '').split(',')
  )
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

  const own: ScanTarget = options.ownAccountId ? { accountId: options.ownAccountId } : {};
  const targets: ScanTarget[] = [own];
  const problems: ScanProblem[] = [];
  const seenAccounts = new Set(options.ownAccountId ? [options.ownAccountId] : []);

  entries.forEach((roleArn, index) => {
    const accountId = accountIdOfRole(roleArn);
    if (!accountId) {
      problems.push({
        scope: `member-account-role[${index}]`,
        code: 'MEMBER_ROLE_ARN_INVALID',
        message: `entry ${index + 1} of the member account role list is not an IAM role ARN`,
      });
      return;
    }
    if (seenAccounts.has(accountId)) return;
    seenAccounts.add(accountId);
    targets.push({ accountId, roleArn });
  });
  return { targets, problems };
}

export interface CredentialsOptions {
  /** Region of the STS endpoint; regional endpoints avoid a us-east-1 dependency. */
  region?: string;
  /** Session length; AssumeRole's minimum is 900. */
  durationSeconds?: number;
  /** Required by the member role's trust policy when it is shared with a third party. */
  externalId?: string;
}

const providers = new Map<string, AwsCredentialIdentityProvider>();

/**
 * Temporary credentials for a member account role, cached per role for the
 * life of the process (the provider itself refreshes before expiry).
 */
export function clientCredentialsFor(
  accountRoleArn: string,
  options: CredentialsOptions = {},
): AwsCredentialIdentityProvider {
  const region = options.region ?? process.env.AWS_REGION;
  const key = [accountRoleArn, region ?? '', options.externalId ?? ''].join('|');
  let provider = providers.get(key);
  if (!provider) {
    provider = fromTemporaryCredentials({
      params: {
        RoleArn: accountRoleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        DurationSeconds: options.durationSeconds ?? 900,
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
      },
      ...(region ? { clientConfig: { region } } : {}),
    });
    providers.set(key, provider);
  }
  return provider;
}

/** SDK client options for a target: its role's credentials, or nothing for the own account. */
export function credentialsConfigFor(
  target: ScanTarget,
  options: CredentialsOptions = {},
): { credentials?: AwsCredentialIdentityProvider } {
  return target.roleArn ? { credentials: clientCredentialsFor(target.roleArn, options) } : {};
}

/** A target whose inventory could not be read at all; the error's name only. */
export function accountProblem(target: ScanTarget, error: unknown): ScanProblem {
  return {
    scope: `account:${target.accountId ?? 'own'}`,
    code: 'ACCOUNT_UNREADABLE',
    message: errorName(error),
  };
}

/** Several accounts' inventories as one. */
export function mergeInventories(inventories: readonly Inventory[]): Inventory {
  return {
    items: inventories.flatMap((inventory) => inventory.items),
    problems: inventories.flatMap((inventory) => inventory.problems),
    regions: [...new Set(inventories.flatMap((inventory) => inventory.regions))],
  };
}

/** Every target's inventory; a target that throws becomes a problem, the rest still count. */
export async function collectTargets(
  targets: readonly ScanTarget[],
  collect: (target: ScanTarget) => Promise<Inventory>,
): Promise<Inventory> {
  const inventories = await Promise.all(
    targets.map(async (target): Promise<Inventory> => {
      try {
        return await collect(target);
      } catch (error) {
        return { items: [], problems: [accountProblem(target, error)], regions: [] };
      }
    }),
  );
  return mergeInventories(inventories);
}

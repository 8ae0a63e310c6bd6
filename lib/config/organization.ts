/**
 * Organization rules: AWS Config in each member account invokes the one
 * central rule function (the multi-account pattern of custom Lambda rules).
 * The evaluations must be reported by the member account that owns the
 * result token, and its databases read there, so the function works through
 * a role in that account:
 *
 * - the configured member role name (ORGANIZATION_MEMBER_ROLE_NAME), the same
 *   in every account, deployed by a StackSet: preferred, because the
 *   function's policy pins it to the organization (aws:ResourceOrgID);
 * - otherwise the event's `executionRoleArn`, when it is a role in the event's
 *   own account that is not a service-linked role: Config's service-linked
 *   role (`aws-service-role/config.amazonaws.com/…`) trusts only Config and
 *   cannot be assumed by a function.
 *
 * An event from the function's own account needs no role. The event is read
 * here only for these two fields; lib/config/event.ts validates the rest.
 */
import type { ScanTarget } from '../accounts/index.js';

export const EVALUATION_ACCOUNT_ERROR_CODES = [
  'EVENT_ACCOUNT_INVALID',
  'MEMBER_ROLE_UNKNOWN',
] as const;
export type EvaluationAccountErrorCode = (typeof EVALUATION_ACCOUNT_ERROR_CODES)[number];

export type EvaluationAccount =
  | { ok: true; target: ScanTarget; member: boolean }
  | {
      ok: false;
      code: EvaluationAccountErrorCode;
      message: string;
    };

export interface OrganizationOptions {
  /** The function's own account (from its ARN). */
  ownAccountId?: string;
  /** ORGANIZATION_MEMBER_ROLE_NAME; empty or absent: fall back to the event's executionRoleArn. */
  memberRoleName?: string;
  /** The function's partition (`aws`, `aws-cn`, `aws-us-gov`). */
  partition: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/([\w+=,.@/-]{1,512})$/;

export function evaluationAccount(
  rawEvent: unknown,
  options: OrganizationOptions,
): EvaluationAccount {
  const event = (rawEvent && typeof rawEvent === 'object' ? rawEvent : {}) as Record<
    string,
    unknown
  >;
  const accountId = event.accountId;
  // No account in the event: the rest of the validation names the problem.
  if (accountId === undefined) return { ok: true, target: {}, member: false };
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    return {
      ok: false,
      code: 'EVENT_ACCOUNT_INVALID',
      message: 'the event accountId is not a 12-digit account id',
    };
  }
  if (!options.ownAccountId || accountId === options.ownAccountId) {
    return { ok: true, target: { accountId }, member: false };
  }

  const name = options.memberRoleName?.trim();
  if (name && ROLE_NAME.test(name)) {
    return {
      ok: true,
      target: { accountId, roleArn: `arn:${options.partition}:iam::${accountId}:role/${name}` },
      member: true,
    };
  }
  const executionRole = typeof event.executionRoleArn === 'string' ? event.executionRoleArn : '';
  const match = ROLE_ARN.exec(executionRole);
  if (match && match[2] === accountId && !match[3]!.startsWith('aws-service-role/')) {
    return { ok: true, target: { accountId, roleArn: executionRole }, member: true };
  }
  return {
    ok: false,
    code: 'MEMBER_ROLE_UNKNOWN',
    message: `event from member account ${accountId}: no member role configured and the event's executionRoleArn is not an assumable role in that account`,
  };
}

/**
 * What each function accepts as its input, checked by the validation
 * middleware before the handler runs (see handler.ts). Each schema reads
 * only the fields its function uses and lets the rest of the event through.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import type { ScanTarget } from '../accounts/index.js';
import { evaluationAccount } from '../config/organization.js';
import { accountOfArn, partitionOfArn } from '../sinks/deployed.js';
import type { InputCheck, InputValidator } from './handler.js';

/** The parts of an EventBridge scheduled event the scan reads. */
export const scheduledEventSchema = z.looseObject({
  id: z.string().optional(),
  time: z.string().optional(),
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
});
export type ScheduledEvent = z.output<typeof scheduledEventSchema>;

/**
 * What the worker reads of an SQS event: each record's id and body (each body
 * is parsed on its own) and its ApproximateReceiveCount, which tells the last
 * delivery. Attributes that are not as SQS writes them read as unknown: they
 * never cost a record its processing.
 */
export const sqsEventSchema = z.looseObject({
  Records: z.array(
    z.looseObject({
      messageId: z.string(),
      body: z.string(),
      attributes: z
        .object({ ApproximateReceiveCount: z.string().optional() })
        .optional()
        .catch(undefined),
    }),
  ),
});
export type QueueEvent = z.output<typeof sqsEventSchema>;

/** A Config event with the account it is evaluated in: ours, or a member's through its role. */
export interface ConfigRuleInvocation {
  event: unknown;
  target: ScanTarget;
  member: boolean;
}

export interface ConfigRuleResponse {
  status: string;
}

/**
 * An organization rule's event is worked on in the account it came from; an
 * event whose account cannot be worked in (no usable member role) is
 * rejected here. The rest of the event is the use case's to validate: a
 * malformed event that names a resource still gets its INSUFFICIENT_DATA.
 */
export function configRuleInput(
  memberRoleName: string | undefined,
): InputValidator<ConfigRuleInvocation, ConfigRuleResponse> {
  return (
    event: unknown,
    context: Context,
  ): InputCheck<ConfigRuleInvocation, ConfigRuleResponse> => {
    const ownAccountId = accountOfArn(context.invokedFunctionArn);
    const account = evaluationAccount(event, {
      ...(ownAccountId ? { ownAccountId } : {}),
      memberRoleName,
      partition: partitionOfArn(context.invokedFunctionArn),
    });
    if (!account.ok) {
      return {
        ok: false,
        code: account.code,
        reason: account.message,
        response: { status: 'rejected' },
      };
    }
    // Our own account keeps the function's own role; a member account, its role.
    const target = account.member ? account.target : {};
    return { ok: true, input: { event, target, member: account.member } };
  };
}

/**
 * The one middy stack every function runs: the Powertools logger's Lambda
 * context, metrics (with the cold-start metric) flushed after each
 * invocation, and input validation in front of the handler. A handler is
 * then a plain function of its typed input.
 */
import { cleanupMiddlewares } from '@aws-lambda-powertools/commons';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { logger, metrics, recordEventRejected } from '../observability/index.js';

/** What validation made of a raw event: the handler's input, or the answer to give instead. */
export type InputCheck<In, Out> =
  | { ok: true; input: In }
  | { ok: false; code: string; reason: string; response: Out };

/** Reads the raw event (and the invocation's context) into the handler's input. */
export type InputValidator<In, Out> = (event: unknown, context: Context) => InputCheck<In, Out>;

/**
 * A zod schema as a validator: a parsed event is the input; one that does
 * not match is answered with `rejected(fields)` and logged as `code`, with
 * the fields at fault and never their values.
 */
export function schemaInput<Schema extends z.ZodType, Out>(
  schema: Schema,
  code: string,
  rejected: (fields: string[]) => Out,
): InputValidator<z.output<Schema>, Out> {
  return (event) => {
    const parsed = schema.safeParse(event);
    if (parsed.success) return { ok: true, input: parsed.data };
    const fields = [
      ...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)')),
    ];
    const named = fields.slice(0, 5);
    return {
      ok: false,
      code,
      reason: `event invalid at: ${named.join(', ')}`,
      response: rejected(named),
    };
  };
}

/**
 * Validation as a middleware: the handler runs only with a valid input. A
 * rejected event is logged, counted (EventsRejected) and answered with its
 * named outcome; the metrics are still flushed, because an early response skips
 * the middlewares' `after`.
 */
export function validateInput<In, Out>(
  validate: InputValidator<In, Out>,
): MiddlewareObj<In, Out, Error, Context> {
  return {
    before: async (request) => {
      const checked = validate(request.event, request.context);
      if (checked.ok) {
        request.event = checked.input;
        return undefined;
      }
      logger.error('event rejected', { code: checked.code, reason: checked.reason });
      recordEventRejected(metrics);
      await cleanupMiddlewares(request);
      return checked.response;
    },
  };
}

/** A Lambda handler of a typed input: logging, metrics and validation around `handle`. */
export function lambdaHandler<In, Out>(
  validate: InputValidator<In, Out>,
  handle: (input: In, context: Context) => Promise<Out>,
) {
  return middy<In, Out, Error, Context>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(validateInput(validate))
    .handler(handle);
}

import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { lambdaHandler, schemaInput } from '../../lib/lambda/handler.js';
import { captureStdout } from './capture-output.js';

const context = {
  functionName: 'rds-tls-guard-test',
  awsRequestId: 'request-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:rds-tls-guard-test',
} as Context;

const inputSchema = z.strictObject({ regions: z.array(z.string()).min(1) });

function handlerOf(handle: (input: z.output<typeof inputSchema>) => Promise<string>) {
  return lambdaHandler<z.output<typeof inputSchema>, string>(
    schemaInput(inputSchema, 'TEST_EVENT_INVALID', (fields) => `rejected at ${fields.join(', ')}`),
    handle,
  );
}

/** The EMF records written during `run`. */
async function metricRecords(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const capture = captureStdout();
  try {
    await run();
  } finally {
    capture.restore();
  }
  return capture
    .lines()
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => '_aws' in entry);
}

describe('lambdaHandler input validation', () => {
  it('runs the handler with the parsed input', async () => {
    const handle = vi.fn(async (input: { regions: string[] }) => input.regions.join(','));
    expect(await handlerOf(handle)({ regions: ['eu-west-1'] }, context)).toBe('eu-west-1');
    expect(handle.mock.calls[0]?.[0]).toEqual({ regions: ['eu-west-1'] });
  });

  it('answers a malformed event with its named outcome, counted as rejected, without running the handler', async () => {
    const handle = vi.fn(async () => 'ran');
    let response: unknown;
    const records = await metricRecords(async () => {
      response = await handlerOf(handle)({ regions: 'eu-west-1' } as never, context);
    });
    expect(response).toBe('rejected at regions');
    expect(handle).not.toHaveBeenCalled();
    // The early answer skips logMetrics' own flush; the count is still published.
    expect(records.some((record) => record.EventsRejected === 1)).toBe(true);
  });
});

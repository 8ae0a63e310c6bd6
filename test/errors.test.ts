import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  describeError,
  describeIssues,
  errorCode,
  errorCodeOrName,
  errorMessage,
  errorName,
} from '../lib/errors.js';
import { SERVER_TEXT_LIMIT } from '../lib/text.js';

/** An SDK v3 service error as the clients throw it: name, $metadata, and a message that may echo input. */
function serviceError(name: string, status: number, message = 'token=SECRET echoed'): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('errorName', () => {
  it("is an error's name, never its message", () => {
    expect(errorName(serviceError('AccessDenied', 403))).toBe('AccessDenied');
  });

  it('is the name of a thrown object that is not an Error, else the thrown value’s type', () => {
    expect(errorName({ name: 'ThrottlingException' })).toBe('ThrottlingException');
    expect(errorName('plain text')).toBe('string');
    expect(errorName(undefined)).toBe('undefined');
  });
});

describe('errorCode and errorCodeOrName', () => {
  it('read a system or driver code, string or number', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(errorCode(refused)).toBe('ECONNREFUSED');
    expect(errorCode({ code: 1045 })).toBe('1045');
    expect(errorCode(new Error('no code'))).toBeUndefined();
    expect(errorCodeOrName(refused)).toBe('ECONNREFUSED');
    expect(errorCodeOrName(new TypeError('x'))).toBe('TypeError');
  });
});

describe('describeError', () => {
  it('gives name, a well-formed code and the HTTP status, and no message', () => {
    const error = Object.assign(serviceError('ExpiredToken', 403), { code: 'Expired.Token' });
    expect(describeError(error)).toBe('ExpiredToken (Expired.Token) HTTP 403');
  });

  it('leaves out a code that could carry input, and names only the type of a non-error', () => {
    const error = Object.assign(new Error('x'), { code: 'has spaces and token=SECRET' });
    expect(describeError(error)).toBe('Error');
    expect(describeError('token=SECRET')).toBe('string');
  });
});

describe('errorMessage', () => {
  it("clips an error's message, which may be a server's own text, to the server text limit", () => {
    const message = errorMessage(new Error('x'.repeat(SERVER_TEXT_LIMIT + 100)));
    expect(message).toBe('x'.repeat(SERVER_TEXT_LIMIT));
    expect(errorMessage('thrown text')).toBe('thrown text');
    expect(errorMessage(42)).toBe('unknown error');
  });
});

describe('describeIssues', () => {
  it('names the path and problem of the first three issues, quoting an unprintable key', () => {
    const parsed = z
      .object({ a: z.string(), b: z.number(), c: z.boolean(), d: z.string() })
      .safeParse({});
    if (parsed.success) throw new Error('expected a failure');
    expect(describeIssues(parsed.error.issues)).toMatch(/^a: .+; b: .+; c: .+; and 1 more$/);

    const keyed = z.record(z.string(), z.number()).safeParse({ 'bad\nkey': 'x' });
    if (keyed.success) throw new Error('expected a failure');
    expect(describeIssues(keyed.error.issues)).toMatch(/^"bad\?key": /);
  });
});

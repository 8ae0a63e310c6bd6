/**
 * RDS Proxy's answers to a plaintext client, as the Amazon RDS User Guide
 * records them ("Troubleshooting for RDS Proxy", rds-proxy.troubleshooting.html),
 * and what each proves about the proxy's own TLS requirement.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyProxyMysqlPlaintext,
  classifyProxyPostgresPlaintext,
} from '../../lib/probe/proxy-answers.js';

/** A pg error as the driver raises it: the SQLSTATE in `code`, the server's text as message. */
function pgAnswer(code: string, message: string, authenticationRequested = false) {
  return {
    error: Object.assign(new Error(message), { code, severity: 'FATAL' }),
    authenticationRequested,
  };
}

/** A mysql2 error as the driver raises it for a server's ERR packet. */
function mysqlAnswer(errno: number, sqlState: string, sqlMessage: string) {
  return {
    error: Object.assign(new Error(sqlMessage), {
      errno,
      sqlState,
      sqlMessage,
      code: errno === 1045 ? 'ER_ACCESS_DENIED_ERROR' : 'ER_SECURE_TRANSPORT_REQUIRED',
    }),
  };
}

describe('PostgreSQL proxy answers', () => {
  it('reads RDS Proxy’s “This RDS Proxy requires TLS connections.” (28000, before authentication) as the proxy’s refusal', () => {
    expect(
      classifyProxyPostgresPlaintext(pgAnswer('28000', 'This RDS Proxy requires TLS connections.')),
    ).toEqual({
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail:
        'plaintext refused by the proxy before authentication (28000 This RDS Proxy requires TLS connections)',
    });
  });

  it('reads PgBouncer’s “SSL required” (08P01, before authentication) as the proxy’s refusal', () => {
    expect(classifyProxyPostgresPlaintext(pgAnswer('08P01', 'SSL required'))).toMatchObject({
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
    });
  });

  it('could not tell from a 28000 that is an authentication failure (no secret for the role)', () => {
    expect(
      classifyProxyPostgresPlaintext(
        pgAnswer(
          '28000',
          'This RDS proxy has no credentials for the role rtg_0a1b2c3d4e5f6789. Check the credentials for this role and try again.',
        ),
      ),
    ).toEqual({
      kind: 'inconclusive',
      reason: 'PROXY_PLAINTEXT_COULD_NOT_TELL',
      detail:
        'could not tell whether the proxy requires TLS: its answer (28000 This RDS proxy has no credentials for the role rtg_0a1b2c3d…) is not its refusal of unencrypted clients',
    });
  });

  it('could not tell from the refusal of IAM over plaintext: a proxy without RequireTLS says it too', () => {
    for (const text of [
      'IAM authentication is allowed only with SSL connections.',
      'IAM is allowed only with SSL connections.',
    ]) {
      const step = classifyProxyPostgresPlaintext(pgAnswer('28000', text));
      expect(step.kind).toBe('inconclusive');
      expect(step.reason).toBe('PROXY_PLAINTEXT_COULD_NOT_TELL');
      expect(step.detail).toContain('refused IAM authentication over plaintext');
    }
  });

  it('does not take the words alone: the refusal text under another SQLSTATE could not tell', () => {
    expect(
      classifyProxyPostgresPlaintext(pgAnswer('08P01', 'This RDS Proxy requires TLS connections.'))
        .kind,
    ).toBe('inconclusive');
  });

  it('reads an authentication request over plaintext as the proxy accepting plaintext, whatever error follows', () => {
    expect(
      classifyProxyPostgresPlaintext(
        pgAnswer('28P01', 'The password that was provided for the role rtg_x is wrong.', true),
      ),
    ).toMatchObject({ kind: 'accepted', reason: 'PLAINTEXT_ACCEPTED' });
  });

  it('reads a wrong password without an authentication request as could not tell', () => {
    expect(
      classifyProxyPostgresPlaintext(
        pgAnswer('28P01', 'The password that was provided for the role rtg_x is wrong.'),
      ).reason,
    ).toBe('PROXY_PLAINTEXT_COULD_NOT_TELL');
  });
});

describe('MySQL-family proxy answers', () => {
  it('reads RDS Proxy’s “ERROR 3159 (HY000): This RDS Proxy requires TLS connections.” as the proxy’s refusal', () => {
    expect(
      classifyProxyMysqlPlaintext(
        mysqlAnswer(3159, 'HY000', 'This RDS Proxy requires TLS connections.'),
        'as a random user',
      ),
    ).toEqual({
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail:
        'plaintext refused by the proxy as a random user (3159 This RDS Proxy requires TLS connections.)',
    });
  });

  it('could not tell from “ERROR 1045 (28000): Access denied”: an authentication failure says nothing of TLS', () => {
    expect(
      classifyProxyMysqlPlaintext(
        mysqlAnswer(1045, '28000', "Access denied for user 'rtg_0a1b'@'%' (using password: YES)"),
        'as a random user',
      ),
    ).toEqual({
      kind: 'inconclusive',
      reason: 'PROXY_PLAINTEXT_COULD_NOT_TELL',
      detail:
        'could not tell whether the proxy requires TLS: plaintext login as a random user failed authentication (1045), which says nothing about TLS',
    });
  });

  it('could not tell from another server error (1040 connections rate limit exceeded)', () => {
    expect(
      classifyProxyMysqlPlaintext(
        mysqlAnswer(1040, 'HY000', 'Connections rate limit exceeded (100)'),
        'as a random user',
      ).reason,
    ).toBe('PROXY_PLAINTEXT_COULD_NOT_TELL');
  });

  it('reads a plaintext login that got in as accepted', () => {
    expect(classifyProxyMysqlPlaintext({ connected: true }, 'as a random user')).toEqual({
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      detail: 'plaintext login as a random user accepted by the proxy',
    });
  });

  it('reads a network failure as that failure, not as could not tell', () => {
    expect(
      classifyProxyMysqlPlaintext(
        { error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) },
        'as a random user',
      ).reason,
    ).toBe('UNREACHABLE');
  });
});

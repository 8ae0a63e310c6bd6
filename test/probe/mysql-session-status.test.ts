/**
 * What the MySQL-family probe makes of the session's Ssl_version, against a
 * scripted server that accepts the verified TLS login and answers the
 * session reads as the script says: an empty value is the server reporting
 * a plaintext session behind this side's verified TLS; no row at all is the
 * server's view unknown, never a server without TLS.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertificateSet } from '../../lib/local/index.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { type MysqlResultSet, mysqlSession, scriptedMysql } from '../fixtures/scripted-servers.js';
import { databaseItem, fixedCredentials, useMariadb } from '../fixtures/servers.js';

/** The run's MariaDB certificates: the scripted server presents its valid one. */
let certificates: CertificateSet;

beforeAll(() => {
  certificates = useMariadb().certificates;
});

const SETTINGS: Record<string, string> = {
  require_secure_transport: 'ON',
  tls_version: 'TLSv1.2,TLSv1.3',
  version: '10.11.9-scripted',
};

/** The server's answers: its settings as the SELECT names them, `status` for SHOW SESSION STATUS. */
function answers(status: readonly (readonly [string, string])[]) {
  return (statement: string): MysqlResultSet => {
    if (statement.startsWith('SHOW SESSION STATUS')) {
      return { columns: ['Variable_name', 'Value'], rows: status };
    }
    const columns = [...statement.matchAll(/ AS (\w+)/g)].map((match) => match[1] ?? '');
    return { columns, rows: [columns.map((name) => SETTINGS[name] ?? '')] };
  };
}

async function probeWithStatus(status: readonly (readonly [string, string])[]) {
  const server = await scriptedMysql(
    'after-tls',
    mysqlSession(answers(status)),
    certificates.servers.valid,
  );
  try {
    const prober = createLiveProber({
      credentials: fixedCredentials('probe', 'probe-Passw0rd-session-status'),
      caBundle: certificates.caPem,
      hostOverride: '127.0.0.1',
      connectTimeoutMs: 2_000,
    });
    return await prober.probe(databaseItem('mariadb', server.port), DEFAULT_RULE_PARAMETERS);
  } finally {
    await server.close();
  }
}

describe('MySQL-family session status behind a verified TLS upgrade', () => {
  it('is NON_COMPLIANT with TLS_ENDS_BEFORE_SERVER when the server reports an empty Ssl_version', async () => {
    const finding = await probeWithStatus([
      ['Ssl_cipher', ''],
      ['Ssl_version', ''],
    ]);
    expect(finding?.verdict).toBe('NON_COMPLIANT');
    expect(finding?.reason).toBe('TLS_ENDS_BEFORE_SERVER');
    expect(finding?.annotation).toContain('Ssl_version empty');
    expect(finding?.evidence).toContainEqual({ source: 'server', label: 'Ssl_version', value: '' });
  });

  it("rests the TLS step on this side's verified socket, never TLS_NOT_OFFERED, when the status shows no Ssl_version row", async () => {
    const finding = await probeWithStatus([]);
    expect(finding?.reason).not.toBe('TLS_NOT_OFFERED');
    expect(finding?.verdict).toBe('COMPLIANT');
    expect(finding?.reason).toBe('SERVER_REQUIRES_TLS');
    const step = finding?.evidence.find((item) => item.label === 'verify-full TLS');
    expect(step?.value).toMatch(/^TLSv1\.3 TLS_/);
    expect(finding?.evidence).toContainEqual({
      source: 'server',
      label: 'session status',
      value: 'unreadable (no Ssl_version row)',
    });
  });

  it("takes the TLS version from the server's own Ssl_version when it reports one", async () => {
    const finding = await probeWithStatus([
      ['Ssl_cipher', 'TLS_AES_256_GCM_SHA384'],
      ['Ssl_version', 'TLSv1.3'],
    ]);
    expect(finding?.verdict).toBe('COMPLIANT');
    expect(finding?.evidence).toContainEqual({
      source: 'server',
      label: 'Ssl_version',
      value: 'TLSv1.3',
    });
  });
});

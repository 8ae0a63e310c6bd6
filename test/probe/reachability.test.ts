import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { InventoryItem, LiveProber } from '../../lib/pipeline.js';
import { checkTcpListener, tcpReachability } from '../../lib/probe/reachability.js';
import { scan } from '../../lib/scan.js';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters } from '../../lib/types.js';

interface Listener {
  port: number;
  /** Per accepted connection: bytes received and whether the client closed it. */
  connections: { bytes: number; closed: Promise<void> }[];
  close(): Promise<void>;
}

const open: Listener[] = [];

/** A plain TCP listener on 127.0.0.1 that records what clients do. */
async function loopbackListener(greeting?: string): Promise<Listener> {
  const sockets = new Set<Socket>();
  const connections: Listener['connections'] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const entry = {
      bytes: 0,
      closed: new Promise<void>((resolve) => socket.once('close', () => resolve())),
    };
    connections.push(entry);
    socket.on('data', (chunk: Buffer) => {
      entry.bytes += chunk.length;
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    if (greeting) socket.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listener: Listener = {
    port: typeof address === 'object' && address ? address.port : 0,
    connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  open.push(listener);
  return listener;
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const listener = await loopbackListener();
  await listener.close();
  open.splice(open.indexOf(listener), 1);
  return listener.port;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((listener) => listener.close()));
});

describe('TCP reachability check', () => {
  it('reports an accepting listener as open, then closes without sending a byte', async () => {
    const listener = await loopbackListener();
    const result = await checkTcpListener({ host: '127.0.0.1', port: listener.port });
    expect(result).toMatchObject({ host: '127.0.0.1', port: listener.port, outcome: 'open' });
    expect(result.code).toBeUndefined();
    expect(listener.connections).toHaveLength(1);
    const [connection] = listener.connections;
    await connection?.closed;
    expect(connection?.bytes).toBe(0);
  });

  it('stays open and silent when the server speaks first', async () => {
    const listener = await loopbackListener('(DESCRIPTION=(ERR=1153))');
    const result = await checkTcpListener({ host: '127.0.0.1', port: listener.port });
    expect(result.outcome).toBe('open');
    await listener.connections[0]?.closed;
    expect(listener.connections[0]?.bytes).toBe(0);
  });

  it('reports a closed port as refused, with the socket error code', async () => {
    const port = await closedPort();
    const result = await tcpReachability({ timeoutMs: 2_000 })({ host: '127.0.0.1', port });
    expect(result).toMatchObject({ port, outcome: 'refused', code: 'ECONNREFUSED' });
  });
});

/** An Oracle instance with a correct SSL option whose security groups admit no plaintext port. */
function oracleItem(port: number, engine = 'oracle-ee'): InventoryItem {
  return {
    resource: {
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-ORACLEORACLEORACLEORACLE0',
      identifier: 'ledger-ora',
      region: 'eu-west-1',
      engine,
      engineVersion: '19.0.0.0.ru-2024-01.rur-2024-01.r1',
      endpoint: { address: '127.0.0.1', port },
      optionGroups: [{ name: 'ora-tls', status: 'in-sync' }],
      vpcSecurityGroupIds: ['sg-0db1a2b3c4d5e6f70'],
      iamDatabaseAuthenticationEnabled: false,
      tags: {},
    },
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

const noProbe: LiveProber = { probe: async () => undefined };

async function scanOne(
  item: InventoryItem,
  ruleParameters: RuleParameters = DEFAULT_RULE_PARAMETERS,
) {
  const result = await scan({
    inventory: async () => ({ items: [item], problems: [], regions: ['eu-west-1'] }),
    ruleParameters,
    prober: noProbe,
    reachability: tcpReachability({ timeoutMs: 2_000 }),
  });
  const evaluation = result.evaluations[0];
  if (!evaluation) throw new Error('no evaluation');
  return evaluation.finding;
}

describe('the scan with the live plaintext-listener check', () => {
  it('turns an Oracle listener that accepts a connection NON_COMPLIANT, decided by the live connect', async () => {
    const listener = await loopbackListener();
    const finding = await scanOne(oracleItem(listener.port));
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('ORACLE_PLAINTEXT_LISTENER_REACHABLE');
    expect(finding.evidence).toContainEqual({
      source: 'probe',
      label: `plaintext listener ${listener.port} decided by`,
      value: 'live TCP connect',
    });
    await listener.connections[0]?.closed;
    expect(listener.connections[0]?.bytes).toBe(0);
  });

  it("keeps the security groups' COMPLIANT when the port refuses, with the refusal as evidence", async () => {
    const port = await closedPort();
    const finding = await scanOne(oracleItem(port));
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.evidence).toContainEqual(
      expect.objectContaining({ source: 'probe', label: `TCP connect 127.0.0.1:${port}` }),
    );
  });

  it('makes no connection when live probing is off, or for other engines', async () => {
    const listener = await loopbackListener();
    await scanOne(oracleItem(listener.port), { ...DEFAULT_RULE_PARAMETERS, liveProbe: false });
    await scanOne(oracleItem(listener.port, 'postgres'));
    expect(listener.connections).toHaveLength(0);
  });
});

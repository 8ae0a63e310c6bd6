import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTcpListener, tcpReachability } from '../../lib/probe/reachability.js';

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

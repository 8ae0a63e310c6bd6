/**
 * A TCP proxy on loopback that delays every byte, FIN and reset by half a
 * round trip in each direction, standing in for the network between a
 * Lambda function and a database in the same VPC (this machine's kernel has
 * no netem). It runs in a process of its own so its timers are not held up
 * by the probe's TLS work.
 *
 * The TCP handshake costs a round trip on a real network and nothing on
 * loopback, so the proxy opens the upstream connection 1.5 round trips after
 * accepting and forwards nothing before: the server then sees the client's
 * first bytes, and the client the server's first bytes, when they would.
 *
 * Each connection's flights are counted as the proxy receives them: a flight
 * is a run of bytes in one direction, so a new flight starts whenever the
 * direction changes. Opening and closing times are kept, in ms from the
 * first connection since the last reset, to show what overlaps.
 *
 * Protocol on the IPC channel (parent → child):
 *   { type: 'listen', upstreams: number[], roundTripMs }  → { type: 'listening', ports }
 *   { type: 'take', waitMs }  → { type: 'connections', connections }, once every
 *   connection has closed or after waitMs (a client may return before its
 *   last socket is gone); then the log starts afresh.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export interface ProxyConnectionLog {
  /** Index of the upstream in the `listen` message. */
  upstream: number;
  openedMs: number;
  closedMs?: number;
  /** Direction changes + 1 (0 when nothing was sent). */
  flights: number;
  /** Each flight as the proxy received its first bytes: direction, ms since the log began, bytes. */
  flightLog: { direction: 'up' | 'down'; atMs: number; bytes: number }[];
  clientBytes: number;
  serverBytes: number;
}

export type ProxyRequest =
  | { type: 'listen'; upstreams: number[]; roundTripMs: number }
  | { type: 'take'; waitMs: number };

export type ProxyReply =
  | { type: 'listening'; ports: number[] }
  | { type: 'connections'; connections: ProxyConnectionLog[] };

type Delivery = { due: number } & ({ chunk: Buffer } | { end: true } | { close: true });

/** One direction of one connection: arrivals leave in order, each half a round trip after they came. */
class DelayedPipe {
  private readonly queue: Delivery[] = [];
  private scheduled = false;
  private ready = false;

  constructor(private readonly deliver: (delivery: Delivery) => void) {}

  push(delivery: Delivery): void {
    this.queue.push(delivery);
    this.schedule();
  }

  /** Nothing leaves before the destination socket exists. */
  open(): void {
    this.ready = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || !this.ready || this.queue.length === 0) return;
    this.scheduled = true;
    const remaining = (this.queue[0]?.due ?? 0) - performance.now();
    const tick = (): void => {
      this.scheduled = false;
      this.flush();
    };
    // Node's timers have 1 ms granularity: sleep until about 1 ms before the
    // due time, then poll once per event-loop turn for sub-millisecond delays.
    if (remaining > 1.5) setTimeout(tick, remaining - 1);
    else setImmediate(tick);
  }

  private flush(): void {
    const now = performance.now();
    while (this.queue.length > 0 && (this.queue[0]?.due ?? 0) <= now) {
      const next = this.queue.shift();
      if (next) this.deliver(next);
    }
    this.schedule();
  }
}

let epoch: number | undefined;
let log: ProxyConnectionLog[] = [];
const servers: Server[] = [];

function since(): number {
  epoch ??= performance.now();
  return performance.now() - epoch;
}

/** Ends a socket once what was written to it has gone out; a reset arrives as a FIN. */
function closeAfterWrites(socket: Socket | undefined): void {
  if (!socket || socket.destroyed) return;
  if (socket.writableFinished) socket.destroy();
  else socket.end(() => socket.destroy());
}

function proxyConnection(client: Socket, upstream: number, port: number, roundTripMs: number) {
  const entry: ProxyConnectionLog = {
    upstream,
    openedMs: since(),
    flights: 0,
    flightLog: [],
    clientBytes: 0,
    serverBytes: 0,
  };
  log.push(entry);
  const oneWay = roundTripMs / 2;
  let lastDirection: 'up' | 'down' | undefined;
  let server: Socket | undefined;
  let open = 2;
  const closedOne = (): void => {
    open -= 1;
    if (open === 0) entry.closedMs = since();
  };

  const up = new DelayedPipe((d) => {
    if ('chunk' in d) server?.write(d.chunk);
    else if ('end' in d) server?.end();
    else closeAfterWrites(server);
  });
  const down = new DelayedPipe((d) => {
    if ('chunk' in d) client.write(d.chunk);
    else if ('end' in d) client.end();
    else closeAfterWrites(client);
  });
  down.open();

  const arrived = (direction: 'up' | 'down', chunk: Buffer): void => {
    if (direction !== lastDirection) {
      entry.flights += 1;
      entry.flightLog.push({ direction, atMs: since(), bytes: 0 });
    }
    lastDirection = direction;
    const flight = entry.flightLog[entry.flightLog.length - 1];
    if (flight) flight.bytes += chunk.length;
    if (direction === 'up') entry.clientBytes += chunk.length;
    else entry.serverBytes += chunk.length;
    (direction === 'up' ? up : down).push({ due: performance.now() + oneWay, chunk });
  };
  const later = (): number => performance.now() + oneWay;

  let clientClosed = false;
  client.on('data', (chunk: Buffer) => arrived('up', chunk));
  client.on('end', () => up.push({ due: later(), end: true }));
  client.on('close', () => {
    clientClosed = true;
    closedOne();
    up.push({ due: later(), close: true });
  });
  client.on('error', () => {});

  setTimeout(() => {
    if (clientClosed && entry.clientBytes === 0) {
      closedOne();
      return;
    }
    server = tcpConnect({ host: '127.0.0.1', port, noDelay: true }, () => up.open());
    server.on('data', (chunk: Buffer) => arrived('down', chunk));
    server.on('end', () => down.push({ due: later(), end: true }));
    server.on('close', () => {
      closedOne();
      down.push({ due: later(), close: true });
    });
    server.on('error', () => {});
  }, roundTripMs * 1.5);
}

async function listen(upstreams: number[], roundTripMs: number): Promise<number[]> {
  const ports: number[] = [];
  for (const [index, port] of upstreams.entries()) {
    const server = createServer({ noDelay: true }, (client) =>
      proxyConnection(client, index, port, roundTripMs),
    );
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    ports.push(typeof address === 'object' && address ? address.port : 0);
  }
  return ports;
}

process.on('message', (message: ProxyRequest) => {
  const send = (reply: ProxyReply): void => {
    process.send?.(reply);
  };
  if (message.type === 'listen') {
    void listen(message.upstreams, message.roundTripMs).then((ports) =>
      send({ type: 'listening', ports }),
    );
  } else if (message.type === 'take') {
    const deadline = performance.now() + message.waitMs;
    const reply = (): void => {
      if (log.some((c) => c.closedMs === undefined) && performance.now() < deadline) {
        setTimeout(reply, 5);
        return;
      }
      send({ type: 'connections', connections: log });
      log = [];
      epoch = undefined;
    };
    reply();
  }
});
process.on('disconnect', () => {
  for (const server of servers) server.close();
  process.exit(0);
});

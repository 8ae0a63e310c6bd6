/**
 * Is a listener reachable from here? One TCP connect, bounded in time: when
 * the server accepts, the socket is closed at once and not a byte is sent, so
 * nothing (no credential, no protocol greeting) ever crosses the connection.
 * Used for Oracle's plaintext listener, which no driver here speaks.
 */
import { connect } from 'node:net';
import { onAbort } from '../deadline.js';
import type { ReachabilityCheck } from '../pipeline.js';
import type { ListenerReachability } from '../types.js';

export interface ReachabilityTarget {
  host: string;
  port: number;
}

export const DEFAULT_REACHABILITY_TIMEOUT_MS = 3_000;

const UNREACHABLE_CODES = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
]);

export function tcpReachability(options: { timeoutMs?: number } = {}): ReachabilityCheck {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REACHABILITY_TIMEOUT_MS;
  return (target, signal) => checkTcpListener(target, timeoutMs, signal);
}

export function checkTcpListener(
  target: ReachabilityTarget,
  timeoutMs = DEFAULT_REACHABILITY_TIMEOUT_MS,
  signal?: AbortSignal,
): Promise<ListenerReachability> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ListenerReachability['outcome'], code?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      release();
      socket.destroy();
      resolve({
        host: target.host,
        port: target.port,
        outcome,
        durationMs: Date.now() - started,
        ...(code ? { code } : {}),
      });
    };
    // The timer covers DNS lookup and the handshake together.
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const socket = connect({ host: target.host, port: target.port });
    // Never read: whatever the server sends first stays unread and is dropped with the socket.
    socket.pause();
    // The scan has moved on: nothing was learned, and the socket is closed.
    const release = onAbort(signal, () => finish('timeout'));
    socket.once('connect', () => finish('open'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = typeof error.code === 'string' ? error.code : undefined;
      if (code === 'ECONNREFUSED') finish('refused', code);
      else if (code !== undefined && UNREACHABLE_CODES.has(code)) finish('unreachable', code);
      else if (code === 'ETIMEDOUT') finish('timeout', code);
      else finish('error', code ?? error.name);
    });
  });
}

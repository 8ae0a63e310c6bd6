/**
 * Offers a server only TLS versions below the rule's minimum and reports
 * whether the handshake completes. No credentials are involved: the
 * connection is closed right after the handshake, before any login.
 */
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { onAbort } from '../deadline.js';
import { errorCode, errorCodeOrName, errorMessage } from '../errors.js';
import { shortServerText } from '../text.js';
import type { TlsVersion } from '../types.js';
import { isLocalProtocolRefusal, networkProblem } from './failures.js';
import { highestVersionBelow, type LegacyTlsStep, type ProbeTarget } from './model.js';
import { legacySecureContext } from './tls-context.js';

/** Turns a plain socket into one ready for a TLS ClientHello, or says why it cannot. */
export type TlsPreamble = (
  socket: Socket,
) => Promise<{ ready: true } | { ready: false; detail: string }>;

const PG_SSL_REQUEST_CODE = 80877103;

/** PostgreSQL: SSLRequest, then the server answers `S` (go ahead) or `N` (no TLS). */
export const postgresPreamble: TlsPreamble = async (socket) => {
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(PG_SSL_REQUEST_CODE, 4);
  socket.write(request);
  const answer = await readBytes(socket, 1);
  if (answer[0] === 0x53) return { ready: true };
  if (answer[0] === 0x4e) return { ready: false, detail: 'server declined SSLRequest' };
  return { ready: false, detail: 'unexpected answer to SSLRequest' };
};

const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_SSL = 0x800;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_PLUGIN_AUTH = 0x80000;

/**
 * A real greeting is under 200 bytes; a larger declared length is a server
 * trying to make this side buffer what it sends.
 */
export const MAX_GREETING_BYTES = 4096;

/** MySQL/MariaDB: read the greeting, check CLIENT_SSL, send the SSL request packet. */
export const mysqlPreamble: TlsPreamble = async (socket) => {
  const header = await readBytes(socket, 4);
  const length = header.readUIntLE(0, 3);
  if (length > MAX_GREETING_BYTES) {
    return {
      ready: false,
      detail: `greeting of ${length} bytes declared, more than any server sends`,
    };
  }
  const payload = await readBytes(socket, length);
  if (payload[0] === 0xff) {
    const message = shortServerText(
      payload.subarray(payload[3] === 0x23 ? 9 : 3).toString('utf8'),
      80,
    );
    return { ready: false, detail: `server error ${payload.readUInt16LE(1)}: ${message}` };
  }
  if (payload[0] !== 10) return { ready: false, detail: 'not a MySQL protocol 10 greeting' };
  const versionEnd = payload.indexOf(0, 1);
  // protocol(1) version\0 thread-id(4) auth-data-1(8) filler(1) capabilities-low(2)
  const capabilityOffset = versionEnd + 1 + 4 + 8 + 1;
  if (versionEnd < 0 || payload.length < capabilityOffset + 2) {
    return { ready: false, detail: 'truncated greeting' };
  }
  if ((payload.readUInt16LE(capabilityOffset) & CLIENT_SSL) === 0) {
    return { ready: false, detail: 'server does not offer TLS' };
  }
  const sslRequest = Buffer.alloc(4 + 32);
  sslRequest.writeUIntLE(32, 0, 3);
  sslRequest[3] = 1;
  sslRequest.writeUInt32LE(
    CLIENT_LONG_PASSWORD |
      CLIENT_PROTOCOL_41 |
      CLIENT_SSL |
      CLIENT_SECURE_CONNECTION |
      CLIENT_PLUGIN_AUTH,
    4,
  );
  sslRequest.writeUInt32LE(16 * 1024 * 1024, 8);
  sslRequest[12] = 33;
  socket.write(sslRequest);
  return { ready: true };
};

/** Reads exactly `count` bytes, leaving anything beyond them unread. */
function readBytes(socket: Socket, count: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const cleanup = (): void => {
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null = socket.read() as Buffer | null;
      while (chunk !== null) {
        const needed = count - have;
        if (chunk.length > needed) {
          socket.unshift(chunk.subarray(needed));
          chunk = chunk.subarray(0, needed);
        }
        chunks.push(chunk);
        have += chunk.length;
        if (have === count) {
          cleanup();
          resolve(Buffer.concat(chunks));
          return;
        }
        chunk = socket.read() as Buffer | null;
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(Object.assign(new Error('server closed the connection'), { code: 'ECONNRESET' }));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('error', onError);
    onReadable();
  });
}

/** probeLegacyTls that never rejects: an attempt that broke is a named `failed` step. */
export function checkLegacyTls(target: ProbeTarget, preamble: TlsPreamble): Promise<LegacyTlsStep> {
  return probeLegacyTls(target, preamble).catch(
    (error: unknown): LegacyTlsStep => ({
      kind: 'failed',
      detail: `legacy attempt failed to run (${errorCodeOrName(error)})`,
    }),
  );
}

export async function probeLegacyTls(
  target: ProbeTarget,
  preamble: TlsPreamble,
): Promise<LegacyTlsStep> {
  const offered = highestVersionBelow(target.minTlsVersion);
  if (offered === undefined) return { kind: 'skipped', detail: 'no TLS version below the minimum' };
  return attemptHandshake(target, preamble, 'TLSv1', offered);
}

async function attemptHandshake(
  target: ProbeTarget,
  preamble: TlsPreamble,
  minVersion: TlsVersion,
  maxVersion: TlsVersion,
): Promise<LegacyTlsStep> {
  const socket = new Socket();
  let timer: NodeJS.Timeout | undefined;
  let release = () => {};
  const sockets: { destroy(): void }[] = [socket];
  try {
    const handshake = (async (): Promise<LegacyTlsStep> => {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(target.port, target.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      const ready = await preamble(socket);
      if (!ready.ready) return { kind: 'inconclusive', offered: maxVersion, detail: ready.detail };
      return await new Promise<LegacyTlsStep>((resolve) => {
        let tls: ReturnType<typeof tlsConnect>;
        try {
          tls = tlsConnect({
            socket,
            ...(isIP(target.servername) === 0 ? { servername: target.servername } : {}),
            secureContext: legacySecureContext(minVersion, maxVersion),
            // Only the negotiated version matters here; trust is checked by the verify-full step.
            rejectUnauthorized: false,
          });
        } catch (error) {
          resolve(classifyHandshakeError(error, maxVersion));
          return;
        }
        sockets.push(tls);
        tls.once('secureConnect', () => {
          resolve({
            kind: 'accepted',
            offered: maxVersion,
            protocol: tls.getProtocol() ?? maxVersion,
          });
        });
        tls.once('error', (error) => resolve(classifyHandshakeError(error, maxVersion)));
        tls.once('close', () =>
          resolve({
            kind: 'refused',
            offered: maxVersion,
            detail: 'server closed the connection during the handshake',
          }),
        );
      });
    })();
    const deadline = new Promise<LegacyTlsStep>((resolve) => {
      // The scan's time ran out: the finally below closes the sockets.
      release = onAbort(target.signal, () =>
        resolve({ kind: 'inconclusive', offered: maxVersion, detail: 'time ran out' }),
      );
      timer = setTimeout(
        () =>
          resolve({
            kind: 'inconclusive',
            offered: maxVersion,
            detail: 'no answer before the timeout',
          }),
        target.connectTimeoutMs,
      );
    });
    return await Promise.race([
      handshake.catch((error) => classifyConnectError(error, maxVersion)),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    release();
    // The TLS socket owns the plain one; destroying the plain socket under a live
    // TLS session first crashes Node's TLS wrap, so close from the top down.
    for (const open of sockets.reverse()) open.destroy();
  }
}

function classifyConnectError(error: unknown, offered: TlsVersion): LegacyTlsStep {
  const network = networkProblem(error);
  return { kind: 'inconclusive', offered, detail: network?.detail ?? errorMessage(error) };
}

function classifyHandshakeError(error: unknown, offered: TlsVersion): LegacyTlsStep {
  if (isLocalProtocolRefusal(error)) {
    return {
      kind: 'untestable',
      offered,
      detail: `this client's OpenSSL cannot offer ${offered} (${errorCode(error) ?? 'no protocols'})`,
    };
  }
  const code = errorCode(error);
  if (
    code?.startsWith('ERR_SSL_') ||
    code === 'EPROTO' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE'
  ) {
    return { kind: 'refused', offered, detail: code };
  }
  return { kind: 'inconclusive', offered, detail: code ?? errorMessage(error) };
}

/**
 * One pg client for the probe: bounded reads, a note of whether the server
 * asked to authenticate, and the plaintext login with a throwaway password.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { onAbort } from '../deadline.js';
import { errorMessage } from '../errors.js';
import type { PlaintextStep, ProbeTarget } from './model.js';
import {
  classifyPlaintextAnswer,
  type PlaintextAnswer,
  type PlaintextIdentity,
} from './postgres-plaintext.js';
import {
  failureWithin,
  isDuplex,
  limitReads,
  onEachStream,
  type ReadBudget,
} from './read-limit.js';

const AUTHENTICATION_MESSAGES = [
  'authenticationOk',
  'authenticationCleartextPassword',
  'authenticationMD5Password',
  'authenticationSASL',
] as const;

/** A client that watches its own reads and notes whether the server asked it to authenticate. */
export interface WatchedClient {
  client: pg.Client;
  budget: ReadBudget;
  authenticationRequested(): boolean;
}

/** `signal` aborting closes the connection (the scan's time ran out). */
export function newClient(config: pg.ClientConfig, signal?: AbortSignal): WatchedClient {
  const client = new pg.Client(config);
  // pg emits 'error' on the client for a broken connection; unhandled, it would crash the process.
  client.on('error', () => {});
  onAbort(signal, () => closeClient(client));
  let requested = false;
  for (const name of AUTHENTICATION_MESSAGES) {
    client.connection.on(name, () => {
      requested = true;
    });
  }
  const budget = limitReads(client.connection);
  onEachStream(client.connection, (stream) =>
    containParserFailures(stream, () => {
      requested = true;
    }),
  );
  return { client, budget, authenticationRequested: () => requested };
}

/** pg's parser on an authentication request for a method it does not speak (GSSAPI, SSPI). */
const UNKNOWN_AUTHENTICATION = /^Unknown authenticationOk message type (\d{1,10})$/;

/**
 * pg's parser throws from inside the socket's 'data' event on a message it
 * cannot read: an authentication request for a method it does not speak, or
 * a truncated message. Uncaught, that would end the process. Caught here, the
 * connection fails with a named error, and a request for an unknown method
 * still counts as the server asking to authenticate.
 */
function containParserFailures(stream: unknown, onAuthenticationRequest: () => void): void {
  if (!isDuplex(stream)) return;
  const emit = stream.emit.bind(stream);
  stream.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== 'data') return emit(event, ...args);
    try {
      return emit(event, ...args);
    } catch (error) {
      const method = UNKNOWN_AUTHENTICATION.exec(errorMessage(error))?.[1];
      if (method !== undefined) onAuthenticationRequest();
      stream.destroy(
        method !== undefined
          ? Object.assign(
              new Error(
                `server asked for authentication method ${method}, which this client does not speak`,
              ),
              { code: 'UNSUPPORTED_AUTHENTICATION' },
            )
          : Object.assign(new Error(`unreadable server message (${errorMessage(error)})`), {
              code: 'PROTOCOL_ERROR',
            }),
      );
      return false;
    }
  };
}

export function closeClient(client: pg.Client): void {
  client.connection.stream.destroy();
}

/** One plaintext login as `identity`, never with the real password, judged. */
export async function plaintextAttempt(
  target: ProbeTarget,
  identity: PlaintextIdentity,
  classify: (answer: PlaintextAnswer) => PlaintextStep = classifyPlaintextAnswer,
): Promise<PlaintextStep> {
  const watched = newClient(
    {
      host: target.host,
      port: target.port,
      user: identity.user,
      // Never the real password: pg_hba decides before authentication.
      password: randomBytes(24).toString('base64url'),
      database: identity.database,
      ssl: false,
      connectionTimeoutMillis: target.connectTimeoutMs,
      application_name: 'rds-tls-guard',
    },
    target.signal,
  );
  try {
    await watched.client.connect();
    return classify({ connected: true });
  } catch (error) {
    return classify({
      error: failureWithin(watched.budget, error),
      authenticationRequested: watched.authenticationRequested(),
    });
  } finally {
    closeClient(watched.client);
  }
}

/**
 * The PostgreSQL plaintext step, judged: who logs in without TLS (the probe
 * user, and stand-ins no pg_hba line can name), how the server's answer to
 * each login reads, and how the answers join into one step. pg_hba is
 * checked before authentication, so an error with SQLSTATE 28000 before any
 * authentication request is a refusal of the connection itself, and an
 * authentication request means the server let a plaintext client through to
 * log in. Only SQLSTATEs and message types are read, never the wording,
 * which follows the server's lc_messages. Pure: no sockets here.
 */
import { randomBytes } from 'node:crypto';
import { errorCode, errorMessage } from '../errors.js';
import { clipServerText, shortServerText } from '../text.js';
import { networkProblem } from './failures.js';
import type { PlaintextStep, ProbeCredentials } from './model.js';
import { READ_LIMIT_EXCEEDED } from './read-limit.js';

/** What the server did with one plaintext login, before it is judged. */
export type PlaintextAnswer =
  | { connected: true }
  | {
      error: unknown;
      /** The server sent an authentication request (password, SASL, or OK) before its error. */
      authenticationRequested: boolean;
    };

/** Words of the English server text worth quoting; matched on a clipped copy, never required. */
function hbaHint(message: string): string {
  const text = clipServerText(message);
  if (text.includes('no encryption')) return ': no encryption';
  if (text.includes('SSL off')) return ': SSL off';
  return '';
}

/** A failed plaintext login as every judge reads it: the server's SQLSTATE and words. */
export interface PlaintextRefusal {
  error: unknown;
  message: string;
  /** Only a well-formed SQLSTATE; anything else from the wire is not one. */
  sqlState: string | undefined;
  /** An authentication request came, or the server's error says an authentication method ran. */
  authenticationRequested: boolean;
}

/**
 * The answers that decide themselves (a session, or more bytes than the read
 * limit) as a step; otherwise the refusal's parts for the caller to judge.
 */
export function readPlaintextAnswer(
  answer: PlaintextAnswer,
  acceptedDetail: string,
): { step: PlaintextStep } | PlaintextRefusal {
  if ('connected' in answer) {
    return { step: { kind: 'accepted', reason: 'PLAINTEXT_ACCEPTED', detail: acceptedDetail } };
  }
  const { error, authenticationRequested } = answer;
  const code = errorCode(error);
  if (code === READ_LIMIT_EXCEEDED) {
    return {
      step: { kind: 'inconclusive', reason: 'RESPONSE_TOO_LARGE', detail: errorMessage(error) },
    };
  }
  const sqlState = code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  return {
    error,
    message: errorMessage(error),
    sqlState,
    authenticationRequested: authenticationRequested || ranAuthentication(error),
  };
}

/**
 * PostgreSQL reports every failed authentication method from its auth_failed
 * routine, and refuses a connection in pg_hba from ClientAuthentication, both
 * with 28000. An ident check asks the client host's identd, never the client,
 * so it fails without an authentication request: the routine (the R field of
 * the ErrorResponse, a function name, never translated) is what shows that a
 * plaintext client was let through to log in.
 */
function ranAuthentication(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { routine?: unknown }).routine === 'auth_failed'
  );
}

/** One plaintext attempt's verdict from what the server answered a throwaway-password login. */
export function classifyPlaintextAnswer(answer: PlaintextAnswer): PlaintextStep {
  const read = readPlaintextAnswer(
    answer,
    'plaintext login accepted by server without a valid password',
  );
  if ('step' in read) return read.step;
  const { error, sqlState, authenticationRequested } = read;
  if (authenticationRequested || sqlState === '28P01') {
    return {
      kind: 'accepted',
      reason: 'PLAINTEXT_ACCEPTED',
      // The server's own words are quoted (never matched): for a proxy they are the only trace.
      detail: `plaintext accepted by server: it went on to authentication${sqlState ? ` (${sqlState} ${shortServerText(errorMessage(error), 60)})` : ''} instead of refusing`,
    };
  }
  if (sqlState === '28000') {
    return {
      kind: 'refused',
      reason: 'PLAINTEXT_REFUSED',
      detail: `plaintext refused by server before authentication (28000 pg_hba${hbaHint(errorMessage(error))})`,
    };
  }
  const network = networkProblem(error);
  if (network) return { kind: 'inconclusive', reason: network.reason, detail: network.detail };
  if (sqlState) {
    return {
      kind: 'inconclusive',
      reason: 'PLAINTEXT_RESULT_AMBIGUOUS',
      detail: `plaintext answer ${sqlState} ${shortServerText(errorMessage(error))}`,
    };
  }
  return {
    kind: 'inconclusive',
    reason: 'PROTOCOL_ERROR',
    detail: `no PostgreSQL answer to plaintext: ${shortServerText(errorMessage(error), 60)}`,
  };
}

/** Who a plaintext attempt logs in as. */
export interface PlaintextIdentity {
  /** Names the attempt in evidence. */
  label: string;
  user: string;
  database: string;
  /** True for the secret's own user and database; false for a random stand-in. */
  real: { user: boolean; database: boolean };
}

/**
 * Through a proxy: one random role on a random database. A proxy's TLS
 * requirement is one setting for every client (no pg_hba lines to single a
 * user out), and a random identity puts nothing of the credentials on the wire.
 */
export function proxyPlaintextIdentity(): PlaintextIdentity {
  return {
    label: 'random role and database',
    user: `rtg_${randomBytes(8).toString('hex')}`,
    database: `rtg_${randomBytes(8).toString('hex')}`,
    real: { user: false, database: false },
  };
}

/**
 * The probe identity, and stand-ins no pg_hba line can name: a random role, a
 * random database, and both, with one random name for the role and the
 * database so that a `sameuser` line (the database named after the role)
 * admits the last one as it would any client logging in to its own database.
 */
export function plaintextIdentities(credentials: ProbeCredentials): {
  own: PlaintextIdentity;
  standIns: PlaintextIdentity[];
} {
  const user = credentials.username;
  const database = credentials.database ?? 'postgres';
  const randomRole = `rtg_${randomBytes(8).toString('hex')}`;
  const randomDatabase = randomRole;
  return {
    own: { label: 'probe user', user, database, real: { user: true, database: true } },
    standIns: [
      {
        label: 'random role',
        user: randomRole,
        database,
        real: { user: false, database: true },
      },
      {
        label: 'random database',
        user,
        database: randomDatabase,
        real: { user: true, database: false },
      },
      {
        label: 'random role on the database of its own name',
        user: randomRole,
        database: randomDatabase,
        real: { user: false, database: false },
      },
    ],
  };
}

/**
 * Joins the attempts: plaintext is refused server-wide only when every
 * identity was refused. A stand-in let through means the refusal is scoped to
 * the probe's user or database, and everyone else logs in without TLS.
 */
export function joinPlaintextAttempts(
  attempts: readonly { identity: PlaintextIdentity; step: PlaintextStep }[],
): PlaintextStep {
  const [own, ...others] = attempts;
  if (!own) {
    return { kind: 'inconclusive', reason: 'PLAINTEXT_NOT_ATTEMPTED', detail: 'no attempt made' };
  }
  if (own.step.kind !== 'refused') return own.step;
  const letThrough = others.find((attempt) => attempt.step.kind === 'accepted');
  if (letThrough) {
    // Only a stand-in that keeps the real user or database shows the refusal's scope.
    const { real } = letThrough.identity;
    const reason = real.user
      ? 'PLAINTEXT_REFUSED_PER_DATABASE_ONLY'
      : real.database
        ? 'PLAINTEXT_REFUSED_PER_USER_ONLY'
        : 'PLAINTEXT_ACCEPTED';
    return {
      kind: 'accepted',
      reason,
      detail: `plaintext refused only for the probe's own user and database: a ${letThrough.identity.label} went on to authentication without TLS`,
    };
  }
  const unsure = others.find((attempt) => attempt.step.kind !== 'refused');
  if (unsure) {
    return {
      kind: 'inconclusive',
      reason: unsure.step.reason,
      detail: `plaintext refused for the probe user, but the ${unsure.identity.label} attempt was inconclusive: ${unsure.step.detail}`,
    };
  }
  return {
    kind: 'refused',
    reason: 'PLAINTEXT_REFUSED',
    detail: `${own.step.detail}; also for a random role and database`,
  };
}

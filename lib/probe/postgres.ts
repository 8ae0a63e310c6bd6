/**
 * The live proof for PostgreSQL and Aurora PostgreSQL.
 *
 * 1. Plaintext logins with a random throwaway password, never the real one:
 *    as the probe user on its database, and as identities no pg_hba line can
 *    single out (a random role, a random database). pg_hba is checked before
 *    authentication, so an error with SQLSTATE 28000 before any
 *    authentication request is a refusal of the connection itself, and an
 *    authentication request (a password, SASL, or OK) means the server let a
 *    plaintext client through to log in. Only SQLSTATEs and message types are
 *    read, never the wording, which follows the server's lc_messages.
 * 2. verify-full TLS with the real credentials, reading what the server says
 *    about the session and its settings; the same user and database logging
 *    in over TLS shows the plaintext refusal was about encryption.
 * 3. A handshake offering only versions below the minimum (no login).
 *
 * Through a proxy endpoint (options.throughProxy) the plaintext attempt is
 * one random role on a random database, judged by proxy-answers.ts, and the
 * TLS step is this side's session with the proxy.
 */
import type { Evidence, Finding } from '../types.js';
import { decideSteps, legacyTlsEvidence, tlsEvidence } from './decision.js';
import { checkLegacyTls, postgresPreamble } from './legacy-tls.js';
import type { PlaintextStep, ProbeCredentials, ProbeOptions, ProbeTarget } from './model.js';
import { plaintextAttempt } from './postgres-client.js';
import {
  classifyPlaintextAnswer,
  joinPlaintextAttempts,
  type PlaintextIdentity,
  plaintextIdentities,
  proxyPlaintextIdentity,
} from './postgres-plaintext.js';
import { classifyTlsError, sessionEvidence, verifiedSession } from './postgres-session.js';
import { classifyProxyPostgresPlaintext } from './proxy-answers.js';

export async function probePostgres(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  options: ProbeOptions,
): Promise<Finding> {
  const throughProxy = options.throughProxy === true;
  const { own: ownIdentity, standIns } = throughProxy
    ? { own: proxyPlaintextIdentity(), standIns: [] }
    : plaintextIdentities(credentials);
  const evidence: Evidence[] = [{ source: 'probe', label: 'protocol', value: 'postgres' }];
  const attemptEvidence = (identity: PlaintextIdentity, step: PlaintextStep): Evidence => ({
    source: 'probe',
    label: `plaintext attempt as ${identity.label} (throwaway password)`,
    value: step.detail,
  });
  const context = { protocol: 'postgres', target, options, evidence } as const;
  // The probe user's plaintext attempt, the verified session and the legacy
  // handshake are independent: all start at once. The stand-in logins only
  // matter once the probe user was refused; they start then, beside the
  // session, which takes longer than both plaintext rounds together.
  const ownAttempt = plaintextAttempt(
    target,
    ownIdentity,
    throughProxy ? classifyProxyPostgresPlaintext : classifyPlaintextAnswer,
  );
  const session = verifiedSession(target, credentials, throughProxy).catch((error: unknown) => ({
    step: classifyTlsError(error),
    facts: undefined,
  }));
  const legacyAttempt = checkLegacyTls(target, postgresPreamble);
  const own = await ownAttempt;
  evidence.push(attemptEvidence(ownIdentity, own));
  const standInSteps =
    own.kind === 'refused'
      ? await Promise.all(standIns.map((identity) => plaintextAttempt(target, identity)))
      : [];
  const [{ step: tls, facts }, legacy] = await Promise.all([session, legacyAttempt]);
  const unreachable =
    own.kind === 'inconclusive' && ['UNREACHABLE', 'TIMEOUT'].includes(own.reason);
  if (unreachable) {
    return decideSteps(context, {
      plaintext: own,
      tls: {
        kind: 'inconclusive',
        reason: own.reason,
        detail: 'not judged: the endpoint did not answer the plaintext attempt',
      },
      legacy: { kind: 'skipped', detail: 'endpoint not reachable' },
    });
  }
  const attempts = [
    { identity: ownIdentity, step: own },
    ...standInSteps.map((step, index) => ({
      identity: standIns[index] as PlaintextIdentity,
      step,
    })),
  ];
  for (const attempt of attempts.slice(1))
    evidence.push(attemptEvidence(attempt.identity, attempt.step));
  const plaintext = throughProxy ? own : joinPlaintextAttempts(attempts);
  evidence.push(tlsEvidence(tls));
  evidence.push(...sessionEvidence(facts, throughProxy));
  evidence.push(legacyTlsEvidence(legacy));
  return decideSteps(context, { plaintext, tls, legacy });
}

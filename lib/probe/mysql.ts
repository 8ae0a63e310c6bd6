/**
 * The live proof for MySQL, MariaDB and Aurora MySQL.
 *
 * MySQL 8.0/8.4 and MariaDB check require_secure_transport only after the
 * credentials were accepted, and answer 1045 to a wrong password or unknown
 * user whether or not TLS is required; a throwaway identity over plaintext
 * therefore cannot show the setting. The proof is the server's own word,
 * read over a verified session:
 * 1. A verify-full TLS session with the real credentials reads what the
 *    server enforces (`require_secure_transport`, `tls_version`, the user's
 *    SSL requirement, the session's `Ssl_version`).
 * 2. A plaintext login as a random user with a random password: nothing
 *    derived from the real credentials. It catches an anonymous account that
 *    lets anyone in without TLS, and a server or proxy that refuses plaintext
 *    before credentials (3159).
 *    Only with the opt-in rule parameter `mysqlPlaintextLogin` is the real
 *    user tried over plaintext, limited to challenge-response authentication:
 *    any request for a plugin that would put the password on the wire
 *    (cleartext, PAM dialog, RSA with a key the server supplies) is refused on
 *    this side before anything is sent, but the scramble itself is sent.
 * 3. A handshake offering only versions below the minimum (no login).
 */
import { randomBytes } from 'node:crypto';
import { SecretValue } from '../secret-value.js';
import type { Evidence, Finding } from '../types.js';
import { decideSteps, legacyTlsEvidence, tlsEvidence } from './decision.js';
import { checkLegacyTls, mysqlPreamble } from './legacy-tls.js';
import type {
  LegacyTlsStep,
  PlaintextStep,
  ProbeCredentials,
  ProbeOptions,
  ProbeTarget,
} from './model.js';
import { plaintextAuthPlugins } from './mysql-auth.js';
import { close, connectionOptions, open } from './mysql-connection.js';
import { verifiedSession } from './mysql-session.js';
import {
  classifyMysqlPlaintext,
  factsEvidence,
  type MysqlSessionFacts,
  type PlaintextLogin,
} from './mysql-settings.js';
import { classifyProxyMysqlPlaintext } from './proxy-answers.js';

export {
  cachingSha2Scramble,
  plaintextAuthPlugins,
  UNSAFE_AUTH_REFUSED,
  UNSAFE_PLAINTEXT_AUTH_PLUGINS,
} from './mysql-auth.js';
export { asMysqlError, classifyMysqlTlsError } from './mysql-errors.js';
export {
  classifyMysqlPlaintext,
  judgeFromSettings,
  type MysqlSessionFacts,
  type PlaintextLogin,
  requirementFromCreateUser,
} from './mysql-settings.js';

/** Step 2 alone; exported so the auth guard can be tested against an impostor server. */
export async function attemptPlaintextLogin(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  facts: MysqlSessionFacts,
  login: PlaintextLogin = 'credentials',
): Promise<PlaintextStep> {
  const answer = await plaintextAnswer(
    target,
    login === 'credentials' ? credentials : throwawayCredentials(),
  );
  return classifyMysqlPlaintext(answer, facts, login);
}

type PlaintextAnswer = Parameters<typeof classifyMysqlPlaintext>[0];

/** A random user and password: nothing in them comes from the real credentials. */
function throwawayCredentials(): ProbeCredentials {
  return {
    username: `rtg_${randomBytes(8).toString('hex')}`,
    password: new SecretValue(randomBytes(24).toString('base64url')),
  };
}

/** The server's answer to a challenge-response-only plaintext login, not yet judged. */
async function plaintextAnswer(
  target: ProbeTarget,
  credentials: ProbeCredentials,
): Promise<PlaintextAnswer> {
  const opened = await open(
    {
      ...connectionOptions(target, credentials),
      authPlugins: plaintextAuthPlugins(credentials.password.reveal()),
      enableCleartextPlugin: false,
    },
    target,
  );
  if ('error' in opened) return { error: opened.error };
  close(opened.connection);
  return { connected: true };
}

export async function probeMysql(
  target: ProbeTarget,
  credentials: ProbeCredentials,
  options: ProbeOptions,
): Promise<Finding> {
  const evidence: Evidence[] = [{ source: 'probe', label: 'protocol', value: 'mysql' }];
  const login: PlaintextLogin = options.mysqlPlaintextLogin ? 'credentials' : 'throwaway';
  // The legacy handshake sends no credentials and depends on nothing else:
  // it runs beside the TLS login and the plaintext attempt.
  const legacyAttempt = checkLegacyTls(target, mysqlPreamble);
  // A throwaway login carries nothing secret and starts at once; the real
  // credentials go over plaintext (opt-in only) once they have proven
  // themselves over verified TLS. Either is judged once the session queries
  // have told what the server enforces.
  const startPlaintext = (): Promise<PlaintextAnswer> =>
    plaintextAnswer(target, login === 'credentials' ? credentials : throwawayCredentials()).catch(
      (error: unknown) => ({ error }),
    );
  let plaintextAttempt: Promise<PlaintextAnswer> | undefined =
    login === 'throwaway' ? startPlaintext() : undefined;
  const throughProxy = options.throughProxy === true;
  const { step: tls, facts } = await verifiedSession(
    target,
    credentials,
    () => {
      plaintextAttempt ??= startPlaintext();
    },
    throughProxy,
  );
  const answered = plaintextAttempt ? await plaintextAttempt : undefined;
  evidence.push(tlsEvidence(tls));
  // Read through a proxy, these are the database's facts, not the proxy's.
  evidence.push(
    ...factsEvidence(facts).map((entry) =>
      throughProxy ? { ...entry, label: `database behind the proxy: ${entry.label}` } : entry,
    ),
  );

  let plaintext: PlaintextStep;
  if (throughProxy && answered) {
    // The proxy's own answer decides; the database's require_secure_transport does not.
    plaintext = classifyProxyMysqlPlaintext(
      answered,
      login === 'throwaway' ? 'as a random user' : 'with the probe credentials',
    );
  } else if (tls.kind === 'verified' && facts && answered) {
    plaintext = classifyMysqlPlaintext(answered, facts, login);
  } else if (answered && 'connected' in answered) {
    plaintext = classifyMysqlPlaintext(answered, facts ?? {}, login);
  } else {
    // Without a verified session the server's settings are unknown, and a plaintext 1045 says nothing.
    plaintext = {
      kind: 'inconclusive',
      reason: tls.kind === 'inconclusive' ? tls.reason : 'PLAINTEXT_NOT_ATTEMPTED',
      detail: 'plaintext not judged (no verified TLS session to read the server settings from)',
    };
  }
  evidence.push({
    source: 'probe',
    label:
      login === 'credentials'
        ? 'plaintext attempt (real credentials, challenge-response only)'
        : 'plaintext attempt (random user and password)',
    value: plaintext.detail,
  });

  const reachable = !(
    tls.kind === 'inconclusive' && ['UNREACHABLE', 'TIMEOUT'].includes(tls.reason)
  );
  const legacyResult = await legacyAttempt;
  const legacy: LegacyTlsStep = reachable
    ? legacyResult
    : { kind: 'skipped', detail: 'endpoint not reachable' };
  evidence.push(legacyTlsEvidence(legacy));
  return decideSteps({ protocol: 'mysql', target, options, evidence }, { plaintext, tls, legacy });
}

/**
 * TLS settings every probe connection shares, built once per CA bundle and
 * version range instead of once per connection. Parsing the RDS CA bundle
 * (about 120 certificates) into a secure context costs about 6 ms of CPU,
 * and even an empty context about 1 ms: more than a whole probe of a nearby
 * MariaDB server. node:tls never resumes a session it was not handed, and no
 * probe connection is handed one, so every handshake is verified in full
 * (a resumed session would skip the certificate check after a certificate
 * change).
 */
import { constants, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import {
  type ConnectionOptions,
  checkServerIdentity,
  createSecureContext,
  type SecureContext,
} from 'node:tls';
import type { TlsVersion } from '../types.js';
import type { ProbeTarget } from './model.js';

/**
 * Key shares the ClientHello carries up front. PostgreSQL up to 17 accepts
 * only its `ssl_ecdh_curve` (prime256v1 by default), and Node's default hello
 * offers X25519MLKEM768 and X25519 shares only, so every handshake took an
 * extra round trip (a HelloRetryRequest for P-256). Offering all three keeps
 * the post-quantum hybrid where the server has it. The `*` syntax needs
 * OpenSSL 3.5; with an older one, OpenSSL's default groups stay.
 */
const KEY_SHARE_GROUPS = '*X25519MLKEM768:*X25519:*P-256:P-384';

let keyShares: { ecdhCurve?: string } | undefined;

export function keyShareOptions(): { ecdhCurve?: string } {
  if (keyShares === undefined) {
    try {
      createSecureContext({ ecdhCurve: KEY_SHARE_GROUPS });
      keyShares = { ecdhCurve: KEY_SHARE_GROUPS };
    } catch {
      keyShares = {};
    }
  }
  return keyShares;
}

/** A few CA bundles at most are in use at once (normally one); older entries are dropped. */
const MAX_ENTRIES = 4;

/** The prober passes the same bundle (one array, or one PEM string) for every target. */
type CaBundle = ProbeTarget['ca'];

function cached<T>(
  cache: Map<string, { ca: CaBundle; value: T }[]>,
  target: ProbeTarget,
  build: () => T,
): T {
  const key = target.minTlsVersion;
  const entries = cache.get(key) ?? [];
  const hit = entries.find((entry) => entry.ca === target.ca);
  if (hit) return hit.value;
  const value = build();
  cache.set(key, [{ ca: target.ca, value }, ...entries].slice(0, MAX_ENTRIES));
  return value;
}

const contexts = new Map<TlsVersion, { ca: CaBundle; value: SecureContext }[]>();

/** For node:tls clients (pg): the CA bundle, minimum version and key shares, parsed once. */
export function verifiedSecureContext(target: ProbeTarget): SecureContext {
  return cached(contexts, target, () =>
    createSecureContext({ ca: target.ca, minVersion: target.minTlsVersion, ...keyShareOptions() }),
  );
}

/**
 * verify-full for a client socket: the shared context, the chain checked
 * against the CA bundle and the endpoint's name checked during the handshake,
 * before any credential is sent.
 */
export function verifiedTlsOptions(target: ProbeTarget): ConnectionOptions {
  return {
    secureContext: verifiedSecureContext(target),
    rejectUnauthorized: true,
    ...(isIP(target.servername) === 0 ? { servername: target.servername } : {}),
    // Always against the endpoint name, even when the socket goes to another address.
    checkServerIdentity: (_host, certificate) =>
      checkServerIdentity(target.servername, certificate),
  };
}

const legacyContexts = new Map<string, SecureContext>();

/**
 * For the downgrade attempt: only versions from `minVersion` to `maxVersion`,
 * no CA (trust is the verified session's job). OpenSSL 3 will not offer TLS
 * 1.0/1.1 above security level 0; without it the refusal would be ours, not
 * the server's. It offers every cipher this OpenSSL has (ALL), not only its
 * DEFAULT list: a server that takes TLS 1.1 with Camellia alone would
 * otherwise fail the handshake on ciphers and read as refusing the old
 * version. For the same reason it connects to a server that does not
 * send the renegotiation_info extension (RFC 5746), as older TLS stacks do:
 * OpenSSL 3 aborts such a handshake after the server has chosen its version,
 * which read as the server refusing. The connection never renegotiates and
 * carries nothing. Throws when this OpenSSL cannot offer those versions at
 * all.
 */
export function legacySecureContext(minVersion: TlsVersion, maxVersion: TlsVersion): SecureContext {
  const key = `${minVersion}-${maxVersion}`;
  let context = legacyContexts.get(key);
  if (context === undefined) {
    context = createSecureContext({
      minVersion,
      maxVersion,
      ciphers: 'ALL:@SECLEVEL=0',
      secureOptions: constants.SSL_OP_LEGACY_SERVER_CONNECT,
    });
    legacyContexts.set(key, context);
  }
  return context;
}

const PEM_CERTIFICATE =
  /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]{1,65536}?-----END CERTIFICATE-----/g;

/**
 * Whether a CA bundle holds at least one certificate. node:tls takes any text
 * as `ca` and silently trusts nothing, and every server would then read as
 * signed by an untrusted CA.
 */
export function holdsCertificate(bundle: string): boolean {
  for (const [block] of bundle.matchAll(PEM_CERTIFICATE)) {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      // Not a certificate; the next block may be one.
    }
  }
  return false;
}

/**
 * The authentication guard for a MySQL-family login over plaintext: only
 * challenge-response is answered, and every plugin that would put the
 * password (or its equivalent) on an unencrypted connection is refused on
 * this side before anything is sent.
 */
import { createHash } from 'node:crypto';
import type mysql from 'mysql2';

/** Set on the error when this side refused an authentication method that would expose the password. */
export const UNSAFE_AUTH_REFUSED = 'UNSAFE_AUTH_REFUSED';

/** Plugins that would send the password (or something equivalent) over an unencrypted connection. */
export const UNSAFE_PLAINTEXT_AUTH_PLUGINS = [
  'mysql_clear_password',
  'sha256_password',
  'dialog',
  'auth_gssapi_client',
  'client_ed25519',
  'authentication_ldap_sasl_client',
  'authentication_kerberos_client',
  'authentication_openid_connect_client',
] as const;

type AuthPlugin = NonNullable<mysql.ConnectionOptions['authPlugins']>[string];

/** Every refusal made here; mysql2 rewrites their code, and a server's error text can say anything. */
const refusals = new WeakSet<object>();

function refusal(plugin: string): Error {
  const error = Object.assign(
    new Error(
      `refused to answer ${plugin} over an unencrypted connection (it would expose the password)`,
    ),
    { code: UNSAFE_AUTH_REFUSED, plugin },
  );
  refusals.add(error);
  return error;
}

/** This side refused a password-exposing method: a refusal made here, never a server's error. */
export function isUnsafeAuthRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  return refusals.has(error) || (error as { code?: unknown }).code === UNSAFE_AUTH_REFUSED;
}

function sha256(...parts: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** caching_sha2_password's scramble: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce). */
export function cachingSha2Scramble(password: string, nonce: Buffer): Buffer {
  const stage1 = sha256(Buffer.from(password, 'utf8'));
  const stage2 = sha256(stage1);
  const mix = sha256(stage2, nonce);
  const out = Buffer.alloc(stage1.length);
  for (let i = 0; i < stage1.length; i++) out[i] = (stage1[i] ?? 0) ^ (mix[i] ?? 0);
  return out;
}

const FAST_AUTH_SUCCESS = 0x03;

/**
 * The auth plugins for a plaintext attempt: caching_sha2_password limited to
 * its fast (scramble) path, every password-revealing plugin refused. The
 * refusal is an async rejection so the driver reports it as a connection error.
 */
export function plaintextAuthPlugins(password: string): Record<string, AuthPlugin> {
  const plugins: Record<string, AuthPlugin> = {};
  for (const name of UNSAFE_PLAINTEXT_AUTH_PLUGINS) {
    plugins[name] = () => async () => {
      throw refusal(name);
    };
  }
  plugins.caching_sha2_password = () => {
    let scrambled = false;
    return (data: Buffer) => {
      if (!scrambled) {
        scrambled = true;
        return cachingSha2Scramble(password, data.subarray(0, 20));
      }
      // null: nothing to send, the server's OK packet follows.
      if (data[0] === FAST_AUTH_SUCCESS) return null;
      // "Perform full authentication": the next step sends the password, RSA-encrypted
      // with a key the (unauthenticated) server supplies. Not over plaintext.
      return Promise.reject<Buffer>(refusal('caching_sha2_password full authentication'));
    };
  };
  return plugins;
}

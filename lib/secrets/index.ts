/**
 * Credentials for the live probe: Secrets Manager secrets (rule parameter,
 * tag, RDS-managed master secret) or IAM database authentication tokens.
 */
export {
  type CredentialSource,
  IAM_USER_TAG,
  selectCredentialSource,
} from './credential-source.js';
export { checkManagedSecretBinding, isManagedSecretReference } from './managed-secret.js';
export {
  type AuthTokenSigner,
  type CredentialResolverOptions,
  createCredentialResolver,
  DEFAULT_SECRET_CACHE_TTL_MS,
  type IamTokenRequest,
} from './resolver.js';
export {
  checkSecretTarget,
  classifyLookupError,
  type DatabaseSecret,
  parseSecretString,
  regionOfArn,
  type SecretFailure,
  type SecretFailureReason,
} from './secret-document.js';
export { checkSecretHost } from './secret-host.js';

/**
 * The live prober for one account: its Secrets Manager clients (one per
 * region), its IAM token signer and the probe itself. Loaded by the toolkit on
 * the first probe only, so a function that never probes (the scheduled scan,
 * a configuration-only run) never loads Secrets Manager, the signer, the RDS
 * CA bundle or TLS.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer } from '@aws-sdk/rds-signer';
import type { LiveProber } from '../pipeline.js';
import { createLiveProber } from '../probe/index.js';
import { createCredentialResolver } from '../secrets/index.js';
import type { AwsCredentialIdentityProvider } from './index.js';

export interface AccountProberOptions {
  /** The account's role credentials; absent for the function's own account. */
  credentials?: AwsCredentialIdentityProvider;
  /** Fall back to IAM database authentication when a database has no secret. */
  useIamAuth?: boolean;
}

export function createAccountProber(options: AccountProberOptions): LiveProber {
  const credentials = options.credentials ? { credentials: options.credentials } : {};
  const secretsClients = new Map<string, SecretsManagerClient>();
  return createLiveProber({
    credentials: createCredentialResolver({
      secretsClientFor: (region) => {
        let client = secretsClients.get(region);
        if (!client) {
          client = new SecretsManagerClient({ region, ...credentials });
          secretsClients.set(region, client);
        }
        return client;
      },
      // IAM tokens must be signed by the database's own account.
      signerFor: (request) =>
        new Signer({
          hostname: request.hostname,
          port: request.port,
          username: request.username,
          region: request.region,
          ...credentials,
        }),
      ...(options.useIamAuth ? { useIamAuth: true } : {}),
    }),
  });
}

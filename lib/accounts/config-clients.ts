/**
 * AWS Config clients per account: PutEvaluations must come from the account
 * that owns the result token, so an organization rule's member events and
 * their fanned-out batches report through the member's role.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { oncePerKey } from '../aws/once-per-key.js';
import { credentialsConfigFor, type ScanTarget } from './index.js';

/** Adaptive retries: PutEvaluations throttles busy accounts. */
const CONFIG_MAX_ATTEMPTS = 8;

export function createConfigClients(region: string): (target: ScanTarget) => ConfigServiceClient {
  return oncePerKey(
    (target: ScanTarget) => target.roleArn ?? 'own',
    (target) =>
      new ConfigServiceClient({
        region,
        retryMode: 'adaptive',
        maxAttempts: CONFIG_MAX_ATTEMPTS,
        ...credentialsConfigFor(target, { region }),
      }),
  );
}

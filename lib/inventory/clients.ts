/**
 * RDS clients for live scans: one per region, reused for the whole process,
 * with adaptive retries so a large account's burst of Describe calls slows
 * down under throttling instead of failing.
 */
import { RDSClient, type RDSClientConfig } from '@aws-sdk/client-rds';

export interface RdsClientFactoryOptions {
  /** Attempts per request including the first. Default 8. */
  maxAttempts?: number;
  /** Anything else the SDK accepts (credentials, endpoint, …); region is set per client. */
  clientConfig?: Omit<RDSClientConfig, 'region'>;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

export function createRdsClientFactory(
  options: RdsClientFactoryOptions = {},
): (region: string) => RDSClient {
  const clients = new Map<string, RDSClient>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = new RDSClient({
        retryMode: 'adaptive',
        maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        ...options.clientConfig,
        region,
      });
      clients.set(region, client);
    }
    return client;
  };
}

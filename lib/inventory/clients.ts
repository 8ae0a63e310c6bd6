/**
 * RDS and EC2 clients for live scans: one per region, reused for the whole
 * process, with adaptive retries so a large account's burst of Describe calls
 * slows down under throttling instead of failing.
 */
import type { EC2Client, EC2ClientConfig } from '@aws-sdk/client-ec2';
import { RDSClient, type RDSClientConfig } from '@aws-sdk/client-rds';
import { oncePerKey } from '../aws/once-per-key.js';

export interface RdsClientFactoryOptions {
  /** Attempts per request including the first. Default 8. */
  maxAttempts?: number;
  /** Anything else the SDK accepts (credentials, endpoint, …); region is set per client. */
  clientConfig?: Omit<RDSClientConfig, 'region'>;
}

export interface Ec2ClientFactoryOptions {
  maxAttempts?: number;
  clientConfig?: Omit<EC2ClientConfig, 'region'>;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** One client per region, made on first use. */
function perRegion<C>(create: (region: string) => C): (region: string) => C {
  return oncePerKey((region: string) => region, create);
}

export function createRdsClientFactory(
  options: RdsClientFactoryOptions = {},
): (region: string) => RDSClient {
  return perRegion(
    (region) =>
      new RDSClient({
        retryMode: 'adaptive',
        maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        ...options.clientConfig,
        region,
      }),
  );
}

/**
 * EC2 clients for DescribeSecurityGroups, with the same retry policy. The
 * SDK's EC2 client loads on the first read, not at initialisation.
 */
export function createEc2ClientFactory(
  options: Ec2ClientFactoryOptions = {},
): (region: string) => Promise<EC2Client> {
  return perRegion(async (region) => {
    const { EC2Client } = await import('../aws/ec2.js');
    return new EC2Client({
      retryMode: 'adaptive',
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      ...options.clientConfig,
      region,
    });
  });
}

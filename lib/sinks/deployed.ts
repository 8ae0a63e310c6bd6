/**
 * The sinks of the deployed functions, from their parsed environment:
 * REPORTS_BUCKET (the report archive; empty: none) and SECURITY_HUB_FINDINGS
 * (`true` sends findings to Security Hub).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { credentialsConfigFor } from '../accounts/index.js';
import type { FunctionEnvironment } from '../lambda/environment.js';
import type { Log } from '../log.js';
import type { ScheduledSinks, SinkName, SinkPlace } from './index.js';

export interface DeployedSinksOptions {
  /** `region` is the function's own: where the bucket is, and the STS endpoint for member roles. */
  env: Pick<FunctionEnvironment, 'region' | 'reportsBucket' | 'securityHubFindings'>;
  log: Log;
  onSinkFailure: (sink: SinkName, count: number) => void;
}

/** Built once per container; the partition comes from the invocation's function ARN. */
export function createDeployedSinks(
  options: DeployedSinksOptions,
): (partition: string) => ScheduledSinks {
  const { region, reportsBucket: bucket, securityHubFindings: securityHub } = options.env;
  // Each SDK client loads on its sink's first call, never at init nor when its sink is off.
  let s3: Promise<S3Client> | undefined;
  const s3Client = (): Promise<S3Client> => {
    s3 ??= import('../aws/s3.js').then(
      ({ S3Client }) => new S3Client({ region, retryMode: 'adaptive', maxAttempts: 6 }),
    );
    return s3;
  };
  const hubClients = new Map<string, Promise<SecurityHubClient>>();
  // Findings must be imported by the account they name: a member's role, else our own.
  const hubClientFor = (place: SinkPlace): Promise<SecurityHubClient> => {
    const key = `${place.roleArn ?? 'own'}|${place.region}`;
    let client = hubClients.get(key);
    if (!client) {
      // Adaptive retries: BatchImportFindings allows 10 calls a second per account and region.
      client = import('../aws/security-hub.js').then(
        ({ SecurityHubClient }) =>
          new SecurityHubClient({
            region: place.region,
            retryMode: 'adaptive',
            maxAttempts: 6,
            ...credentialsConfigFor(place.roleArn ? { roleArn: place.roleArn } : {}, { region }),
          }),
      );
      hubClients.set(key, client);
    }
    return client;
  };
  return (partition) => ({
    ...(bucket ? { archive: { s3: s3Client(), bucket } } : {}),
    ...(securityHub
      ? {
          securityHubFor: (place) => ({
            client: hubClientFor(place),
            accountId: place.accountId,
            region: place.region,
            partition,
          }),
        }
      : {}),
    log: options.log,
    onSinkFailure: options.onSinkFailure,
  });
}

/** `aws`, `aws-cn`, `aws-us-gov` from a function ARN; `aws` when there is none. */
export function partitionOfArn(arn: string | undefined): string {
  return arn?.split(':')[1] || 'aws';
}

/** The account id, the fifth field of an ARN. */
export function accountOfArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

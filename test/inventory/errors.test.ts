import { describe, expect, it } from 'vitest';
import { describeAwsFailure, regionProblem } from '../../lib/inventory/errors.js';
import { collectInventory, createRdsClientFactory } from '../../lib/inventory/index.js';
import { refusedPort } from '../reliability/hostile.js';

/** Service errors as the SDK raises them: the error code as `name`, the HTTP status in `$metadata`. */
function serviceError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/** What Node's socket raises, which the SDK passes on as is. */
function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code, syscall: 'connect' });
}

describe('describeAwsFailure', () => {
  it('keeps ExpiredToken and says to log in again', () => {
    expect(
      describeAwsFailure(
        serviceError('ExpiredToken', 403, 'The security token included in the request is expired'),
        'DescribeDBInstances',
      ),
    ).toBe(
      'ExpiredToken HTTP 403; the AWS credentials have expired: run `aws sso login` (with the same AWS_PROFILE) or refresh them, then retry',
    );
  });

  it('names the IAM action an AccessDenied is missing, from the operation', () => {
    expect(
      describeAwsFailure(
        serviceError(
          'AccessDenied',
          403,
          'User: arn:aws:iam::111122223333:user/ci is not authorized to perform: rds:DescribeDBClusters',
        ),
        'DescribeDBClusters',
      ),
    ).toBe(
      'AccessDenied HTTP 403; grant the IAM action rds:DescribeDBClusters to the identity running the scan (docs/deploy.md lists the whole policy)',
    );
  });

  it('keeps ECONNREFUSED and points at the network', () => {
    expect(describeAwsFailure(systemError('ECONNREFUSED'), 'DescribeDBInstances')).toBe(
      'Error (ECONNREFUSED); the RDS endpoint could not be reached: check the network, HTTPS_PROXY and the region name',
    );
  });

  it('says what to do when no credentials were found, not just the class name', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(describeAwsFailure(error, 'DescribeDBInstances')).toContain(
      'CredentialsProviderError; no AWS credentials found: run `aws sso login`',
    );
  });

  it('points a rejected access key at AWS_PROFILE', () => {
    expect(
      describeAwsFailure(serviceError('InvalidClientTokenId', 403, 'x'), 'DescribeDBInstances'),
    ).toContain('check AWS_PROFILE and AWS_ACCESS_KEY_ID');
  });

  it('quotes no service message: it may echo request input', () => {
    const text = describeAwsFailure(
      serviceError('AccessDenied', 403, 'secret-token-abc'),
      'DescribeDBInstances',
    );
    expect(text).not.toContain('secret-token-abc');
  });
});

describe('regionProblem', () => {
  it('is a region-scoped problem with cause and next step', () => {
    expect(regionProblem('eu-west-1', 'DescribeDBInstances', systemError('ENOTFOUND'))).toEqual({
      scope: 'region:eu-west-1',
      code: 'REGION_UNREADABLE',
      message:
        'DescribeDBInstances failed in eu-west-1: Error (ENOTFOUND); the RDS endpoint could not be reached: check the network, HTTPS_PROXY and the region name',
    });
  });
});

describe('a real RDS client whose endpoint refuses connections', () => {
  it('keeps ECONNREFUSED in the region problem, with the next step', async () => {
    const port = await refusedPort();
    const clientFor = createRdsClientFactory({
      maxAttempts: 1,
      clientConfig: {
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
      },
    });
    const inventory = await collectInventory({ regions: ['eu-west-1'], clientFor });
    expect(inventory.items).toEqual([]);
    expect(inventory.problems.map((problem) => problem.message).sort()).toEqual([
      'DescribeDBClusters failed in eu-west-1: Error (ECONNREFUSED); the RDS endpoint could not be reached: check the network, HTTPS_PROXY and the region name',
      'DescribeDBInstances failed in eu-west-1: Error (ECONNREFUSED); the RDS endpoint could not be reached: check the network, HTTPS_PROXY and the region name',
      'DescribeDBProxies failed in eu-west-1: Error (ECONNREFUSED); the RDS endpoint could not be reached: check the network, HTTPS_PROXY and the region name',
      'DescribeDBProxyEndpoints failed in eu-west-1: Error (ECONNREFUSED); the RDS endpoint could not be reached: check the network, HTTPS_PROXY and the region name',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  accountIdOfRole,
  clientCredentialsFor,
  credentialsConfigFor,
  planScanTargets,
} from '../../lib/accounts/index.js';

describe('planScanTargets', () => {
  it('scans the deployment account first, then each member role once', () => {
    expect(
      planScanTargets({
        ownAccountId: '111111111111',
        memberRoleArns:
          ' arn:aws:iam::222222222222:role/rds-tls-guard-member, ,arn:aws:iam::333333333333:role/ops/rds-tls-guard,arn:aws:iam::222222222222:role/other',
      }),
    ).toEqual({
      targets: [
        { accountId: '111111111111' },
        {
          accountId: '222222222222',
          roleArn: 'arn:aws:iam::222222222222:role/rds-tls-guard-member',
        },
        { accountId: '333333333333', roleArn: 'arn:aws:iam::333333333333:role/ops/rds-tls-guard' },
      ],
      problems: [],
    });
  });

  it('skips a role in the deployment account, which is already covered', () => {
    expect(
      planScanTargets({
        ownAccountId: '111111111111',
        memberRoleArns: ['arn:aws:iam::111111111111:role/rds-tls-guard-member'],
      }).targets,
    ).toEqual([{ accountId: '111111111111' }]);
  });

  it('reports an entry that is not a role ARN by position, without echoing it', () => {
    const plan = planScanTargets({ memberRoleArns: 'arn:aws:iam::12345:user/alice,AKIAEXAMPLE' });
    expect(plan.targets).toEqual([{}]);
    expect(plan.problems).toEqual([
      {
        scope: 'member-account-role[0]',
        code: 'MEMBER_ROLE_ARN_INVALID',
        message: 'entry 1 of the member account role list is not an IAM role ARN',
      },
      {
        scope: 'member-account-role[1]',
        code: 'MEMBER_ROLE_ARN_INVALID',
        message: 'entry 2 of the member account role list is not an IAM role ARN',
      },
    ]);
  });

  it('reads the account id from role ARNs in every partition', () => {
    expect(accountIdOfRole('arn:aws-cn:iam::444444444444:role/x')).toBe('444444444444');
    expect(accountIdOfRole('arn:aws:sts::444444444444:assumed-role/x/y')).toBeUndefined();
  });
});

describe('clientCredentialsFor', () => {
  it('reuses one provider per role so the SDK caches the session', () => {
    const role = 'arn:aws:iam::222222222222:role/rds-tls-guard-member';
    const first = clientCredentialsFor(role, { region: 'eu-west-1' });
    expect(clientCredentialsFor(role, { region: 'eu-west-1' })).toBe(first);
    expect(clientCredentialsFor(role, { region: 'us-east-1' })).not.toBe(first);
    expect(typeof first).toBe('function');
  });

  it('gives the own account no credentials override', () => {
    expect(credentialsConfigFor({ accountId: '111111111111' })).toEqual({});
    expect(
      credentialsConfigFor({ roleArn: 'arn:aws:iam::222222222222:role/r' }).credentials,
    ).toBeTypeOf('function');
  });
});

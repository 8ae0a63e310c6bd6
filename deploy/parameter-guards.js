/**
 * A local Serverless Framework plugin: before anything is packaged (so before
 * `sls package` and `sls deploy`), it rejects parameter combinations that
 * CloudFormation would accept but that deploy something broken or unsafe,
 * and says which parameter to set. serverless.yml hands it the resolved
 * values under `custom.parameterGuards`.
 */

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** A comma-separated parameter as its items; '' is none. */
function listOf(value) {
  const text = value == null ? '' : String(value).trim();
  return text === '' ? [] : text.split(',').map((item) => item.trim());
}

function malformed(name, items, pattern, example) {
  const bad = items.filter((item) => !pattern.test(item));
  return bad.length > 0
    ? [`${name}: ${bad.map((item) => JSON.stringify(item)).join(', ')} is not like ${example}`]
    : [];
}

/**
 * Every problem with the parameters, one sentence each; [] when they can be
 * deployed.
 * @param {Record<string, unknown>} params
 * @returns {string[]}
 */
export function parameterProblems(params) {
  const subnets = listOf(params.subnetIds);
  const groups = listOf(params.securityGroupIds);
  const accounts = listOf(params.memberAccountIds);
  const orgId = listOf(params.memberOrgId);
  const rolePattern = listOf(params.memberRoleArnPattern);
  const problems = [
    ...malformed('subnetIds', subnets, SUBNET_ID, 'subnet-0123456789abcdef0'),
    ...malformed('securityGroupIds', groups, SECURITY_GROUP_ID, 'sg-0123456789abcdef0'),
    ...malformed('memberOrgId', orgId, ORGANIZATION_ID, 'o-a1b2c3d4e5'),
    ...malformed('memberAccountIds', accounts, ACCOUNT_ID, '111111111111'),
  ];
  if (subnets.length > 0 && groups.length === 0) {
    problems.push(
      'subnetIds is set but securityGroupIds is empty: Lambda cannot place the probing ' +
        'functions in the VPC without a security group. Set securityGroupIds=sg-… (a group ' +
        "the databases' security groups allow in), or clear subnetIds.",
    );
  }
  if (groups.length > 0 && subnets.length === 0) {
    problems.push(
      'securityGroupIds is set but subnetIds is empty: the functions would run outside the ' +
        'VPC and the security groups would be ignored. Set subnetIds too, or clear securityGroupIds.',
    );
  }
  if (orgId.length > 1) problems.push('memberOrgId: one organization id, not a list');
  if (rolePattern.length > 0 && orgId.length === 0 && accounts.length === 0) {
    problems.push(
      'memberRoleArnPattern is set but neither memberOrgId nor memberAccountIds is: the ' +
        'functions could assume a role of that name in any AWS account. Set ' +
        'memberOrgId=o-… (your organization) and/or memberAccountIds=111111111111,222222222222.',
    );
  }
  if (String(params.organizationConfigRule ?? '').trim() === 'true' && orgId.length === 0) {
    problems.push(
      'organizationConfigRule is true but memberOrgId is empty: the Config rule function may ' +
        'assume member roles only inside one organization. Set memberOrgId=o-…, or clear ' +
        'organizationConfigRule.',
    );
  }
  return problems;
}

export default class ParameterGuards {
  constructor(serverless) {
    this.hooks = {
      'before:package:initialize': () => {
        const problems = parameterProblems(serverless.service.custom?.parameterGuards ?? {});
        if (problems.length > 0) {
          throw new serverless.classes.Error(
            `Deployment parameters rejected:\n- ${problems.join('\n- ')}`,
            'RDS_TLS_GUARD_PARAMETERS',
          );
        }
      },
    };
  }
}

/**
 * Packages the service once, offline and without AWS credentials, then reads
 * the CloudFormation template and the function zips as the deployment would.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFunctionEnvironment } from '../../lib/lambda/environment.js';
import { METRIC_NAMES, METRICS_NAMESPACE, SERVICE_NAME } from '../../lib/observability/index.js';
import { LAMBDA_RUNTIME } from '../../scripts/lambda-build.js';
import { COMMANDS_SENT, iamActionOf } from './commands-sent.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, '.serverless');
const FUNCTIONS = ['configRule', 'scheduledScan', 'audit', 'probeWorker'] as const;
const PROBING = ['configRule', 'audit', 'probeWorker'] as const;
const HANDLER_FILES: Record<(typeof FUNCTIONS)[number], string> = {
  configRule: 'handlers/config-rule.mjs',
  scheduledScan: 'handlers/scheduled-scan.mjs',
  audit: 'handlers/audit.mjs',
  probeWorker: 'handlers/probe-worker.mjs',
};
const MAX_ZIP_BYTES = 1.5 * 1024 * 1024;
// Fn::Sub placeholders, escaped.
const MANAGED_SECRET_PATTERN = `arn:\${AWS::Partition}:secretsmanager:*:\${AWS::AccountId}:secret:rds!*`;
const DB_USER_PATTERN = `arn:\${AWS::Partition}:rds-db:*:\${AWS::AccountId}:dbuser:*/rds_tls_guard`;

const PARAMS = {
  subnetIds: 'subnet-0aaa1111,subnet-0bbb2222',
  securityGroupIds: 'sg-0ccc3333',
  iamDbAuth: 'true',
  memberRoleArnPattern: 'arn:aws:iam::*:role/rds-tls-guard-member',
  memberOrgId: 'o-a1b2c3d4e5',
  memberAccountIds: '111111111111,222222222222',
  alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall',
  organizationConfigRule: 'true',
};

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  Condition?: string;
  DependsOn?: string | string[];
}
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

let template: { Resources: Record<string, Resource>; Conditions: Record<string, unknown> };
let unzipDir: string;
let rejected: { code: number; output: string };

function resource(name: string): Resource {
  const found = template.Resources[name];
  if (!found) throw new Error(`resource ${name} missing from the template`);
  return found;
}

function functionResource(name: string): Resource {
  return resource(`${name[0]!.toUpperCase()}${name.slice(1)}LambdaFunction`);
}

/** Evaluates the template's condition intrinsics (Fn::Equals, Fn::Not, Condition refs). */
function condition(name: string): boolean {
  return evaluateCondition(template.Conditions[name]);
}

function evaluateCondition(node: unknown): boolean {
  const value = node as Json;
  if ('Fn::Equals' in value) {
    const [a, b] = value['Fn::Equals'] as unknown[];
    return JSON.stringify(a) === JSON.stringify(b);
  }
  if ('Fn::Not' in value) return !evaluateCondition((value['Fn::Not'] as unknown[])[0]);
  if ('Fn::And' in value) return (value['Fn::And'] as unknown[]).every(evaluateCondition);
  if ('Condition' in value) return condition(value.Condition as string);
  throw new Error(`unsupported condition ${JSON.stringify(node)}`);
}

/** Resolves Fn::If and drops AWS::NoValue, as CloudFormation would with these parameters. */
function resolveIfs(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(resolveIfs).filter((item) => item !== NO_VALUE);
  }
  if (node && typeof node === 'object') {
    const value = node as Json;
    if ('Fn::If' in value) {
      const [name, whenTrue, whenFalse] = value['Fn::If'] as [string, unknown, unknown];
      return resolveIfs(condition(name) ? whenTrue : whenFalse);
    }
    if (value.Ref === 'AWS::NoValue') return NO_VALUE;
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, child]) => [key, resolveIfs(child)] as const)
        .filter(([, child]) => child !== NO_VALUE),
    );
  }
  return node;
}
const NO_VALUE = Symbol('AWS::NoValue');

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Every statement a role grants: inline policies plus the managed policies it references. */
function roleStatements(roleName: string): Statement[] {
  const role = resolveIfs(resource(roleName)) as Resource;
  const inline = ((role.Properties.Policies as Json[] | undefined) ?? []).flatMap(
    (policy) => (policy.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  const managed = ((role.Properties.ManagedPolicyArns as unknown[] | undefined) ?? []).flatMap(
    (arn) => {
      const ref = (arn as Json).Ref;
      if (typeof ref !== 'string') throw new Error(`unexpected managed policy ${String(arn)}`);
      const policy = resource(ref);
      if (policy.Condition) expect(condition(policy.Condition)).toBe(true);
      return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    },
  );
  return [...inline, ...managed];
}

function grantedActions(roleName: string): Set<string> {
  return new Set(roleStatements(roleName).flatMap(actionsOf));
}

const ROLES = {
  configRule: 'ConfigRuleRole',
  scheduledScan: 'ScheduledScanRole',
  audit: 'AuditRole',
  probeWorker: 'ProbeWorkerRole',
} as const;

function unzip(zipPath: string, into: string): void {
  const result = spawnSync('unzip', ['-q', '-o', zipPath, '-d', into]);
  if (result.status !== 0) {
    throw new Error(
      `unzip ${zipPath} failed (.ci/run installs unzip): ${result.error ?? result.stderr}`,
    );
  }
}

/** `sls package` offline, without AWS credentials, with these parameters. */
function slsPackage(params: Record<string, string>) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
  };
  for (const key of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
  ]) {
    delete env[key];
  }
  const args = [
    'sls',
    'package',
    '--stage',
    'test',
    '--region',
    'eu-west-1',
    ...Object.entries(params).map(([key, value]) => `--param=${key}=${value}`),
  ];
  return promisify(execFile)('npx', args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
}

beforeAll(async () => {
  // First a run the parameter guards must refuse (it cleans .serverless too).
  rejected = await slsPackage({
    // securityGroupIds left at its default, empty.
    subnetIds: 'subnet-0aaa1111',
    memberRoleArnPattern: 'arn:aws:iam::*:role/rds-tls-guard-member',
    organizationConfigRule: 'true',
  }).then(
    () => ({ code: 0, output: '' }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      output: `${error.stdout}${error.stderr}`,
    }),
  );
  rmSync(OUT, { recursive: true, force: true });
  await slsPackage(PARAMS);
  template = JSON.parse(
    readFileSync(join(OUT, 'cloudformation-template-update-stack.json'), 'utf8'),
  );
  unzipDir = mkdtempSync(join(tmpdir(), 'rds-tls-guard-bundle-'));
  for (const name of FUNCTIONS) unzip(join(OUT, `${name}.zip`), join(unzipDir, name));
}, 180_000);

afterAll(() => {
  if (unzipDir) rmSync(unzipDir, { recursive: true, force: true });
});

describe('AWS Config rule', () => {
  it('is a custom Lambda rule on the config rule function for all three message types', () => {
    const rule = resource('TlsOnlyConfigRule');
    expect(rule.Type).toBe('AWS::Config::ConfigRule');
    expect(rule.Properties.ConfigRuleName).toBe('rds-tls-only');
    expect(rule.Properties.Source).toEqual({
      Owner: 'CUSTOM_LAMBDA',
      SourceIdentifier: { 'Fn::GetAtt': ['ConfigRuleLambdaFunction', 'Arn'] },
      SourceDetails: [
        { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
        {
          EventSource: 'aws.config',
          MessageType: 'OversizedConfigurationItemChangeNotification',
        },
        {
          EventSource: 'aws.config',
          MessageType: 'ScheduledNotification',
          MaximumExecutionFrequency: 'TwentyFour_Hours',
        },
      ],
    });
    // Config rejects a rule-level frequency when the rule also has change triggers.
    expect(rule.Properties.MaximumExecutionFrequency).toBeUndefined();
  });

  it('covers DB instances and clusters and passes the rule parameters as strings', () => {
    const rule = resource('TlsOnlyConfigRule');
    expect(rule.Properties.Scope).toEqual({
      ComplianceResourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
    });
    expect(rule.Properties.InputParameters).toEqual({
      minTlsVersion: 'TLSv1.2',
      caExpiryDays: '30',
      requireLiveProbe: 'false',
      acceptNativeNetworkEncryption: 'false',
    });
  });

  it('is created only after Config may invoke the function, for this account’s Config rules only', () => {
    expect(resource('TlsOnlyConfigRule').DependsOn).toEqual(['ConfigRuleInvokePermission']);
    const permission = resource('ConfigRuleInvokePermission');
    expect(permission.Type).toBe('AWS::Lambda::Permission');
    expect(permission.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': ['ConfigRuleLambdaFunction', 'Arn'] },
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      // The rule's own ARN has a generated id and would make a cycle with DependsOn.
      SourceArn: {
        'Fn::Sub': `arn:\${AWS::Partition}:config:\${AWS::Region}:\${AWS::AccountId}:config-rule/*`,
      },
    });
  });
});

describe('functions', () => {
  it('run the Lambda runtime named in lambda-build.json (Node.js 24) on arm64 with their own role each', () => {
    expect(LAMBDA_RUNTIME).toBe('nodejs24.x');
    for (const name of FUNCTIONS) {
      const fn = functionResource(name);
      expect(fn.Properties.Runtime).toBe(LAMBDA_RUNTIME);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [ROLES[name], 'Arn'] });
    }
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('places the probing functions in the VPC given by the parameters, and only those', () => {
    for (const name of PROBING) {
      const fn = resolveIfs(functionResource(name)) as Resource;
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: { 'Fn::Split': [',', 'subnet-0aaa1111,subnet-0bbb2222'] },
        SecurityGroupIds: { 'Fn::Split': [',', 'sg-0ccc3333'] },
      });
    }
    expect(functionResource('scheduledScan').Properties.VpcConfig).toBeUndefined();
  });

  it('leaves the VPC out when no subnets are given', () => {
    const vpc = functionResource('probeWorker').Properties.VpcConfig as Json;
    expect(vpc['Fn::If']).toEqual(['HasVpc', expect.any(Object), { Ref: 'AWS::NoValue' }]);
    expect(evaluateCondition({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] })).toBe(false);
  });

  it('runs the scheduled scan on the default rate and tells scanners where the queue is', () => {
    const schedule = resource('ScheduledScanEventsRuleSchedule1');
    expect(schedule.Type).toBe('AWS::Events::Rule');
    expect(schedule.Properties.ScheduleExpression).toBe('rate(6 hours)');
    expect(schedule.Properties.State).toBe('ENABLED');
    for (const name of ['scheduledScan', 'configRule']) {
      const variables = (functionResource(name).Properties.Environment as Json).Variables as Json;
      expect(variables.QUEUE_URL).toEqual({ Ref: 'ProbeQueue' });
    }
  });

  it('feeds the worker one message at a time and lets it report partial batch failures', () => {
    const mapping = resource('ProbeWorkerEventSourceMappingSQSProbeQueue');
    expect(mapping.Properties.BatchSize).toBe(1);
    expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': ['ProbeQueue', 'Arn'] });
  });

  it('starts at most five workers at once, however deep the queue', () => {
    const mapping = resource('ProbeWorkerEventSourceMappingSQSProbeQueue');
    expect(mapping.Properties.ScalingConfig).toEqual({ MaximumConcurrency: 5 });
    // Reserved concurrency on an SQS consumer would throttle its pollers and
    // spend receives toward the DLQ; the event source cap is the guard.
    expect(functionResource('probeWorker').Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('reserves concurrency: one scheduled scan at a time, five Config rule runs, two audits', () => {
    expect(functionResource('scheduledScan').Properties.ReservedConcurrentExecutions).toBe(1);
    expect(functionResource('configRule').Properties.ReservedConcurrentExecutions).toBe(5);
    expect(functionResource('audit').Properties.ReservedConcurrentExecutions).toBe(2);
  });

  it('keeps logs for the configured retention', () => {
    for (const name of FUNCTIONS) {
      const group = resource(`${name[0]!.toUpperCase()}${name.slice(1)}LogGroup`);
      expect(group.Properties.RetentionInDays).toBe(30);
    }
  });
});

describe('queue', () => {
  it('parks a message on the DLQ after three receives', () => {
    expect(resource('ProbeQueue').Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['ProbeDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 3,
    });
  });

  it('tells the worker the same maximum receive count, so it knows a batch’s last delivery', () => {
    const { maxReceiveCount } = resource('ProbeQueue').Properties.RedrivePolicy as {
      maxReceiveCount: number;
    };
    const variables = (functionResource('probeWorker').Properties.Environment as Json)
      .Variables as Json;
    // Lambda environment variables are strings; the worker reads this one back as the number.
    expect(variables.PROBE_MAX_RECEIVE_COUNT).toBe(String(maxReceiveCount));
    const read = readFunctionEnvironment({
      PROBE_MAX_RECEIVE_COUNT: variables.PROBE_MAX_RECEIVE_COUNT as string,
    });
    expect(read.probeMaxReceiveCount).toEqual({ ok: true, value: maxReceiveCount });
  });

  it('hides a message for at least six times the worker timeout', () => {
    const timeout = functionResource('probeWorker').Properties.Timeout as number;
    expect(resource('ProbeQueue').Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });
});

describe('alarms', () => {
  it('watch every function for errors', () => {
    for (const name of FUNCTIONS) {
      const alarm = resolveIfs(
        resource(`${name[0]!.toUpperCase()}${name.slice(1)}ErrorsAlarm`),
      ) as Resource;
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [
          {
            Name: 'FunctionName',
            Value: { Ref: `${name[0]!.toUpperCase()}${name.slice(1)}LambdaFunction` },
          },
        ],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [PARAMS.alarmTopicArn],
      });
    }
  });

  it('fire as soon as anything reaches the dead-letter queue', () => {
    expect(resolveIfs(resource('ProbeDeadLetterAlarm').Properties)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': ['ProbeDeadLetterQueue', 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('alarms on the fan-out and on Config', () => {
  it('fire when the probe queue’s oldest message is two hours old', () => {
    expect(resolveIfs(resource('ProbeQueueAgeAlarm').Properties)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ProbeQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 7200,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [PARAMS.alarmTopicArn],
    });
  });

  it('fire on the EvaluationsFailed metric exactly as the functions emit it', () => {
    expect(resolveIfs(resource('EvaluationsFailedAlarm').Properties)).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: METRIC_NAMES.evaluationsFailed,
      // Powertools Metrics adds the service as the one default dimension.
      Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [PARAMS.alarmTopicArn],
    });
    const environment = (functionResource('configRule').Properties.Environment as Json)
      .Variables as Json;
    expect(environment.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
    expect(environment.POWERTOOLS_SERVICE_NAME).toBe(SERVICE_NAME);
  });
});

describe('reports bucket', () => {
  it('is created encrypted, private, owner-enforced and retained, unless reportsBucketName names one', () => {
    const bucket = template.Resources.ReportsBucket as Resource & {
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    };
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.Condition).toBe('CreateReportsBucket');
    expect(template.Conditions.CreateReportsBucket).toEqual({ 'Fn::Equals': ['', ''] });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true },
      ],
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Json[] }).Rules;
    expect(rules).toContainEqual({
      Id: 'expire-oversized-audit-reports',
      Status: 'Enabled',
      Prefix: 'audits/',
      ExpirationInDays: 30,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
    expect(rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
    );
  });

  it('refuses every request that does not use TLS', () => {
    const policy = resource('ReportsBucketPolicy');
    expect(policy.Condition).toBe('CreateReportsBucket');
    expect(policy.Properties.Bucket).toEqual({ Ref: 'ReportsBucket' });
    expect((policy.Properties.PolicyDocument as { Statement: Json[] }).Statement).toContainEqual({
      Sid: 'TlsOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [
        { 'Fn::GetAtt': ['ReportsBucket', 'Arn'] },
        { 'Fn::Sub': `\${ReportsBucket.Arn}/*` },
      ],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('is where the audit writes an oversized report, under audits/ only', () => {
    const variables = (functionResource('audit').Properties.Environment as Json).Variables as Json;
    expect(resolveIfs(variables.REPORTS_BUCKET)).toEqual({ Ref: 'ReportsBucket' });
    const writes = roleStatements('AuditRole').filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(writes.map((s) => actionsOf(s))).toEqual([['s3:PutObject']]);
    expect(resolveIfs(writes[0]?.Resource)).toEqual({
      'Fn::Sub': [
        `arn:\${AWS::Partition}:s3:::\${Bucket}/audits/*`,
        { Bucket: { Ref: 'ReportsBucket' } },
      ],
    });
  });
});

describe('parameter guards at package time', () => {
  it('refuse subnets without security groups, and member roles in any account, saying what to set', () => {
    expect(rejected.code).not.toBe(0);
    expect(rejected.output).toContain(
      'subnetIds is set but securityGroupIds is empty: Lambda cannot place the probing functions in the VPC without a security group.',
    );
    expect(rejected.output).toContain(
      'memberRoleArnPattern is set but neither memberOrgId nor memberAccountIds is',
    );
    expect(rejected.output).toContain('organizationConfigRule is true but memberOrgId is empty');
  });
});

describe('IAM least privilege', () => {
  const RESOURCE_STAR_ALLOWED = new Set([
    'rds:DescribeDBInstances',
    'rds:DescribeDBClusters',
    'rds:DescribeDBParameters',
    'rds:DescribeDBClusterParameters',
    'rds:DescribeEngineDefaultParameters',
    'rds:DescribeEngineDefaultClusterParameters',
    'rds:DescribeDBParameterGroups',
    'rds:DescribeDBClusterParameterGroups',
    'rds:DescribeOptionGroups',
    'rds:DescribeCertificates',
    'rds:DescribeDBClusterEndpoints',
    'ec2:DescribeSecurityGroups',
    'rds:DescribeDBProxies',
    'rds:DescribeDBProxyEndpoints',
    'rds:DescribeDBProxyTargets',
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSubnets',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
    'config:PutEvaluations',
    'config:GetResourceConfigHistory',
    'config:GetComplianceDetailsByConfigRule',
  ]);

  it("lets every role that reads the inventory read the databases' security groups", () => {
    for (const role of Object.values(ROLES)) {
      const actions = roleStatements(role).flatMap(actionsOf);
      expect(actions).toContain('rds:DescribeDBInstances');
      expect(actions).toContain('ec2:DescribeSecurityGroups');
    }
  });

  it('grants no wildcard actions, and Resource "*" only to APIs without resource-level permissions', () => {
    for (const role of Object.values(ROLES)) {
      for (const statement of roleStatements(role)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of actionsOf(statement)) {
          expect(action).not.toContain('*');
          if (statement.Resource === '*') expect(RESOURCE_STAR_ALLOWED).toContain(action);
        }
      }
    }
  });

  it('lets every role that lists databases also list the RDS Proxies in front of them', () => {
    const proxyActions = [
      'rds:DescribeDBProxies',
      'rds:DescribeDBProxyEndpoints',
      'rds:DescribeDBProxyTargets',
    ];
    for (const role of [ROLES.configRule, ROLES.scheduledScan, ROLES.audit]) {
      const granted = grantedActions(role);
      expect(granted.has('rds:DescribeDBInstances')).toBe(true);
      for (const action of proxyActions) expect(granted.has(action)).toBe(true);
    }
  });

  it('grants every RDS and EC2 read the inventory sends to each role that lists databases', () => {
    const reads = [...COMMANDS_SENT]
      .map(iamActionOf)
      .filter((action): action is string => action?.match(/^(rds|ec2):(Describe|List)/) != null);
    expect(reads).toContain('rds:DescribeDBClusterParameterGroups');
    for (const role of [ROLES.configRule, ROLES.scheduledScan, ROLES.audit]) {
      const granted = grantedActions(role);
      expect(reads.filter((action) => !granted.has(action))).toEqual([]);
    }
  });

  it('the member-account role in docs/deploy.md grants the same reads', () => {
    const doc = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    const member = doc.slice(doc.indexOf('RoleName: rds-tls-guard-member'));
    const documented = new Set(
      member.slice(0, member.indexOf('```')).match(/\b(rds|ec2|config):\w+/g),
    );
    const reads = [...COMMANDS_SENT]
      .map(iamActionOf)
      .filter((action): action is string => action?.match(/^(rds|ec2):(Describe|List)/) != null);
    expect(reads.filter((action) => !documented.has(action))).toEqual([]);
  });

  it('lets every role that lists databases also list the Aurora custom endpoints', () => {
    for (const role of [ROLES.configRule, ROLES.scheduledScan, ROLES.audit]) {
      const granted = grantedActions(role);
      expect(granted.has('rds:DescribeDBClusters')).toBe(true);
      expect(granted.has('rds:DescribeDBClusterEndpoints')).toBe(true);
    }
  });

  it('lets every role that lists proxies read their tags, on proxy ARNs only', () => {
    for (const role of [ROLES.configRule, ROLES.scheduledScan, ROLES.audit]) {
      const granting = roleStatements(role).filter((statement) =>
        actionsOf(statement).includes('rds:ListTagsForResource'),
      );
      expect(granting).toHaveLength(1);
      expect(actionsOf(granting[0] as Statement)).toEqual(['rds:ListTagsForResource']);
      expect(granting[0]?.Resource).toEqual({
        'Fn::Sub': `arn:\${AWS::Partition}:rds:*:*:db-proxy:*`,
      });
    }
  });

  it('lets no managed AWS policy in', () => {
    for (const role of Object.values(ROLES)) {
      const arns = (resolveIfs(resource(role)) as Resource).Properties.ManagedPolicyArns as Json[];
      for (const arn of arns) expect(Object.keys(arn)).toEqual(['Ref']);
    }
  });

  it('gives the Config APIs to the config rule, and PutEvaluations also to the worker', () => {
    for (const action of [
      'config:PutEvaluations',
      'config:GetResourceConfigHistory',
      'config:GetComplianceDetailsByConfigRule',
    ]) {
      expect(grantedActions('ConfigRuleRole').has(action)).toBe(true);
      expect(grantedActions('ScheduledScanRole').has(action)).toBe(false);
      expect(grantedActions('AuditRole').has(action)).toBe(false);
    }
    // Batches fanned out from a Config rule run are reported by the worker.
    expect([...grantedActions('ProbeWorkerRole')].filter((a) => a.startsWith('config:'))).toEqual([
      'config:PutEvaluations',
    ]);
  });

  it('reads secrets only by the RDS-managed name pattern or an opt-in tag', () => {
    const secretStatements = roleStatements('ProbeWorkerRole').filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
    );
    expect(secretStatements.flatMap(actionsOf)).toEqual([
      'secretsmanager:GetSecretValue',
      'secretsmanager:GetSecretValue',
    ]);
    expect(secretStatements[0]?.Resource).toEqual({
      'Fn::Sub': MANAGED_SECRET_PATTERN,
    });
    expect(secretStatements[1]?.Condition).toEqual({
      StringEquals: { 'secretsmanager:ResourceTag/rds-tls-guard': 'allowed' },
    });
    expect(grantedActions('ScheduledScanRole').has('secretsmanager:GetSecretValue')).toBe(false);
  });

  it('decrypts with KMS only on behalf of Secrets Manager', () => {
    const kms = roleStatements('AuditRole').filter((statement) =>
      actionsOf(statement).includes('kms:Decrypt'),
    );
    expect(kms).toHaveLength(1);
    expect(kms[0]?.Condition).toEqual({
      StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' },
    });
  });

  it('lets scanners send to the queue and only the worker consume it', () => {
    const queueArn = { 'Fn::GetAtt': ['ProbeQueue', 'Arn'] };
    for (const role of ['ConfigRuleRole', 'ScheduledScanRole']) {
      const send = roleStatements(role).filter((s) => actionsOf(s).includes('sqs:SendMessage'));
      expect(send.map((s) => s.Resource)).toEqual([queueArn]);
    }
    expect(grantedActions('AuditRole').has('sqs:SendMessage')).toBe(false);
    const consume = roleStatements('ProbeWorkerRole').find((s) =>
      actionsOf(s).includes('sqs:ReceiveMessage'),
    );
    expect(consume && actionsOf(consume)).toEqual([
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
    ]);
    expect(consume?.Resource).toEqual(queueArn);
    expect(grantedActions('ProbeWorkerRole').has('sqs:SendMessage')).toBe(false);
  });

  it('grants rds-db:connect only with IAM database auth enabled, for the one database user', () => {
    expect(condition('IamDbAuth')).toBe(true);
    const connect = roleStatements('ProbeWorkerRole').find((s) =>
      actionsOf(s).includes('rds-db:connect'),
    );
    expect(connect?.Resource).toEqual({
      'Fn::Sub': DB_USER_PATTERN,
    });
    expect(resource('IamDbConnectPolicy').Condition).toBe('IamDbAuth');
    expect(grantedActions('ScheduledScanRole').has('rds-db:connect')).toBe(false);
  });

  it('assumes only roles matching the member role pattern', () => {
    const assume = roleStatements('ScheduledScanRole').filter((s) =>
      actionsOf(s).includes('sts:AssumeRole'),
    );
    expect(assume.map((s) => s.Resource)).toEqual([PARAMS.memberRoleArnPattern]);
    // A role name matches in every AWS account; the organization and account list pin it.
    expect(resolveIfs(assume[0]?.Condition)).toEqual({
      StringEquals: {
        'aws:ResourceOrgID': PARAMS.memberOrgId,
        'aws:ResourceAccount': { 'Fn::Split': [',', PARAMS.memberAccountIds] },
      },
    });
    expect(resource('MemberAccountAssumePolicy').Condition).toBe('HasMemberRoles');
    // The config rule assumes a role only for organization rule events (see findings sinks).
    expect(
      roleStatements('ConfigRuleRole')
        .filter((s) => actionsOf(s).includes('sts:AssumeRole'))
        .map((s) => s.Sid),
    ).toEqual(['AssumeOrganizationMemberRole']);
  });

  it('gives network interface actions to VPC functions only', () => {
    for (const role of ['ConfigRuleRole', 'AuditRole', 'ProbeWorkerRole']) {
      expect(grantedActions(role).has('ec2:CreateNetworkInterface')).toBe(true);
    }
    expect(grantedActions('ScheduledScanRole').has('ec2:CreateNetworkInterface')).toBe(false);
  });

  it('writes logs only to the function’s own log group', () => {
    for (const [name, role] of Object.entries(ROLES)) {
      const logs = roleStatements(role).filter((s) =>
        actionsOf(s).some((action) => action.startsWith('logs:')),
      );
      expect(logs).toHaveLength(1);
      expect(actionsOf(logs[0]!)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(logs[0]?.Resource).toEqual({
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/rds-tls-guard-test-${name}:*`,
      });
    }
  });
});

describe('bundles', () => {
  it.each(FUNCTIONS)('%s.zip exists and is under 1.5 MB', (name) => {
    expect(statSync(join(OUT, `${name}.zip`)).size).toBeLessThan(MAX_ZIP_BYTES);
  });

  it.each(FUNCTIONS)('%s loads in Node and exports a handler', async (name) => {
    const file = join(unzipDir, name, HANDLER_FILES[name]);
    const module = (await import(pathToFileURL(file).href)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });

  it.each(FUNCTIONS)(
    '%s.zip holds its handler and exactly the chunks the handler can reach, each present',
    (name) => {
      const folder = join(unzipDir, name);
      const reachable = reachableModules(folder, HANDLER_FILES[name]);
      expect(reachable.missing).toEqual([]);
      expect(filesUnder(folder).sort()).toEqual([...reachable.files].sort());
    },
  );

  it.each(PROBING)('%s carries the RDS CA bundle', (name) => {
    // The handler and the chunks it loads (drivers are split out to load on first probe).
    const folder = join(unzipDir, name);
    const source = [...reachableModules(folder, HANDLER_FILES[name]).files]
      .map((file) => readFileSync(join(folder, file), 'utf8'))
      .join('\n');
    const certificates = source.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
    expect(certificates.length).toBeGreaterThanOrEqual(10);
  });

  it('audit bundle answers a malformed request with a named error, without AWS', async () => {
    const file = join(unzipDir, 'audit', HANDLER_FILES.audit);
    const { handler } = (await import(pathToFileURL(file).href)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const response = await handler({ format: 'pdf' }, lambdaContext('audit'));
    expect(response).toEqual({
      error: { code: 'AUDIT_EVENT_INVALID', message: 'audit event invalid at: format' },
    });
  });

  it('config rule bundle refuses an event whose account id is not an account, without AWS', async () => {
    const file = join(unzipDir, 'configRule', HANDLER_FILES.configRule);
    const { handler } = (await import(pathToFileURL(file).href)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const response = await handler(
      {
        // A well-formed scheduled event, but for no account: refused before any AWS call.
        version: '1.0',
        invokingEvent: JSON.stringify({
          awsAccountId: '123456789012',
          notificationCreationTime: '2026-01-01T00:00:00.000Z',
          messageType: 'ScheduledNotification',
          recordVersion: '1.0',
        }),
        ruleParameters: '{}',
        resultToken: 'token',
        eventLeftScope: false,
        configRuleName: 'rds-tls-only',
        accountId: '12/../x',
      },
      lambdaContext('configRule'),
    );
    expect(response).toEqual({ status: 'rejected' });
  });

  it('worker bundle reports an unreadable message as a batch item failure, without AWS', async () => {
    const file = join(unzipDir, 'probeWorker', HANDLER_FILES.probeWorker);
    const { handler } = (await import(pathToFileURL(file).href)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const printed = await capturingOutput(() =>
      handler({ Records: [{ messageId: 'm-1', body: 'not json' }] }, lambdaContext('probeWorker')),
    );
    expect(printed.result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    // Every invocation leaves a count, so Powertools has metrics to publish.
    expect(printed.text).toContain('"BatchesFailed":1');
    expect(printed.text).not.toContain('No application metrics to publish');
  });

  it('audit bundle counts a rejected request instead of publishing no metrics', async () => {
    const file = join(unzipDir, 'audit', HANDLER_FILES.audit);
    const { handler } = (await import(pathToFileURL(file).href)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const printed = await capturingOutput(() => handler({ format: 'pdf' }, lambdaContext('audit')));
    expect(printed.text).toContain('"EventsRejected":1');
    expect(printed.text).not.toContain('No application metrics to publish');
  });
});

/**
 * The module files a handler can load, statically or through a dynamic
 * import, found by following the relative `.mjs` specifiers esbuild writes
 * (`from"./x.mjs"`, `import"./x.mjs"`, `import("./x.mjs")`), and those
 * specifiers that name no file in the package.
 */
function reachableModules(root: string, entry: string): { files: Set<string>; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    let source: string;
    try {
      source = readFileSync(join(root, file), 'utf8');
    } catch {
      missing.push(file);
      continue;
    }
    files.add(file);
    for (const match of source.matchAll(
      /\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"'\s]+\.mjs)["']/g,
    )) {
      pending.push(relative(root, resolve(root, dirname(file), match[1]!)));
    }
  }
  return { files, missing };
}

/** Every file in a folder and below, relative to it. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** What a call printed to stdout and stderr (Powertools writes its EMF lines and warnings there). */
async function capturingOutput<T>(run: () => Promise<T>): Promise<{ result: T; text: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write;
  }
  try {
    return { result: await run(), text: chunks.join('') };
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
  }
}

function lambdaContext(name: string): Json {
  return {
    functionName: `rds-tls-guard-test-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:rds-tls-guard-test-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
    logGroupName: `/aws/lambda/rds-tls-guard-test-${name}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
  };
}

describe('findings sinks', () => {
  function environmentOf(name: string): Json {
    return (resolveIfs(functionResource(name)) as Resource).Properties.Environment as Json;
  }

  it('creates ReportsBucket unless reportsBucketName names an existing one, and tells the scheduled path', () => {
    expect(template.Conditions.CreateReportsBucket).toEqual({ 'Fn::Equals': ['', ''] });
    expect(condition('CreateReportsBucket')).toBe(true);
    for (const name of ['scheduledScan', 'probeWorker']) {
      const variables = (environmentOf(name) as { Variables: Json }).Variables;
      expect(variables.REPORTS_BUCKET).toEqual({ Ref: 'ReportsBucket' });
      expect(variables.SECURITY_HUB_FINDINGS).toBe('true');
    }
    // The existing-bucket branch: the parameter's value as the name.
    const raw = functionResource('probeWorker').Properties.Environment as { Variables: Json };
    expect(raw.Variables.REPORTS_BUCKET).toEqual({
      'Fn::If': ['CreateReportsBucket', { Ref: 'ReportsBucket' }, ''],
    });
  });

  it('keeps the archive private, encrypted, versioned and dated, and refuses plain HTTP', () => {
    const bucket = resource('ReportsBucket');
    expect(bucket.Condition).toBe('CreateReportsBucket');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true },
      ],
    });
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Json[] }).Rules;
    expect(rules.find((rule) => rule.Prefix === 'reports/')).toMatchObject({
      Status: 'Enabled',
      ExpirationInDays: 730,
      Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
    });
    expect(rules.find((rule) => rule.Prefix === 'runs/')).toMatchObject({ ExpirationInDays: 14 });
    const policy = resource('ReportsBucketPolicy').Properties.PolicyDocument as {
      Statement: Statement[];
    };
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ]);
  });

  it('lets the scheduled path write only under reports/ and runs/, and the config rule not at all', () => {
    for (const role of ['ScheduledScanRole', 'ProbeWorkerRole']) {
      const s3 = roleStatements(role).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('s3:')),
      );
      expect(s3.flatMap(actionsOf).sort()).toEqual([
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
      ]);
      const objects = s3.find((statement) => actionsOf(statement).includes('s3:PutObject'))!;
      expect(JSON.stringify(objects.Resource)).toContain('/reports/*');
      expect(JSON.stringify(objects.Resource)).toContain('/runs/*');
      const list = s3.find((statement) => actionsOf(statement).includes('s3:ListBucket'))!;
      expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['reports/*', 'runs/*'] } });
    }
    expect(
      [...grantedActions('ConfigRuleRole')].filter((action) => action.startsWith('s3:')),
    ).toEqual([]);
  });

  it('imports into Security Hub only through the account’s own product, and reads only its own hub', () => {
    const product = {
      'Fn::Sub': `arn:\${AWS::Partition}:securityhub:*:\${AWS::AccountId}:product/\${AWS::AccountId}/default`,
    };
    for (const role of ['ScheduledScanRole', 'ProbeWorkerRole']) {
      const hub = roleStatements(role).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('securityhub:')),
      );
      const imports = hub.filter((statement) =>
        actionsOf(statement).includes('securityhub:BatchImportFindings'),
      );
      expect(imports).toHaveLength(1);
      expect(actionsOf(imports[0]!)).toEqual(['securityhub:BatchImportFindings']);
      expect(imports[0]!.Resource).toEqual(product);
    }
    expect(
      roleStatements('ScheduledScanRole').find((statement) =>
        actionsOf(statement).includes('securityhub:GetFindings'),
      )?.Resource,
    ).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:securityhub:*:\${AWS::AccountId}:hub/default` });
    expect(grantedActions('ProbeWorkerRole').has('securityhub:GetFindings')).toBe(false);
    for (const role of ['ConfigRuleRole', 'AuditRole']) {
      expect([...grantedActions(role)].some((action) => action.startsWith('securityhub:'))).toBe(
        false,
      );
    }
  });

  it('lets AWS Config of member accounts invoke the rule function, which assumes only roles inside the organization', () => {
    const permission = resource('OrganizationConfigRuleInvokePermission');
    expect(permission.Condition).toBe('HasOrganization');
    expect(condition('HasOrganization')).toBe(true);
    expect(permission.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': ['ConfigRuleLambdaFunction', 'Arn'] },
      Principal: 'config.amazonaws.com',
      SourceArn: { 'Fn::Sub': `arn:\${AWS::Partition}:config:\${AWS::Region}:*:config-rule/*` },
    });
    for (const role of ['ConfigRuleRole', 'ProbeWorkerRole']) {
      const assume = roleStatements(role).find(
        (statement) => statement.Sid === 'AssumeOrganizationMemberRole',
      );
      expect(assume).toEqual({
        Sid: 'AssumeOrganizationMemberRole',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::*:role/rds-tls-guard-member` },
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
      });
    }
    const variables = (environmentOf('configRule') as { Variables: Json }).Variables;
    expect(variables.ORGANIZATION_MEMBER_ROLE_NAME).toBe('rds-tls-guard-member');
  });

  it('has a dashboard of verdicts per account and region, probe outcomes and errors', () => {
    const sub = resource('Dashboard').Properties.DashboardBody as { 'Fn::Sub': string };
    const body = JSON.parse(
      sub['Fn::Sub'].replaceAll(`\${AWS::Region}`, 'eu-west-1').replaceAll(`\${!`, `\${`),
    ) as { widgets: { properties: { title: string; metrics: unknown[][] } }[] };
    const byTitle = new Map(body.widgets.map((widget) => [widget.properties.title, widget]));
    const expressionOf = (title: string) =>
      JSON.stringify(byTitle.get(title)?.properties.metrics ?? 'missing');
    for (const [title, verdict] of [
      ['Compliant databases per account and region', 'COMPLIANT'],
      ['Non-compliant databases per account and region', 'NON_COMPLIANT'],
      ['Insufficient-data databases per account and region', 'INSUFFICIENT_DATA'],
    ] as const) {
      const expression = expressionOf(title);
      expect(expression).toContain('{RdsTlsGuard,Account,Region,Verdict,service}');
      expect(expression).toContain('MetricName=\\"Evaluations\\"');
      expect(expression).toContain(`Verdict=\\"${verdict}\\"`);
    }
    expect(expressionOf('Live probe outcomes')).toContain('MetricName=\\"ProbeOutcomes\\"');
    const errors = expressionOf('Errors: functions, sinks, Config, dead-letter queue');
    for (const name of FUNCTIONS) expect(errors).toContain(`rds-tls-guard-test-${name}`);
    for (const metric of ['SinkFailures', 'EvaluationsFailed', 'rds-tls-guard-test-probe-dlq']) {
      expect(errors).toContain(metric);
    }
  });

  it('alarms when findings or reports do not reach their sink', () => {
    for (const [name, sink] of [
      ['SinkFailuresAlarm', 'SecurityHub'],
      ['ReportArchiveFailuresAlarm', 'ReportArchive'],
    ] as const) {
      const alarm = resolveIfs(resource(name)) as Resource;
      expect(alarm.Properties).toMatchObject({
        Namespace: 'RdsTlsGuard',
        MetricName: 'SinkFailures',
        Dimensions: [
          { Name: 'service', Value: 'rds-tls-guard' },
          { Name: 'Sink', Value: sink },
        ],
        Threshold: 0,
        AlarmActions: [PARAMS.alarmTopicArn],
      });
    }
  });
});

/**
 * Every AWS command the product sends. A client imported whole (a dynamic
 * `import('@aws-sdk/client-s3')` is not tree-shaken) bundles all of its
 * commands; the lazy clients are imported through lib/aws/ instead.
 */
export const COMMANDS_SENT = new Set([
  'client-config-service/GetComplianceDetailsByConfigRuleCommand',
  'client-config-service/GetResourceConfigHistoryCommand',
  'client-config-service/PutEvaluationsCommand',
  'client-ec2/DescribeSecurityGroupsCommand',
  'client-rds/DescribeCertificatesCommand',
  'client-rds/DescribeDBClusterEndpointsCommand',
  'client-rds/DescribeDBClusterParameterGroupsCommand',
  'client-rds/DescribeDBClusterParametersCommand',
  'client-rds/DescribeDBClustersCommand',
  'client-rds/DescribeDBInstancesCommand',
  'client-rds/DescribeDBParameterGroupsCommand',
  'client-rds/DescribeDBParametersCommand',
  'client-rds/DescribeDBProxiesCommand',
  'client-rds/DescribeDBProxyEndpointsCommand',
  'client-rds/DescribeDBProxyTargetsCommand',
  'client-rds/DescribeEngineDefaultClusterParametersCommand',
  'client-rds/DescribeEngineDefaultParametersCommand',
  'client-rds/DescribeOptionGroupsCommand',
  'client-rds/ListTagsForResourceCommand',
  // S3's own session call for directory buckets, reached from the client itself.
  'client-s3/CreateSessionCommand',
  'client-s3/GetObjectCommand',
  'client-s3/ListObjectsV2Command',
  'client-s3/PutObjectCommand',
  'client-secrets-manager/GetSecretValueCommand',
  'client-securityhub/BatchImportFindingsCommand',
  'client-securityhub/GetFindingsCommand',
  'client-sqs/SendMessageBatchCommand',
]);

/**
 * The IAM action a read command needs, for the services whose actions are
 * named after the API call (RDS, EC2, Config).
 */
export function iamActionOf(command: string): string | undefined {
  const [client, name] = command.split('/');
  const service = { 'client-rds': 'rds', 'client-ec2': 'ec2', 'client-config-service': 'config' }[
    client ?? ''
  ];
  return service && name ? `${service}:${name.replace(/Command$/, '')}` : undefined;
}

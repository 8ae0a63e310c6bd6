/**
 * The parts of the EC2 SDK the security-group read uses, for a dynamic
 * import: the EC2 client is about half of what a function would load at
 * initialisation, and importing the package itself dynamically would bundle
 * every command it has.
 */
export { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';

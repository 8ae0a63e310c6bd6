/**
 * Remediation texts: the concrete AWS CLI commands that fix a finding, with
 * the group and database names filled in.
 */
import { shellWord } from '../text.js';
import type { DatabaseResource } from '../types.js';
import type { GroupContext } from './group.js';

export interface ParameterChange {
  name: string;
  value: string;
}

/**
 * The command that sets parameters in a group. Default groups (`default.*`)
 * cannot be modified, so for them the text walks through creating a custom
 * group and attaching it.
 */
export function setParametersRemediation(
  group: GroupContext,
  changes: ParameterChange[],
  applyMethod: 'immediate' | 'pending-reboot',
): string {
  const cluster = group.scope === 'cluster';
  const modify = cluster ? 'modify-db-cluster-parameter-group' : 'modify-db-parameter-group';
  const nameFlag = cluster ? '--db-cluster-parameter-group-name' : '--db-parameter-group-name';
  const parameters = formatParameters(changes, applyMethod);
  const reboot = applyMethod === 'pending-reboot' ? ` then ${rebootCommand(group)}` : '';

  const groupName = shellWord(group.name, '<group>');
  if (!group.name.startsWith('default.')) {
    return `aws rds ${modify} ${nameFlag} ${groupName} --parameters ${parameters}${reboot}`;
  }
  const custom = `${shellWord(group.resource.identifier, '<identifier>')}-tls`;
  const family = shellWord(group.family ?? '<family>', '<family>');
  const create = cluster ? 'create-db-cluster-parameter-group' : 'create-db-parameter-group';
  const attach = attachCommand(group, custom);
  return (
    `Default group ${groupName} cannot be modified: aws rds ${create} ${nameFlag} ${custom} ` +
    `--db-parameter-group-family ${family} --description "TLS only"; ` +
    `aws rds ${modify} ${nameFlag} ${custom} --parameters ${parameters}; ` +
    `${attach}; then ${rebootCommand(group)}`
  );
}

function formatParameters(changes: ParameterChange[], applyMethod: string): string {
  // Shorthand syntax splits on commas, so a list value needs the JSON form.
  if (changes.some((change) => change.value.includes(','))) {
    const json = changes.map((change) => ({
      ParameterName: change.name,
      ParameterValue: change.value,
      ApplyMethod: applyMethod,
    }));
    return `'${JSON.stringify(json)}'`;
  }
  return changes
    .map(
      (change) =>
        `ParameterName=${change.name},ParameterValue=${change.value},ApplyMethod=${applyMethod}`,
    )
    .join(' ');
}

function attachCommand(group: GroupContext, customName: string): string {
  const { resource } = group;
  if (group.scope === 'cluster') {
    const cluster = shellWord(resource.clusterIdentifier ?? resource.identifier, '<cluster>');
    return `aws rds modify-db-cluster --db-cluster-identifier ${cluster} --db-cluster-parameter-group-name ${customName} --apply-immediately`;
  }
  return `aws rds modify-db-instance --db-instance-identifier ${identifierWord(resource)} --db-parameter-group-name ${customName} --apply-immediately`;
}

export function rebootCommand(
  group: Pick<GroupContext, 'scope' | 'resource' | 'engineFamily'>,
): string {
  const { resource } = group;
  if (resource.resourceType === 'AWS::RDS::DBInstance') {
    return `aws rds reboot-db-instance --db-instance-identifier ${identifierWord(resource)}`;
  }
  if (group.engineFamily === 'aurora-postgresql' || group.engineFamily === 'aurora-mysql') {
    return `reboot each instance of cluster ${identifierWord(resource)} (aws rds reboot-db-instance --db-instance-identifier <instance>)`;
  }
  return `aws rds reboot-db-cluster --db-cluster-identifier ${identifierWord(resource)}`;
}

export function unreadableGroupRemediation(
  scope: 'instance' | 'cluster',
  groupName: string,
  gaps: readonly string[],
): string {
  // An offline audit lacks a file, not a permission: name the file and the command that writes it.
  if (gaps.some((gap) => gap.includes('not in snapshot'))) {
    const name = shellWord(groupName, '<group>');
    const command =
      scope === 'cluster'
        ? `aws rds describe-db-cluster-parameters --db-cluster-parameter-group-name ${name} > describe-db-cluster-parameters.${name}.json`
        : `aws rds describe-db-parameters --db-parameter-group-name ${name} > describe-db-parameters.${name}.json`;
    return `Add the group to the snapshot folder (${command}), then rescan.`;
  }
  const action =
    scope === 'cluster' ? 'rds:DescribeDBClusterParameters' : 'rds:DescribeDBParameters';
  return `Allow the scanner role ${action} (and rds:DescribeEngineDefaultParameters) on the group, then rescan.`;
}

export function describeGaps(gaps: readonly string[]): string {
  return gaps.length > 0 ? gaps.join('; ') : 'no settings provided';
}

function modifyInstances(resource: DatabaseResource): string {
  return resource.resourceType === 'AWS::RDS::DBInstance'
    ? `aws rds modify-db-instance --db-instance-identifier ${identifierWord(resource)}`
    : `for each instance of cluster ${identifierWord(resource)}: aws rds modify-db-instance --db-instance-identifier <instance>`;
}

/**
 * Switch to a current CA; when a change to a current CA is already pending
 * (PendingModifiedValues), apply that one now instead of naming another.
 */
export function caRemediation(resource: DatabaseResource, pendingCa?: string): string {
  if (pendingCa !== undefined) {
    return (
      `A change to CA ${pendingCa} is already pending: make sure clients trust it (the RDS global bundle), ` +
      `then apply it now: ${modifyInstances(resource)} --ca-certificate-identifier ${shellWord(pendingCa, '<ca>')} --apply-immediately`
    );
  }
  return (
    `Make sure clients trust the new CA (the RDS global bundle), then ${modifyInstances(resource)} ` +
    '--ca-certificate-identifier rds-ca-rsa2048-g1 --apply-immediately'
  );
}

/** The server certificate expires under a CA that is still current: rotate it in place. */
export function rotationRemediation(resource: DatabaseResource, currentCa: string): string {
  return (
    `Rotate the server certificate under the same CA (restarts the database): ${modifyInstances(resource)} ` +
    `--ca-certificate-identifier ${shellWord(currentCa, '<ca>')} --certificate-rotation-restart --apply-immediately`
  );
}

/**
 * For an engine version that has no parameter to require TLS (MySQL 5.6,
 * MariaDB before 10.5, Aurora MySQL 1): the fix is a major version upgrade.
 */
export function upgradeRemediation(resource: DatabaseResource, parameter: string): string {
  const target =
    resource.resourceType === 'AWS::RDS::DBCluster'
      ? `aws rds modify-db-cluster --db-cluster-identifier ${identifierWord(resource)}`
      : `aws rds modify-db-instance --db-instance-identifier ${identifierWord(resource)}`;
  const pending = resource.pendingModifiedValues?.engineVersion;
  if (pending !== undefined) {
    return (
      `${resource.engine} ${resource.engineVersion} has no ${parameter}; an upgrade to ${pending} is already pending: ` +
      `apply it now (test it first): ${target} --engine-version ${shellWord(pending, '<version>')} --allow-major-version-upgrade --apply-immediately; ` +
      `then set ${parameter} in its parameter group`
    );
  }
  return (
    `${resource.engine} ${resource.engineVersion} has no ${parameter}: upgrade to a supported major version ` +
    `(test the upgrade first), e.g. ${target} --engine-version <version> --allow-major-version-upgrade --apply-immediately; ` +
    `then set ${parameter} in its parameter group`
  );
}

/** The database's identifier as it may stand in a command. */
function identifierWord(resource: DatabaseResource): string {
  return shellWord(resource.identifier, '<identifier>');
}

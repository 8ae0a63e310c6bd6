/**
 * What an offline scan cannot judge because the snapshot lacks a file, said
 * once per scan as a ScanProblem instead of once per database or region.
 */
import type { DatabaseResource, ScanProblem } from '../../types.js';
import type { RdsSnapshot } from './rds-snapshot.js';

export const SECURITY_GROUPS_FILE = 'describe-security-groups.json';

/**
 * The snapshot's missing security groups: without them no Oracle plaintext
 * listener can be judged (other engines only lose a network note).
 */
export function snapshotSecurityGroupGap(
  snapshot: RdsSnapshot,
  resources: readonly DatabaseResource[],
): ScanProblem | undefined {
  if (snapshot.securityGroups) return undefined;
  const oracle = resources.filter((resource) => resource.engine.startsWith('oracle'));
  if (oracle.length === 0) return undefined;
  return {
    scope: 'snapshot',
    code: 'SNAPSHOT_SECURITY_GROUPS_MISSING',
    message: `${SECURITY_GROUPS_FILE} ${absence(snapshot, SECURITY_GROUPS_FILE)}: the plaintext listener of ${oracle.length} Oracle database(s) cannot be judged; add the output of aws ec2 describe-security-groups --group-ids <their VpcSecurityGroups>`,
  };
}

/**
 * The snapshot's missing proxy listing: without it the scan cannot tell
 * whether an RDS Proxy opens a plaintext door to any of the databases.
 */
export function snapshotProxyGap(snapshot: RdsSnapshot): ScanProblem | undefined {
  if (snapshot.proxies) return undefined;
  return {
    scope: 'snapshot',
    code: 'SNAPSHOT_PROXIES_MISSING',
    message: `${PROXIES_FILE} ${absence(snapshot, PROXIES_FILE)}: RDS Proxies in front of these databases are not assessed; add the output of aws rds describe-db-proxies, describe-db-proxy-endpoints and describe-db-proxy-targets --db-proxy-name <each proxy>`,
  };
}

const PROXIES_FILE = 'describe-db-proxies.json';

/** Why the snapshot has no answer from a file: not saved, or saved in a shape it could not read. */
function absence(snapshot: RdsSnapshot, file: string): string {
  return snapshot.refusedFiles?.[file] === undefined
    ? 'is not in the snapshot'
    : 'is not what the AWS CLI prints (SNAPSHOT_FILE_INVALID)';
}

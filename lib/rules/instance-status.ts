/**
 * A database RDS reports it cannot run with its parameter or option group
 * (DB instance status `incompatible-parameters`, `incompatible-option-group`:
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Status.html).
 * What the group says is then not what the server runs, while the group's own
 * apply status may still read in-sync, so a setting that would pass is not
 * proven in effect. A setting that fails stays failed: it is what the
 * database returns to once it runs.
 */
import type { DatabaseResource, Evidence } from '../types.js';
import type { CheckResult } from './check.js';

export type IncompatibleStatus = 'incompatible-parameters' | 'incompatible-option-group';

/** The undecided check when the database has `status`; undefined otherwise. */
export function incompatibleWithGroup(
  resource: DatabaseResource,
  status: IncompatibleStatus,
  configured: string,
  remediation: string,
  evidence: readonly Evidence[],
): CheckResult | undefined {
  if (resource.status?.trim().toLowerCase() !== status) return undefined;
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'INSTANCE_STATUS_INCOMPATIBLE',
    summary: `${configured}, but the instance status is ${status}: not in effect`,
    remediation,
    evidence: [...evidence, { source: 'rds-api', label: 'instance status', value: status }],
  };
}

/**
 * When RDS's own record shows that nothing answers on a database's endpoint,
 * so the probe does not connect: a connection would only time out and read
 * as a server that misbehaves, distrusting its configuration. Each such
 * finding counts as a connection not attempted (lib/verdict.ts), like a
 * missing endpoint. Pure: the resource in, a reason or nothing out.
 */
import { classifyEngine, isAurora } from '../rules/engines.js';
import type { DatabaseResource } from '../types.js';
import type { LiveReason } from './reasons.js';

export interface NotAttempted {
  reason: Extract<LiveReason, 'DATABASE_STOPPED' | 'NO_WRITER_INSTANCE'>;
  annotation: string;
}

/** Why the probe must not connect to this database, or undefined when something should answer. */
export function notAttemptedReason(resource: DatabaseResource): NotAttempted | undefined {
  const status = resource.status?.trim();
  // DB instance and cluster status stopped/stopping
  // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Status.html).
  if (status?.toLowerCase() === 'stopped' || status?.toLowerCase() === 'stopping') {
    return {
      reason: 'DATABASE_STOPPED',
      annotation: `live probe not attempted: the database is stopped (status ${status})`,
    };
  }
  return writerMissing(resource);
}

/**
 * A cluster's endpoint reaches its writer instance: with none (no instances
 * at all, or only readers, as in the secondary cluster of an Aurora global
 * database), nobody is there. Aurora Serverless v1 is the exception: it has
 * no instances and answers itself, so an Aurora cluster whose engine mode
 * RDS did not give is probed as before. Members not listed are not judged.
 */
function writerMissing(resource: DatabaseResource): NotAttempted | undefined {
  const members = resource.clusterMembers;
  if (resource.resourceType !== 'AWS::RDS::DBCluster' || resource.proxy || members === undefined) {
    return undefined;
  }
  if (members.some((member) => member.writer)) return undefined;
  const engineMode = resource.engineMode?.trim().toLowerCase();
  if (isAurora(classifyEngine(resource.engine)) && (!engineMode || engineMode === 'serverless')) {
    return undefined;
  }
  return {
    reason: 'NO_WRITER_INSTANCE',
    annotation:
      members.length === 0
        ? 'live probe not attempted: the cluster has no DB instances, so nothing answers on its endpoint'
        : `live probe not attempted: none of the cluster’s ${members.length} DB ${members.length === 1 ? 'instance' : 'instances'} is its writer, so nothing answers on its writer endpoint`,
  };
}

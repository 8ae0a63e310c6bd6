/**
 * Offline audits: an RDSClient (and an EC2Client for security groups) that
 * answers from the JSON the AWS CLI printed instead of from AWS. Each is a
 * real SDK client (so paginators, `instanceof` checks and the inventory code
 * run unchanged) with one middleware at the `initialize` step that returns
 * the snapshot's answer before the request is serialised, signed or sent: no
 * credentials, no network.
 *
 * Data the snapshot lacks is answered with the error RDS itself would give
 * (DBParameterGroupNotFoundFault, …) so the scan's normal gap path reports it.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  CertificateNotFoundFault,
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DBParameterGroupNotFoundFault,
  OptionGroupNotFoundFault,
  RDSClient,
} from '@aws-sdk/client-rds';
import { serveInProcess } from '../../aws/in-process.js';
import { SECURITY_GROUPS_FILE } from './gaps.js';
import {
  inRegion,
  isRecord,
  type JsonObject,
  listOf,
  type RdsSnapshot,
  SnapshotDataNotFound,
  SnapshotOperationUnsupported,
} from './rds-snapshot.js';
import { ISO_DATE } from './shapes.js';

export function createSnapshotRdsClient(snapshot: RdsSnapshot, region: string): RDSClient {
  const client = new RDSClient(snapshotClientConfig(region));
  serveInProcess(client, (commandName, input) =>
    reviveDates(answer(snapshot, region, commandName, isRecord(input) ? input : {})),
  );
  return client;
}

/**
 * An EC2Client answering DescribeSecurityGroups from the snapshot's
 * describe-security-groups.json. A snapshot without that file answers with
 * SnapshotDataNotFound, so every database's groups show as not read. The
 * SDK's EC2 client is loaded on the first call, as for a live scan.
 */
export async function createSnapshotEc2Client(
  snapshot: RdsSnapshot,
  region: string,
): Promise<EC2Client> {
  const { EC2Client } = await import('../../aws/ec2.js');
  const client = new EC2Client(snapshotClientConfig(region));
  serveInProcess(client, (commandName, input) => {
    if (commandName !== 'DescribeSecurityGroupsCommand') throw unsupportedOperation(commandName);
    if (!snapshot.securityGroups) {
      throw new SnapshotDataNotFound(
        `${SECURITY_GROUPS_FILE} not in snapshot: security groups unknown`,
      );
    }
    const wanted = wantedGroupIds(isRecord(input) ? input : {});
    const groups = listOf(snapshot.securityGroups, 'SecurityGroups').filter(
      (group) => wanted === undefined || wanted.has(String(group.GroupId)),
    );
    return { SecurityGroups: groups };
  });
  return client;
}

function answer(
  snapshot: RdsSnapshot,
  region: string,
  command: string,
  input: JsonObject,
): JsonObject {
  switch (command) {
    case 'DescribeDBInstancesCommand':
      return databases(snapshot.instances, 'DBInstance', DBInstanceNotFoundFault, region, input);
    case 'DescribeDBClustersCommand':
      return databases(snapshot.clusters, 'DBCluster', DBClusterNotFoundFault, region, input);
    case 'DescribeDBParametersCommand':
    case 'DescribeDBClusterParametersCommand': {
      const isCluster = command === 'DescribeDBClusterParametersCommand';
      const name = stringInput(
        input,
        isCluster ? 'DBClusterParameterGroupName' : 'DBParameterGroupName',
      );
      const document =
        name === undefined
          ? undefined
          : (isCluster ? snapshot.clusterParameters : snapshot.parameters)?.[name];
      if (!document) {
        const file = `${isCluster ? 'describe-db-cluster-parameters' : 'describe-db-parameters'}.${name ?? '<group>'}.json`;
        throw Object.assign(
          new DBParameterGroupNotFoundFault(
            rdsFault(`parameter group ${name ?? '(none)'} not in snapshot: add ${file}`),
          ),
          absentFile(snapshot, file),
        );
      }
      return { Parameters: listOf(document, 'Parameters') };
    }
    case 'DescribeEngineDefaultParametersCommand':
    case 'DescribeEngineDefaultClusterParametersCommand': {
      const family = stringInput(input, 'DBParameterGroupFamily');
      const documents =
        command === 'DescribeEngineDefaultParametersCommand'
          ? snapshot.engineDefaults
          : snapshot.clusterEngineDefaults;
      const document = family === undefined ? undefined : documents?.[family];
      if (!document) {
        const file = `${command === 'DescribeEngineDefaultParametersCommand' ? 'describe-engine-default-parameters' : 'describe-engine-default-cluster-parameters'}.${family ?? '<family>'}.json`;
        throw Object.assign(
          new SnapshotDataNotFound(`engine defaults for ${family ?? '(none)'} not in snapshot`),
          absentFile(snapshot, file),
        );
      }
      const defaults = isRecord(document.EngineDefaults) ? document.EngineDefaults : {};
      return {
        EngineDefaults: {
          DBParameterGroupFamily: defaults.DBParameterGroupFamily ?? family,
          Parameters: listOf(defaults, 'Parameters'),
        },
      };
    }
    case 'DescribeDBParameterGroupsCommand':
    case 'DescribeDBClusterParameterGroupsCommand': {
      const isCluster = command === 'DescribeDBClusterParameterGroupsCommand';
      const key = isCluster ? 'DBClusterParameterGroups' : 'DBParameterGroups';
      return {
        [key]: named(
          listOf(isCluster ? snapshot.clusterParameterGroups : snapshot.parameterGroups, key),
          input,
          isCluster ? 'DBClusterParameterGroupName' : 'DBParameterGroupName',
          (name) =>
            new DBParameterGroupNotFoundFault(rdsFault(`parameter group ${name} not in snapshot`)),
        ),
      };
    }
    case 'DescribeOptionGroupsCommand':
      return {
        OptionGroupsList: named(
          listOf(snapshot.optionGroups, 'OptionGroupsList'),
          input,
          'OptionGroupName',
          (name) => new OptionGroupNotFoundFault(rdsFault(`option group ${name} not in snapshot`)),
        ),
      };
    case 'DescribeCertificatesCommand':
      return {
        Certificates: named(
          listOf(snapshot.certificates, 'Certificates'),
          input,
          'CertificateIdentifier',
          (name) => new CertificateNotFoundFault(rdsFault(`certificate ${name} not in snapshot`)),
        ),
      };
    case 'DescribeDBClusterEndpointsCommand':
      // Only asked for when the region has clusters; its absence leaves their custom endpoints unknown.
      if (!snapshot.clusterEndpoints) {
        throw new SnapshotDataNotFound('describe-db-cluster-endpoints.json not in snapshot');
      }
      return {
        DBClusterEndpoints: regional(snapshot.clusterEndpoints, 'DBClusterEndpoint', region),
      };
    case 'DescribeDBProxiesCommand':
      // Optional in a snapshot: its absence is said once (snapshotProxyGap), not per region.
      return { DBProxies: inRegion(listOf(snapshot.proxies, 'DBProxies'), region, 'DBProxyArn') };
    case 'DescribeDBProxyEndpointsCommand':
      if (!snapshot.proxyEndpoints && listOf(snapshot.proxies, 'DBProxies').length > 0) {
        throw new SnapshotDataNotFound('describe-db-proxy-endpoints.json not in snapshot');
      }
      return { DBProxyEndpoints: regional(snapshot.proxyEndpoints, 'DBProxyEndpoint', region) };
    case 'DescribeDBProxyTargetsCommand': {
      const name = stringInput(input, 'DBProxyName') ?? '';
      const document = snapshot.proxyTargets?.[name];
      if (!document) throw new SnapshotDataNotFound(`targets of proxy ${name} not in snapshot`);
      return { Targets: listOf(document, 'Targets') };
    }
    default:
      throw unsupportedOperation(command);
  }
}

/**
 * What a read failure says of the file it lacked (lib/inventory/errors.ts):
 * missing from the folder, or there but refused for its shape.
 */
function absentFile(
  snapshot: RdsSnapshot,
  file: string,
): { missingSnapshotFile: string } | { refusedSnapshotFile: string } {
  return snapshot.refusedFiles?.[file] === undefined
    ? { missingSnapshotFile: file }
    : { refusedSnapshotFile: file };
}

/** The configuration of an SDK client that answers from a snapshot: no credential chain, no retries. */
function snapshotClientConfig(region: string) {
  return {
    region,
    // Never used (the middleware answers first); set so no credential provider chain runs.
    credentials: { accessKeyId: 'snapshot', secretAccessKey: 'snapshot' },
    maxAttempts: 1,
  };
}

/** The options of an RDS service exception, as the SDK would build it from RDS's answer. */
function rdsFault(message: string): { message: string; $metadata: Record<string, never> } {
  return { message, $metadata: {} };
}

function unsupportedOperation(command: string): SnapshotOperationUnsupported {
  return new SnapshotOperationUnsupported(
    `${command || 'this operation'} is not served from a snapshot`,
  );
}

/**
 * The region's records of one kind, listed and placed as RDS spells them:
 * `DBInstances` by `DBInstanceArn`, `DBClusterEndpoints` by
 * `DBClusterEndpointArn`, and so on.
 */
function regional(
  document: JsonObject | undefined,
  kind: 'DBInstance' | 'DBCluster' | 'DBClusterEndpoint' | 'DBProxyEndpoint',
  region: string,
): JsonObject[] {
  return inRegion(listOf(document, `${kind}s`), region, `${kind}Arn`);
}

/**
 * DescribeDBInstances or DescribeDBClusters: the region's databases of that
 * kind, or the one the request names (`DBInstanceIdentifier`,
 * `DBClusterIdentifier`); a name no record has gets RDS's own fault.
 */
function databases(
  document: JsonObject | undefined,
  kind: 'DBInstance' | 'DBCluster',
  NotFound: new (options: ReturnType<typeof rdsFault>) => Error,
  region: string,
  input: JsonObject,
): JsonObject {
  return {
    [`${kind}s`]: named(
      regional(document, kind, region),
      input,
      `${kind}Identifier`,
      (name) => new NotFound(rdsFault(`${kind} ${name} not found`)),
    ),
  };
}

/**
 * The records whose `nameKey` is the one the request names (the request and
 * the records spell it alike), or all of them when it names none; a name no
 * record has gets the fault RDS itself answers with.
 */
function named(
  records: JsonObject[],
  input: JsonObject,
  nameKey: string,
  notFound: (name: string) => Error,
): JsonObject[] {
  const wanted = stringInput(input, nameKey);
  if (wanted === undefined) return records;
  const list = records.filter((record) => record[nameKey] === wanted);
  if (list.length === 0) throw notFound(wanted);
  return list;
}

/** The ids asked for, through GroupIds or a `group-id` filter; undefined: all groups. */
function wantedGroupIds(input: JsonObject): Set<string> | undefined {
  const ids: string[] = [];
  let filtered = false;
  if (Array.isArray(input.GroupIds)) {
    filtered = true;
    ids.push(...input.GroupIds.filter((id): id is string => typeof id === 'string'));
  }
  for (const filter of Array.isArray(input.Filters) ? input.Filters.filter(isRecord) : []) {
    if (filter.Name !== 'group-id' || !Array.isArray(filter.Values)) continue;
    filtered = true;
    ids.push(...filter.Values.filter((id): id is string => typeof id === 'string'));
  }
  return filtered ? new Set(ids) : undefined;
}

function stringInput(input: JsonObject, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

const DATE_KEY = /(Time|Till|From|Date|Timestamp)$/;

/**
 * The CLI prints timestamps as ISO strings where the SDK types say Date
 * (CertificateDetails.ValidTill, Certificate.ValidFrom, InstanceCreateTime, …).
 * Those fields all end in Time, Till, From, Date or Timestamp.
 */
export function reviveDates<T>(value: T): T {
  return revive(value, undefined) as T;
}

function revive(value: unknown, key: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((entry) => revive(entry, undefined));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v, k)]));
  }
  if (
    typeof value === 'string' &&
    key !== undefined &&
    DATE_KEY.test(key) &&
    ISO_DATE.test(value)
  ) {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? value : parsed;
  }
  return value;
}

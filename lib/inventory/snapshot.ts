/**
 * Offline audits: an RDSClient that answers from the JSON the AWS CLI printed
 * instead of from AWS. It is a real RDSClient (so paginators, `instanceof`
 * checks and the inventory code run unchanged) with one middleware at the
 * `initialize` step that returns the snapshot's answer before the request is
 * serialised, signed or sent: no credentials, no network.
 *
 * Data the snapshot lacks is answered with the error RDS itself would give
 * (DBParameterGroupNotFoundFault, …) so the scan's normal gap path reports it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  CertificateNotFoundFault,
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DBParameterGroupNotFoundFault,
  OptionGroupNotFoundFault,
  RDSClient,
} from '@aws-sdk/client-rds';
import { serveInProcess } from '../aws/in-process.js';
import type { DatabaseResource, ScanProblem, SnapshotProvenance } from '../types.js';
import { regionFromArn } from './mappers.js';

export type JsonObject = Record<string, unknown>;

/** What `aws rds <command> --output json` printed, keyed as the commands are. */
export interface RdsSnapshot {
  /** describe-db-instances */
  instances?: JsonObject;
  /** describe-db-clusters */
  clusters?: JsonObject;
  /** describe-db-parameters --db-parameter-group-name <key> */
  parameters?: Record<string, JsonObject>;
  /** describe-db-cluster-parameters --db-cluster-parameter-group-name <key> */
  clusterParameters?: Record<string, JsonObject>;
  /** describe-engine-default-parameters --db-parameter-group-family <key> */
  engineDefaults?: Record<string, JsonObject>;
  /** describe-engine-default-cluster-parameters --db-parameter-group-family <key> */
  clusterEngineDefaults?: Record<string, JsonObject>;
  /** describe-option-groups */
  optionGroups?: JsonObject;
  /** describe-certificates */
  certificates?: JsonObject;
  /** describe-db-parameter-groups */
  parameterGroups?: JsonObject;
  /** describe-db-cluster-parameter-groups */
  clusterParameterGroups?: JsonObject;
  /** describe-db-proxies */
  proxies?: JsonObject;
  /** describe-db-proxy-endpoints */
  proxyEndpoints?: JsonObject;
  /** describe-db-proxy-targets --db-proxy-name <key> */
  proxyTargets?: Record<string, JsonObject>;
  /** Set by loadSnapshotDirectory: where the files came from and which were not read. */
  provenance?: SnapshotProvenance;
  /** `aws ec2 describe-security-groups` (optional: without it no group is known) */
  securityGroups?: JsonObject;
}

/** The snapshot has no answer for a request RDS would have answered. */
export class SnapshotDataNotFound extends Error {
  override readonly name = 'SnapshotDataNotFound';
}

/** The snapshot client was asked for an operation it does not serve. */
export class SnapshotOperationUnsupported extends Error {
  override readonly name = 'SnapshotOperationUnsupported';
}

/** A snapshot directory holds a file that is not JSON, or not a JSON object. */
export class SnapshotLoadError extends Error {
  override readonly name = 'SnapshotLoadError';
}

export function createSnapshotRdsClient(snapshot: RdsSnapshot, region: string): RDSClient {
  const client = new RDSClient({
    region,
    // Never used (the middleware answers first); set so no credential provider chain runs.
    credentials: { accessKeyId: 'snapshot', secretAccessKey: 'snapshot' },
    maxAttempts: 1,
  });
  serveInProcess(client, (commandName, input) =>
    reviveDates(answer(snapshot, region, commandName, isRecord(input) ? input : {})),
  );
  return client;
}

/**
 * An EC2Client answering DescribeSecurityGroups from the snapshot's
 * describe-security-groups.json. A snapshot without that file answers with
 * SnapshotDataNotFound, so every database's groups show as not read.
 */
export function createSnapshotEc2Client(snapshot: RdsSnapshot, region: string): EC2Client {
  const client = new EC2Client({
    region,
    credentials: { accessKeyId: 'snapshot', secretAccessKey: 'snapshot' },
    maxAttempts: 1,
  });
  serveInProcess(client, (commandName, input) => {
    if (commandName !== 'DescribeSecurityGroupsCommand') {
      throw new SnapshotOperationUnsupported(
        `${commandName || 'this operation'} is not served from a snapshot`,
      );
    }
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

const SECURITY_GROUPS_FILE = 'describe-security-groups.json';

/**
 * The snapshot's missing security groups, said once: without them no Oracle
 * plaintext listener can be judged (other engines only lose a network note).
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
    message: `${SECURITY_GROUPS_FILE} is not in the snapshot: the plaintext listener of ${oracle.length} Oracle database(s) cannot be judged; add the output of aws ec2 describe-security-groups --group-ids <their VpcSecurityGroups>`,
  };
}

/**
 * The snapshot's missing proxy listing, said once: without it the scan cannot
 * tell whether an RDS Proxy opens a plaintext door to any of the databases.
 */
export function snapshotProxyGap(snapshot: RdsSnapshot): ScanProblem | undefined {
  if (snapshot.proxies) return undefined;
  return {
    scope: 'snapshot',
    code: 'SNAPSHOT_PROXIES_MISSING',
    message:
      'describe-db-proxies.json is not in the snapshot: RDS Proxies in front of these databases are not assessed; add the output of aws rds describe-db-proxies, describe-db-proxy-endpoints and describe-db-proxy-targets --db-proxy-name <each proxy>',
  };
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

function answer(
  snapshot: RdsSnapshot,
  region: string,
  command: string,
  input: JsonObject,
): JsonObject {
  const metadata = { $metadata: {} };
  switch (command) {
    case 'DescribeDBInstancesCommand': {
      const wanted = stringInput(input, 'DBInstanceIdentifier');
      const list = inRegion(
        listOf(snapshot.instances, 'DBInstances'),
        region,
        'DBInstanceArn',
      ).filter((instance) => wanted === undefined || instance.DBInstanceIdentifier === wanted);
      if (wanted !== undefined && list.length === 0) {
        throw new DBInstanceNotFoundFault({
          message: `DBInstance ${wanted} not found`,
          ...metadata,
        });
      }
      return { DBInstances: list };
    }
    case 'DescribeDBClustersCommand': {
      const wanted = stringInput(input, 'DBClusterIdentifier');
      const list = inRegion(listOf(snapshot.clusters, 'DBClusters'), region, 'DBClusterArn').filter(
        (cluster) => wanted === undefined || cluster.DBClusterIdentifier === wanted,
      );
      if (wanted !== undefined && list.length === 0) {
        throw new DBClusterNotFoundFault({ message: `DBCluster ${wanted} not found`, ...metadata });
      }
      return { DBClusters: list };
    }
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
          new DBParameterGroupNotFoundFault({
            message: `parameter group ${name ?? '(none)'} not in snapshot: add ${file}`,
            ...metadata,
          }),
          { missingSnapshotFile: file },
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
          { missingSnapshotFile: file },
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
      const nameKey = isCluster ? 'DBClusterParameterGroupName' : 'DBParameterGroupName';
      const wanted = stringInput(input, nameKey);
      const list = listOf(
        isCluster ? snapshot.clusterParameterGroups : snapshot.parameterGroups,
        key,
      ).filter((group) => wanted === undefined || group[nameKey] === wanted);
      if (wanted !== undefined && list.length === 0) {
        throw new DBParameterGroupNotFoundFault({
          message: `parameter group ${wanted} not in snapshot`,
          ...metadata,
        });
      }
      return { [key]: list };
    }
    case 'DescribeOptionGroupsCommand': {
      const wanted = stringInput(input, 'OptionGroupName');
      const list = listOf(snapshot.optionGroups, 'OptionGroupsList').filter(
        (group) => wanted === undefined || group.OptionGroupName === wanted,
      );
      if (wanted !== undefined && list.length === 0) {
        throw new OptionGroupNotFoundFault({
          message: `option group ${wanted} not in snapshot`,
          ...metadata,
        });
      }
      return { OptionGroupsList: list };
    }
    case 'DescribeCertificatesCommand': {
      const wanted = stringInput(input, 'CertificateIdentifier');
      const list = listOf(snapshot.certificates, 'Certificates').filter(
        (certificate) => wanted === undefined || certificate.CertificateIdentifier === wanted,
      );
      if (wanted !== undefined && list.length === 0) {
        throw new CertificateNotFoundFault({
          message: `certificate ${wanted} not in snapshot`,
          ...metadata,
        });
      }
      return { Certificates: list };
    }
    case 'DescribeDBProxiesCommand':
      // Optional in a snapshot: its absence is said once (snapshotProxyGap), not per region.
      return { DBProxies: inRegion(listOf(snapshot.proxies, 'DBProxies'), region, 'DBProxyArn') };
    case 'DescribeDBProxyEndpointsCommand':
      if (!snapshot.proxyEndpoints && listOf(snapshot.proxies, 'DBProxies').length > 0) {
        throw new SnapshotDataNotFound('describe-db-proxy-endpoints.json not in snapshot');
      }
      return {
        DBProxyEndpoints: inRegion(
          listOf(snapshot.proxyEndpoints, 'DBProxyEndpoints'),
          region,
          'DBProxyEndpointArn',
        ),
      };
    case 'DescribeDBProxyTargetsCommand': {
      const name = stringInput(input, 'DBProxyName') ?? '';
      const document = snapshot.proxyTargets?.[name];
      if (!document) throw new SnapshotDataNotFound(`targets of proxy ${name} not in snapshot`);
      return { Targets: listOf(document, 'Targets') };
    }
    default:
      throw new SnapshotOperationUnsupported(
        `${command || 'this operation'} is not served from a snapshot`,
      );
  }
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listOf(document: JsonObject | undefined, key: string): JsonObject[] {
  const list = document?.[key];
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

function stringInput(input: JsonObject, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A snapshot is usually one region's output; records whose ARN names another
 * region are not served for this one, so a multi-region scan of a snapshot
 * does not report each database once per region. Records without an ARN are
 * served everywhere.
 */
function inRegion(records: JsonObject[], region: string, arnKey: string): JsonObject[] {
  return records.filter((record) => {
    const arn = record[arnKey];
    const recordRegion = typeof arn === 'string' ? regionFromArn(arn) : undefined;
    return recordRegion === undefined || recordRegion === region;
  });
}

/** The regions a snapshot's instances and clusters live in, from their ARNs. */
export function snapshotRegions(snapshot: RdsSnapshot): string[] {
  const regions = new Set<string>();
  const records = [
    ...listOf(snapshot.instances, 'DBInstances').map((record) => record.DBInstanceArn),
    ...listOf(snapshot.clusters, 'DBClusters').map((record) => record.DBClusterArn),
  ];
  for (const arn of records) {
    const region = typeof arn === 'string' ? regionFromArn(arn) : undefined;
    if (region) regions.add(region);
  }
  return [...regions].sort();
}

const DATE_KEY = /(Time|Till|From|Date|Timestamp)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

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

/**
 * Reads a directory of AWS CLI output, one command per file:
 *
 *   describe-db-instances.json
 *   describe-db-clusters.json
 *   describe-db-parameters.<group name>.json
 *   describe-db-cluster-parameters.<group name>.json
 *   describe-engine-default-parameters.<family>.json
 *   describe-engine-default-cluster-parameters.<family>.json
 *   describe-db-parameter-groups.json
 *   describe-db-cluster-parameter-groups.json
 *   describe-option-groups.json
 *   describe-certificates.json
 *   describe-security-groups.json  (aws ec2 describe-security-groups; optional)
 *   describe-db-proxies.json
 *   describe-db-proxy-endpoints.json
 *   describe-db-proxy-targets.<proxy name>.json
 *
 * e.g. `aws rds describe-db-parameters --db-parameter-group-name pg15-secure
 * > describe-db-parameters.pg15-secure.json`. Group names may contain dots
 * (`default.postgres15`); everything between the command and `.json` is the
 * name. An optional `capture-info.json` may give `capturedAt` (ISO 8601);
 * without it the files' modification times date the data. Files with other
 * names are not read and are listed in the provenance as ignored.
 */
export async function loadSnapshotDirectory(directory: string): Promise<RdsSnapshot> {
  const snapshot: RdsSnapshot = {};
  const everything = (await listSnapshotFolder(directory)).sort();
  const names = everything.filter((name) => name.endsWith('.json'));
  const listings = names.filter((name) => LISTING_FILES.includes(name));
  if (listings.length === 0) {
    const present = names.length
      ? `it holds ${names.slice(0, 5).join(', ')}`
      : 'it holds no .json file';
    throw new SnapshotLoadError(
      `snapshot folder ${directory} has neither ${LISTING_FILES.join(' nor ')} (${present}); save \`aws rds describe-db-instances > ${join(directory, LISTING_FILES[0] ?? '')}\` first`,
    );
  }
  const provenance: SnapshotProvenance = { folder: directory, filesRead: [], ignoredFiles: [] };
  for (const fileName of everything) {
    if (fileName === CAPTURE_INFO) {
      const capturedAt = captureTime(await readJsonObject(join(directory, fileName), fileName));
      if (capturedAt) provenance.capturedAt = capturedAt;
      continue;
    }
    const placed = fileName.endsWith('.json') ? placeFile(fileName) : undefined;
    if (!placed) {
      provenance.ignoredFiles.push(fileName);
      continue;
    }
    const document = await readJsonObject(join(directory, fileName), fileName);
    provenance.filesRead.push(fileName);
    noteFileTime(provenance, (await stat(join(directory, fileName))).mtime);
    if (placed.key === undefined) {
      snapshot[placed.field] = document;
    } else {
      const map = snapshot[placed.keyedField] ?? {};
      map[placed.key] = document;
      snapshot[placed.keyedField] = map;
    }
  }
  snapshot.provenance = provenance;
  return snapshot;
}

/** Optional file naming when the snapshot was taken: `{ "capturedAt": "2025-01-15T10:00:00Z" }`. */
const CAPTURE_INFO = 'capture-info.json';

function captureTime(document: JsonObject): Date | undefined {
  const value = document.capturedAt;
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function noteFileTime(provenance: SnapshotProvenance, time: Date): void {
  if (!provenance.oldestFileAt || time < provenance.oldestFileAt) provenance.oldestFileAt = time;
  if (!provenance.newestFileAt || time > provenance.newestFileAt) provenance.newestFileAt = time;
}

type SingleField =
  | 'instances'
  | 'clusters'
  | 'optionGroups'
  | 'certificates'
  | 'parameterGroups'
  | 'clusterParameterGroups'
  | 'securityGroups'
  | 'proxies'
  | 'proxyEndpoints';
type KeyedField =
  | 'parameters'
  | 'clusterParameters'
  | 'engineDefaults'
  | 'clusterEngineDefaults'
  | 'proxyTargets';

const SINGLE_FILES: Record<string, SingleField> = {
  'describe-db-instances': 'instances',
  'describe-db-clusters': 'clusters',
  'describe-option-groups': 'optionGroups',
  'describe-certificates': 'certificates',
  'describe-db-parameter-groups': 'parameterGroups',
  'describe-db-cluster-parameter-groups': 'clusterParameterGroups',
  'describe-security-groups': 'securityGroups',
  'describe-db-proxies': 'proxies',
  'describe-db-proxy-endpoints': 'proxyEndpoints',
};

const KEYED_PREFIXES: [string, KeyedField][] = [
  ['describe-db-parameters.', 'parameters'],
  ['describe-db-cluster-parameters.', 'clusterParameters'],
  ['describe-engine-default-parameters.', 'engineDefaults'],
  ['describe-engine-default-cluster-parameters.', 'clusterEngineDefaults'],
  ['describe-db-proxy-targets.', 'proxyTargets'],
];

function placeFile(
  fileName: string,
): { field: SingleField; key?: undefined } | { keyedField: KeyedField; key: string } | undefined {
  const stem = fileName.slice(0, -'.json'.length);
  const single = SINGLE_FILES[stem];
  if (single) return { field: single };
  for (const [prefix, keyedField] of KEYED_PREFIXES) {
    if (stem.startsWith(prefix) && stem.length > prefix.length) {
      return { keyedField, key: stem.slice(prefix.length) };
    }
  }
  return undefined;
}

/** The file names that list databases: a snapshot without either has nothing to scan. */
const LISTING_FILES = ['describe-db-instances.json', 'describe-db-clusters.json'];

async function listSnapshotFolder(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new SnapshotLoadError(`snapshot folder ${directory} not found`);
    }
    if (code === 'ENOTDIR') {
      throw new SnapshotLoadError(
        `${directory} is a file, not a folder: --snapshot takes the folder that holds describe-db-instances.json and the other saved output`,
      );
    }
    throw new SnapshotLoadError(`snapshot folder ${directory} cannot be read (${code ?? 'error'})`);
  }
}

async function readJsonObject(path: string, fileName: string): Promise<JsonObject> {
  const text = await readFile(path, 'utf8');
  if (text.trim() === '') {
    throw new SnapshotLoadError(
      `${fileName} is empty: run the aws command that writes it again (did it fail?)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SnapshotLoadError(`${fileName} is not valid JSON${jsonErrorPlace(text, error)}`);
  }
  if (!isRecord(parsed)) throw new SnapshotLoadError(`${fileName} is not a JSON object`);
  return parsed;
}

/**
 * ` at line 3, column 7` from JSON.parse's `position N`, counted here so the
 * answer is the same on every Node version; empty when the error has none.
 */
export function jsonErrorPlace(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /position (\d+)/.exec(message)?.[1];
  const offset = position === undefined ? text.length : Math.min(Number(position), text.length);
  if (position === undefined && !/end of (JSON|data) input/i.test(message)) return '';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}

/**
 * A snapshot folder: one file of AWS CLI output per describe command, read
 * into an RdsSnapshot with the provenance of what was read and what was not.
 */
import { constants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { truncate } from '../../text.js';
import type { SnapshotProvenance } from '../../types.js';
import { isRecord, type JsonObject, type RdsSnapshot } from './rds-snapshot.js';
import { checkSnapshotDocument } from './shapes.js';

/** A snapshot directory holds a file that is not JSON, or not a JSON object. */
export class SnapshotLoadError extends Error {
  override readonly name = 'SnapshotLoadError';
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
 *   describe-db-cluster-endpoints.json  (Aurora custom endpoints; optional)
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
  const provenance: SnapshotProvenance = {
    folder: directory,
    filesRead: [],
    ignoredFiles: [],
    ignoredFileCount: 0,
  };
  for (const fileName of everything) {
    if (fileName === CAPTURE_INFO) {
      const capturedAt = captureTime(await readJsonObject(join(directory, fileName), fileName));
      if (capturedAt) provenance.capturedAt = capturedAt;
      continue;
    }
    const placed = fileName.endsWith('.json') ? placeFile(fileName) : undefined;
    if (!placed) {
      noteIgnoredFile(provenance, fileName);
      continue;
    }
    const parsed = await readJsonObject(join(directory, fileName), fileName);
    provenance.filesRead.push(fileName);
    noteFileTime(provenance, (await stat(join(directory, fileName))).mtime);
    const checked = checkSnapshotDocument(
      placed.key === undefined ? placed.field : placed.keyedField,
      fileName,
      parsed,
    );
    if (checked.problems.length > 0) {
      snapshot.problems = [...(snapshot.problems ?? []), ...checked.problems];
    }
    if (checked.unreadable && placed.key === undefined) {
      const resourceType =
        placed.field === 'clusters' ? 'AWS::RDS::DBCluster' : 'AWS::RDS::DBInstance';
      snapshot.unreadableDatabases = [
        ...(snapshot.unreadableDatabases ?? []),
        ...checked.unreadable.map((entry) => ({ resourceType, ...entry }) as const),
      ];
    }
    if (checked.refused !== undefined) {
      snapshot.refusedFiles = { ...snapshot.refusedFiles, [fileName]: checked.refused };
    }
    const document = checked.document;
    if (document === undefined) continue;
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

/** Ignored files named in the provenance; the rest are only counted. */
export const MAX_IGNORED_FILES_NAMED = 20;
/** An ignored file's name is cut to this many characters: a name is anyone's bytes. */
export const MAX_IGNORED_NAME = 100;

function noteIgnoredFile(provenance: SnapshotProvenance, fileName: string): void {
  provenance.ignoredFileCount += 1;
  if (provenance.ignoredFiles.length < MAX_IGNORED_FILES_NAMED) {
    provenance.ignoredFiles.push(truncate(fileName, MAX_IGNORED_NAME));
  }
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
  | 'proxyEndpoints'
  | 'clusterEndpoints';
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
  'describe-db-cluster-endpoints': 'clusterEndpoints',
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

/**
 * The largest snapshot file read: describe-db-instances for 10,000 databases
 * is tens of megabytes, so this is generous, and it keeps a wrong or hostile
 * file from filling memory.
 */
export const MAX_SNAPSHOT_FILE_BYTES = 256 * 1024 * 1024;

/**
 * The text of a snapshot file, refused when it is not a regular file (a
 * pipe or a device would be read forever) or holds more than
 * MAX_SNAPSHOT_FILE_BYTES. Non-blocking open, so a pipe does not wait for a
 * writer before it is refused.
 */
async function readSnapshotText(path: string, fileName: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const status = await handle.stat();
    if (!status.isFile()) throw new SnapshotLoadError(`${fileName} is not a regular file`);
    if (status.size > MAX_SNAPSHOT_FILE_BYTES) {
      throw new SnapshotLoadError(
        `${fileName} is ${status.size} bytes, more than the ${MAX_SNAPSHOT_FILE_BYTES} a snapshot file may hold`,
      );
    }
    // One byte more than the size seen: a file that grew meanwhile is caught, not read on.
    const buffer = Buffer.alloc(status.size + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > status.size) {
      throw new SnapshotLoadError(`${fileName} changed while it was read: save it again`);
    }
    return buffer.subarray(0, filled).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function readJsonObject(path: string, fileName: string): Promise<JsonObject> {
  const text = await readSnapshotText(path, fileName);
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

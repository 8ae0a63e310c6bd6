import { execFile } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  loadSnapshotDirectory,
  MAX_SNAPSHOT_FILE_BYTES,
  SnapshotLoadError,
} from '../../../lib/inventory/index.js';

const execFileAsync = promisify(execFile);

const fixtureDirectory = join(import.meta.dirname, '..', 'fixtures', 'snapshot');

describe('loadSnapshotDirectory', () => {
  it('places each CLI output file by its command name, group names with dots included', async () => {
    const snapshot = await loadSnapshotDirectory(fixtureDirectory);
    expect(Object.keys(snapshot).sort()).toEqual([
      'certificates',
      'clusterEndpoints',
      'clusterParameters',
      'clusters',
      'engineDefaults',
      'instances',
      'parameterGroups',
      'parameters',
      'provenance',
      'proxies',
      'proxyEndpoints',
      'proxyTargets',
    ]);
    expect(Object.keys(snapshot.proxyTargets ?? {})).toEqual(['ledger-proxy']);
    expect(Object.keys(snapshot.parameters ?? {}).sort()).toEqual([
      'default.aurora-postgresql15',
      'pg14-app',
    ]);
    expect(Object.keys(snapshot.clusterParameters ?? {})).toEqual(['apg15-tls']);
    expect(Object.keys(snapshot.engineDefaults ?? {})).toEqual(['postgres14']);
  });

  async function loadFrom(files: Record<string, string>) {
    const directory = await mkdtemp(join(tmpdir(), 'rds-tls-guard-snapshot-'));
    try {
      for (const [name, text] of Object.entries(files)) {
        await writeFile(join(directory, name), text);
      }
      return await loadSnapshotDirectory(directory).then(
        () => ({ name: 'loaded', message: '' }),
        (error: Error) => ({
          name: error.name,
          message: error.message.replaceAll(directory, '<dir>'),
        }),
      );
    } finally {
      await rm(directory, { recursive: true });
    }
  }

  it('names the file, line and column of JSON that does not parse', async () => {
    expect(
      await loadFrom({
        'describe-db-instances.json': '{\n  "DBInstances": [\n    {"a": 1,}\n  ]\n}',
      }),
    ).toEqual({
      name: 'SnapshotLoadError',
      message: 'describe-db-instances.json is not valid JSON at line 3, column 13',
    });
  });

  it('places a cut-off file at its end', async () => {
    expect(await loadFrom({ 'describe-db-instances.json': '{"DBInstances": [' })).toEqual({
      name: 'SnapshotLoadError',
      message: 'describe-db-instances.json is not valid JSON at line 1, column 18',
    });
  });

  it('says an empty file is empty and how to refill it', async () => {
    expect(await loadFrom({ 'describe-db-clusters.json': '\n' })).toEqual({
      name: 'SnapshotLoadError',
      message:
        'describe-db-clusters.json is empty: run the aws command that writes it again (did it fail?)',
    });
  });

  it('refuses a folder without a listing file, naming what it holds and what to save', async () => {
    expect(await loadFrom({ 'instances.json': '{}' })).toEqual({
      name: 'SnapshotLoadError',
      message:
        'snapshot folder <dir> has neither describe-db-instances.json nor describe-db-clusters.json (it holds instances.json); save `aws rds describe-db-instances > <dir>/describe-db-instances.json` first',
    });
  });

  it('refuses a snapshot file larger than it will read, without reading it', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rds-tls-guard-snapshot-'));
    try {
      // Sparse: the size is there, the disk blocks are not.
      await writeFile(join(directory, 'describe-db-instances.json'), '');
      await truncate(join(directory, 'describe-db-instances.json'), MAX_SNAPSHOT_FILE_BYTES + 1);
      await expect(loadSnapshotDirectory(directory)).rejects.toThrow(
        new SnapshotLoadError(
          `describe-db-instances.json is ${MAX_SNAPSHOT_FILE_BYTES + 1} bytes, more than the ${MAX_SNAPSHOT_FILE_BYTES} a snapshot file may hold`,
        ),
      );
    } finally {
      await rm(directory, { recursive: true });
    }
  });

  it('refuses a snapshot entry that is not a regular file instead of waiting on it', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rds-tls-guard-snapshot-'));
    try {
      await execFileAsync('mkfifo', [join(directory, 'describe-db-instances.json')]);
      await expect(loadSnapshotDirectory(directory)).rejects.toThrow(
        new SnapshotLoadError('describe-db-instances.json is not a regular file'),
      );
    } finally {
      await rm(directory, { recursive: true });
    }
  }, 5_000);

  it('says a missing folder is not found and a file is not a folder', async () => {
    const missing = join(tmpdir(), 'rds-tls-guard-no-such-snapshot');
    await expect(loadSnapshotDirectory(missing)).rejects.toMatchObject({
      name: 'SnapshotLoadError',
      message: `snapshot folder ${missing} not found`,
    });
    const file = join(fixtureDirectory, 'describe-db-instances.json');
    await expect(loadSnapshotDirectory(file)).rejects.toMatchObject({
      name: 'SnapshotLoadError',
      message: `${file} is a file, not a folder: --snapshot takes the folder that holds describe-db-instances.json and the other saved output`,
    });
  });
});

describe('snapshot provenance', () => {
  it('lists the files read, names unknown files as ignored, and dates the data by file age without a capture time', async () => {
    const snapshot = await loadSnapshotDirectory(fixtureDirectory);
    expect(snapshot.provenance?.folder).toBe(fixtureDirectory);
    expect(snapshot.provenance?.filesRead).toContain('describe-db-instances.json');
    expect(snapshot.provenance?.ignoredFiles).toEqual([]);
    expect(snapshot.provenance?.capturedAt).toBeUndefined();
    expect(snapshot.provenance?.newestFileAt).toBeInstanceOf(Date);
  });

  it('takes capturedAt from capture-info.json and lists what it does not read', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rds-tls-guard-provenance-'));
    try {
      await writeFile(join(directory, 'describe-db-instances.json'), '{"DBInstances":[]}');
      await writeFile(
        join(directory, 'capture-info.json'),
        '{"capturedAt":"2025-01-15T10:00:00Z"}',
      );
      await writeFile(join(directory, 'describe-db-snapshots.json'), '{}');
      await writeFile(join(directory, 'notes.txt'), 'taken by the audit team');
      const { provenance } = await loadSnapshotDirectory(directory);
      expect(provenance).toMatchObject({
        capturedAt: new Date('2025-01-15T10:00:00Z'),
        filesRead: ['describe-db-instances.json'],
        ignoredFiles: ['describe-db-snapshots.json', 'notes.txt'],
      });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

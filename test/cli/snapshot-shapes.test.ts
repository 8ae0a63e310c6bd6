import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScanCommand } from '../../lib/cli/scan-command.js';
import { jsonReportSchema } from '../../lib/report/json-schema.js';
import { Capture } from './capture.js';

const SNAPSHOT = new URL('../inventory/fixtures/snapshot', import.meta.url).pathname;

const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-shapes-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const fixtureFiles = Object.fromEntries(
  await Promise.all(
    (await readdir(SNAPSHOT)).map(
      async (name) =>
        [name, JSON.parse(await readFile(join(SNAPSHOT, name), 'utf8')) as Json] as const,
    ),
  ),
);

let folders = 0;
/** Scans a copy of the fixture snapshot with one file changed (and others removed), in `format`. */
async function scanText(
  file: string,
  change: (document: Json) => Json,
  format: 'json' | 'table',
  without: readonly string[] = [],
) {
  const folder = join(dir, String(folders++));
  await cp(SNAPSHOT, folder, { recursive: true });
  const document = change(structuredClone(fixtureFiles[file]) as Json);
  await writeFile(join(folder, file), JSON.stringify(document));
  for (const name of without) await rm(join(folder, name));
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runScanCommand(
    { snapshot: folder, probe: false, minTls: 'TLSv1.2', concurrency: 4, format },
    stdout as unknown as NodeJS.WriteStream,
    stderr as unknown as NodeJS.WriteStream,
  );
  await rm(folder, { recursive: true });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Scans a copy of the fixture snapshot with one file changed, as JSON. */
async function scanWith(file: string, change: (document: Json) => Json) {
  const { code, stdout, stderr } = await scanText(file, change, 'json');
  const report = jsonReportSchema.parse(JSON.parse(stdout));
  return {
    code,
    stderr,
    databases: report.databases,
    verdicts: Object.fromEntries(report.databases.map((db) => [db.identifier, db.verdict])),
    annotations: Object.fromEntries(report.databases.map((db) => [db.identifier, db.annotation])),
    problems: report.problems,
  };
}

/** Sets the value at `path` (keys and indexes) of a JSON document. */
function setAt(document: Json, path: (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const parent = document as Record<string | number, Json>;
  parent[head as string | number] = setAt(parent[head as string | number] as Json, rest, value);
  return document;
}

const baseline = await scanWith('describe-db-instances.json', (document) => document);

describe('a snapshot file with a field of the wrong JSON type', () => {
  it('an instance whose Engine is a number is named, with the file and field path, and reported INSUFFICIENT_DATA; the others are evaluated (exit 5)', async () => {
    const { code, verdicts, problems, stderr } = await scanWith(
      'describe-db-instances.json',
      (document) => setAt(document, ['DBInstances', 0, 'Engine'], 5),
    );
    expect(problems).toContainEqual({
      scope: 'snapshot',
      code: 'SNAPSHOT_RECORD_INVALID',
      message:
        'describe-db-instances.json: database billing-pg is not what the AWS CLI prints (DBInstances.0.Engine: Invalid input: expected string, received number); it is not evaluated',
    });
    expect(verdicts).toEqual({ ...baseline.verdicts, 'billing-pg': 'INSUFFICIENT_DATA' });
    expect(code).toBe(5);
    expect(stderr).not.toContain('TypeError');
  });

  it('"DBInstances": {} is a listing that could not be read (exit 5), not an empty account; the clusters are still evaluated', async () => {
    const { code, verdicts, problems } = await scanWith('describe-db-instances.json', () => ({
      DBInstances: {},
    }));
    expect(problems).toContainEqual({
      scope: 'snapshot',
      code: 'SNAPSHOT_LISTING_INVALID',
      message:
        'describe-db-instances.json is not what the AWS CLI prints (DBInstances: Invalid input: expected array, received object); none of its databases is evaluated',
    });
    expect(verdicts).toEqual({ ledger: 'COMPLIANT', 'ledger-proxy': 'COMPLIANT' });
    expect(code).toBe(5);
  });

  it('DBParameterGroups as a string leaves that one instance unjudged, named', async () => {
    const { verdicts, problems } = await scanWith('describe-db-instances.json', (document) =>
      setAt(document, ['DBInstances', 0, 'DBParameterGroups'], 'pg14-app'),
    );
    expect(problems.map((problem) => problem.message)).toContain(
      'describe-db-instances.json: database billing-pg is not what the AWS CLI prints (DBInstances.0.DBParameterGroups: Invalid input: expected array, received string); it is not evaluated',
    );
    expect(verdicts['billing-pg']).toBe('INSUFFICIENT_DATA');
    expect(Object.keys(verdicts)).toContain('shop-mysql');
  });

  it('a parameter value of the wrong type makes the whole group unreadable, never a group without that parameter', async () => {
    const { verdicts, annotations, problems } = await scanWith(
      'describe-db-parameters.pg14-app.json',
      (document) => setAt(document, ['Parameters', 0, 'ParameterValue'], 1),
    );
    expect(problems).toContainEqual({
      scope: 'snapshot',
      code: 'SNAPSHOT_FILE_INVALID',
      message:
        'describe-db-parameters.pg14-app.json is not what the AWS CLI prints (Parameters.0.ParameterValue: Invalid input: expected string, received number); it is read as absent',
    });
    // billing-pg's expired CA keeps it NON_COMPLIANT; its group is reported unread, not FORCE_SSL_OFF.
    expect(verdicts['billing-pg']).toBe('NON_COMPLIANT');
    expect(annotations['billing-pg']).toContain(
      'parameter group pg14-app (postgres 14.9) not read: parameter group pg14-app unreadable: DBParameterGroupNotFoundFault: describe-db-parameters.pg14-app.json is not what the AWS CLI prints (SNAPSHOT_FILE_INVALID): save it again',
    );
    expect(annotations['billing-pg']).not.toContain('FORCE_SSL');
    expect(verdicts.ledger).toBe('COMPLIANT');
  });

  it('an RDS Proxy listing of the wrong shape says so, instead of ending the scan in a TypeError', async () => {
    const { verdicts, problems } = await scanWith('describe-db-proxies.json', (document) =>
      setAt(document, ['DBProxies', 0, 'EngineFamily'], 1),
    );
    expect(problems.map((problem) => problem.code)).toEqual(
      expect.arrayContaining(['SNAPSHOT_FILE_INVALID', 'SNAPSHOT_PROXIES_MISSING']),
    );
    expect(
      problems.find((problem) => problem.code === 'SNAPSHOT_PROXIES_MISSING')?.message,
    ).toMatch(
      /^describe-db-proxies\.json is not what the AWS CLI prints \(SNAPSHOT_FILE_INVALID\): /,
    );
    expect(verdicts['billing-pg']).toBe('NON_COMPLIANT');
  });

  /** Every value of every fixture file, by path. */
  function* valuePaths(
    value: Json,
    path: (string | number)[] = [],
  ): Generator<(string | number)[]> {
    if (path.length > 0) yield path;
    if (Array.isArray(value)) {
      for (const [index, entry] of value.entries()) yield* valuePaths(entry, [...path, index]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, entry] of Object.entries(value)) yield* valuePaths(entry, [...path, key]);
    }
  }
  /** A value of another JSON type than the one there. */
  function wrongType(value: Json): Json {
    if (typeof value === 'string') return 7;
    if (Array.isArray(value)) return { a: 1 };
    if (value !== null && typeof value === 'object') return 'text';
    return 'text';
  }

  it('every value of every fixture file replaced by one of another type: no exception, a valid report, every database evaluated or accounted for, none turned COMPLIANT', async () => {
    const changes = Object.entries(fixtureFiles).flatMap(([file, document]) =>
      [...valuePaths(document)].map((path) => ({ file, path })),
    );
    expect(changes.length).toBeGreaterThan(100);
    for (const { file, path } of changes) {
      const label = `${file} ${path.join('.')}`;
      const result = await scanWith(file, (document) =>
        setAt(
          document,
          path,
          wrongType(
            path.reduce<Json>(
              (node, key) => (node as Record<string | number, Json>)[key] as Json,
              document,
            ),
          ),
        ),
      ).catch((error: unknown) => ({ thrown: String(error) }));
      expect('thrown' in result ? result.thrown : '', label).toBe('');
      if ('thrown' in result) continue;
      expect(result.stderr, label).not.toMatch(/TypeError|is not a function|Cannot read prop/);
      for (const [identifier, verdict] of Object.entries(baseline.verdicts)) {
        const now = result.verdicts[identifier];
        if (verdict !== 'COMPLIANT') expect(now, `${label}: ${identifier}`).not.toBe('COMPLIANT');
        if (now !== undefined) continue;
        const accounted = result.problems.some(
          (problem) =>
            problem.message.includes(identifier) ||
            problem.message.includes('(identifier unreadable)') ||
            problem.message.startsWith(file),
        );
        expect(accounted, `${label}: ${identifier} missing without a word`).toBe(true);
      }
    }
  }, 120_000);
});

describe('a database record of the wrong shape that still names its database', () => {
  /** The fixture's billing-pg with Engine a number, next to shop-mysql as the AWS CLI prints it. */
  const oneGoodOneBad = (document: Json): Json => {
    const instances = (document as { DBInstances: Json[] }).DBInstances;
    const billing = instances.find(
      (record) => (record as { DBInstanceIdentifier?: Json }).DBInstanceIdentifier === 'billing-pg',
    ) as Record<string, Json>;
    const shop = instances.find(
      (record) => (record as { DBInstanceIdentifier?: Json }).DBInstanceIdentifier === 'shop-mysql',
    ) as Json;
    return { DBInstances: [{ ...billing, Engine: 5 }, shop] };
  };
  const scanOneGoodOneBad = (format: 'json' | 'table') =>
    scanText('describe-db-instances.json', oneGoodOneBad, format, [
      'describe-db-clusters.json',
      'describe-db-proxies.json',
    ]);

  it('is a row of the JSON report: INSUFFICIENT_DATA SNAPSHOT_RECORD_INVALID with the field path, next to the good one; the problem and exit 5 stay', async () => {
    const { code, stdout } = await scanOneGoodOneBad('json');
    const report = jsonReportSchema.parse(JSON.parse(stdout));
    expect(report.databases.map((db) => db.identifier).sort()).toEqual([
      'billing-pg',
      'shop-mysql',
    ]);
    const billing = report.databases.find((db) => db.identifier === 'billing-pg');
    expect(billing).toMatchObject({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-BILLINGPG7QXK3ZJ5RWN2LAYT4E',
      arn: 'arn:aws:rds:eu-west-1:123456789012:db:billing-pg',
      region: 'eu-west-1',
      verdict: 'INSUFFICIENT_DATA',
      reason: 'SNAPSHOT_RECORD_INVALID',
    });
    expect(billing?.annotation).toContain('describe-db-instances.json');
    expect(billing?.annotation).toContain(
      'DBInstances.0.Engine: Invalid input: expected string, received number',
    );
    expect(report.databases.find((db) => db.identifier === 'shop-mysql')?.reason).not.toBe(
      'SNAPSHOT_RECORD_INVALID',
    );
    expect(report.problems.map((problem) => problem.code)).toContain('SNAPSHOT_RECORD_INVALID');
    expect(code).toBe(5);
  });

  it('is a row of the table report with its reason and field path', async () => {
    const { code, stdout } = await scanOneGoodOneBad('table');
    const billingLine = stdout.split('\n').find((line) => line.includes('billing-pg ')) ?? '';
    expect(billingLine).toContain('INSUFFICIENT_DATA');
    expect(stdout).toContain('SNAPSHOT_RECORD_INVALID');
    expect(stdout).toContain('DBInstances.0.Engine');
    expect(stdout).toContain('shop-mysql');
    expect(code).toBe(5);
  });

  it('a cluster whose DBClusterMembers is a string is an INSUFFICIENT_DATA row under its DbClusterResourceId, never COMPLIANT', async () => {
    const { verdicts, databases } = await scanWith('describe-db-clusters.json', (document) =>
      setAt(document, ['DBClusters', 0, 'DBClusterMembers'], 'ledger-1'),
    );
    expect(verdicts.ledger).toBe('INSUFFICIENT_DATA');
    const ledger = databases.find((db) => db.identifier === 'ledger');
    expect(ledger?.resourceType).toBe('AWS::RDS::DBCluster');
    expect(ledger?.resourceId).toBe(
      (
        fixtureFiles['describe-db-clusters.json'] as {
          DBClusters: { DbClusterResourceId: string }[];
        }
      ).DBClusters[0]?.DbClusterResourceId,
    );
    expect(ledger?.annotation).toContain('DBClusters.0.DBClusterMembers');
  });

  it('a record whose identifier is not a string stays a problem only: no row', async () => {
    const { verdicts, problems } = await scanWith('describe-db-instances.json', (document) =>
      setAt(document, ['DBInstances', 0, 'DBInstanceIdentifier'], 7),
    );
    expect(Object.keys(verdicts)).not.toContain('billing-pg');
    expect(Object.keys(verdicts)).not.toContain('7');
    expect(problems.map((problem) => problem.message)).toContainEqual(
      expect.stringContaining('database (identifier unreadable) is not what the AWS CLI prints'),
    );
  });

  it('with an ARN that is not one, the row takes the resource id and the scanned region', async () => {
    const { databases } = await scanWith('describe-db-instances.json', (document) =>
      setAt(
        setAt(document, ['DBInstances', 0, 'Engine'], 5),
        ['DBInstances', 0, 'DBInstanceArn'],
        42,
      ),
    );
    const billing = databases.filter((db) => db.identifier === 'billing-pg');
    expect(billing).toHaveLength(1);
    expect(billing[0]).toMatchObject({
      resourceId: 'db-BILLINGPG7QXK3ZJ5RWN2LAYT4E',
      arn: null,
      region: 'eu-west-1',
      verdict: 'INSUFFICIENT_DATA',
    });
  });
});

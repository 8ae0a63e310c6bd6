import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main, VERSION } from '../lib/cli/main.js';
import { runScanCommand, type ScanCommandOptions } from '../lib/cli/scan-command.js';
import { jsonReportSchema } from '../lib/report/json-schema.js';
import { Capture } from './cli/capture.js';

const SNAPSHOT = new URL('./inventory/fixtures/snapshot', import.meta.url).pathname;

const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(options: Partial<ScanCommandOptions>, terminal = false) {
  const stdout = new Capture();
  stdout.isTTY = terminal;
  const stderr = new Capture();
  const code = await runScanCommand(
    {
      snapshot: SNAPSHOT,
      probe: false,
      minTls: 'TLSv1.2',
      concurrency: 4,
      format: 'table',
      ...options,
    },
    stdout as unknown as NodeJS.WriteStream,
    stderr as unknown as NodeJS.WriteStream,
  );
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('rds-tls-guard scan (offline snapshot)', () => {
  it('exits 2 when a database is NON_COMPLIANT, and names it in the table', async () => {
    const { code, stdout } = await run({});
    expect(code).toBe(2);
    expect(stdout).toMatch(
      /billing-pg\s+postgres 14\.9\s+eu-west-1\s+NON_COMPLIANT\s+FORCE_SSL_OFF/,
    );
  });

  it('exits 0 when the filter leaves only compliant databases', async () => {
    const { code, stdout } = await run({ engine: ['aurora-postgresql'] });
    expect(code).toBe(0);
    expect(stdout).not.toContain('billing-pg');
    expect(stdout).toContain('ledger-1');
  });

  it('exits 3 when a group could not be read, saying so, and 0 only with --allow-insufficient', async () => {
    const undecided = await run({ id: ['shop-mysql'] });
    expect(undecided.code).toBe(3);
    expect(undecided.stderr).toContain('exit 3: nothing is NON_COMPLIANT, but not everything');
    expect((await run({ id: ['shop-mysql'], failOnInsufficient: true })).code).toBe(3);
    expect((await run({ id: ['shop-mysql'], allowInsufficient: true })).code).toBe(0);
  });

  it('exits 4 when an --id names no database, saying which, and 0 with --allow-empty', async () => {
    const typo = await run({ id: ['ledger-1', 'biling-pg'], format: 'json' });
    expect(typo.code).toBe(4);
    expect(typo.stderr).toContain('--id biling-pg matched no DB instance or cluster in eu-west-1');
    expect(typo.stderr).toContain('exit 4: an --id matched no database');
    const report = jsonReportSchema.parse(JSON.parse(typo.stdout));
    // The RDS Proxy in front of ledger-1 is a door to it, so it comes along.
    expect(report.databases.map((db) => db.identifier)).toEqual(['ledger-1', 'ledger-proxy']);
    expect(report.problems).toContainEqual({
      scope: 'filter:--id',
      code: 'ID_NOT_FOUND',
      message: '--id biling-pg matched no DB instance or cluster in eu-west-1',
    });
    expect((await run({ id: ['ledger-1', 'biling-pg'], allowEmpty: true })).code).toBe(0);
  });

  it('exits 4 when no database is evaluated, and 0 with --allow-empty', async () => {
    const empty = await run({ engine: ['sqlserver-ee'] });
    expect(empty.code).toBe(4);
    expect(empty.stderr).toContain('exit 4: no database was evaluated');
    expect(empty.stderr).toContain('--allow-empty');
    expect((await run({ engine: ['sqlserver-ee'], allowEmpty: true })).code).toBe(0);
  });

  it('warns about a well-formed region the SDK does not know, and finds nothing there', async () => {
    const { code, stderr } = await run({ region: ['eu-wset-1'] });
    expect(stderr).toContain(
      "warning: region eu-wset-1 is not in this AWS SDK's region list; scanning it anyway",
    );
    expect(code).toBe(4);
  });

  it('names an ignored snapshot file on one line, without the terminal escapes in its name', async () => {
    const folder = join(dir, 'escape-in-file-name');
    await cp(SNAPSHOT, folder, { recursive: true });
    await writeFile(join(folder, 'notes\u001b]0;owned\u0007\nforged line.txt'), 'x');
    const { stderr } = await run({ snapshot: folder });
    expect(stderr).not.toMatch(/\p{Cc}(?<!\n)/u);
    expect(stderr).toContain(
      'warning: notes ]0;owned forged line.txt in the snapshot folder is not a file this tool reads; ignored\n',
    );
  });

  it('names at most 20 ignored snapshot files, each cut to 100 characters, and counts the rest, on standard error and in the report', async () => {
    const folder = join(dir, 'many-stray-files');
    await cp(SNAPSHOT, folder, { recursive: true });
    const stray = Array.from(
      { length: 2500 },
      (_, index) => `stray-${String(index).padStart(4, '0')}.txt`,
    );
    stray[0] = `a-${'n'.repeat(200)}\u001b[2J.txt`;
    await Promise.all(stray.map((name) => writeFile(join(folder, name), '')));
    const { stdout, stderr } = await run({ snapshot: folder, format: 'json' });
    const warnings = stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(21);
    expect(warnings[0]).toBe(
      `warning: a-${'n'.repeat(97)}… in the snapshot folder is not a file this tool reads; ignored`,
    );
    expect(warnings[1]).toBe(
      'warning: stray-0001.txt in the snapshot folder is not a file this tool reads; ignored',
    );
    expect(warnings[20]).toBe(
      'warning: 2480 more files in the snapshot folder are not files this tool reads; ignored',
    );
    const report = jsonReportSchema.parse(JSON.parse(stdout));
    expect(report.scan.snapshot?.ignoredFiles).toHaveLength(20);
    expect(report.scan.snapshot?.ignoredFiles.at(-1)).toBe('stray-0019.txt');
    expect(report.scan.snapshot?.ignoredFileCount).toBe(2500);
    const table = await run({ snapshot: folder, format: 'table' });
    expect(table.stdout).toMatch(/stray-0019\.txt and 2480 more/);
  });

  it('writes CSV and HTML to a terminal without the control characters of an identifier, and to a pipe byte for byte', async () => {
    const folder = join(dir, 'escapes-in-identifier');
    await cp(SNAPSHOT, folder, { recursive: true });
    const listing = join(folder, 'describe-db-instances.json');
    const instances = JSON.parse(await readFile(listing, 'utf8')) as {
      DBInstances: Record<string, unknown>[];
    };
    const hostile = 'billing-pg\u001b]0;owned\u0007\u009b2J\rforged\u2028end';
    instances.DBInstances[0]!.DBInstanceIdentifier = hostile;
    await writeFile(listing, JSON.stringify(instances));
    for (const format of ['csv', 'html', 'json'] as const) {
      const terminal = await run({ snapshot: folder, format }, true);
      expect(terminal.stdout, format).not.toMatch(/(?!\n)[\p{Cc}\u2028\u2029]/u);
      // HTML and JSON carry the identifier escaped (their own escapes); CSV as text.
      if (format === 'csv') {
        expect(terminal.stdout, format).toContain('billing-pg ]0;owned  2J forged end');
      }
      const piped = await run({ snapshot: folder, format });
      // JSON carries the scan's durationMs, which may differ between the two runs by a digit.
      const sized = (text: string): number =>
        text.replace(/"durationMs": \d+/, '"durationMs": 0').length;
      expect(sized(piped.stdout), format).toBe(sized(terminal.stdout));
    }
    const csv = (await run({ snapshot: folder, format: 'csv' })).stdout;
    expect(csv).toContain(hostile);
  });

  it('puts no shell syntax from a snapshot into the commands a remediation gives', async () => {
    const folder = join(dir, 'shell-in-names');
    await cp(SNAPSHOT, folder, { recursive: true });
    const listing = join(folder, 'describe-db-instances.json');
    const instances = JSON.parse(await readFile(listing, 'utf8')) as {
      DBInstances: Record<string, unknown>[];
    };
    const billing = instances.DBInstances[0]!;
    billing.DBInstanceIdentifier = 'billing-pg;touch /tmp/owned';
    billing.DBParameterGroups = [{ DBParameterGroupName: 'pg14-app$(id)' }];
    billing.CACertificateIdentifier = "rds-ca-rsa2048-g1'`id`";
    await writeFile(listing, JSON.stringify(instances));
    const { stdout } = await run({ snapshot: folder, format: 'json' });
    const report = jsonReportSchema.parse(JSON.parse(stdout));
    const remediations = report.databases.map((database) => database.remediation);
    expect(remediations.some((text) => text.includes('--db-instance-identifier'))).toBe(true);
    for (const text of remediations) {
      expect(text).not.toMatch(/;touch|\$\(id\)|`id`/);
    }
  });

  it('exits 1 naming a snapshot folder that does not exist', async () => {
    const missing = join(dir, 'no-such-folder');
    const { code, stderr } = await run({ snapshot: missing });
    expect(code).toBe(1);
    expect(stderr).toBe(`rds-tls-guard: snapshot folder ${missing} not found\n`);
  });

  it('exits 1 naming a --ca-bundle file that holds no PEM certificate (node:tls would trust nothing and every server would read as untrusted)', async () => {
    const bundle = join(dir, 'not-a-bundle.pem');
    await writeFile(
      bundle,
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
    );
    const { code, stderr } = await run({ caBundle: bundle });
    expect(code).toBe(1);
    expect(stderr).toBe(`rds-tls-guard: --ca-bundle ${bundle} holds no PEM certificate\n`);
  });

  it('writes the JSON report to a file in the documented schema', async () => {
    const output = join(dir, 'report.json');
    const { code, stderr } = await run({ format: 'json', output });
    expect(code).toBe(2);
    expect(stderr).toContain(`report written to ${output}`);
    const report = jsonReportSchema.parse(JSON.parse(await readFile(output, 'utf8')));
    expect(report.databases.map((db) => [db.identifier, db.verdict])).toEqual([
      ['billing-pg', 'NON_COMPLIANT'],
      ['ledger', 'COMPLIANT'],
      ['ledger-1', 'COMPLIANT'],
      ['ledger-proxy', 'COMPLIANT'],
      ['shop-mysql', 'INSUFFICIENT_DATA'],
    ]);
    expect(report.databases.find((db) => db.identifier === 'ledger-proxy')).toMatchObject({
      resourceType: 'AWS::RDS::DBProxy',
      reason: 'TLS_ENFORCED',
      annotation: 'proxy ledger-proxy RequireTLS=true',
    });
  });

  it('prints plain progress lines, not a bar, when standard error is not a terminal', async () => {
    const { stderr } = await run({});
    expect(stderr).toMatch(/^scanned 5\/5 \| \d+s elapsed$/m);
    expect(stderr).not.toContain('\u001b[');
  });
});

async function cli(...args: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(['node', 'rds-tls-guard', ...args], {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('rds-tls-guard scan --mysql-plaintext-login', () => {
  it('sets the mysqlPlaintextLogin rule parameter, and the JSON report says so', async () => {
    const { stdout } = await cli(
      'scan',
      '--snapshot',
      SNAPSHOT,
      '--no-probe',
      '--mysql-plaintext-login',
      '-f',
      'json',
    );
    const report = jsonReportSchema.parse(JSON.parse(stdout));
    expect(report.scan.ruleParameters.mysqlPlaintextLogin).toBe(true);
  });

  it('leaves it off, and out of the report, by default', async () => {
    const { stdout } = await cli('scan', '--snapshot', SNAPSHOT, '--no-probe', '-f', 'json');
    const report = jsonReportSchema.parse(JSON.parse(stdout));
    expect(report.scan.ruleParameters.mysqlPlaintextLogin).toBeUndefined();
  });
});

describe('rds-tls-guard usage errors', () => {
  it('prints the version from package.json with --version', async () => {
    const { code, stdout } = await cli('--version');
    expect(code).toBe(0);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(stdout).toBe(`${VERSION}\n`);
  });

  it('answers an unknown option with one line and a pointer to --help, exit 64', async () => {
    const { code, stderr } = await cli('scan', '--snapshot', SNAPSHOT, '--formt', 'json');
    expect(code).toBe(64);
    expect(stderr).toBe(
      "rds-tls-guard: unknown option '--formt' (Did you mean --format?) (see --help)\n",
    );
  });

  it('answers a bad choice with one line, exit 64', async () => {
    const { code, stderr } = await cli('scan', '--snapshot', SNAPSHOT, '--format', 'xml');
    expect(code).toBe(64);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain("argument 'xml' is invalid");
    expect(stderr).toContain('(see --help)');
  });

  it('catches a misspelt --engine before scanning, suggesting the engine', async () => {
    const { code, stdout, stderr } = await cli(
      'scan',
      '--snapshot',
      SNAPSHOT,
      '--engine',
      'postgress',
    );
    expect(code).toBe(64);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^rds-tls-guard: --engine "postgress" is not an RDS engine \(did you mean postgres\?\); RDS engines: aurora-mysql, .* \(see --help\)\n$/,
    );
  });

  it('refuses a region name that matches no AWS naming pattern', async () => {
    const { code, stderr } = await cli('scan', '--snapshot', SNAPSHOT, '--region', 'eu-west');
    expect(code).toBe(64);
    expect(stderr).toBe(
      'rds-tls-guard: --region "eu-west" is not a region name (expected a name such as eu-west-1) (see --help)\n',
    );
  });

  it('gives a minimum TLS version it does not know as a usage error', async () => {
    const { code, stderr } = await cli('scan', '--snapshot', SNAPSHOT, '--min-tls', 'SSLv3');
    expect(code).toBe(64);
    expect(stderr).toContain('minTlsVersion');
    expect(stderr).toContain('(see --help)');
  });
});

describe('rds-tls-guard scan against AWS without credentials', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('says which region it scans, why it could not, what to do, and exits 5', async () => {
    const empty = join(dir, 'empty-aws-config');
    await writeFile(empty, '');
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('AWS_')) delete process.env[name];
    }
    Object.assign(process.env, {
      AWS_CONFIG_FILE: empty,
      AWS_SHARED_CREDENTIALS_FILE: empty,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const { code, stderr } = await cli('scan', '--no-probe');
    expect(stderr).toContain(
      'scanning region us-east-1 (from no --region, AWS_REGION or profile region: the fallback); pass --region to choose',
    );
    expect(stderr).toContain(
      'rds-tls-guard: DescribeDBInstances failed in us-east-1: CredentialsProviderError; no AWS credentials found: run `aws sso login` or `aws configure`, or set AWS_PROFILE',
    );
    expect(stderr).toContain('exit 5: part of the estate could not be read');
    expect(code).toBe(5);
  }, 30_000);
});

describe('offline audit provenance and gaps', () => {
  it('every report format says the data came from the snapshot folder and how old it is', async () => {
    for (const format of ['table', 'json', 'csv', 'html', 'sarif', 'asff'] as const) {
      const { stdout } = await run({ format });
      expect(stdout, format).toContain(SNAPSHOT);
      expect(stdout, format).toMatch(/files modified \d{4}-\d\d-\d\dT|"newestFileAt": "\d{4}-/);
    }
  });

  it('says whether a value was read (group, engine defaults file) or assumed from built-in knowledge', async () => {
    const { stdout } = await run({ format: 'json' });
    const report = jsonReportSchema.parse(JSON.parse(stdout));
    const sources = (identifier: string) =>
      report.databases
        .find((db) => db.identifier === identifier)
        ?.static.evidence.filter((entry) => /ssl|transport/.test(entry.label))
        .map((entry) => `${entry.source} ${entry.label}`);
    expect(sources('billing-pg')).toEqual([
      'engine-default rds.force_ssl (read from engine defaults postgres14)',
      'parameter-group ssl_min_protocol_version (read from group pg14-app)',
    ]);
    // No describe-engine-default-cluster-parameters file: the documented default, named as assumed.
    expect(sources('ledger')).toEqual([
      'parameter-group rds.force_ssl (read from group apg15-tls)',
      'built-in ssl_min_protocol_version (assumed from built-in knowledge: documented default for this version)',
    ]);
  });

  it('names the missing file, not a permission, when a group is not in the folder', async () => {
    const { stdout } = await run({ id: ['shop-mysql'], format: 'json' });
    const report = jsonReportSchema.parse(JSON.parse(stdout));
    const shop = report.databases.find((db) => db.identifier === 'shop-mysql');
    expect(shop?.remediation).toMatch(
      /^Add the group to the snapshot folder \(aws rds describe-db-parameters --db-parameter-group-name \S+ > describe-db-parameters\.\S+\.json\), then rescan\.$/,
    );
    expect(shop?.annotation).toContain('not in snapshot: add describe-db-parameters.');
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runScanCommand, type ScanCommandOptions } from '../lib/cli/scan-command.js';
import { jsonReportSchema } from '../lib/report/json-schema.js';

const SNAPSHOT = new URL('./inventory/fixtures/snapshot', import.meta.url).pathname;

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(options: Partial<ScanCommandOptions>) {
  const stdout = new Capture();
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

  it('exits 3 with --fail-on-insufficient when a group could not be read', async () => {
    const { code } = await run({ id: ['shop-mysql'], failOnInsufficient: true });
    expect(code).toBe(3);
  });

  it('exits 1 with a usage message for a minimum TLS version it does not know', async () => {
    const { code, stderr } = await run({ minTls: 'SSLv3' });
    expect(code).toBe(1);
    expect(stderr).toContain('minTlsVersion');
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
      ['shop-mysql', 'INSUFFICIENT_DATA'],
    ]);
  });

  it('prints plain progress lines, not a bar, when standard error is not a terminal', async () => {
    const { stderr } = await run({});
    expect(stderr).toContain('scanned 4/4\n');
    expect(stderr).not.toContain('\u001b[');
  });
});

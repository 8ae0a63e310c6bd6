import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScanCommand } from '../../lib/cli/scan-command.js';
import type { AsffFinding } from '../../lib/report/asff.js';
import { Capture } from './capture.js';

const SNAPSHOT = new URL('../inventory/fixtures/snapshot', import.meta.url).pathname;
const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-asff-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** An offline audit in ASFF of the fixture snapshot whose ledger-1 ARN names `account`. */
async function asffAuditWithAccount(account: string, id?: string[]) {
  const folder = await mkdtemp(join(dir, 'snapshot-'));
  await cp(SNAPSHOT, folder, { recursive: true });
  const file = join(folder, 'describe-db-instances.json');
  const text = await readFile(file, 'utf8');
  const changed = text.replace(
    'arn:aws:rds:eu-west-1:123456789012:db:ledger-1',
    `arn:aws:rds:eu-west-1:${account}:db:ledger-1`,
  );
  expect(changed).not.toBe(text);
  await writeFile(file, changed);
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runScanCommand(
    {
      snapshot: folder,
      probe: false,
      minTls: 'TLSv1.2',
      concurrency: 4,
      format: 'asff',
      ...(id ? { id } : {}),
    },
    stdout as unknown as NodeJS.WriteStream,
    stderr as unknown as NodeJS.WriteStream,
  );
  const findings = JSON.parse(stdout.text) as AsffFinding[];
  return {
    code,
    stderr: stderr.text,
    identifiers: findings.map((finding) => finding.ProductFields['rds-tls-guard/Identifier']),
  };
}

describe('ASFF output of a snapshot whose account is not an AWS account id', () => {
  it('leaves that database out of the file and says so on stderr, naming the database and the field; the others are in it', async () => {
    const { identifiers, stderr } = await asffAuditWithAccount('12345');
    expect(identifiers).toEqual(['billing-pg', 'ledger', 'ledger-proxy', 'shop-mysql']);
    expect(stderr).toContain(
      'warning: database ledger-1: AwsAccountId "12345" is not a 12-digit account id; Security Hub would refuse its finding, so it is not in the ASFF output\n',
    );
  });

  it('exits 5, as for a database missing from the report, when nothing is NON_COMPLIANT', async () => {
    const { code, identifiers, stderr } = await asffAuditWithAccount('12345', ['ledger-1']);
    expect(identifiers).toEqual([]);
    expect(code).toBe(5);
    expect(stderr).toContain('exit 5');
  });
});

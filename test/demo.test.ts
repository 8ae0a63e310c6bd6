import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../lib/cli/demo.js';
import { privateTempFolder, projectTempEntries } from './fixtures/temp-folder.js';

class Capture extends Writable {
  text = '';
  isTTY = false;
  columns = 200;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'rds-tls-guard-demo-test-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the demo', () => {
  it('proves a local database TLS-only, catches the ones that are not and the plaintext proxy in front of one, writes the HTML report, and leaves the temp folder as it found it', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const html = join(dir, 'demo.html');
    // Its own temp folder: what the demo leaves behind is then all that is in it.
    const restoreTemp = await privateTempFolder();
    const before = await projectTempEntries();

    let code: number;
    try {
      code = await runDemo(
        { html },
        stdout as unknown as NodeJS.WriteStream,
        stderr as unknown as NodeJS.WriteStream,
      );
    } finally {
      expect(await projectTempEntries()).toEqual(before);
      expect(await restoreTemp()).toEqual([]);
    }

    expect(code).toBe(0);
    const rows = new Map(
      stdout.text
        .split('\n')
        .map((line) => line.split(/\s{2,}/))
        .filter((cells) => cells.length > 4)
        .map((cells) => [cells[0], cells]),
    );
    // orders-pg enforces TLS itself, but its RDS Proxy (a real PgBouncer) lets plaintext in.
    expect(rows.get('orders-pg')?.slice(3, 5)).toEqual(['NON_COMPLIANT', 'PROXY_PLAINTEXT_PATH']);
    expect(rows.get('orders-proxy')?.slice(3, 5)).toEqual(['NON_COMPLIANT', 'PLAINTEXT_ACCEPTED']);
    expect(rows.get('billing-mariadb')?.slice(3, 5)).toEqual(['COMPLIANT', 'TLS_PROVEN']);
    expect(rows.get('legacy-pg')?.slice(3, 5)).toEqual(['NON_COMPLIANT', 'PLAINTEXT_ACCEPTED']);
    expect(rows.get('crm-mariadb')?.slice(3, 5)).toEqual(['NON_COMPLIANT', 'PLAINTEXT_ACCEPTED']);
    expect(rows.get('reporting-mssql')?.slice(3, 5)).toEqual(['NON_COMPLIANT', 'PENDING_REBOOT']);

    const report = await readFile(html, 'utf8');
    expect(report).toMatch(/^<!DOCTYPE html>/i);
    expect(report).toContain('legacy-pg');
    expect(report).toContain('pg_hba');
    // The proxy's own words, from the plaintext attempt through it.
    expect(report).toContain('08P01 SASL authentication failed');
    expect(report).toContain('aws rds modify-db-proxy --db-proxy-name orders-proxy --require-tls');
    expect(stderr.text).toContain(`HTML report: ${html}`);
  }, 120_000);
});

/**
 * The CLI's Oracle path end to end, from a snapshot folder: the
 * --accept-native-encryption flag and the optional describe-security-groups.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main.js';
import { parseRuleParameters } from '../lib/config/rule-parameters.js';
import { jsonReportSchema } from '../lib/report/json-schema.js';
import { Capture } from './cli/capture.js';
import { DB_SG, databaseSecurityGroup } from './inventory/ec2-samples.js';

const root = await mkdtemp(join(tmpdir(), 'rds-tls-guard-oracle-'));
afterAll(() => rm(root, { recursive: true, force: true }));

function oracleInstance(identifier: string, optionGroup: string) {
  return {
    DBInstanceIdentifier: identifier,
    DbiResourceId: `db-${identifier.toUpperCase()}`,
    DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${identifier}`,
    Engine: 'oracle-ee',
    EngineVersion: '19.0.0.0.ru-2024-01.rur-2024-01.r1',
    DBInstanceStatus: 'available',
    Endpoint: { Address: `${identifier}.c9akciq32.eu-west-1.rds.amazonaws.com`, Port: 1521 },
    OptionGroupMemberships: [{ OptionGroupName: optionGroup, Status: 'in-sync' }],
    VpcSecurityGroups: [{ VpcSecurityGroupId: DB_SG, Status: 'active' }],
  };
}

async function snapshotFolder(name: string, withSecurityGroups: boolean): Promise<string> {
  const folder = join(root, name);
  const files: Record<string, unknown> = {
    'describe-db-instances.json': { DBInstances: [oracleInstance('ledger-nne', 'ora-nne')] },
    // A complete capture: the account has no RDS Proxy.
    'describe-db-proxies.json': { DBProxies: [] },
    'describe-option-groups.json': {
      OptionGroupsList: [
        {
          OptionGroupName: 'ora-nne',
          EngineName: 'oracle-ee',
          MajorEngineVersion: '19',
          Options: [
            {
              OptionName: 'NATIVE_NETWORK_ENCRYPTION',
              OptionSettings: [
                { Name: 'SQLNET.ENCRYPTION_SERVER', Value: 'REQUIRED' },
                { Name: 'SQLNET.ENCRYPTION_TYPES_SERVER', Value: 'AES256' },
              ],
            },
          ],
        },
      ],
    },
    ...(withSecurityGroups
      ? { 'describe-security-groups.json': { SecurityGroups: [databaseSecurityGroup([])] } }
      : {}),
  };
  await mkdir(folder);
  for (const [file, body] of Object.entries(files)) {
    await writeFile(join(folder, file), JSON.stringify(body));
  }
  return folder;
}

async function scanJson(...args: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(
    ['node', 'rds-tls-guard', 'scan', '--no-probe', '--format', 'json', ...args],
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
    },
  );
  return { code, report: jsonReportSchema.parse(JSON.parse(stdout.text)) };
}

describe('rds-tls-guard scan: Oracle', () => {
  it('reports native network encryption NON_COMPLIANT by default and COMPLIANT with --accept-native-encryption', async () => {
    const folder = await snapshotFolder('nne', true);
    const strict = await scanJson('--snapshot', folder);
    expect(strict.code).toBe(2);
    expect(strict.report.databases[0]).toMatchObject({
      verdict: 'NON_COMPLIANT',
      reason: 'ORACLE_NATIVE_NETWORK_ENCRYPTION',
    });

    const accepting = await scanJson('--snapshot', folder, '--accept-native-encryption');
    expect(accepting.code).toBe(0);
    expect(accepting.report.databases[0]).toMatchObject({
      verdict: 'COMPLIANT',
      reason: 'ORACLE_NATIVE_NETWORK_ENCRYPTION',
    });
  });

  it('names the missing describe-security-groups.json once when the snapshot has Oracle', async () => {
    const folder = await snapshotFolder('no-groups', false);
    const { report } = await scanJson('--snapshot', folder, '--accept-native-encryption');
    expect(report.problems.filter((problem) => problem.scope === 'snapshot')).toEqual([
      expect.objectContaining({ code: 'SNAPSHOT_SECURITY_GROUPS_MISSING' }),
    ]);
  });

  it('reads acceptNativeNetworkEncryption from Config InputParameters strings', () => {
    const parsed = parseRuleParameters('{"acceptNativeNetworkEncryption":"true"}');
    expect(parsed.ok && parsed.value.acceptNativeNetworkEncryption).toBe(true);
    const fallback = parseRuleParameters('{}');
    expect(fallback.ok && fallback.value.acceptNativeNetworkEncryption).toBe(false);
    const bad = parseRuleParameters('{"acceptNativeNetworkEncryption":"yes"}');
    expect(bad.ok).toBe(false);
  });
});

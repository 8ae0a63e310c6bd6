import { readFile } from 'node:fs/promises';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseRuleParameters } from '../config/rule-parameters.js';
import {
  collectInventory,
  createRdsClientFactory,
  createSnapshotRdsClient,
  loadSnapshotDirectory,
  snapshotRegions,
} from '../inventory/index.js';
import type { Inventory } from '../pipeline.js';
import { createLiveProber } from '../probe/index.js';
import { type ReportFormat, renderReport } from '../report/index.js';
import { exitCodeFor } from '../report/summary.js';
import { scan } from '../scan.js';
import { createCredentialResolver } from '../secrets/index.js';
import { writeReport } from './output.js';
import { createProgressReporter } from './progress.js';

export interface ScanCommandOptions {
  region?: string[];
  engine?: string[];
  id?: string[];
  tag?: string[];
  snapshot?: string;
  probe: boolean;
  requireProbe?: boolean;
  minTls: string;
  caExpiryDays?: number;
  caBundle?: string;
  secret?: string[];
  iamAuth?: boolean;
  concurrency: number;
  format: ReportFormat;
  output?: string;
  failOnInsufficient?: boolean;
}

/** Exit codes: 0 all compliant, 1 usage or runtime error, 2 NON_COMPLIANT found, 3 INSUFFICIENT_DATA with --fail-on-insufficient. */
export async function runScanCommand(
  options: ScanCommandOptions,
  stdout: NodeJS.WriteStream,
  stderr: NodeJS.WriteStream,
): Promise<number> {
  const parsed = parseRuleParameters({
    minTlsVersion: options.minTls,
    ...(options.caExpiryDays !== undefined ? { caExpiryDays: options.caExpiryDays } : {}),
    requireLiveProbe: options.requireProbe === true,
    liveProbe: options.probe,
    ...(options.secret ? { secretArns: options.secret.join(',') } : {}),
  });
  if (!parsed.ok) {
    stderr.write(`rds-tls-guard: ${parsed.error.message}\n`);
    return 1;
  }
  const ruleParameters = parsed.value;

  const tags = parseTags(options.tag ?? []);
  if (tags === undefined) {
    stderr.write('rds-tls-guard: --tag takes key=value\n');
    return 1;
  }
  const defaultRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const filters = {
    ...(options.engine?.length ? { engines: options.engine } : {}),
    ...(options.id?.length ? { identifiers: options.id } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
  };

  let inventory: () => Promise<Inventory>;
  if (options.snapshot) {
    const snapshot = await loadSnapshotDirectory(options.snapshot);
    // A snapshot knows its regions from its ARNs: scan those unless told otherwise.
    const inSnapshot = snapshotRegions(snapshot);
    const regions = options.region?.length
      ? options.region
      : inSnapshot.length > 0
        ? inSnapshot
        : [defaultRegion];
    inventory = () =>
      collectInventory({
        regions,
        clientFor: (region) => createSnapshotRdsClient(snapshot, region),
        filters,
      });
  } else {
    const clientFor = createRdsClientFactory();
    const regions = options.region?.length ? options.region : [defaultRegion];
    inventory = () => collectInventory({ regions, clientFor, filters });
  }

  const caBundle = options.caBundle ? await readFile(options.caBundle, 'utf8') : undefined;
  const secretsClients = new Map<string, SecretsManagerClient>();
  const prober = ruleParameters.liveProbe
    ? createLiveProber({
        credentials: createCredentialResolver({
          secretsClientFor: (region) => {
            let client = secretsClients.get(region);
            if (!client) {
              client = new SecretsManagerClient({ region });
              secretsClients.set(region, client);
            }
            return client;
          },
          useIamAuth: options.iamAuth === true,
        }),
        ...(caBundle ? { caBundle } : {}),
      })
    : undefined;

  const progress = createProgressReporter(stderr);
  const result = await scan({
    inventory,
    ruleParameters,
    ...(prober ? { prober } : {}),
    concurrency: options.concurrency,
    onProgress: (event) => progress.update(event),
  });
  progress.stop();

  const report = renderReport(result, options.format, {
    color: stdout.isTTY === true && !options.output,
    width: stdout.columns ?? 160,
  });
  if (options.output) {
    await writeReport(options.output, report);
    stderr.write(`report written to ${options.output}\n`);
  } else {
    stdout.write(report.endsWith('\n') ? report : `${report}\n`);
  }
  return exitCodeFor(result, { failOnInsufficientData: options.failOnInsufficient === true });
}

function parseTags(pairs: string[]): Record<string, string> | undefined {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) return undefined;
    tags[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return tags;
}

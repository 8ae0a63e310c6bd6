import { readFile } from 'node:fs/promises';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseRuleParameters } from '../config/rule-parameters.js';
import {
  collectInventory,
  createEc2ClientFactory,
  createRdsClientFactory,
  createSnapshotEc2Client,
  createSnapshotRdsClient,
  loadSnapshotDirectory,
  type RdsSnapshot,
  SnapshotLoadError,
  snapshotProxyGap,
  snapshotRegions,
  snapshotSecurityGroupGap,
  unreadableDatabaseEvaluations,
} from '../inventory/index.js';
import type { Inventory } from '../pipeline.js';
import { createLiveProber } from '../probe/index.js';
import { tcpReachability } from '../probe/reachability.js';
import { holdsCertificate } from '../probe/tls-context.js';
import { asffGaps } from '../report/asff.js';
import { type ReportFormat, renderReport } from '../report/index.js';
import { unnamedIgnored } from '../report/model.js';
import { EXIT_CODES, exitCodeFor, isCoverageProblem } from '../report/summary.js';
import { scan } from '../scan.js';
import { createCredentialResolver } from '../secrets/index.js';
import { terminalText } from '../text.js';
import type { ResourceEvaluation, ScanProblem, ScanResult } from '../types.js';
import { writeLine, writeReport } from './output.js';
import { createProgressReporter } from './progress.js';
import { UsageError } from './usage.js';
import { checkRegions, validateEngines } from './validate.js';

export interface ScanCommandOptions {
  region?: string[];
  engine?: string[];
  id?: string[];
  tag?: string[];
  snapshot?: string;
  probe: boolean;
  requireProbe?: boolean;
  mysqlPlaintextLogin?: boolean;
  minTls: string;
  caExpiryDays?: number;
  caBundle?: string;
  secret?: string[];
  iamAuth?: boolean;
  acceptNativeEncryption?: boolean;
  concurrency: number;
  format: ReportFormat;
  output?: string;
  /** Exit 0, not 3, when something is INSUFFICIENT_DATA or a group could not be read. */
  allowInsufficient?: boolean;
  /** The default since "could not tell" exits 3; still accepted for scripts that pass it. */
  failOnInsufficient?: boolean;
  allowEmpty?: boolean;
}

/**
 * Runs `scan` and resolves to its exit code (see EXIT_CODES): 64 for a usage
 * error, 1 when the scan could not run, otherwise what the result says.
 * Usage errors are thrown as UsageError for main to print; everything else
 * the user must act on is written to `stderr` with the next step.
 */
export async function runScanCommand(
  options: ScanCommandOptions,
  stdout: NodeJS.WriteStream,
  stderr: NodeJS.WriteStream,
): Promise<number> {
  const parsed = parseRuleParameters({
    minTlsVersion: options.minTls,
    ...(options.caExpiryDays !== undefined ? { caExpiryDays: options.caExpiryDays } : {}),
    requireLiveProbe: options.requireProbe === true,
    mysqlPlaintextLogin: options.mysqlPlaintextLogin === true,
    liveProbe: options.probe,
    acceptNativeNetworkEncryption: options.acceptNativeEncryption === true,
    ...(options.secret ? { secretArns: options.secret.join(',') } : {}),
  });
  if (!parsed.ok) throw new UsageError(parsed.error.message);
  const ruleParameters = parsed.value;

  const tags = parseTags(options.tag ?? []);
  if (tags === undefined) throw new UsageError('--tag takes key=value');
  validateEngines(options.engine ?? []);
  const regionCheck = checkRegions(options.region ?? []);
  for (const region of regionCheck.unlisted) {
    writeLine(
      stderr,
      `warning: region ${region} is not in this AWS SDK's region list; scanning it anyway (a typo fails the listing)`,
    );
  }
  const filters = {
    ...(options.engine?.length ? { engines: options.engine } : {}),
    ...(options.id?.length ? { identifiers: options.id } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
  };

  let inventory: () => Promise<Inventory>;
  let provenance: ScanResult['snapshot'];
  let snapshotGaps: (result: ScanResult) => ScanProblem[] = () => [];
  let unreadableRows: (result: ScanResult) => ResourceEvaluation[] = () => [];
  if (options.snapshot) {
    let snapshot: RdsSnapshot;
    try {
      snapshot = await loadSnapshotDirectory(options.snapshot);
    } catch (error) {
      if (!(error instanceof SnapshotLoadError)) throw error;
      writeLine(stderr, `rds-tls-guard: ${error.message}`);
      return EXIT_CODES.error;
    }
    provenance = snapshot.provenance;
    for (const ignored of provenance?.ignoredFiles ?? []) {
      writeLine(
        stderr,
        `warning: ${ignored} in the snapshot folder is not a file this tool reads; ignored`,
      );
    }
    const unnamed = provenance ? unnamedIgnored(provenance, '') : '';
    if (unnamed) {
      writeLine(
        stderr,
        `warning: ${unnamed} files in the snapshot folder are not files this tool reads; ignored`,
      );
    }
    // A snapshot knows its regions from its ARNs: scan those unless told otherwise.
    const inSnapshot = snapshotRegions(snapshot);
    const regions = options.region?.length
      ? options.region
      : inSnapshot.length > 0
        ? inSnapshot
        : [(await defaultRegion(stderr)).region];
    inventory = () =>
      collectInventory({
        regions,
        clientFor: (region) => createSnapshotRdsClient(snapshot, region),
        // Security groups are optional in a snapshot; without them none is read.
        ...(snapshot.securityGroups
          ? { ec2ClientFor: (region: string) => createSnapshotEc2Client(snapshot, region) }
          : {}),
        filters,
      });
    snapshotGaps = (result) => {
      const gap = snapshotSecurityGroupGap(
        snapshot,
        result.evaluations.map((evaluation) => evaluation.resource),
      );
      const proxies = snapshotProxyGap(snapshot);
      return [...(snapshot.problems ?? []), ...(gap ? [gap] : []), ...(proxies ? [proxies] : [])];
    };
    // A record of the wrong shape that names its database is a row, never a silent absence.
    unreadableRows = (result) =>
      unreadableDatabaseEvaluations(
        snapshot.unreadableDatabases ?? [],
        result.regions,
        filters,
        result.startedAt,
      );
  } else {
    const clientFor = createRdsClientFactory();
    const ec2ClientFor = createEc2ClientFactory();
    const regions = options.region?.length
      ? options.region
      : [(await defaultRegion(stderr)).region];
    inventory = () => collectInventory({ regions, clientFor, ec2ClientFor, filters });
  }

  let caBundle: string | undefined;
  if (options.caBundle) {
    try {
      caBundle = await readFile(options.caBundle, 'utf8');
    } catch (error) {
      writeLine(
        stderr,
        `rds-tls-guard: --ca-bundle ${options.caBundle} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      return EXIT_CODES.error;
    }
    if (!holdsCertificate(caBundle)) {
      writeLine(stderr, `rds-tls-guard: --ca-bundle ${options.caBundle} holds no PEM certificate`);
      return EXIT_CODES.error;
    }
  }
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
  const scanned = await scan({
    inventory,
    ruleParameters,
    ...(prober ? { prober, reachability: tcpReachability() } : {}),
    concurrency: options.concurrency,
    onProgress: (event) => progress.update(event),
  });
  progress.stop();
  const withRows: ScanResult = {
    ...scanned,
    evaluations: [...scanned.evaluations, ...unreadableRows(scanned)],
  };
  const scannedResult: ScanResult = {
    ...(provenance ? { snapshot: provenance } : {}),
    ...withRows,
    problems: [
      ...withRows.problems,
      ...snapshotGaps(withRows),
      ...unmatchedIdentifiers(withRows, options.id ?? []),
    ],
  };
  // Databases an ASFF file cannot hold are named here, and count as missing from the report.
  const reportGaps = options.format === 'asff' ? asffGaps(scannedResult) : [];
  for (const gap of reportGaps) writeLine(stderr, `warning: ${gap.message}`);
  const result: ScanResult = {
    ...scannedResult,
    problems: [...scannedResult.problems, ...reportGaps],
  };

  const report = renderReport(result, options.format, {
    color: stdout.isTTY === true && !options.output,
    width: stdout.columns ?? 160,
  });
  try {
    if (options.output) {
      await writeReport(options.output, report);
      writeLine(stderr, `report written to ${options.output}`);
    } else {
      const text = report.endsWith('\n') ? report : `${report}\n`;
      // Identifiers, tags and server text are anyone's bytes: a terminal gets no escapes from them.
      stdout.write(stdout.isTTY === true ? terminalText(text) : text);
    }
  } catch (error) {
    writeLine(
      stderr,
      `rds-tls-guard: cannot write the report to ${options.output} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return EXIT_CODES.error;
  }
  const code = exitCodeFor(result, {
    allowInsufficientData:
      options.allowInsufficient === true && options.failOnInsufficient !== true,
    allowEmpty: options.allowEmpty === true,
  });
  explainExit(code, { ...result, problems: scannedResult.problems }, stderr);
  return code;
}

/** Each `--id` that named no evaluated database, as a problem every report shows. */
export function unmatchedIdentifiers(
  result: ScanResult,
  identifiers: readonly string[],
): ScanProblem[] {
  const names = new Set<string>();
  for (const { resource } of result.evaluations) {
    for (const name of [
      resource.identifier,
      resource.resourceId,
      resource.arn,
      resource.clusterIdentifier,
    ]) {
      if (name !== undefined) names.add(name);
    }
  }
  return [...new Set(identifiers)]
    .filter((identifier) => !names.has(identifier))
    .map((identifier) => ({
      scope: 'filter:--id',
      code: 'ID_NOT_FOUND',
      message: `--id ${identifier} matched no DB instance or cluster in ${result.regions.join(', ') || 'the scanned regions'}`,
    }));
}

/** Says on standard error why the exit code is what it is, when it is not about verdicts. */
function explainExit(code: number, result: ScanResult, stderr: NodeJS.WriteStream): void {
  if (code === EXIT_CODES.incomplete) {
    for (const problem of result.problems.filter(isCoverageProblem)) {
      writeLine(stderr, `rds-tls-guard: ${problem.message}`);
    }
    writeLine(
      stderr,
      `rds-tls-guard: exit ${code}: part of the estate could not be read or reported, so this report may be missing databases`,
    );
  } else if (code === EXIT_CODES.insufficientData) {
    writeLine(
      stderr,
      `rds-tls-guard: exit ${code}: nothing is NON_COMPLIANT, but not everything could be decided (INSUFFICIENT_DATA or an unreadable group; the report says which); pass --allow-insufficient to exit 0 anyway`,
    );
  } else if (code === EXIT_CODES.nothingEvaluated) {
    for (const problem of result.problems.filter((entry) => entry.code === 'ID_NOT_FOUND')) {
      writeLine(stderr, `rds-tls-guard: ${problem.message}`);
    }
    writeLine(
      stderr,
      `rds-tls-guard: exit ${code}: ${result.evaluations.length === 0 ? 'no database was evaluated' : 'an --id matched no database'} (check --region, --engine, --id and --tag; pass --allow-empty if that is expected)`,
    );
  }
}

interface DefaultRegion {
  region: string;
  source: string;
}

/**
 * The region the AWS SDK would pick (AWS_REGION, then the profile's region),
 * said out loud, because a scan of the wrong region finds nothing.
 */
async function defaultRegion(stderr: NodeJS.WriteStream): Promise<DefaultRegion> {
  const fromEnvironment = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  let chosen: DefaultRegion;
  if (fromEnvironment) {
    chosen = {
      region: fromEnvironment,
      source: process.env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION',
    };
  } else {
    let fromProfile: string | undefined;
    try {
      fromProfile = await new RDSClient({}).config.region();
    } catch {
      fromProfile = undefined;
    }
    chosen = fromProfile
      ? { region: fromProfile, source: `the AWS profile ${process.env.AWS_PROFILE ?? 'default'}` }
      : { region: 'us-east-1', source: 'no --region, AWS_REGION or profile region: the fallback' };
  }
  writeLine(
    stderr,
    `scanning region ${chosen.region} (from ${chosen.source}); pass --region to choose`,
  );
  return chosen;
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

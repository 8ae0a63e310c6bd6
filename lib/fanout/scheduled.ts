/**
 * The scheduled scan: list every target account's databases, then either
 * queue them for the probe workers (QUEUE_URL set: the deployed setup) or,
 * without a queue, evaluate them here from configuration alone (this
 * function is not placed in the VPC and holds no secret permissions).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { accountProblem, collectTargets, type ScanTarget } from '../accounts/index.js';
import { parseRuleParameters, type RuleParametersResult } from '../config/rule-parameters.js';
import type { Inventory } from '../pipeline.js';
import { scan } from '../scan.js';
import type { RuleParameters, ScanProblem, ScanResult } from '../types.js';
import { type EnqueueOptions, fanOutResources } from './index.js';

export interface ScheduledScanDeps {
  targets: readonly ScanTarget[];
  ruleParameters: RuleParameters;
  /** One account's inventory in the scan's regions. */
  collect: (target: ScanTarget) => Promise<Inventory>;
  queue?: { sqs: SQSClient; queueUrl: string; enqueue?: EnqueueOptions };
  orderingTimestamp: Date;
  now?: () => Date;
}

export interface AccountFanOut {
  accountId?: string;
  databases: number;
  batches: number;
  /** Identifiers of databases that did not reach the queue. */
  notSent: string[];
}

export type ScheduledScanOutcome =
  | { mode: 'fanned-out'; accounts: AccountFanOut[]; problems: ScanProblem[] }
  | { mode: 'in-process'; result: ScanResult };

export async function runScheduledScan(deps: ScheduledScanDeps): Promise<ScheduledScanOutcome> {
  const { queue } = deps;
  if (!queue) {
    const result = await scan({
      inventory: () => collectTargets(deps.targets, deps.collect),
      ruleParameters: { ...deps.ruleParameters, liveProbe: false },
      orderingTimestamp: deps.orderingTimestamp,
      ...(deps.now ? { now: deps.now } : {}),
    });
    return { mode: 'in-process', result };
  }

  const accounts: AccountFanOut[] = [];
  const problems: ScanProblem[] = [];
  for (const target of deps.targets) {
    let inventory: Inventory;
    try {
      inventory = await deps.collect(target);
    } catch (error) {
      problems.push(accountProblem(target, error));
      continue;
    }
    problems.push(...inventory.problems);
    const fanned = await fanOutResources(
      queue.sqs,
      queue.queueUrl,
      {
        orderingTimestamp: deps.orderingTimestamp,
        ruleParameters: deps.ruleParameters,
        ...(target.accountId ? { accountId: target.accountId } : {}),
        ...(target.roleArn ? { roleArn: target.roleArn } : {}),
      },
      inventory.items.map((item) => item.resource),
      queue.enqueue,
    );
    accounts.push({
      ...(target.accountId ? { accountId: target.accountId } : {}),
      databases: fanned.databases,
      batches: fanned.batches,
      notSent: fanned.notSent.map((resource) => resource.identifier),
    });
  }
  return { mode: 'fanned-out', accounts, problems };
}

/**
 * The deployed functions' rule parameters: the same keys as the Config
 * rule's InputParameters, set as environment variables by serverless.yml.
 */
export function ruleParametersFromEnvironment(
  env: Record<string, string | undefined>,
): RuleParametersResult {
  const raw: Record<string, string> = {};
  if (env.MIN_TLS_VERSION) raw.minTlsVersion = env.MIN_TLS_VERSION;
  if (env.CA_EXPIRY_DAYS) raw.caExpiryDays = env.CA_EXPIRY_DAYS;
  if (env.REQUIRE_LIVE_PROBE) raw.requireLiveProbe = env.REQUIRE_LIVE_PROBE;
  if (env.SECRET_TAG_KEY) raw.secretTagKey = env.SECRET_TAG_KEY;
  return parseRuleParameters(raw);
}

/** SCAN_REGIONS as a list; empty means the function's own region. */
export function scanRegionsFromEnvironment(
  env: Record<string, string | undefined>,
  ownRegion: string,
): string[] {
  const regions = (env.SCAN_REGIONS ?? '')
    .split(',')
    .map((region) => region.trim())
    .filter((region) => /^[a-z]{2}(-[a-z]+)+-\d$/.test(region));
  return regions.length > 0 ? [...new Set(regions)] : [ownRegion];
}

/**
 * The scheduled scan: list every target account's databases, then either
 * queue them for the probe workers (QUEUE_URL set: the deployed setup) or,
 * without a queue, evaluate them here from configuration alone (this
 * function is not placed in the VPC and holds no secret permissions).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { accountProblem, collectTargets, type ScanTarget } from '../accounts/index.js';
import { describeError } from '../errors.js';
import { type EnqueueOptions, fanOutItems, type RunPart } from '../fanout/index.js';
import type { Inventory } from '../pipeline.js';
import type { FindingFirstSeen } from '../report/asff.js';
import { scan } from '../scan.js';
import {
  archiveVanishedFindings,
  assembleOverdue,
  deliverRun,
  deliverScannerPart,
  type PartDatabase,
  partDatabaseOf,
  type RunRef,
  recordRunManifest,
  type ScheduledSinks,
} from '../sinks/index.js';
import type { DatabaseResource, RuleParameters, ScanProblem, ScanResult } from '../types.js';

export interface ScheduledScanDeps {
  targets: readonly ScanTarget[];
  ruleParameters: RuleParameters;
  /** One account's inventory in the scan's regions. */
  collect: (target: ScanTarget) => Promise<Inventory>;
  queue?: { sqs: SQSClient; queueUrl: string; enqueue?: EnqueueOptions };
  orderingTimestamp: Date;
  now?: () => Date;
  /** The run's id and start: the key of its archived reports. */
  run?: RunRef;
  /** Security Hub and the report archive. */
  sinks?: ScheduledSinks;
  /** How long a run's batches may still arrive (default: the queue's redelivery window plus margin). */
  overdueRunAfterMs?: number;
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
  const { queue, sinks, run } = deps;
  if (!queue) {
    const firstSeen = new Map<string, FindingFirstSeen>();
    const result = await scan({
      inventory: () =>
        collectTargets(deps.targets, async (target) => {
          const inventory = await deps.collect(target);
          if (sinks && target.accountId) {
            const held = await archiveVanishedFindings(
              sinks,
              accountOf(target, target.accountId),
              inventory,
            );
            for (const [id, dates] of held) firstSeen.set(id, dates);
          }
          return inventory;
        }),
      ruleParameters: { ...deps.ruleParameters, liveProbe: false },
      orderingTimestamp: deps.orderingTimestamp,
      ...(deps.now ? { now: deps.now } : {}),
    });
    if (sinks && run) {
      await deliverRun(sinks, run, result, rolesByAccount(deps.targets), firstSeen);
    }
    return { mode: 'in-process', result };
  }

  if (sinks) {
    await assembleOverdue(
      sinks,
      deps.overdueRunAfterMs !== undefined ? { overdueAfterMs: deps.overdueRunAfterMs } : {},
    );
  }
  const accounts: AccountFanOut[] = [];
  const problems: ScanProblem[] = [];
  const parts: string[] = [];
  // Identities only: each account's inventory is let go once its batches are queued.
  const partDatabases: Record<string, PartDatabase[]> = {};
  for (const target of deps.targets) {
    let inventory: Inventory;
    try {
      inventory = await deps.collect(target);
    } catch (error) {
      problems.push(accountProblem(target, error));
      continue;
    }
    problems.push(...inventory.problems);
    const firstSeen =
      sinks && target.accountId
        ? await archiveVanishedFindings(sinks, accountOf(target, target.accountId), inventory)
        : undefined;
    const fanned = await fanOutItems(
      queue.sqs,
      queue.queueUrl,
      {
        orderingTimestamp: deps.orderingTimestamp,
        ruleParameters: deps.ruleParameters,
        ...(target.accountId ? { accountId: target.accountId } : {}),
        ...(target.roleArn ? { roleArn: target.roleArn } : {}),
      },
      inventory.items,
      {
        ...queue.enqueue,
        ...(run ? { run: { ...run, partPrefix: target.accountId ?? 'own' } } : {}),
        ...(firstSeen && firstSeen.size > 0 ? { firstSeen } : {}),
      },
    );
    parts.push(...fanned.parts);
    for (const [part, databases] of Object.entries(fanned.partDatabases)) {
      partDatabases[part] = databases.map(partDatabaseOf);
    }
    if (fanned.notSent.length > 0) {
      problems.push({
        scope: `account:${target.accountId ?? 'own'}`,
        code: 'DATABASES_NOT_QUEUED',
        message: `${fanned.notSent.length} database(s) could not be queued for probing, so the scanner evaluated them from configuration only: ${fanned.notSent
          .slice(0, 10)
          .map((resource) => resource.identifier)
          .join(', ')}`,
      });
      const part = run ? `${target.accountId ?? 'own'}-scanner` : undefined;
      if (run && part) {
        // Listed even if what follows fails: the run then reports these databases lost.
        parts.push(part);
        partDatabases[part] = fanned.notSent.map(partDatabaseOf);
      }
      await evaluateNotQueued(deps, target, inventory, fanned.notSent, {
        ...(run && part ? { run: { ...run, part } } : {}),
        ...(firstSeen ? { firstSeen } : {}),
      });
    }
    accounts.push({
      ...(target.accountId ? { accountId: target.accountId } : {}),
      databases: fanned.databases,
      batches: fanned.batches,
      notSent: fanned.notSent.map((resource) => resource.identifier),
    });
  }
  if (sinks && run) {
    await recordRunManifest(sinks, run, {
      ruleParameters: deps.ruleParameters,
      parts,
      problems,
      partDatabases,
    });
  }
  return { mode: 'fanned-out', accounts, problems };
}

/**
 * Databases that did not reach the queue (too large for any message, or a
 * batch SQS kept refusing) are evaluated here, from configuration only (this
 * function holds no secret and is not in the VPC), and delivered like a
 * probe batch: to Security Hub, and as the run's part `<account>-scanner`.
 * Otherwise they would be missing from the run's report and keep their last
 * Security Hub verdict, PASSED included.
 */
async function evaluateNotQueued(
  deps: ScheduledScanDeps,
  target: ScanTarget,
  inventory: Inventory,
  notSent: readonly DatabaseResource[],
  options: { run?: RunPart; firstSeen?: ReadonlyMap<string, FindingFirstSeen> },
): Promise<void> {
  const keys = new Set(notSent.map(resourceKey));
  const items = inventory.items.filter((item) => keys.has(resourceKey(item.resource)));
  let result: ScanResult;
  try {
    result = await scan({
      inventory: async () => ({ items, problems: [], regions: inventory.regions }),
      ruleParameters: deps.ruleParameters,
      orderingTimestamp: deps.orderingTimestamp,
      ...(deps.now ? { now: deps.now } : {}),
    });
  } catch (error) {
    deps.sinks?.log.error('databases not queued could not be evaluated', {
      accountId: target.accountId ?? 'own',
      databases: items.length,
      reason: describeError(error),
    });
    return;
  }
  if (!deps.sinks) return;
  await deliverScannerPart(
    deps.sinks,
    {
      ...(target.accountId ? { accountId: target.accountId } : {}),
      ...(target.roleArn ? { roleArn: target.roleArn } : {}),
    },
    result,
    options,
  );
}

function resourceKey(resource: DatabaseResource): string {
  return `${resource.resourceType}|${resource.region}|${resource.resourceId}`;
}

function accountOf(target: ScanTarget, accountId: string): { accountId: string; roleArn?: string } {
  return { accountId, ...(target.roleArn ? { roleArn: target.roleArn } : {}) };
}

function rolesByAccount(targets: readonly ScanTarget[]): Map<string, string> {
  const roles = new Map<string, string>();
  for (const target of targets) {
    if (target.accountId && target.roleArn) roles.set(target.accountId, target.roleArn);
  }
  return roles;
}

/**
 * The AWS Config custom rule: one event in, evaluations out through
 * PutEvaluations. Change notifications evaluate the one resource they name;
 * scheduled notifications evaluate every database in the account and region
 * (in process, or fanned out to probe workers) and withdraw results for
 * databases that no longer exist.
 */

import type { ConfigServiceClient, Evaluation } from '@aws-sdk/client-config-service';
import type { RDSClient } from '@aws-sdk/client-rds';
import {
  assessApplicability,
  isRuleResourceType,
  orderingTimestampOf,
} from '../config/applicability.js';
import type { ConfigurationItem } from '../config/configuration-item.js';
import type { ConfigEventParseResult, ParsedConfigEvent } from '../config/event.js';
import { identifyResource, parseConfigEvent } from '../config/event.js';
import { fetchOversizedItem } from '../config/history.js';
import {
  unreadableEventEvaluation,
  withoutVerdictEvaluations,
} from '../config/unreadable-event.js';
import {
  collectInventory,
  type Ec2ClientFor,
  enrichResources,
  resourceFromConfigurationItem,
  withFrontingProxies,
} from '../inventory/index.js';
import { type RemainingTime, reportReserveMs, withinTimeBudget } from '../lambda/time-budget.js';
import type { Log } from '../log.js';
import type { FanOutRequest, Inventory, LiveProber, ReachabilityCheck } from '../pipeline.js';
import {
  configEvaluations,
  insufficientDataEvaluation,
  isTestModeToken,
  notApplicableEvaluation,
  type PutEvaluationsSummary,
  putEvaluations,
} from '../report/config-evaluations.js';
import { staleEvaluations } from '../report/stale-evaluations.js';
import { scan } from '../scan.js';
import type { DatabaseResource, ResourceType, ScanResult } from '../types.js';

/** Hands a scheduled scan's databases to probe workers, keeping the result token with each batch. */
export type FanOut = (request: FanOutRequest) => Promise<{
  batches: number;
  databases: number;
  /** Databases that never reached the queue: this invocation evaluates them itself. */
  notSent?: DatabaseResource[];
}>;

export interface ConfigRuleDeps {
  config: ConfigServiceClient;
  rdsClientFor: (region: string) => RDSClient;
  /** EC2 clients for the databases' security groups; absent: not read. */
  ec2ClientFor?: Ec2ClientFor;
  /** The TCP connect to Oracle's plaintext listener; used only where a prober is. */
  reachability?: ReachabilityCheck;
  /** The Lambda's own region: where a scheduled run looks for databases. */
  region: string;
  prober?: LiveProber;
  fanOut?: FanOut;
  log: Log;
  /**
   * The invocation's remaining time (context.getRemainingTimeInMillis): a
   * scan stops when only the time to report is left, and the databases it
   * did not judge go to Config as such. Absent: no deadline.
   */
  remainingTime?: RemainingTime;
  now?: () => Date;
  concurrency?: number;
  /** PutEvaluations pacing; tests inject a no-op sleep. */
  sleep?: (ms: number) => Promise<void>;
}

export type ConfigRuleOutcome =
  | {
      status: 'rejected';
      code: string;
      message: string;
      /**
       * The evaluation sent for the resource the event still named; absent
       * when no resource could be identified (nothing was sent: count it).
       */
      put?: PutEvaluationsSummary;
    }
  | {
      status: 'evaluated';
      messageType: string;
      put: PutEvaluationsSummary;
      scan?: ScanResult;
    }
  | {
      status: 'fanned-out';
      batches: number;
      databases: number;
      put?: PutEvaluationsSummary;
      scan?: ScanResult;
    };

export async function handleConfigRuleEvent(
  rawEvent: unknown,
  deps: ConfigRuleDeps,
): Promise<ConfigRuleOutcome> {
  const parsed = parseConfigEvent(rawEvent);
  if (!parsed.ok) return answerMalformedEvent(rawEvent, parsed, deps);

  const event = parsed.event;
  for (const warning of event.ruleParameterWarnings) {
    deps.log.warn('rule parameter ignored', { warning });
  }
  const invoking = event.invokingEvent;
  switch (invoking.messageType) {
    case 'ConfigurationItemChangeNotification':
      return evaluateItem(event, invoking.configurationItem, deps);
    case 'OversizedConfigurationItemChangeNotification': {
      const summary = invoking.configurationItemSummary;
      const applicability = assessApplicability(event, summary);
      if (!applicability.applicable) {
        return reportNotApplicable(event, summary, applicability.annotation, deps);
      }
      const fetched = await fetchOversizedItem(deps.config, summary);
      if (!fetched.ok) {
        deps.log.warn('oversized item unavailable', { code: fetched.error.code });
        const evaluation = insufficientDataEvaluation(
          summary.resourceType as ResourceType,
          summary.resourceId,
          `configuration item unavailable: ${fetched.error.message}`,
          summary.configurationItemCaptureTime,
        );
        return evaluated(event, await send(deps, event.resultToken, [evaluation]));
      }
      return evaluateItem(event, fetched.item, deps);
    }
    case 'ScheduledNotification':
      return evaluateAccount(event, deps);
  }
}

/**
 * An event that did not parse still gets an answer for the resource it names:
 * INSUFFICIENT_DATA with the reason (or NOT_APPLICABLE when it left scope, was
 * deleted, or is not a database), so the dashboard never keeps a stale verdict.
 * A periodic run (rule parameters invalid) answers every database it finds.
 * Only an event that names no resource is rejected with nothing sent.
 */
async function answerMalformedEvent(
  rawEvent: unknown,
  { error, envelope, invokingEvent }: Extract<ConfigEventParseResult, { ok: false }>,
  deps: ConfigRuleDeps,
): Promise<ConfigRuleOutcome> {
  const rejected = { status: 'rejected' as const, code: error.code, message: error.message };
  if (envelope && invokingEvent?.messageType === 'ScheduledNotification') {
    const inventory = await collectInventory({
      regions: [deps.region],
      accountId: envelope.accountId,
      clientFor: deps.rdsClientFor,
    });
    const evaluations = withoutVerdictEvaluations(
      inventory.items.map((item) => item.resource),
      error,
      invokingEvent.notificationCreationTime,
    );
    deps.log.error('config event malformed: databases answered without a verdict', {
      code: error.code,
      reason: error.message,
      databases: evaluations.length,
    });
    if (evaluations.length === 0) return rejected;
    return { ...rejected, put: await send(deps, envelope.resultToken, evaluations) };
  }
  const resource = identifyResource(rawEvent);
  if (!resource) {
    deps.log.error('config event rejected: no resource identified', {
      code: error.code,
      reason: error.message,
    });
    return rejected;
  }
  deps.log.error('config event malformed: resource answered without a verdict', {
    code: error.code,
    reason: error.message,
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
  });
  const evaluation = unreadableEventEvaluation(resource, error, (deps.now ?? (() => new Date()))());
  return { ...rejected, put: await send(deps, resource.resultToken, [evaluation]) };
}

async function evaluateItem(
  event: ParsedConfigEvent,
  item: ConfigurationItem,
  deps: ConfigRuleDeps,
): Promise<ConfigRuleOutcome> {
  const applicability = assessApplicability(event, item);
  if (!applicability.applicable) {
    return reportNotApplicable(event, item, applicability.annotation, deps);
  }
  const orderingTimestamp = orderingTimestampOf(event);
  const mapped = resourceFromConfigurationItem(item);
  if (!mapped.ok) {
    deps.log.warn('configuration item unusable', { code: mapped.error.code });
    const evaluation = insufficientDataEvaluation(
      item.resourceType as ResourceType,
      item.resourceId,
      mapped.error.message,
      orderingTimestamp,
    );
    return evaluated(event, await send(deps, event.resultToken, [evaluation]));
  }
  const inventory = async (): Promise<Inventory> => {
    // A database behind a plaintext proxy is not TLS-only for its clients: look for proxies too.
    const linked = await withFrontingProxies([mapped.resource], deps.rdsClientFor);
    const enriched = await enrichResources(linked.resources, {
      clientFor: deps.rdsClientFor,
      ...(deps.ec2ClientFor ? { ec2ClientFor: deps.ec2ClientFor } : {}),
    });
    return { ...enriched, problems: [...linked.problems, ...enriched.problems] };
  };
  const result = await scanHere(inventory, 1, event, orderingTimestamp, deps);
  const evaluations = configEvaluations(result.evaluations);
  return evaluated(event, await send(deps, event.resultToken, evaluations), result);
}

async function evaluateAccount(
  event: ParsedConfigEvent,
  deps: ConfigRuleDeps,
): Promise<ConfigRuleOutcome> {
  const orderingTimestamp = orderingTimestampOf(event);
  const inventory = await collectInventory({
    regions: [deps.region],
    accountId: event.accountId,
    clientFor: deps.rdsClientFor,
    // Read here, once: the settings travel to the probe workers in the messages.
    ...(deps.ec2ClientFor ? { ec2ClientFor: deps.ec2ClientFor } : {}),
  });
  const currentIds = new Set(inventory.items.map((item) => item.resource.resourceId));
  const withdrawn = await withdrawStale(event, inventory, currentIds, orderingTimestamp, deps);

  if (deps.fanOut && inventory.items.length > 0) {
    const queued = await deps.fanOut({
      inventory,
      ruleParameters: event.ruleParameters,
      resultToken: event.resultToken,
      testMode: isTestModeToken(event.resultToken),
      configRuleName: event.configRuleName,
      orderingTimestamp,
    });
    const notSentIds = new Set((queued.notSent ?? []).map((resource) => resource.resourceId));
    let evaluations = withdrawn;
    let result: ScanResult | undefined;
    if (notSentIds.size > 0) {
      deps.log.warn('databases not queued: evaluated here', { databases: notSentIds.size });
      const items = inventory.items.filter((item) => notSentIds.has(item.resource.resourceId));
      result = await scanHere(
        async () => ({ ...inventory, items }),
        items.length + withdrawn.length,
        event,
        orderingTimestamp,
        deps,
      );
      evaluations = [...configEvaluations(result.evaluations), ...withdrawn];
    }
    const put =
      evaluations.length > 0 ? await send(deps, event.resultToken, evaluations) : undefined;
    return {
      status: 'fanned-out',
      batches: queued.batches,
      databases: queued.databases,
      ...(put ? { put } : {}),
      ...(result ? { scan: result } : {}),
    };
  }

  const result = await scanHere(
    async () => inventory,
    inventory.items.length + withdrawn.length,
    event,
    orderingTimestamp,
    deps,
  );
  const evaluations = [...configEvaluations(result.evaluations), ...withdrawn];
  return evaluated(event, await send(deps, event.resultToken, evaluations), result);
}

/** Scans in this invocation, keeping back the time to report `reported` evaluations. */
async function scanHere(
  inventory: () => Promise<Inventory>,
  reported: number,
  event: ParsedConfigEvent,
  orderingTimestamp: Date,
  deps: ConfigRuleDeps,
): Promise<ScanResult> {
  const result = await withinTimeBudget(deps.remainingTime, reportReserveMs(reported), (signal) =>
    scan({
      inventory,
      ruleParameters: event.ruleParameters,
      ...(deps.prober ? { prober: deps.prober } : {}),
      ...(deps.prober && deps.reachability ? { reachability: deps.reachability } : {}),
      orderingTimestamp,
      ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
      ...(deps.now ? { now: deps.now } : {}),
      ...(signal ? { signal } : {}),
    }),
  );
  logProblems(result, deps.log);
  return result;
}

/**
 * Withdraws results for databases that are gone. Only from a complete
 * inventory: a region or page that could not be read would otherwise make
 * live databases look deleted.
 */
async function withdrawStale(
  event: ParsedConfigEvent,
  inventory: Inventory,
  currentIds: Set<string>,
  orderingTimestamp: Date,
  deps: ConfigRuleDeps,
): Promise<Evaluation[]> {
  // Listing problems are scoped to a region; a group, engine-default or
  // certificate read failing leaves the list of databases whole.
  const listingIncomplete = inventory.problems.some((problem) =>
    problem.scope.startsWith('region:'),
  );
  if (listingIncomplete) {
    deps.log.warn('inventory incomplete: stale results kept', {
      problems: inventory.problems.length,
    });
    return [];
  }
  const stale = await staleEvaluations(
    deps.config,
    event.configRuleName,
    currentIds,
    orderingTimestamp,
  );
  if (!stale.ok) deps.log.warn('stale result lookup failed', { code: stale.error.code });
  return stale.evaluations;
}

async function reportNotApplicable(
  event: ParsedConfigEvent,
  item: Pick<ConfigurationItem, 'resourceType' | 'resourceId'>,
  annotation: string,
  deps: ConfigRuleDeps,
): Promise<ConfigRuleOutcome> {
  if (!isRuleResourceType(item.resourceType)) {
    deps.log.warn('resource type outside the rule', { resourceType: item.resourceType });
  }
  const evaluation = notApplicableEvaluation(
    item.resourceType as ResourceType,
    item.resourceId,
    annotation,
    orderingTimestampOf(event),
  );
  return evaluated(event, await send(deps, event.resultToken, [evaluation]));
}

async function send(
  deps: ConfigRuleDeps,
  resultToken: string,
  evaluations: Evaluation[],
): Promise<PutEvaluationsSummary> {
  const summary = await putEvaluations(deps.config, evaluations, {
    resultToken,
    testMode: isTestModeToken(resultToken),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.remainingTime ? { remainingTime: deps.remainingTime } : {}),
  });
  if (summary.failed.length > 0 || summary.errors.length > 0) {
    deps.log.error('evaluations not accepted', {
      failed: summary.failed.map((evaluation) => evaluation.ComplianceResourceId),
      errors: summary.errors,
    });
  }
  return summary;
}

function evaluated(
  event: ParsedConfigEvent,
  put: PutEvaluationsSummary,
  result?: ScanResult,
): ConfigRuleOutcome {
  return {
    status: 'evaluated',
    messageType: event.invokingEvent.messageType,
    put,
    ...(result ? { scan: result } : {}),
  };
}

function logProblems(result: ScanResult, log: Log): void {
  for (const problem of result.problems) {
    log.warn('scan problem', { scope: problem.scope, code: problem.code, reason: problem.message });
  }
}

/**
 * The one pipeline every entry point runs:
 * inventory → static rules → live probe → verdict.
 * Entry points differ only in where the inventory comes from and where the
 * result goes (Config, a report, metrics).
 */
import pLimit from 'p-limit';
import { childSignal, untilAborted } from './deadline.js';
import { describeError } from './errors.js';
import type { Inventory, InventoryItem, LiveProber, ReachabilityCheck } from './pipeline.js';
import {
  certificateFindings,
  classifyEngine,
  evaluateStatic,
  probeProtocol,
  provenEndpointEvidence,
} from './rules/index.js';
import { clampAnnotation } from './text.js';
import type {
  Finding,
  LiveFinding,
  ResourceEvaluation,
  RuleParameters,
  ScanProblem,
  ScanResult,
} from './types.js';
import { combineFindings } from './verdict.js';

export interface ScanProgress {
  done: number;
  total: number;
  /** The database that just started or finished. */
  identifier: string;
  /** Databases being evaluated right now, in the order they started. */
  inFlight: readonly string[];
}

export interface ScanOptions {
  /** Where the databases come from: the RDS API, a Config item, a snapshot. */
  inventory: () => Promise<Inventory>;
  ruleParameters: RuleParameters;
  /** Absent, or ruleParameters.liveProbe false: configuration only. */
  prober?: LiveProber;
  /**
   * Live evidence for Oracle's plaintext listener: a TCP connect from where
   * the scan runs. Give it where the prober runs (inside the VPC); it is
   * skipped when ruleParameters.liveProbe is false.
   */
  reachability?: ReachabilityCheck;
  /** Databases evaluated at once (probes are the slow part). Default 8. */
  concurrency?: number;
  /** The clock, for certificate expiry and timestamps. */
  now?: () => Date;
  /** OrderingTimestamp for every evaluation (Config: the notification or capture time). */
  orderingTimestamp?: Date;
  onProgress?: (progress: ScanProgress) => void;
  /**
   * The scan's deadline (lib/lambda/time-budget.ts): once it aborts, no
   * database starts, each still being evaluated is abandoned (its probe's
   * connections closed), and every database not finished is
   * INSUFFICIENT_DATA NOT_JUDGED_IN_TIME. Those that finished keep their verdict.
   */
  signal?: AbortSignal;
}

/** The reason of a database the scan's deadline cut off. */
export const NOT_JUDGED_IN_TIME = 'NOT_JUDGED_IN_TIME';

/** The reason of a database whose evaluation threw: a defect, never a verdict. */
export const EVALUATION_FAILED = 'EVALUATION_FAILED';

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const problems: ScanProblem[] = [];

  let inventory: Inventory;
  try {
    inventory = await options.inventory();
  } catch (error) {
    problems.push({
      scope: 'inventory',
      code: 'INVENTORY_FAILED',
      message: describeError(error),
    });
    inventory = { items: [], problems: [], regions: [] };
  }
  problems.push(...inventory.problems);

  const limit = pLimit(Math.max(1, options.concurrency ?? 8));
  const orderingTimestamp = options.orderingTimestamp ?? startedAt;
  const total = inventory.items.length;
  let done = 0;
  // Items, not identifiers: the same identifier may exist in two regions.
  const inFlight = new Set<InventoryItem>();
  const report = (identifier: string) =>
    options.onProgress?.({
      done,
      total,
      identifier,
      inFlight: [...inFlight].map((entry) => entry.resource.identifier),
    });
  const evaluations = await Promise.all(
    inventory.items.map((item) =>
      limit(async () => {
        if (options.signal?.aborted) return notJudgedInTime(item, orderingTimestamp);
        inFlight.add(item);
        report(item.resource.identifier);
        // Its own signal: the probe's connections hang on it, not on the scan's.
        const { signal, release } = childSignal(options.signal);
        try {
          return await untilAborted(
            evaluateItem(item, { ...options, ...(signal ? { signal } : {}) }, now, startedAt),
            signal,
            () => notJudgedInTime(item, orderingTimestamp),
          );
        } finally {
          release();
          inFlight.delete(item);
          done += 1;
          report(item.resource.identifier);
        }
      }),
    ),
  );

  const cutOff = evaluations.filter((e) => e.finding.reason === NOT_JUDGED_IN_TIME).length;
  if (cutOff > 0) {
    problems.push({
      scope: 'scan',
      code: 'DEADLINE_REACHED',
      message: `${cutOff} of ${total} database(s) not judged before the function's time ran out`,
    });
  }

  return {
    startedAt,
    finishedAt: now(),
    regions: inventory.regions,
    ruleParameters: options.ruleParameters,
    evaluations,
    problems,
  };
}

/** Evaluates one database; whatever goes wrong here stays with this database. */
export async function evaluateItem(
  item: InventoryItem,
  options: Pick<
    ScanOptions,
    'ruleParameters' | 'prober' | 'reachability' | 'orderingTimestamp' | 'signal'
  >,
  now: () => Date,
  startedAt: Date,
): Promise<ResourceEvaluation> {
  const { ruleParameters } = options;
  const orderingTimestamp = options.orderingTimestamp ?? startedAt;
  const plaintextListener = await checkPlaintextListener(item, options);
  const ruleInput = {
    ...item,
    ...(plaintextListener ? { plaintextListener } : {}),
    ruleParameters,
    now: now(),
  };
  let staticFinding: Finding;
  let certificates: Finding[] = [];
  try {
    staticFinding = evaluateStatic(ruleInput);
    certificates = certificateFindings(ruleInput);
  } catch (error) {
    staticFinding = internalError('static rules', error);
  }

  const probeApplies = probeProtocol(item.resource.engine) !== undefined;
  let liveFinding: LiveFinding | undefined;
  const { prober } = options;
  if (
    prober &&
    ruleParameters.liveProbe &&
    probeApplies &&
    staticFinding.verdict !== 'NOT_APPLICABLE'
  ) {
    const started = Date.now();
    try {
      // Loaded on first use, like the rest of the probe stack.
      liveFinding = item.resource.proxy
        ? await import('./probe/proxy-endpoints.js').then(({ probeProxyEndpoints }) =>
            probeProxyEndpoints(item, prober, ruleParameters, options.signal),
          )
        : await prober.probe(item, ruleParameters, options.signal);
    } catch (error) {
      liveFinding = { ...internalError('live probe', error), durationMs: Date.now() - started };
    }
    const proven = provenEndpointEvidence(item.resource);
    if (liveFinding && proven.length > 0) {
      liveFinding = { ...liveFinding, evidence: [...proven, ...liveFinding.evidence] };
    }
  }

  const finding = combineFindings({
    staticFinding,
    liveFinding,
    certificateFindings: certificates,
    probeApplies,
    ruleParameters,
  });
  return {
    resource: item.resource,
    staticFinding,
    ...(liveFinding ? { liveFinding } : {}),
    finding,
    orderingTimestamp,
  };
}

/**
 * Oracle only: its plaintext listener is the endpoint port, and no driver
 * here speaks its protocol, so a bare TCP connect is the live evidence.
 */
async function checkPlaintextListener(
  item: InventoryItem,
  options: Pick<ScanOptions, 'ruleParameters' | 'reachability' | 'signal'>,
) {
  const endpoint = item.resource.endpoint;
  if (
    !options.reachability ||
    !options.ruleParameters.liveProbe ||
    !endpoint ||
    classifyEngine(item.resource.engine) !== 'oracle'
  ) {
    return undefined;
  }
  try {
    const target = { host: endpoint.address, port: endpoint.port };
    return await (options.signal
      ? options.reachability(target, options.signal)
      : options.reachability(target));
  } catch {
    return undefined;
  }
}

/**
 * A database the scan's deadline cut off: nothing is known, so nothing is
 * claimed. Config hears `INSUFFICIENT_DATA: not judged before the function's
 * time ran out` instead of nothing, which would leave its last verdict.
 */
function notJudgedInTime(item: InventoryItem, orderingTimestamp: Date): ResourceEvaluation {
  const finding: Finding = {
    verdict: 'INSUFFICIENT_DATA',
    reason: NOT_JUDGED_IN_TIME,
    annotation: "not judged before the function's time ran out",
    remediation:
      'Nothing to change on the database: a retry of its batch or the next run judges it. If it recurs, look for a probe or secret read that hangs, or raise the function timeout.',
    evidence: [],
  };
  return { resource: item.resource, staticFinding: finding, finding, orderingTimestamp };
}

function internalError(stage: string, error: unknown): Finding {
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason: EVALUATION_FAILED,
    annotation: clampAnnotation(`${stage} failed: ${describeError(error)}`),
    remediation: 'This is a defect in rds-tls-guard; the log has the details.',
    evidence: [],
  };
}

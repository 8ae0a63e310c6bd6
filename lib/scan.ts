/**
 * The one pipeline every entry point runs:
 * inventory → static rules → live probe → verdict.
 * Entry points differ only in where the inventory comes from and where the
 * result goes (Config, a report, metrics).
 */
import pLimit from 'p-limit';
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
}

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
        inFlight.add(item);
        report(item.resource.identifier);
        try {
          return await evaluateItem(item, options, now, startedAt);
        } finally {
          inFlight.delete(item);
          done += 1;
          report(item.resource.identifier);
        }
      }),
    ),
  );

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
  options: Pick<ScanOptions, 'ruleParameters' | 'prober' | 'reachability' | 'orderingTimestamp'>,
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
            probeProxyEndpoints(item, prober, ruleParameters),
          )
        : await prober.probe(item, ruleParameters);
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
  options: Pick<ScanOptions, 'ruleParameters' | 'reachability'>,
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
    return await options.reachability({ host: endpoint.address, port: endpoint.port });
  } catch {
    return undefined;
  }
}

function internalError(stage: string, error: unknown): Finding {
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'EVALUATION_FAILED',
    annotation: clampAnnotation(`${stage} failed: ${describeError(error)}`),
    remediation: 'This is a defect in rds-tls-guard; the log has the details.',
    evidence: [],
  };
}

/**
 * AWS clients and live probers per account: the deployment account with the
 * function's own role, member accounts through their assumed role. One scan
 * can then cover several accounts with a single inventory and a single
 * prober that picks the right account for each database.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { oncePerKey } from '../aws/once-per-key.js';
import { collectInventory, type InventoryFilters } from '../inventory/index.js';
import type { Inventory, InventoryItem, LiveProber, ReachabilityCheck } from '../pipeline.js';
import type { RuleParameters } from '../types.js';
import { collectTargets, credentialsConfigFor, type ScanTarget } from './index.js';

/** Adaptive retries: a large account's burst of Describe calls slows down instead of failing. */
const RDS_MAX_ATTEMPTS = 8;

export interface AccountToolkitOptions {
  /** Fall back to IAM database authentication when a database has no secret. */
  useIamAuth?: boolean;
  /** Region of the STS endpoint used to assume member roles. */
  stsRegion?: string;
}

export interface AccountToolkit {
  rdsClientFor(target: ScanTarget): (region: string) => RDSClient;
  /** EC2 clients for the databases' security groups, in the target's account. */
  ec2ClientFor(target: ScanTarget): (region: string) => Promise<EC2Client>;
  proberFor(target: ScanTarget): LiveProber;
  /** The live TCP connect to Oracle's plaintext listener, from where this function runs. */
  reachability: ReachabilityCheck;
}

function targetKey(target: ScanTarget): string {
  return target.roleArn ?? 'own';
}

export function createAccountToolkit(options: AccountToolkitOptions = {}): AccountToolkit {
  const credentialsOptions = options.stsRegion ? { region: options.stsRegion } : {};
  const accountAndRegion = (target: ScanTarget, region: string) => `${targetKey(target)}|${region}`;
  const clientConfig = (target: ScanTarget, region: string) => ({
    region,
    retryMode: 'adaptive',
    maxAttempts: RDS_MAX_ATTEMPTS,
    ...credentialsConfigFor(target, credentialsOptions),
  });

  const rdsClient = oncePerKey(
    accountAndRegion,
    (target, region) => new RDSClient(clientConfig(target, region)),
  );
  // The SDK's EC2 client loads on the first security-group read, not at init.
  const ec2Client = oncePerKey(accountAndRegion, (target, region) =>
    import('../aws/ec2.js').then(({ EC2Client }) => new EC2Client(clientConfig(target, region))),
  );
  const rdsClientFor = (target: ScanTarget) => (region: string) => rdsClient(target, region);
  const ec2ClientFor = (target: ScanTarget) => (region: string) => ec2Client(target, region);

  const proberFor = oncePerKey(targetKey, (target): LiveProber => {
    const { credentials } = credentialsConfigFor(target, credentialsOptions);
    // The probe stack (Secrets Manager, the signer, the CA bundle, TLS) loads on the first probe.
    let loaded: Promise<LiveProber> | undefined;
    return {
      async probe(item, ruleParameters, signal) {
        loaded ??= import('./account-prober.js').then(({ createAccountProber }) =>
          createAccountProber({
            ...(credentials ? { credentials } : {}),
            ...(options.useIamAuth ? { useIamAuth: true } : {}),
          }),
        );
        return (await loaded).probe(item, ruleParameters, signal);
      },
    };
  });

  // Live-only, like the prober: loaded on the first check.
  const reachability: ReachabilityCheck = (target, signal) =>
    import('../probe/reachability.js').then(({ checkTcpListener }) =>
      checkTcpListener(target, undefined, signal),
    );

  return { rdsClientFor, ec2ClientFor, proberFor, reachability };
}

/**
 * Lists and reads every target's databases in the given regions, as one
 * inventory. A target that cannot be read at all becomes a problem; the
 * others are still returned.
 */
export function collectAccountsInventory(options: {
  toolkit: AccountToolkit;
  targets: readonly ScanTarget[];
  regions: readonly string[];
  filters?: InventoryFilters;
}): Promise<Inventory> {
  return collectTargets(options.targets, (target) =>
    collectInventory({
      regions: [...options.regions],
      ...(target.accountId ? { accountId: target.accountId } : {}),
      clientFor: options.toolkit.rdsClientFor(target),
      ec2ClientFor: options.toolkit.ec2ClientFor(target),
      ...(options.filters ? { filters: options.filters } : {}),
    }),
  );
}

/** A prober that probes each database with its own account's credentials. */
export function accountsProber(
  toolkit: AccountToolkit,
  targets: readonly ScanTarget[],
): LiveProber {
  const own = targets.find((target) => !target.roleArn) ?? {};
  const byAccount = new Map(
    targets.filter((target) => target.accountId).map((target) => [target.accountId, target]),
  );
  return {
    probe(item: InventoryItem, ruleParameters: RuleParameters, signal?: AbortSignal) {
      const target = (item.resource.accountId && byAccount.get(item.resource.accountId)) || own;
      return toolkit.proberFor(target).probe(item, ruleParameters, signal);
    },
  };
}

/**
 * The contracts between pipeline stages: what an inventory source yields,
 * what a credential resolver and a live prober promise. Implementations live
 * in lib/inventory, lib/secrets and lib/probe; lib/scan.ts joins them.
 */

import type { SecretValue } from './secret-value.js';
import type { CredentialFailureReason } from './secrets/secret-document.js';
import type {
  DatabaseResource,
  ListenerReachability,
  LiveFinding,
  RuleParameters,
  ScanProblem,
  StaticRuleInput,
} from './types.js';

/** One database with everything read about it, before rules run. */
export type InventoryItem = Omit<StaticRuleInput, 'ruleParameters' | 'now'>;

export interface Inventory {
  items: InventoryItem[];
  /** Regions, groups or pages that could not be read, with why. */
  problems: ScanProblem[];
  regions: string[];
}

/** Credentials for one probe. The password is wrapped so it never prints. */
export interface DatabaseCredentials {
  username: string;
  password: SecretValue;
  /** Database name to connect to, when the secret names one. */
  database?: string;
  /** Where the credentials came from, for evidence: `MasterUserSecret`, `tag`, `rule-parameter`, `iam`. */
  origin: string;
  /** A secret ARN or `iam:<user>`; never a value. */
  reference: string;
  /** What the evidence should add about these credentials (e.g. a host that could not be checked); never a value. */
  note?: string;
}

export type CredentialOutcome =
  | { kind: 'resolved'; credentials: DatabaseCredentials }
  | {
      kind: 'unavailable';
      reason: CredentialFailureReason;
      /** Safe to log: names the secret reference, never its value. */
      message: string;
    };

export interface CredentialResolver {
  resolve(resource: DatabaseResource, ruleParameters: RuleParameters): Promise<CredentialOutcome>;
}

/** Proves a database's TLS behaviour over the network. */
export interface LiveProber {
  /**
   * Returns undefined when the engine has no live probe (SQL Server, Oracle,
   * …). When `signal` aborts, the probe's connections are closed and its
   * finding no longer matters: the scan has moved on without it.
   */
  probe(
    item: InventoryItem,
    ruleParameters: RuleParameters,
    signal?: AbortSignal,
  ): Promise<LiveFinding | undefined>;
}

/**
 * Whether a listener accepts TCP connections from where the scan runs (one
 * connect, no bytes sent). Never throws. `signal` aborting closes the socket.
 */
export type ReachabilityCheck = (
  target: {
    host: string;
    port: number;
  },
  signal?: AbortSignal,
) => Promise<ListenerReachability>;

/** A scheduled Config run's databases handed to probe workers, with the result token they report under. */
export interface FanOutRequest {
  inventory: Inventory;
  ruleParameters: RuleParameters;
  resultToken: string;
  testMode: boolean;
  configRuleName: string;
  orderingTimestamp: Date;
}

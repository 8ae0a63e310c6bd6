/**
 * The live proof for an RDS Proxy: the same proof as for a database
 * (plaintext refused, verify-full TLS accepted, legacy TLS refused), run
 * through each of the proxy's endpoints, default and custom, read/write and
 * read-only, with the proxy's own credentials path. It goes through the
 * prober's public entry point with the endpoint in place of the database's;
 * a client can use any endpoint, so the worst endpoint decides.
 */
import type { InventoryItem, LiveProber } from '../pipeline.js';
import { requireTlsCommand } from '../rules/proxy.js';
import { clampAnnotation } from '../text.js';
import type { Evidence, LiveFinding, ProxyEndpoint, RuleParameters, Verdict } from '../types.js';

const SEVERITY: Record<Verdict, number> = {
  NOT_APPLICABLE: 0,
  COMPLIANT: 1,
  INSUFFICIENT_DATA: 2,
  NON_COMPLIANT: 3,
};

interface EndpointResult {
  endpoint: ProxyEndpoint;
  finding: LiveFinding;
}

function endpointLabel(endpoint: ProxyEndpoint): string {
  return `${endpoint.name} (${endpoint.isDefault ? 'default, ' : ''}${endpoint.role})`;
}

/** Probes every endpoint of a proxy item; undefined when the prober has no probe for its protocol. */
export async function probeProxyEndpoints(
  item: InventoryItem,
  prober: LiveProber,
  ruleParameters: RuleParameters,
  signal?: AbortSignal,
): Promise<LiveFinding | undefined> {
  const { resource } = item;
  const endpoints = resource.proxy?.endpoints ?? [];
  if (endpoints.length === 0) {
    return {
      verdict: 'INSUFFICIENT_DATA',
      reason: 'NO_ENDPOINT',
      annotation: clampAnnotation(`proxy ${resource.identifier} lists no endpoint to probe`),
      remediation: 'Check the proxy with aws rds describe-db-proxy-endpoints, then rescan.',
      evidence: [],
      durationMs: 0,
    };
  }

  const results: EndpointResult[] = [];
  // One endpoint at a time: they share the proxy's connection limit and credentials.
  for (const endpoint of endpoints) {
    const finding = await prober.probe(
      {
        ...item,
        resource: { ...resource, endpoint: { address: endpoint.address, port: endpoint.port } },
      },
      ruleParameters,
      signal,
    );
    if (!finding) return undefined;
    results.push({ endpoint, finding });
  }

  const evidence: Evidence[] = results.flatMap(({ endpoint, finding }) => [
    {
      source: 'probe' as const,
      label: `proxy endpoint ${endpointLabel(endpoint)}`,
      value: `${finding.verdict} ${finding.reason}`,
    },
    ...finding.evidence.map((entry) => ({
      ...entry,
      label: `${endpoint.name}: ${entry.label}`,
    })),
  ]);
  const durationMs = results.reduce((sum, { finding }) => sum + finding.durationMs, 0);
  const worst = results.reduce((current, next) =>
    SEVERITY[next.finding.verdict] > SEVERITY[current.finding.verdict] ? next : current,
  );
  const proven = results.filter(({ finding }) => finding.verdict === 'COMPLIANT').length;

  if (worst.finding.verdict === 'COMPLIANT') {
    return {
      ...worst.finding,
      annotation: clampAnnotation(
        `all ${results.length} proxy endpoint(s) proven (${results.map(({ endpoint }) => endpoint.name).join(', ')}): ${worst.finding.annotation}`,
      ),
      evidence,
      durationMs,
    };
  }
  // A proxy that lets plaintext in is fixed on the proxy, not in a parameter group.
  const remediation =
    worst.finding.reason === 'PLAINTEXT_ACCEPTED'
      ? `Require TLS on proxy ${resource.identifier} (clients must then connect with TLS): ${requireTlsCommand(resource.identifier)}`
      : worst.finding.remediation;
  return {
    ...worst.finding,
    annotation: clampAnnotation(
      `proxy endpoint ${endpointLabel(worst.endpoint)}: ${worst.finding.annotation} (${proven} of ${results.length} endpoint(s) proven)`,
    ),
    remediation,
    evidence,
    durationMs,
  };
}

/**
 * RDS Proxy rules. A proxy is a door to its databases that their parameter
 * groups know nothing about: with RequireTLS false, clients reach the
 * database in plaintext through the proxy while the proxy talks TLS to the
 * database. So:
 * - the proxy itself is NON_COMPLIANT when RequireTLS is false;
 * - every database such a proxy connects to is NON_COMPLIANT too, whatever
 *   its own parameter group and live proof say: it is not "TLS only" for its
 *   clients. That finding stands like a certificate finding does, because a
 *   probe of the database's own endpoint cannot speak to the proxy's door.
 */
import { shellWord } from '../text.js';
import type { DatabaseResource, Evidence, FrontingProxy, StaticRuleInput } from '../types.js';
import { type CheckResult, passed } from './check.js';

export function requireTlsCommand(proxyName: string): string {
  return `aws rds modify-db-proxy --db-proxy-name ${shellWord(proxyName, '<proxy>')} --require-tls`;
}

function endpointEvidence(resource: DatabaseResource): Evidence[] {
  return (resource.proxy?.endpoints ?? []).map((endpoint) => ({
    source: 'rds-api',
    label: `proxy endpoint ${endpoint.name}${endpoint.isDefault ? ' (default)' : ''}`,
    value: `${endpoint.address}:${endpoint.port} ${endpoint.role}`,
  }));
}

/** The static checks of one proxy: its RequireTLS flag. */
export function evaluateProxy(input: StaticRuleInput): CheckResult[] {
  const { resource } = input;
  const proxy = resource.proxy;
  const name = resource.identifier;
  const targets = (proxy?.targets ?? []).map((target) => target.identifier);
  const evidence: Evidence[] = [
    {
      source: 'rds-api',
      label: 'RequireTLS',
      value: `${proxy?.requireTls ?? 'not reported'} (proxy ${name})`,
    },
    ...endpointEvidence(resource),
    ...(targets.length > 0
      ? [{ source: 'rds-api' as const, label: 'proxy targets', value: targets.join(', ') }]
      : []),
  ];
  const checks: CheckResult[] = [];
  if (proxy?.requireTls === true) {
    checks.push(passed(`proxy ${name} RequireTLS=true`, evidence));
  } else if (proxy?.requireTls === false) {
    checks.push({
      verdict: 'NON_COMPLIANT',
      reason: 'PROXY_TLS_NOT_REQUIRED',
      summary: `proxy ${name} RequireTLS=false: clients may connect to it in plaintext`,
      remediation: `Require TLS on proxy ${name} (clients must then connect with TLS): ${requireTlsCommand(name)}`,
      evidence,
    });
  } else {
    checks.push({
      verdict: 'INSUFFICIENT_DATA',
      reason: 'PROXY_REQUIRE_TLS_UNKNOWN',
      summary: `proxy ${name}: RDS did not report RequireTLS`,
      remediation: `Check proxy ${name} with aws rds describe-db-proxies --db-proxy-name ${shellWord(name, '<proxy>')}, then rescan.`,
      evidence,
    });
  }
  if (input.gaps.length > 0) {
    checks.push(passed('', [{ source: 'rds-api', label: 'gaps', value: input.gaps.join('; ') }]));
  }
  return checks;
}

function fronting(resource: DatabaseResource): FrontingProxy[] {
  return resource.frontingProxies ?? [];
}

/**
 * The checks a database carries for the proxies in front of it. Empty when
 * no proxy connects to it.
 */
export function evaluateFrontingProxies(resource: DatabaseResource): CheckResult[] {
  const proxies = fronting(resource);
  if (proxies.length === 0) return [];
  const evidence: Evidence[] = proxies.map((proxy) => ({
    source: 'rds-api',
    label: `RDS Proxy ${proxy.name} RequireTLS`,
    value: `${proxy.requireTls ?? 'not reported'}`,
  }));
  const open = proxies.filter((proxy) => proxy.requireTls === false);
  if (open.length > 0) {
    const names = open.map((proxy) => proxy.name).join(', ');
    return [
      {
        verdict: 'NON_COMPLIANT',
        reason: 'PROXY_PLAINTEXT_PATH',
        summary: `reachable in plaintext through RDS Proxy ${names} (RequireTLS=false)`,
        remediation: open
          .map((proxy) => `Require TLS on proxy ${proxy.name}: ${requireTlsCommand(proxy.name)}`)
          .join('\n'),
        evidence,
      },
    ];
  }
  const unknown = proxies.filter((proxy) => proxy.requireTls === undefined);
  if (unknown.length > 0) {
    return [
      {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'PROXY_REQUIRE_TLS_UNKNOWN',
        summary: `RDS Proxy ${unknown.map((proxy) => proxy.name).join(', ')} in front: RequireTLS not reported`,
        remediation: 'Check the proxies with aws rds describe-db-proxies, then rescan.',
        evidence,
      },
    ];
  }
  return [passed('', evidence)];
}

/**
 * Which databases each RDS Proxy fronts: pure linking of listed proxies to
 * the instances and clusters their targets name, and the proxies a filtered
 * scan keeps. Reading the proxies is lib/inventory/proxies.ts.
 */
import type { InventoryItem } from '../pipeline.js';
import { clipServerText } from '../text.js';
import type { DatabaseResource, FrontingProxy, ProxyTarget } from '../types.js';

/** The databases a proxy target names: the instance, or the tracked cluster. */
function targetKeys(target: ProxyTarget): string[] {
  switch (target.type) {
    case 'TRACKED_CLUSTER':
      return [`cluster/${target.identifier}`];
    case 'RDS_INSTANCE':
      return [`instance/${target.identifier}`];
    default:
      return [];
  }
}

function resourceKey(resource: DatabaseResource): string | undefined {
  if (resource.resourceType === 'AWS::RDS::DBCluster') return `cluster/${resource.identifier}`;
  if (resource.resourceType === 'AWS::RDS::DBInstance') return `instance/${resource.identifier}`;
  return undefined;
}

/**
 * Pure: marks each database with the proxies that connect to it (same
 * account and region, by target identifier). Databases no proxy names are
 * returned unchanged.
 */
export function linkProxies(
  resources: readonly DatabaseResource[],
  proxies: readonly DatabaseResource[],
): DatabaseResource[] {
  const fronting = new Map<string, FrontingProxy[]>();
  for (const proxy of proxies) {
    if (!proxy.proxy) continue;
    // The message schema bounds these (lib/database-resource.ts); a real name is at most 63 characters.
    const link: FrontingProxy = {
      name: clipServerText(proxy.identifier),
      ...(proxy.arn ? { arn: clipServerText(proxy.arn) } : {}),
      ...(proxy.proxy.requireTls !== undefined ? { requireTls: proxy.proxy.requireTls } : {}),
    };
    for (const target of proxy.proxy.targets) {
      for (const key of targetKeys(target)) {
        const scoped = `${proxy.accountId ?? ''}/${proxy.region}/${key}`;
        const list = fronting.get(scoped) ?? [];
        if (!list.some((known) => known.name === link.name)) list.push(link);
        fronting.set(scoped, list);
      }
    }
  }
  return resources.map((resource) => {
    const key = resourceKey(resource);
    const links = key
      ? fronting.get(`${resource.accountId ?? ''}/${resource.region}/${key}`)
      : undefined;
    return links ? { ...resource, frontingProxies: links } : resource;
  });
}

/** A proxy stays in a filtered scan when it fronts a database the filters kept. */
export function proxiesFronting(
  proxies: readonly InventoryItem[],
  kept: readonly DatabaseResource[],
): InventoryItem[] {
  const names = new Set(
    kept.flatMap((resource) =>
      (resource.frontingProxies ?? []).map(
        (link) => `${resource.accountId ?? ''}/${resource.region}/${link.name}`,
      ),
    ),
  );
  return proxies.filter(({ resource }) =>
    names.has(
      `${resource.accountId ?? ''}/${resource.region}/${clipServerText(resource.identifier)}`,
    ),
  );
}

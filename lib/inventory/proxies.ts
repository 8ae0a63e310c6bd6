/**
 * RDS Proxies: the doors to a database that its parameter group knows
 * nothing about. Per region: DescribeDBProxies and DescribeDBProxyEndpoints
 * (every page, all proxies at once), then DescribeDBProxyTargets per proxy
 * (every page; a proxy has one target group, `default`, which is what the
 * call reads when no group is named).
 *
 * Only TLS-relevant fields are kept, and each list is bounded: a proxy has
 * at most 20 endpoints and a handful of auth entries in practice, so a
 * response beyond the bounds is cut and marked `truncated`, never held whole.
 *
 * A proxy's tags are not in DescribeDBProxies: they are read per proxy with
 * ListTagsForResource on its ARN, so the --tag filter, the secret tag and the
 * IAM user tag work for a proxy as for a database.
 *
 * A failed read is a problem for the region (proxies unlisted) or a gap on
 * the one proxy (targets or tags unread); it never drops a database.
 */
import {
  type DBProxy,
  type DBProxyEndpoint,
  type DBProxyTarget,
  DescribeDBProxiesCommand,
  DescribeDBProxyEndpointsCommand,
  DescribeDBProxyTargetsCommand,
  ListTagsForResourceCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { errorName } from '../errors.js';
import type { InventoryItem } from '../pipeline.js';
import { clipServerText } from '../text.js';
import {
  type DatabaseResource,
  MAX_PROXY_AUTH_ENTRIES,
  MAX_PROXY_ENDPOINTS,
  MAX_PROXY_TARGETS,
  type ProxyAuthEntry,
  type ProxyEndpoint,
  type ProxySettings,
  type ProxyTarget,
  type ScanProblem,
} from '../types.js';
import { regionProblem } from './errors.js';
import { accountIdFromArn, tagsFromTagList } from './mappers.js';
import { readAllPages } from './pagination.js';
import { linkProxies } from './proxy-links.js';

/** Proxies per region kept; the RDS quota is 20 by default. */
export const MAX_PROXIES_PER_REGION = 1_000;

const PAGE_SIZE = 100;

/**
 * Tags kept per proxy. AWS allows 50 user tags on a resource; a longer
 * answer is cut there and noted.
 */
export const MAX_PROXY_TAGS = 50;

/** RDS Proxy listens on the engine family's standard port; the API does not return one. */
const FAMILY_PORT: Record<string, number> = { POSTGRESQL: 5432, MYSQL: 3306, SQLSERVER: 1433 };

export interface ProxyListing {
  proxies: InventoryItem[];
  problems: ScanProblem[];
}

type Limited = <T>(read: () => Promise<T>) => Promise<T>;

function bounded<T>(items: readonly T[], max: number): { items: T[]; cut: boolean } {
  return { items: items.slice(0, max), cut: items.length > max };
}

/** `prx-…` from arn:aws:rds:region:account:db-proxy:prx-…; the name when the ARN is missing. */
export function proxyResourceId(proxy: Pick<DBProxy, 'DBProxyArn' | 'DBProxyName'>): string {
  const last = proxy.DBProxyArn?.split(':').at(-1);
  return last?.startsWith('prx-') ? last : `db-proxy:${proxy.DBProxyName ?? ''}`;
}

function endpointOf(endpoint: DBProxyEndpoint, port: number): ProxyEndpoint[] {
  const address = clipServerText(endpoint.Endpoint ?? '');
  if (!address || !endpoint.DBProxyEndpointName) return [];
  return [
    {
      name: clipServerText(endpoint.DBProxyEndpointName),
      address,
      port,
      role: clipServerText(endpoint.TargetRole ?? 'READ_WRITE'),
      isDefault: endpoint.IsDefault === true,
      ...(endpoint.Status ? { status: clipServerText(endpoint.Status) } : {}),
    },
  ];
}

function authEntryOf(entry: NonNullable<DBProxy['Auth']>[number]): ProxyAuthEntry {
  return {
    ...(entry.UserName ? { userName: clipServerText(entry.UserName) } : {}),
    ...(entry.AuthScheme ? { authScheme: clipServerText(entry.AuthScheme) } : {}),
    ...(entry.SecretArn ? { secretArn: clipServerText(entry.SecretArn) } : {}),
    ...(entry.IAMAuth ? { iamAuth: clipServerText(entry.IAMAuth) } : {}),
    ...(entry.ClientPasswordAuthType
      ? { clientPasswordAuthType: clipServerText(entry.ClientPasswordAuthType) }
      : {}),
  };
}

function targetOf(target: DBProxyTarget): ProxyTarget[] {
  if (!target.RdsResourceId || !target.Type) return [];
  return [
    {
      type: clipServerText(target.Type),
      identifier: clipServerText(target.RdsResourceId),
      ...(target.TrackedClusterId
        ? { trackedClusterId: clipServerText(target.TrackedClusterId) }
        : {}),
      ...(target.Role ? { role: clipServerText(target.Role) } : {}),
    },
  ];
}

/** Pure: one proxy with its endpoints and targets as the pipeline carries it. */
export function resourceFromProxy(
  proxy: DBProxy,
  endpoints: readonly DBProxyEndpoint[],
  targets: readonly DBProxyTarget[],
  region: string,
  accountId?: string,
  tags: Record<string, string> = {},
): DatabaseResource {
  const name = proxy.DBProxyName ?? '';
  const family = clipServerText(proxy.EngineFamily ?? 'UNKNOWN');
  const port = FAMILY_PORT[family] ?? 0;
  const listed = endpoints
    .filter((endpoint) => endpoint.DBProxyName === name)
    .flatMap((endpoint) => endpointOf(endpoint, port));
  // The default endpoint is on the proxy itself; DescribeDBProxyEndpoints may or may not list it.
  const defaultEndpoint: ProxyEndpoint[] =
    proxy.Endpoint && !listed.some((endpoint) => endpoint.isDefault)
      ? [
          {
            name: 'default',
            address: clipServerText(proxy.Endpoint),
            port,
            role: 'READ_WRITE',
            isDefault: true,
          },
        ]
      : [];
  const allEndpoints = bounded([...defaultEndpoint, ...listed], MAX_PROXY_ENDPOINTS);
  const auth = bounded((proxy.Auth ?? []).map(authEntryOf), MAX_PROXY_AUTH_ENTRIES);
  const allTargets = bounded(targets.flatMap(targetOf), MAX_PROXY_TARGETS);
  const settings: ProxySettings = {
    ...(proxy.RequireTLS !== undefined ? { requireTls: proxy.RequireTLS } : {}),
    engineFamily: family,
    ...(proxy.DefaultAuthScheme
      ? { defaultAuthScheme: clipServerText(proxy.DefaultAuthScheme) }
      : {}),
    endpoints: allEndpoints.items,
    auth: auth.items,
    targets: allTargets.items,
    ...(allEndpoints.cut || auth.cut || allTargets.cut ? { truncated: true } : {}),
  };
  const account = accountId ?? accountIdFromArn(proxy.DBProxyArn);
  const defaultAddress = settings.endpoints.find((endpoint) => endpoint.isDefault);
  return {
    resourceType: 'AWS::RDS::DBProxy',
    resourceId: proxyResourceId(proxy),
    identifier: name,
    ...(proxy.DBProxyArn ? { arn: proxy.DBProxyArn } : {}),
    ...(account ? { accountId: account } : {}),
    region,
    // The engine family stands in for the engine: it decides the wire protocol.
    engine: family,
    engineVersion: 'proxy',
    ...(proxy.Status ? { status: proxy.Status } : {}),
    ...(defaultAddress ? { endpoint: { address: defaultAddress.address, port } } : {}),
    optionGroups: [],
    iamDatabaseAuthenticationEnabled: (proxy.Auth ?? []).some(
      (entry) => entry.IAMAuth === 'REQUIRED',
    ),
    tags,
    proxy: settings,
  };
}

/** Every proxy in one region with its endpoints and targets. */
export async function listProxies(
  region: string,
  client: RDSClient,
  limited: Limited,
  accountId?: string,
): Promise<ProxyListing> {
  const problems: ScanProblem[] = [];
  const pagesOf = async <T>(
    operation: string,
    fetch: (marker: string | undefined) => Promise<{ items: T[] | undefined; marker?: string }>,
  ): Promise<T[] | undefined> => {
    try {
      const result = await readAllPages<T>(async (marker) => {
        const page = await limited(() => fetch(marker));
        return { items: page.items, marker: page.marker };
      });
      if (result.repeatedMarker !== undefined) {
        problems.push({
          scope: `region:${region}`,
          code: 'PAGINATION_LOOP',
          message: `${operation} in ${region} repeated a pagination marker after ${result.pages} pages; listing stopped`,
        });
      }
      return result.items;
    } catch (error) {
      problems.push(regionProblem(region, operation, error));
      return undefined;
    }
  };

  const [proxies, endpoints] = await Promise.all([
    pagesOf<DBProxy>('DescribeDBProxies', async (marker) => {
      const page = await client.send(
        new DescribeDBProxiesCommand({ MaxRecords: PAGE_SIZE, Marker: marker }),
      );
      return { items: page.DBProxies, marker: page.Marker };
    }),
    pagesOf<DBProxyEndpoint>('DescribeDBProxyEndpoints', async (marker) => {
      const page = await client.send(
        new DescribeDBProxyEndpointsCommand({ MaxRecords: PAGE_SIZE, Marker: marker }),
      );
      return { items: page.DBProxyEndpoints, marker: page.Marker };
    }),
  ]);
  if (!proxies) return { proxies: [], problems };

  const named = proxies.filter((proxy) => proxy.DBProxyName).slice(0, MAX_PROXIES_PER_REGION);
  const items = await Promise.all(
    named.map(async (proxy): Promise<InventoryItem> => {
      const gaps: string[] = [];
      const name = proxy.DBProxyName ?? '';
      let targets: DBProxyTarget[] = [];
      try {
        const result = await readAllPages<DBProxyTarget>(async (marker) => {
          const page = await limited(() =>
            client.send(
              new DescribeDBProxyTargetsCommand({
                DBProxyName: name,
                MaxRecords: PAGE_SIZE,
                Marker: marker,
              }),
            ),
          );
          return { items: page.Targets, marker: page.Marker };
        });
        targets = result.items.slice(0, MAX_PROXY_TARGETS + 1);
        if (result.repeatedMarker !== undefined) gaps.push('proxy targets: pagination loop');
      } catch (error) {
        gaps.push(`proxy targets unreadable: ${errorName(error)}`);
        // Unlinked, the databases behind it would look as if no proxy fronted them.
        problems.push({
          scope: `proxy:${region}:${name}`,
          code: 'PROXY_TARGETS_UNREADABLE',
          message: `DescribeDBProxyTargets for ${name} in ${region} failed: ${errorName(error)}; the databases behind it are not marked with it`,
        });
      }
      if (!endpoints) gaps.push('proxy endpoints unreadable: only the default endpoint is known');
      const tags = await readProxyTags(proxy, client, limited, gaps);
      return {
        resource: resourceFromProxy(proxy, endpoints ?? [], targets, region, accountId, tags),
        optionGroups: [],
        gaps,
      };
    }),
  );
  return { proxies: items, problems };
}

/**
 * A proxy's tags, at most MAX_PROXY_TAGS. An unreadable list is a gap on the
 * proxy (its tags are then unknown, so a tag filter or tag-named secret does
 * not apply to it), never a failed scan.
 */
async function readProxyTags(
  proxy: DBProxy,
  client: RDSClient,
  limited: Limited,
  gaps: string[],
): Promise<Record<string, string>> {
  if (!proxy.DBProxyArn) {
    gaps.push('proxy tags unreadable: the proxy has no ARN');
    return {};
  }
  const arn = proxy.DBProxyArn;
  try {
    const answer = await limited(() =>
      client.send(new ListTagsForResourceCommand({ ResourceName: arn })),
    );
    const list = answer.TagList ?? [];
    if (list.length > MAX_PROXY_TAGS) {
      gaps.push(`proxy tags: ${list.length} listed, the first ${MAX_PROXY_TAGS} kept`);
    }
    const kept = tagsFromTagList(list.slice(0, MAX_PROXY_TAGS));
    return Object.fromEntries(
      Object.entries(kept).map(([key, value]) => [clipServerText(key), clipServerText(value)]),
    );
  } catch (error) {
    gaps.push(`proxy tags unreadable: ${errorName(error)}`);
    return {};
  }
}

/**
 * For a scan that starts from databases alone (a Config change event): lists
 * the proxies of their regions and marks each database with those in front
 * of it. Proxies that cannot be listed become problems; the databases stay.
 */
export async function withFrontingProxies(
  resources: readonly DatabaseResource[],
  clientFor: (region: string) => RDSClient,
): Promise<{ resources: DatabaseResource[]; problems: ScanProblem[] }> {
  const regions = [...new Set(resources.map((resource) => resource.region))];
  const listings = await Promise.all(
    regions.map(async (region): Promise<ProxyListing> => {
      try {
        const accountId = resources.find((resource) => resource.region === region)?.accountId;
        return await listProxies(region, clientFor(region), (read) => read(), accountId);
      } catch (error) {
        return { proxies: [], problems: [regionProblem(region, 'DescribeDBProxies', error)] };
      }
    }),
  );
  return {
    resources: linkProxies(
      resources,
      listings.flatMap((listing) => listing.proxies.map((item) => item.resource)),
    ),
    problems: listings.flatMap((listing) => listing.problems),
  };
}

/** aws-sdk-client-mock wiring that answers RDS Describe calls from in-memory, SDK-shaped data. */
import {
  type Certificate,
  type DBCluster,
  type DBClusterEndpoint,
  type DBInstance,
  type DBProxy,
  type DBProxyEndpoint,
  type DBProxyTarget,
  DescribeCertificatesCommand,
  DescribeDBClusterEndpointsCommand,
  DescribeDBClusterParameterGroupsCommand,
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  DescribeDBProxiesCommand,
  DescribeDBProxyEndpointsCommand,
  DescribeDBProxyTargetsCommand,
  DescribeEngineDefaultClusterParametersCommand,
  DescribeEngineDefaultParametersCommand,
  DescribeOptionGroupsCommand,
  ListTagsForResourceCommand,
  type OptionGroup,
  type Parameter,
  RDSClient,
  type RDSClientResolvedConfig,
  RDSServiceException,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-rds';
import type { AwsStub } from 'aws-sdk-client-mock';

/** What a service error looks like once the SDK has parsed it. */
export function serviceError(name: string): RDSServiceException {
  return new RDSServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `${name} for the test`,
  });
}

export interface MockAccount {
  instances?: DBInstance[];
  clusters?: DBCluster[];
  /** group name → parameters; served in pages of pageSize with Marker `<group>#<n>`. */
  parameterGroups?: Record<string, { family: string; parameters: Parameter[] }>;
  clusterParameterGroups?: Record<string, { family: string; parameters: Parameter[] }>;
  engineDefaults?: Record<string, Parameter[]>;
  clusterEngineDefaults?: Record<string, Parameter[]>;
  optionGroups?: OptionGroup[];
  certificates?: Certificate[];
  /** RDS Proxies; an account without them answers empty lists, as RDS does. */
  proxies?: DBProxy[];
  proxyEndpoints?: DBProxyEndpoint[];
  /** proxy name → its targets. */
  proxyTargets?: Record<string, DBProxyTarget[]>;
  /** proxy ARN → its tags (ListTagsForResource); a proxy not named has none. */
  proxyTags?: Record<string, { Key: string; Value: string }[]>;
  /** Aurora endpoints as DescribeDBClusterEndpoints lists them (writer, reader and custom). */
  clusterEndpoints?: DBClusterEndpoint[];
  /** Page size for every listing. */
  pageSize?: number;
}

function page<T>(items: T[], marker: string | undefined, size: number, prefix: string) {
  const start = marker ? Number(marker.slice(prefix.length + 1)) : 0;
  const next = start + size < items.length ? `${prefix}#${start + size}` : undefined;
  return { items: items.slice(start, start + size), next };
}

/** Real RDS clients for mocking, one per call; `destroyAll` in afterEach releases them. */
export function rdsClients(): { client: (region?: string) => RDSClient; destroyAll: () => void } {
  const created: RDSClient[] = [];
  return {
    client: (region = 'eu-west-1') => {
      const client = new RDSClient({
        region,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      created.push(client);
      return client;
    },
    destroyAll: () => {
      for (const client of created.splice(0)) client.destroy();
    },
  };
}

type RdsStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, RDSClientResolvedConfig>;

export function serveAccount(rds: RdsStub, account: MockAccount): void {
  const size = account.pageSize ?? 100;
  rds.on(DescribeDBInstancesCommand).callsFake((input: { Marker?: string }) => {
    const { items, next } = page(account.instances ?? [], input.Marker, size, 'instances');
    return { DBInstances: items, Marker: next };
  });
  rds
    .on(DescribeDBClustersCommand)
    .callsFake((input: { Marker?: string; DBClusterIdentifier?: string }) => {
      const all = (account.clusters ?? []).filter(
        (c) => !input.DBClusterIdentifier || c.DBClusterIdentifier === input.DBClusterIdentifier,
      );
      if (input.DBClusterIdentifier && all.length === 0)
        throw serviceError('DBClusterNotFoundFault');
      const { items, next } = page(all, input.Marker, size, 'clusters');
      return { DBClusters: items, Marker: next };
    });
  const parameters =
    (groups: MockAccount['parameterGroups']) =>
    (input: {
      DBParameterGroupName?: string;
      DBClusterParameterGroupName?: string;
      Marker?: string;
    }) => {
      const name = input.DBParameterGroupName ?? input.DBClusterParameterGroupName ?? '';
      const group = groups?.[name];
      if (!group) throw serviceError('DBParameterGroupNotFoundFault');
      const { items, next } = page(group.parameters, input.Marker, size, name);
      return { Parameters: items, Marker: next };
    };
  rds.on(DescribeDBParametersCommand).callsFake(parameters(account.parameterGroups));
  rds.on(DescribeDBClusterParametersCommand).callsFake(parameters(account.clusterParameterGroups));
  rds.on(DescribeDBParameterGroupsCommand).callsFake((input: { DBParameterGroupName?: string }) => {
    const group = account.parameterGroups?.[input.DBParameterGroupName ?? ''];
    if (!group) throw serviceError('DBParameterGroupNotFoundFault');
    return {
      DBParameterGroups: [
        { DBParameterGroupName: input.DBParameterGroupName, DBParameterGroupFamily: group.family },
      ],
    };
  });
  rds
    .on(DescribeDBClusterParameterGroupsCommand)
    .callsFake((input: { DBClusterParameterGroupName?: string }) => {
      const group = account.clusterParameterGroups?.[input.DBClusterParameterGroupName ?? ''];
      if (!group) throw serviceError('DBParameterGroupNotFoundFault');
      return {
        DBClusterParameterGroups: [
          {
            DBClusterParameterGroupName: input.DBClusterParameterGroupName,
            DBParameterGroupFamily: group.family,
          },
        ],
      };
    });
  const defaults =
    (families: Record<string, Parameter[]> | undefined) =>
    (input: { DBParameterGroupFamily?: string; Marker?: string }) => {
      const family = input.DBParameterGroupFamily ?? '';
      const list = families?.[family];
      if (!list) throw serviceError('InvalidParameterValue');
      const { items, next } = page(list, input.Marker, size, family);
      return {
        EngineDefaults: { DBParameterGroupFamily: family, Parameters: items, Marker: next },
      };
    };
  rds.on(DescribeEngineDefaultParametersCommand).callsFake(defaults(account.engineDefaults));
  rds
    .on(DescribeEngineDefaultClusterParametersCommand)
    .callsFake(defaults(account.clusterEngineDefaults));
  rds.on(DescribeOptionGroupsCommand).callsFake((input: { OptionGroupName?: string }) => {
    const list = (account.optionGroups ?? []).filter(
      (g) => !input.OptionGroupName || g.OptionGroupName === input.OptionGroupName,
    );
    if (input.OptionGroupName && list.length === 0) throw serviceError('OptionGroupNotFoundFault');
    return { OptionGroupsList: list };
  });
  rds.on(DescribeCertificatesCommand).callsFake((input: { Marker?: string }) => {
    const { items, next } = page(account.certificates ?? [], input.Marker, size, 'certificates');
    return { Certificates: items, Marker: next };
  });
  rds
    .on(DescribeDBClusterEndpointsCommand)
    .callsFake((input: { Marker?: string; Filters?: { Name?: string; Values?: string[] }[] }) => {
      // RDS applies the db-cluster-endpoint-type filter server-side, on lowercase values.
      const types = input.Filters?.find((f) => f.Name === 'db-cluster-endpoint-type')?.Values;
      const all = (account.clusterEndpoints ?? []).filter(
        (e) => !types || types.includes((e.EndpointType ?? '').toLowerCase()),
      );
      const { items, next } = page(all, input.Marker, size, 'cluster-endpoints');
      return { DBClusterEndpoints: items, Marker: next };
    });
  rds.on(DescribeDBProxiesCommand).callsFake((input: { Marker?: string }) => {
    const { items, next } = page(account.proxies ?? [], input.Marker, size, 'proxies');
    return { DBProxies: items, Marker: next };
  });
  rds.on(DescribeDBProxyEndpointsCommand).callsFake((input: { Marker?: string }) => {
    const { items, next } = page(account.proxyEndpoints ?? [], input.Marker, size, 'endpoints');
    return { DBProxyEndpoints: items, Marker: next };
  });
  rds
    .on(DescribeDBProxyTargetsCommand)
    .callsFake((input: { DBProxyName?: string; Marker?: string }) => {
      const name = input.DBProxyName ?? '';
      if (!(account.proxies ?? []).some((proxy) => proxy.DBProxyName === name)) {
        throw serviceError('DBProxyNotFoundFault');
      }
      const { items, next } = page(account.proxyTargets?.[name] ?? [], input.Marker, size, name);
      return { Targets: items, Marker: next };
    });
  // ListTagsForResource answers {TagList: [...]} (RDS API Reference, ListTagsForResource).
  rds.on(ListTagsForResourceCommand).callsFake((input: { ResourceName?: string }) => {
    const arn = input.ResourceName ?? '';
    if (arn.includes(':db-proxy:') && !(account.proxies ?? []).some((p) => p.DBProxyArn === arn)) {
      throw serviceError('DBProxyNotFoundFault');
    }
    return { TagList: account.proxyTags?.[arn] ?? [] };
  });
}

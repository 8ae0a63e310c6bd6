/**
 * RDS inventory: what databases exist and the settings the rules read, from
 * the RDS API, an AWS Config configuration item, or a saved CLI snapshot.
 */

export { defaultGroupFamily, resolveParameter } from '../rules/parameter-precedence.js';
export {
  createEc2ClientFactory,
  createRdsClientFactory,
  DEFAULT_MAX_ATTEMPTS,
  type Ec2ClientFactoryOptions,
  type RdsClientFactoryOptions,
} from './clients.js';
export { type CollectOptions, collectInventory } from './collect.js';
export {
  type ConfigurationItemErrorCode,
  type ConfigurationItemResult,
  resourceFromConfigurationItem,
} from './configuration-item.js';
export {
  DEFAULT_CONCURRENCY,
  type EnrichOptions,
  enrichResources,
  type KnownCluster,
} from './enrich.js';
export { classifyReadFailure, type ReadFailureCode } from './errors.js';
export { applyFilters, type InventoryFilters, matchesFilters } from './filters.js';
export {
  accountIdFromArn,
  clusterParameterGroupOf,
  IncompleteRdsRecordError,
  regionFromArn,
  resourceFromCluster,
  resourceFromInstance,
  securityGroupIdsOf,
  tagsFromTagList,
} from './mappers.js';
export { optionGroupSettings } from './option-groups.js';
export { type Page, type PagedResult, readAllPages } from './pagination.js';
export {
  listProxies,
  type ProxyListing,
  proxyResourceId,
  resourceFromProxy,
  withFrontingProxies,
} from './proxies.js';
export { linkProxies, proxiesFronting } from './proxy-links.js';
export {
  DESCRIBE_SECURITY_GROUPS_ACTION,
  type Ec2ClientFor,
  readSecurityGroups,
  SECURITY_GROUP_IDS_PER_REQUEST,
  type SecurityGroupReads,
  securityGroupSettings,
} from './security-groups.js';
export {
  createSnapshotEc2Client,
  createSnapshotRdsClient,
  reviveDates,
} from './snapshot/clients.js';
export {
  loadSnapshotDirectory,
  MAX_SNAPSHOT_FILE_BYTES,
  SnapshotLoadError,
} from './snapshot/folder.js';
export { snapshotProxyGap, snapshotSecurityGroupGap } from './snapshot/gaps.js';
export {
  SNAPSHOT_RECORD_INVALID,
  unreadableDatabaseEvaluations,
} from './snapshot/invalid-records.js';
export {
  type JsonObject,
  type RdsSnapshot,
  SnapshotDataNotFound,
  SnapshotOperationUnsupported,
  snapshotRegions,
} from './snapshot/rds-snapshot.js';

/**
 * Fetches the configuration item an oversized change notification left out.
 *
 * GetResourceConfigHistory returns the SDK's ConfigurationItem, which differs
 * from the item inside a change notification: `configuration` is a JSON
 * string, the account is `accountId` (not `awsAccountId`), the ARN is `arn`
 * (not `ARN`), the version is `version` and times are Dates. This module
 * converts it to the notification shape so one code path reads both.
 */

import {
  type ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  type ConfigurationItem as SdkConfigurationItem,
  type ResourceType as SdkResourceType,
} from '@aws-sdk/client-config-service';
import type { CodedError } from '../errors.js';
import { describeError } from '../errors.js';
import type { ConfigurationItem, ConfigurationItemSummary } from './configuration-item.js';

export const CONFIG_HISTORY_ERROR_CODES = [
  /** ResourceNotDiscoveredException: Config has no history for the resource. */
  'RESOURCE_NOT_DISCOVERED',
  /** The history answered with no configuration item. */
  'NO_CONFIGURATION_ITEM',
  /** The newest item's `configuration` is not a JSON object. */
  'CONFIGURATION_NOT_JSON',
  /** The newest item predates the notification: Config has not recorded the change yet. */
  'ITEM_OLDER_THAN_NOTIFICATION',
  /** GetResourceConfigHistory failed otherwise (access denied, throttled, unreachable). */
  'CONFIG_HISTORY_FAILED',
] as const;
export type ConfigHistoryErrorCode = (typeof CONFIG_HISTORY_ERROR_CODES)[number];

export type ConfigHistoryError = CodedError<ConfigHistoryErrorCode>;

export type OversizedItemResult =
  | { ok: true; item: ConfigurationItem }
  | { ok: false; error: ConfigHistoryError };

/**
 * How much older than the notification's capture time the history's item
 * may read and still be the same item: the two sources need not carry the
 * time to the same fraction of a second.
 */
const CAPTURE_TIME_TOLERANCE_MS = 1000;

/**
 * Fetches the newest configuration item for an oversized notification's
 * resource. An item older than the notification is the configuration before
 * the change, not the one to evaluate: ITEM_OLDER_THAN_NOTIFICATION. Never
 * throws.
 */
export async function fetchOversizedItem(
  client: ConfigServiceClient,
  summary: ConfigurationItemSummary,
): Promise<OversizedItemResult> {
  const subject = `${summary.resourceType} ${summary.resourceId}`;
  let items: SdkConfigurationItem[];
  try {
    const response = await client.send(
      new GetResourceConfigHistoryCommand({
        resourceType: summary.resourceType as SdkResourceType,
        resourceId: summary.resourceId,
        limit: 1,
      }),
    );
    items = response.configurationItems ?? [];
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotDiscoveredException') {
      return failure('RESOURCE_NOT_DISCOVERED', `Config has no history for ${subject}`);
    }
    return failure(
      'CONFIG_HISTORY_FAILED',
      `GetResourceConfigHistory failed for ${subject}: ${describeError(error)}`,
    );
  }

  const newest = items[0];
  if (!newest) {
    return failure('NO_CONFIGURATION_ITEM', `Config returned no configuration item for ${subject}`);
  }
  const mapped = fromSdkConfigurationItem(newest, summary);
  if (!mapped.ok) return mapped;
  const recorded = mapped.item.configurationItemCaptureTime;
  const changed = summary.configurationItemCaptureTime;
  if (recorded.getTime() < changed.getTime() - CAPTURE_TIME_TOLERANCE_MS) {
    return failure(
      'ITEM_OLDER_THAN_NOTIFICATION',
      `Config's history holds no item for ${subject} from ${changed.toISOString()} yet, only one from ${recorded.toISOString()}`,
    );
  }
  return { ok: true, item: mapped.item };
}

/**
 * Converts the SDK's ConfigurationItem to the change notification's shape.
 * Fields the history leaves out are taken from the notification's summary.
 */
export function fromSdkConfigurationItem(
  sdkItem: SdkConfigurationItem,
  summary: ConfigurationItemSummary,
): { ok: true; item: ConfigurationItem } | { ok: false; error: ConfigHistoryError } {
  let configuration: Record<string, unknown> | null = null;
  if (sdkItem.configuration !== undefined && sdkItem.configuration !== '') {
    const parsed = parseObject(sdkItem.configuration);
    if (parsed === undefined) {
      return failure(
        'CONFIGURATION_NOT_JSON',
        `configuration of ${summary.resourceType} ${summary.resourceId} is not a JSON object`,
      );
    }
    configuration = parsed;
  }

  const supplementaryConfiguration: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(sdkItem.supplementaryConfiguration ?? {})) {
    // Supplementary values are JSON strings too; a non-JSON one is kept as text.
    supplementaryConfiguration[key] = parseJson(text) ?? text;
  }

  const item: ConfigurationItem = {
    configurationItemCaptureTime:
      sdkItem.configurationItemCaptureTime ?? summary.configurationItemCaptureTime,
    configurationItemStatus: sdkItem.configurationItemStatus ?? summary.configurationItemStatus,
    awsAccountId: sdkItem.accountId ?? summary.awsAccountId,
    awsRegion: sdkItem.awsRegion ?? summary.awsRegion,
    resourceType: sdkItem.resourceType ?? summary.resourceType,
    resourceId: sdkItem.resourceId ?? summary.resourceId,
    configuration,
    supplementaryConfiguration,
    tags: { ...(sdkItem.tags ?? {}) },
  };
  const version = sdkItem.version ?? summary.configurationItemVersion;
  if (version !== undefined) item.configurationItemVersion = version;
  const availabilityZone = sdkItem.availabilityZone ?? summary.availabilityZone;
  if (availabilityZone !== undefined) item.availabilityZone = availabilityZone;
  const resourceName = sdkItem.resourceName ?? summary.resourceName;
  if (resourceName !== undefined) item.resourceName = resourceName;
  const arn = sdkItem.arn ?? summary.ARN;
  if (arn !== undefined) item.ARN = arn;
  const md5 = sdkItem.configurationItemMD5Hash ?? summary.configurationStateMd5Hash;
  if (md5 !== undefined && md5 !== '') item.configurationStateMd5Hash = md5;
  return { ok: true, item };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  const value = parseJson(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function failure(
  code: ConfigHistoryErrorCode,
  message: string,
): { ok: false; error: ConfigHistoryError } {
  return { ok: false, error: { code, message } };
}

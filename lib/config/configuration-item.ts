/**
 * One AWS Config configuration item, as a change notification carries it or
 * as the API returns it: the schema both spellings are read through, the
 * fields an item may leave out and how they are filled in.
 */
import * as z from 'zod';

/** The statuses Config documents; others are kept as given rather than rejected. */
export type ConfigurationItemStatus =
  | 'OK'
  | 'ResourceDiscovered'
  | 'ResourceNotRecorded'
  | 'ResourceDeleted'
  | 'ResourceDeletedNotRecorded'
  | (string & {});

export const isoTimestamp = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .refine((value) => !Number.isNaN(value.getTime()), 'Invalid timestamp');

/** Items in the API shape (and the AWS Config RDK's example items) may carry epoch milliseconds. */
export const captureTimestamp = z.union([
  isoTimestamp,
  z
    .number()
    .int()
    .positive()
    .transform((value) => new Date(value))
    .refine((value) => !Number.isNaN(value.getTime()), 'Invalid timestamp'),
]);

export const nonEmpty = z.string().min(1);
export const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);
const jsonRecord = z.record(z.string(), z.unknown());

/** Fields shared by a full configuration item and an oversized item's summary. */
const itemIdentityFields = {
  configurationItemVersion: optionalText,
  // Absent or null on some deleted items; the notification time stands in then.
  configurationItemCaptureTime: captureTimestamp.nullish(),
  configurationItemStatus: nonEmpty,
  // The API shape's `accountId` is renamed before validation; the envelope's fills a gap.
  awsAccountId: optionalText,
  awsRegion: nonEmpty,
  availabilityZone: optionalText,
  resourceType: nonEmpty,
  resourceId: nonEmpty,
  resourceName: optionalText,
  ARN: optionalText,
  configurationStateMd5Hash: optionalText,
};

/**
 * The same item reaches the rule in two spellings: the change notification's
 * (`awsAccountId`, `ARN`, `configurationItemVersion`, `configuration` as an
 * object) and the API's, as GetResourceConfigHistory returns it and the AWS
 * Config RDK's example items use (`accountId`, `arn`, `version`,
 * `configurationItemMD5Hash`, `configuration` possibly a JSON string). The
 * API spelling is renamed to the notification's; where both are given the
 * notification's wins.
 */
const API_SHAPE_ALIASES: ReadonlyArray<readonly [api: string, notification: string]> = [
  ['accountId', 'awsAccountId'],
  ['arn', 'ARN'],
  ['version', 'configurationItemVersion'],
  ['configurationItemMD5Hash', 'configurationStateMd5Hash'],
];

export function normalizeItemShape(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const item: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [api, notification] of API_SHAPE_ALIASES) {
    if (item[notification] === undefined && item[api] !== undefined) item[notification] = item[api];
    delete item[api];
  }
  if (typeof item.configuration === 'string') {
    item.configuration = parseJsonText(item.configuration) ?? item.configuration;
  }
  return item;
}

export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const configurationItemSchema = z.preprocess(
  normalizeItemShape,
  z.object({
    ...itemIdentityFields,
    configuration: jsonRecord.nullish().transform((value) => value ?? null),
    supplementaryConfiguration: jsonRecord.nullish().transform((value) => value ?? {}),
    tags: z
      .record(z.string(), z.string())
      .nullish()
      .transform((value) => value ?? {}),
  }),
);

export const configurationItemSummarySchema = z.preprocess(
  normalizeItemShape,
  z.object({
    ...itemIdentityFields,
    changeType: optionalText,
  }),
);

/** One configuration item, in the lower camel case Config uses in change notifications. */
export interface ConfigurationItem {
  configurationItemVersion?: string;
  /** The notification time when Config leaves the capture time out. */
  configurationItemCaptureTime: Date;
  configurationItemStatus: ConfigurationItemStatus;
  /** The envelope's accountId when the item leaves it out. */
  awsAccountId: string;
  awsRegion: string;
  availabilityZone?: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  ARN?: string;
  configurationStateMd5Hash?: string;
  /** The RDS object with lower camel keys; null for deleted or unrecorded resources. */
  configuration: Record<string, unknown> | null;
  supplementaryConfiguration: Record<string, unknown>;
  tags: Record<string, string>;
}

export type ConfigurationItemSummary = Omit<
  ConfigurationItem,
  'configuration' | 'supplementaryConfiguration' | 'tags'
> & { changeType?: string };

/** What the envelope lends an item that leaves a field out. */
export interface InvokingEventContext {
  accountId?: string;
}

/**
 * Fills what an item may leave out: the capture time (the notification time
 * stands in) and the account (the envelope's, then the ARN's). An item with
 * neither time cannot be ordered and is invalid.
 */
export function completeItem<
  T extends {
    configurationItemCaptureTime?: Date | null;
    awsAccountId?: string | undefined;
    ARN?: string | undefined;
  },
>(
  item: T,
  notificationTime: Date | null | undefined,
  context: InvokingEventContext,
):
  | { ok: true; value: T & { configurationItemCaptureTime: Date; awsAccountId: string } }
  | { ok: false; missing: string } {
  const captureTime = item.configurationItemCaptureTime ?? notificationTime ?? undefined;
  if (captureTime === undefined) {
    return {
      ok: false,
      missing: 'configurationItemCaptureTime and notificationCreationTime missing',
    };
  }
  const accountId = item.awsAccountId ?? context.accountId ?? accountFromArn(item.ARN);
  if (accountId === undefined) return { ok: false, missing: 'awsAccountId missing' };
  return {
    ok: true,
    value: { ...item, configurationItemCaptureTime: captureTime, awsAccountId: accountId },
  };
}

function accountFromArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/** True for the statuses Config uses once a resource is gone. */
export function isDeletedStatus(status: string): boolean {
  return status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded';
}

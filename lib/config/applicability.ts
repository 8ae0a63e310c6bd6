/**
 * Whether a Config event asks for a real evaluation, and which timestamp the
 * evaluation carries. Pure: the handler decides what to do with the answer.
 */
import type { ResourceType } from '../types.js';
import { type ConfigurationItem, isDeletedStatus } from './configuration-item.js';
import type { ParsedConfigEvent } from './event.js';

export const NOT_APPLICABLE_REASONS = [
  'EVENT_LEFT_SCOPE',
  'RESOURCE_DELETED',
  'RESOURCE_NOT_RECORDED',
  'UNSUPPORTED_RESOURCE_TYPE',
] as const;
export type NotApplicableReason = (typeof NOT_APPLICABLE_REASONS)[number];

export type Applicability =
  | { applicable: true }
  | { applicable: false; reason: NotApplicableReason; annotation: string };

const RESOURCE_TYPES: readonly string[] = ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'];

export function isRuleResourceType(resourceType: string): resourceType is ResourceType {
  return RESOURCE_TYPES.includes(resourceType);
}

/**
 * Decides for one resource named by a change notification (the item, or an
 * oversized notification's summary). Scheduled notifications have no single
 * resource and are always applicable.
 */
export function assessApplicability(
  event: Pick<ParsedConfigEvent, 'eventLeftScope'>,
  item: Pick<ConfigurationItem, 'resourceType' | 'configurationItemStatus'>,
): Applicability {
  if (event.eventLeftScope) {
    return notApplicable('EVENT_LEFT_SCOPE', 'Resource is no longer in the scope of this rule.');
  }
  if (isDeletedStatus(item.configurationItemStatus)) {
    return notApplicable('RESOURCE_DELETED', 'Resource was deleted.');
  }
  if (item.configurationItemStatus === 'ResourceNotRecorded') {
    return notApplicable(
      'RESOURCE_NOT_RECORDED',
      'AWS Config does not record this resource type, so there is no configuration to evaluate.',
    );
  }
  if (!isRuleResourceType(item.resourceType)) {
    return notApplicable(
      'UNSUPPORTED_RESOURCE_TYPE',
      'Resource type is not evaluated by rds-tls-guard (only AWS::RDS::DBInstance and AWS::RDS::DBCluster).',
    );
  }
  return { applicable: true };
}

/**
 * OrderingTimestamp for evaluations answering this event: the capture time of
 * the item for change notifications, the notification time for periodic runs.
 */
export function orderingTimestampOf(event: Pick<ParsedConfigEvent, 'invokingEvent'>): Date {
  const invoking = event.invokingEvent;
  switch (invoking.messageType) {
    case 'ConfigurationItemChangeNotification':
      return invoking.configurationItem.configurationItemCaptureTime;
    case 'OversizedConfigurationItemChangeNotification':
      return invoking.configurationItemSummary.configurationItemCaptureTime;
    case 'ScheduledNotification':
      return invoking.notificationCreationTime;
  }
}

function notApplicable(reason: NotApplicableReason, annotation: string): Applicability {
  return { applicable: false, reason, annotation };
}

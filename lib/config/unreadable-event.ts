/**
 * What the rule answers for an event it could not read. The resource the
 * event still names gets INSUFFICIENT_DATA with the reason (NOT_APPLICABLE
 * when it left scope, was deleted, or is not a database); a periodic run
 * whose rule parameters are invalid answers every database it finds the same
 * way, so no earlier verdict stays on the dashboard while the rule cannot
 * judge. Pure: the use case sends the evaluations.
 */
import type { Evaluation } from '@aws-sdk/client-config-service';
import {
  insufficientDataEvaluation,
  notApplicableEvaluation,
} from '../report/config-evaluations.js';
import type { DatabaseResource, ResourceType } from '../types.js';
import { assessApplicability, isRuleResourceType } from './applicability.js';
import type { ConfigEventError, IdentifiedResource } from './event.js';

function withoutVerdictAnnotation(error: ConfigEventError): string {
  return error.code.startsWith('RULE_PARAMETERS')
    ? `rule parameters invalid: ${error.message}`
    : `event unreadable (${error.code}): ${error.message}`;
}

/** The one evaluation for the resource a malformed event names; `now` stands in for a capture time it lacks. */
export function unreadableEventEvaluation(
  resource: IdentifiedResource,
  error: ConfigEventError,
  now: Date,
): Evaluation {
  const orderingTimestamp = resource.captureTime ?? now;
  const applicability = assessApplicability(resource, {
    resourceType: resource.resourceType,
    configurationItemStatus: resource.configurationItemStatus ?? 'OK',
  });
  if (!applicability.applicable) {
    return notApplicableEvaluation(
      resource.resourceType,
      resource.resourceId,
      applicability.annotation,
      orderingTimestamp,
    );
  }
  // Applicable means one of the rule's resource types.
  return insufficientDataEvaluation(
    resource.resourceType as ResourceType,
    resource.resourceId,
    withoutVerdictAnnotation(error),
    orderingTimestamp,
  );
}

/** INSUFFICIENT_DATA with the reason for each database a periodic run found. */
export function withoutVerdictEvaluations(
  resources: readonly DatabaseResource[],
  error: ConfigEventError,
  orderingTimestamp: Date,
): Evaluation[] {
  return resources
    .filter((resource) => isRuleResourceType(resource.resourceType))
    .map((resource) =>
      insufficientDataEvaluation(
        resource.resourceType,
        resource.resourceId,
        withoutVerdictAnnotation(error),
        orderingTimestamp,
      ),
    );
}

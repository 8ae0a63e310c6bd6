/**
 * Withdrawing evaluations of resources that are gone: Config keeps a result
 * per rule and resource until it is told otherwise, so a database deleted
 * since the last run would keep its verdict. Read-only against Config; the
 * caller sends what this returns through putEvaluations.
 */

import {
  type ConfigServiceClient,
  type Evaluation,
  type EvaluationResult,
  GetComplianceDetailsByConfigRuleCommand,
} from '@aws-sdk/client-config-service';
import { describeError } from '../errors.js';
import { notApplicableEvaluation, RULE_RESOURCE_TYPES, resourceKey } from './config-evaluations.js';

export const STALE_ANNOTATION = 'Resource no longer exists; earlier evaluation withdrawn.';

export type StaleEvaluationsResult =
  | { ok: true; evaluations: Evaluation[] }
  | {
      ok: false;
      error: { code: 'COMPLIANCE_DETAILS_FAILED'; message: string };
      /** Stale resources found on the pages read before the failure: still safe to report. */
      evaluations: Evaluation[];
    };

/**
 * NOT_APPLICABLE evaluations for resources Config still shows a result for
 * under this rule but which the current scan no longer found.
 *
 * The caller must pass the ids of a complete inventory: an id missing because
 * a region could not be read would be withdrawn here. No ComplianceTypes
 * filter is sent because INSUFFICIENT_DATA cannot be used as a filter, and a
 * deleted database last seen as INSUFFICIENT_DATA must be withdrawn too.
 * Results already NOT_APPLICABLE are left alone so a periodic run does not
 * rewrite them every time.
 */
export async function staleEvaluations(
  client: ConfigServiceClient,
  configRuleName: string,
  currentResourceIds: Set<string>,
  orderingTimestamp: Date,
): Promise<StaleEvaluationsResult> {
  const stale = new Map<string, Evaluation>();
  const seenTokens = new Set<string>();
  let nextToken: string | undefined;
  do {
    let results: EvaluationResult[];
    try {
      const response = await client.send(
        new GetComplianceDetailsByConfigRuleCommand({
          ConfigRuleName: configRuleName,
          Limit: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      results = response.EvaluationResults ?? [];
      nextToken = response.NextToken || undefined;
    } catch (error) {
      return {
        ok: false,
        error: {
          code: 'COMPLIANCE_DETAILS_FAILED',
          message: `GetComplianceDetailsByConfigRule failed: ${describeError(error)}`,
        },
        evaluations: [...stale.values()],
      };
    }

    for (const result of results) {
      const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
      const resourceType = qualifier?.ResourceType;
      const resourceId = qualifier?.ResourceId;
      if (!resourceType || !resourceId) continue;
      if (!(RULE_RESOURCE_TYPES as readonly string[]).includes(resourceType)) continue;
      // Proactive results describe proposed resources, which never "exist" in a scan.
      if (qualifier?.EvaluationMode === 'PROACTIVE') continue;
      if (result.ComplianceType === 'NOT_APPLICABLE') continue;
      if (currentResourceIds.has(resourceId)) continue;
      const e = notApplicableEvaluation(
        resourceType,
        resourceId,
        STALE_ANNOTATION,
        orderingTimestamp,
      );
      stale.set(resourceKey(e), e);
    }

    // A repeated token would loop forever; what was read so far is still valid.
    if (nextToken !== undefined) {
      if (seenTokens.has(nextToken)) break;
      seenTokens.add(nextToken);
    }
  } while (nextToken !== undefined);

  return { ok: true, evaluations: [...stale.values()] };
}

/**
 * Scan results for the sink tests: the report fixture's evaluations, copied
 * into as many databases, accounts and regions as a test needs.
 */
import type { ResourceEvaluation, ScanResult, Verdict } from '../../lib/types.js';
import { fixtureScanResult } from '../report/fixture.js';

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';

/** A DbiResourceId-shaped id, unique per index. */
export function resourceIdFor(index: number): string {
  return `db-${String(index).padStart(26, 'Q')}`;
}

export function evaluationFor(
  index: number,
  options: { accountId?: string; region?: string; verdict?: Verdict } = {},
): ResourceEvaluation {
  const base = fixtureScanResult().evaluations.find(
    (evaluation) => evaluation.finding.verdict === (options.verdict ?? 'NON_COMPLIANT'),
  );
  if (!base) throw new Error('fixture has no evaluation with that verdict');
  const accountId = options.accountId ?? ACCOUNT_A;
  const region = options.region ?? 'eu-west-1';
  const identifier = `db-${index}`;
  return {
    ...base,
    resource: {
      ...base.resource,
      accountId,
      region,
      identifier,
      resourceId: resourceIdFor(index),
      arn: `arn:aws:rds:${region}:${accountId}:db:${identifier}`,
    },
  };
}

export function scanResultOf(evaluations: ResourceEvaluation[]): ScanResult {
  return { ...fixtureScanResult(), evaluations, problems: [] };
}

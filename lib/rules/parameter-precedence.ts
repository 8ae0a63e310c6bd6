/**
 * Which value of a parameter applies to a database: the group's own value,
 * else the engine default of the group's family. Pure: the RDS reads that
 * feed it live in lib/inventory/enrich.ts.
 */
import type { Parameter } from '@aws-sdk/client-rds';
import type { ResolvedParameter } from '../types.js';

/** `default.postgres15` → `postgres15`. Custom group names cannot contain a dot. */
export function defaultGroupFamily(groupName: string): string | undefined {
  return groupName.startsWith('default.') && groupName.length > 'default.'.length
    ? groupName.slice('default.'.length)
    : undefined;
}

/** The group's value when it sets one, else the engine default for the family. */
export function resolveParameter(
  parameter: Parameter & { ParameterName: string },
  engineDefault: Parameter | undefined,
): ResolvedParameter {
  const applyType = parameter.ApplyType ?? engineDefault?.ApplyType;
  const base = {
    name: parameter.ParameterName,
    ...(applyType ? { applyType } : {}),
    ...(parameter.Source ? { rdsSource: parameter.Source } : {}),
  };
  if (parameter.ParameterValue !== undefined) {
    return { ...base, value: parameter.ParameterValue, origin: 'parameter-group' };
  }
  if (engineDefault?.ParameterValue !== undefined) {
    return { ...base, value: engineDefault.ParameterValue, origin: 'engine-default' };
  }
  return { ...base, origin: 'engine-default' };
}

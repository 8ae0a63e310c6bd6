/**
 * Which parameter group an engine reads, and whether what it says is in
 * effect. Aurora and Multi-AZ DB clusters read the cluster parameter group;
 * everything else the instance parameter group.
 */
import { shellWord } from '../text.js';
import type { DatabaseResource, Evidence, ResolvedParameter, StaticRuleInput } from '../types.js';
import { type CheckResult, passed } from './check.js';
import { builtInDefault } from './engine-defaults.js';
import { type EngineFamily, isAurora } from './engines.js';
import { incompatibleWithGroup } from './instance-status.js';
import {
  describeGaps,
  rebootCommand,
  unreadableGroupRemediation,
  upgradeRemediation,
} from './remediation.js';

export interface GroupContext {
  scope: 'instance' | 'cluster';
  name: string;
  family?: string;
  parameters: Record<string, ResolvedParameter>;
  /** `in-sync`, `pending-reboot`, `applying`, … */
  applyStatus?: string;
  /** For a cluster's group: the member the status is of, when not the writer. */
  applyStatusMember?: string;
  resource: DatabaseResource;
  engineFamily: EngineFamily;
  /** `parameter group pg14-app` or `cluster parameter group apg-prod`. */
  phrase: string;
  /** `postgres 14.9` */
  engineLabel: string;
}

export type GroupSelection = { group: GroupContext } | { unreadable: CheckResult };

export function readsClusterGroup(resource: DatabaseResource, family: EngineFamily): boolean {
  if (isAurora(family)) return true;
  // Multi-AZ DB clusters (postgres/mysql engines) keep engine settings in the cluster group.
  if (family === 'postgres' || family === 'mysql') {
    return (
      resource.resourceType === 'AWS::RDS::DBCluster' || resource.clusterIdentifier !== undefined
    );
  }
  return false;
}

export function selectGroup(input: StaticRuleInput, family: EngineFamily): GroupSelection {
  const { resource } = input;
  const scope = readsClusterGroup(resource, family) ? 'cluster' : 'instance';
  const settings = scope === 'cluster' ? input.clusterParameters : input.parameters;
  const membership = scope === 'cluster' ? resource.clusterParameterGroup : resource.parameterGroup;
  const engineLabel = `${resource.engine} ${resource.engineVersion}`;

  if (!settings) {
    const kind = scope === 'cluster' ? 'cluster parameter group' : 'parameter group';
    if (!membership && input.gaps.length === 0) return { unreadable: noGroupListed(input, kind) };
    const name = membership?.name ?? 'unknown';
    return {
      unreadable: {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'PARAMETER_GROUP_UNREADABLE',
        summary: `${kind} ${name} (${engineLabel}) not read: ${describeGaps(input.gaps)}`,
        remediation: unreadableGroupRemediation(scope, name, input.gaps),
        evidence: [{ source: 'rds-api', label: kind, value: `${name} (not read)` }],
      },
    };
  }

  const group: GroupContext = {
    scope,
    name: settings.groupName,
    parameters: settings.parameters,
    resource,
    engineFamily: family,
    phrase: `${scope === 'cluster' ? 'cluster parameter group' : 'parameter group'} ${settings.groupName}`,
    engineLabel,
  };
  if (settings.family !== undefined) group.family = settings.family;
  if (membership?.applyStatus !== undefined) group.applyStatus = membership.applyStatus;
  if (membership?.applyStatusMember !== undefined) {
    group.applyStatusMember = membership.applyStatusMember;
  }
  return { group };
}

/**
 * The record names no group the engine reads (DBParameterGroups empty, no
 * DBClusterParameterGroup) and nothing failed: no read was made, so no
 * permission is missing.
 */
function noGroupListed(input: StaticRuleInput, kind: string): CheckResult {
  const { resource } = input;
  const engineLabel = `${resource.engine} ${resource.engineVersion}`;
  const ofCluster = kind === 'cluster parameter group';
  const describe = ofCluster
    ? `aws rds describe-db-clusters --db-cluster-identifier ${shellWord(resource.clusterIdentifier ?? resource.identifier, '<cluster>')}`
    : `aws rds describe-db-instances --db-instance-identifier ${shellWord(resource.identifier, '<identifier>')}`;
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'PARAMETER_GROUP_UNREADABLE',
    summary: `RDS lists no ${kind} for ${resource.identifier} (${engineLabel}): TLS settings unknown`,
    remediation: `Check that RDS lists a ${kind} for the database (${describe}), then rescan.`,
    evidence: [{ source: 'rds-api', label: kind, value: 'none listed' }],
  };
}

/** A parameter as a check sees it: the trimmed value, or absent when nothing sets it. */
export interface ParameterReading {
  name: string;
  value?: string;
  /** True when the value is the engine default rather than set in the group. */
  defaulted: boolean;
  /** Where the value was read: the group, or the engine defaults; `unset` when neither gives one. */
  origin: 'parameter-group' | 'engine-default' | 'unset';
  applyType?: string;
}

export function readParameter(group: GroupContext, name: string): ParameterReading {
  const resolved = group.parameters[name];
  const trimmed = resolved?.value?.trim();
  // RDS leaves ParameterValue out for a parameter the group does not set. An
  // empty value the group carries is not that: it is a value no rule
  // understands (MySQL reads an empty tls_version as no TLS protocol at all),
  // never a cue to fall back on a documented default. An empty engine
  // default is no default.
  const value = trimmed === '' && resolved?.origin === 'engine-default' ? undefined : trimmed;
  const hasValue = value !== undefined;
  const origin = !hasValue ? 'unset' : (resolved?.origin ?? 'parameter-group');
  const reading: ParameterReading = {
    name,
    defaulted: origin !== 'parameter-group',
    origin,
  };
  if (hasValue) reading.value = value;
  if (resolved?.applyType !== undefined) reading.applyType = resolved.applyType;
  return reading;
}

/**
 * The value a check judges and where it came from: read from the API (the
 * group, or the engine defaults), or assumed from the built-in table of
 * documented defaults when neither gave one.
 */
export interface EffectiveValue {
  value: string;
  origin: 'parameter-group' | 'engine-default' | 'built-in';
  /** For a built-in value: why this value (documented for the version, or assumed). */
  basis?: string;
}

/**
 * The reading's value, or the built-in default standing in for it. Undefined
 * when there is neither; `{ missing }` when the documented default is that
 * the parameter does not exist in this engine version.
 */
function effectiveValue(
  group: GroupContext,
  reading: ParameterReading,
): EffectiveValue | { missing: string } | undefined {
  if (reading.value !== undefined) {
    return {
      value: reading.value,
      origin: reading.origin === 'engine-default' ? 'engine-default' : 'parameter-group',
    };
  }
  const fallback = builtInDefault(group.engineFamily, reading.name, group.resource.engineVersion);
  if (!fallback) return undefined;
  if (fallback.value === null) return { missing: fallback.basis };
  return { value: fallback.value, origin: 'built-in', basis: fallback.basis };
}

export function parameterEvidence(
  group: GroupContext,
  name: string,
  effective: EffectiveValue,
): Evidence {
  switch (effective.origin) {
    case 'parameter-group':
      return {
        source: 'parameter-group',
        label: `${name} (read from group ${group.name})`,
        value: effective.value,
      };
    case 'engine-default':
      return {
        source: 'engine-default',
        label: `${name} (read from engine defaults${group.family ? ` ${group.family}` : ''})`,
        value: effective.value,
      };
    case 'built-in':
      return {
        source: 'built-in',
        label: `${name} (assumed from built-in knowledge: ${effective.basis ?? 'engine default'})`,
        value: effective.value,
      };
  }
}

/**
 * `rds.force_ssl=1 in parameter group pg15-app`,
 * `rds.force_ssl unset in parameter group x → engine default 1 (read)` or
 * `rds.force_ssl unset in parameter group x → assumed 1 (documented default for this version)`.
 */
export function describeValue(
  group: GroupContext,
  name: string,
  effective: EffectiveValue,
): string {
  switch (effective.origin) {
    case 'parameter-group':
      return `${name}=${effective.value} in ${group.phrase}`;
    case 'engine-default':
      return `${name} unset in ${group.phrase} → engine default ${effective.value} (read)`;
    case 'built-in':
      return `${name} unset in ${group.phrase} → assumed ${effective.value} (${effective.basis ?? 'built-in'})`;
  }
}

/**
 * No value anywhere: either the engine version has no such parameter (TLS
 * cannot be required through the group: upgrade), or nothing says what the
 * default is.
 */
export function parameterMissing(
  group: GroupContext,
  name: string,
  absentBecause: string | undefined,
  fix: string,
): CheckResult {
  if (absentBecause !== undefined) {
    return {
      verdict: 'NON_COMPLIANT',
      reason: 'TLS_ENFORCEMENT_UNSUPPORTED',
      summary: `${absentBecause}: TLS cannot be required for ${group.engineLabel}`,
      remediation: upgradeRemediation(group.resource, name),
      evidence: [
        { source: 'built-in', label: `${name} (built-in knowledge)`, value: 'does not exist' },
        ...(group.resource.pendingModifiedValues?.engineVersion
          ? [
              {
                source: 'rds-api' as const,
                label: 'pending engine version (PendingModifiedValues)',
                value: group.resource.pendingModifiedValues.engineVersion,
              },
            ]
          : []),
      ],
    };
  }
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'ENGINE_VERSION_UNKNOWN',
    summary: `${name} unset in ${group.phrase} and no default known for ${group.engineLabel}`,
    remediation: fix,
    evidence: [],
  };
}

/** A parameter as a check judges it: its value in effect with the words and evidence for it. */
export interface ParameterInEffect {
  reading: ParameterReading;
  value: string;
  described: string;
  evidence: Evidence[];
}

/**
 * Reads a parameter and what is in effect for it; when the group cannot show
 * it, the check that says it is missing (with `fix`) instead.
 */
export function parameterInEffect(
  group: GroupContext,
  name: string,
  fix: string,
): ParameterInEffect | { missing: CheckResult } {
  const reading = readParameter(group, name);
  const effective = effectiveValue(group, reading);
  if (effective === undefined || 'missing' in effective) {
    return { missing: parameterMissing(group, name, effective?.missing, fix) };
  }
  return {
    reading,
    value: effective.value,
    described: describeValue(group, name, effective),
    evidence: [parameterEvidence(group, name, effective)],
  };
}

/**
 * A compliant value in a group that is not in sync may not be what the server
 * runs. `pending-reboot` follows a static change or a new group attached to the
 * database; RDS does not say which. For a static parameter the value is
 * certainly not in effect. For a dynamic one it is in effect unless the group
 * itself was swapped, which the API does not reveal, so it cannot be called
 * compliant either way and is reported as insufficient data. In sync, the
 * check passes with `passedSummary`.
 */
export function requireInEffect(
  group: GroupContext,
  reading: ParameterReading,
  shownValue: string,
  passedSummary: string,
  passedEvidence: Evidence[],
  staticByDefault = false,
): CheckResult {
  const check = passed(passedSummary, passedEvidence);
  const rebootRemediation = rebootCommand(group);
  const configured = `${reading.name}=${shownValue} configured in ${group.phrase}`;
  const incompatible = incompatibleWithGroup(
    group.resource,
    'incompatible-parameters',
    configured,
    `RDS cannot start the database with ${group.phrase}: correct or reset the values it cannot apply (the instance events name them), then ${rebootRemediation}`,
    check.evidence,
  );
  if (incompatible) return incompatible;
  const status = group.applyStatus?.trim().toLowerCase();
  if (status === undefined || status === '' || status === 'in-sync') return check;
  const evidence: Evidence[] = [
    ...check.evidence,
    {
      source: 'rds-api',
      label: `apply status (${group.name})`,
      value: `${group.applyStatus ?? ''}${group.applyStatusMember ? ` (member ${group.applyStatusMember})` : ''}`,
    },
  ];
  if (status === 'pending-reboot') {
    const isStatic =
      reading.applyType !== undefined
        ? reading.applyType.toLowerCase() === 'static'
        : staticByDefault;
    return isStatic
      ? {
          verdict: 'NON_COMPLIANT',
          reason: 'PENDING_REBOOT',
          summary: `${configured} but not in effect until reboot (static parameter, pending-reboot)`,
          remediation: rebootRemediation,
          evidence,
        }
      : {
          verdict: 'INSUFFICIENT_DATA',
          reason: 'PENDING_REBOOT',
          summary: `${configured} but group is pending-reboot: may not be in effect until reboot`,
          remediation: rebootRemediation,
          evidence,
        };
  }
  if (status === 'applying') {
    return {
      verdict: 'INSUFFICIENT_DATA',
      reason: 'PARAMETERS_APPLYING',
      summary: `${configured}, group still applying`,
      remediation: 'Wait for the parameter group to finish applying, then rescan.',
      evidence,
    };
  }
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'PARAMETERS_APPLYING',
    summary: `${configured}, group apply status ${group.applyStatus}`,
    remediation: 'Check the parameter group apply status in the RDS console, then rescan.',
    evidence,
  };
}

/** A value the rules cannot read as any setting they know: never compliant, never failed. */
export function valueNotUnderstood(
  group: GroupContext,
  name: string,
  value: string,
  remediation: string,
  evidence: Evidence[],
): CheckResult {
  return {
    verdict: 'INSUFFICIENT_DATA',
    reason: 'PARAMETER_VALUE_UNKNOWN',
    summary: `${name}="${value}" in ${group.phrase}: value not understood`,
    remediation,
    evidence,
  };
}

/**
 * Oracle: TLS exists only through the `SSL` option of an option group, with
 * `SQLNET.SSL_VERSION` limited to versions at or above the rule's minimum.
 *
 * The SSL option adds a second (TLS) listener; the plaintext listener on the
 * endpoint port stays open and only the security groups can close it, so a
 * correct SSL option is COMPLIANT only when no inbound rule admits that port
 * (oracle-listener.ts). Native network encryption (NATIVE_NETWORK_ENCRYPTION
 * with SQLNET.ENCRYPTION_SERVER=REQUIRED) encrypts the plaintext listener
 * without TLS: its own reason, compliant only when the rule parameter
 * acceptNativeNetworkEncryption says so.
 */
import { shellWord } from '../text.js';
import type { OptionGroupSettings, StaticRuleInput, TlsVersion } from '../types.js';
import { allowedVersionsCheck } from './allowed-versions.js';
import { type CheckResult, passed } from './check.js';
import { incompatibleWithGroup } from './instance-status.js';
import { evaluatePlaintextListener } from './oracle-listener.js';
import { describeGaps } from './remediation.js';
import { parseOracleSslVersion } from './values.js';

const SSL_VERSION = 'SQLNET.SSL_VERSION';
const ENCRYPTION_SERVER = 'SQLNET.ENCRYPTION_SERVER';
/** The SSL option's default port, when the option does not report one. */
const DEFAULT_SSL_PORT = 2484;

export function evaluateOracle(input: StaticRuleInput): CheckResult[] {
  const { resource } = input;
  const minimum = input.ruleParameters.minTlsVersion;
  const memberships = resource.optionGroups;
  const named = new Set(memberships.map((membership) => membership.name));
  const groups =
    memberships.length > 0
      ? input.optionGroups.filter((group) => named.has(group.name))
      : input.optionGroups;
  const unread = memberships.filter(
    (membership) => !input.optionGroups.some((group) => group.name === membership.name),
  );
  const engineLabel = `${resource.engine} ${resource.engineVersion}`;

  const withSsl = findSslOption(groups);
  const nativeEncryption = nativeEncryptionCheck(input, groups);
  if (!withSsl && nativeEncryption) return [nativeEncryption];
  if (!withSsl) {
    if (unread.length > 0) {
      const names = unread.map((membership) => membership.name).join(', ');
      return [
        {
          verdict: 'INSUFFICIENT_DATA',
          reason: 'OPTION_GROUP_UNREADABLE',
          summary: `option group ${names} (${engineLabel}) not read: ${describeGaps(input.gaps)}`,
          remediation:
            'Allow the scanner role rds:DescribeOptionGroups on the option group, then rescan.',
          evidence: unread.map((membership) => ({
            source: 'rds-api' as const,
            label: 'option group',
            value: `${membership.name} (not read)`,
          })),
        },
      ];
    }
    const names = groups.map((group) => group.name).join(', ') || 'none';
    return [
      {
        verdict: 'NON_COMPLIANT',
        reason: 'ORACLE_SSL_OPTION_MISSING',
        summary: `no SSL option in option group ${names} (${engineLabel}): only plaintext listener`,
        remediation: addSslOptionRemediation(groups[0]?.name ?? '<option-group>', minimum),
        evidence: [{ source: 'option-group', label: 'SSL option', value: `absent (${names})` }],
      },
    ];
  }

  const { group, option } = withSsl;
  const evidence = [
    {
      source: 'option-group' as const,
      label: `SSL option (${group.name})`,
      value: option.port === undefined ? 'present' : `port ${option.port}`,
    },
  ];
  const version = option.settings[SSL_VERSION]?.trim();
  const fix = modifySslOptionRemediation(group.name, option.port, minimum);
  if (version === undefined || version === '') {
    return [
      {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'PARAMETER_VALUE_UNKNOWN',
        summary: `SSL option in option group ${group.name} (${engineLabel}) has no ${SSL_VERSION}`,
        remediation: fix,
        evidence,
      },
    ];
  }
  evidence.push({
    source: 'option-group',
    label: `${SSL_VERSION} (${group.name})`,
    value: version,
  });
  const described = `SSL option in option group ${group.name} (${engineLabel}), ${SSL_VERSION}=${version}`;
  const failed = allowedVersionsCheck(
    parseOracleSslVersion(version),
    minimum,
    { described, unreadable: described },
    fix,
    evidence,
  );
  if (failed) return [failed];

  const membership = memberships.find((candidate) => candidate.name === group.name);
  const status = membership?.status?.trim().toLowerCase();
  if (status === 'applying' || status === 'pending-apply') {
    return [
      {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'PARAMETERS_APPLYING',
        summary: `${described}, option group ${status}`,
        remediation: 'Wait for the option group to finish applying, then rescan.',
        evidence,
      },
    ];
  }
  if (status !== undefined && status !== '' && status !== 'in-sync') {
    return [
      {
        verdict: 'NON_COMPLIANT',
        reason: 'OPTION_GROUP_NOT_IN_EFFECT',
        summary: `${described} but option group is ${membership?.status}: not in effect`,
        remediation: `Apply the option group now: aws rds modify-db-instance --db-instance-identifier ${shellWord(resource.identifier, '<identifier>')} --option-group-name ${shellWord(group.name, '<option-group>')} --apply-immediately`,
        evidence,
      },
    ];
  }

  const incompatible = incompatibleWithGroup(
    resource,
    'incompatible-option-group',
    `${described} configured`,
    `RDS could not apply an option group change to the instance: read why with aws rds describe-events --source-type db-instance --source-identifier ${shellWord(resource.identifier, '<identifier>')}, correct option group ${shellWord(group.name, '<option-group>')}, then rescan.`,
    evidence,
  );
  if (incompatible) return [incompatible];

  // RDS allows NNE or SSL, not both; should both appear, NNE is what guards the plaintext listener.
  return [
    passed(described, evidence),
    nativeEncryption ?? evaluatePlaintextListener(input, option.port ?? DEFAULT_SSL_PORT),
  ];
}

/**
 * The NATIVE_NETWORK_ENCRYPTION option with SQLNET.ENCRYPTION_SERVER=REQUIRED,
 * as a check; undefined when the option is absent or does not require it
 * (ACCEPTED, REQUESTED — the default — or REJECTED let plaintext through).
 */
function nativeEncryptionCheck(
  input: StaticRuleInput,
  groups: OptionGroupSettings[],
): CheckResult | undefined {
  for (const group of groups) {
    const option = group.options.find(
      (candidate) => candidate.name.toUpperCase() === 'NATIVE_NETWORK_ENCRYPTION',
    );
    const value = option?.settings[ENCRYPTION_SERVER]?.trim();
    if (!option || value?.toUpperCase() !== 'REQUIRED') continue;
    const accepted = input.ruleParameters.acceptNativeNetworkEncryption === true;
    const evidence = [
      {
        source: 'option-group' as const,
        label: `${ENCRYPTION_SERVER} (${group.name})`,
        value: `${value} (NATIVE_NETWORK_ENCRYPTION)`,
      },
    ];
    const summary = `native network encryption required by option group ${group.name} (${ENCRYPTION_SERVER}=${value}): encrypted, but not TLS`;
    return accepted
      ? {
          verdict: 'COMPLIANT',
          reason: 'ORACLE_NATIVE_NETWORK_ENCRYPTION',
          summary: `${summary}; accepted by rule parameter acceptNativeNetworkEncryption`,
          remediation: '',
          evidence,
        }
      : {
          verdict: 'NON_COMPLIANT',
          reason: 'ORACLE_NATIVE_NETWORK_ENCRYPTION',
          summary,
          remediation:
            `Replace NATIVE_NETWORK_ENCRYPTION with the SSL option (RDS allows one or the other): ` +
            `aws rds remove-option-from-option-group --option-group-name ${shellWord(group.name, '<option-group>')} --options NATIVE_NETWORK_ENCRYPTION --apply-immediately; ` +
            `${addSslOptionRemediation(group.name, input.ruleParameters.minTlsVersion)} ` +
            'Or, if native network encryption meets your policy, set the rule parameter acceptNativeNetworkEncryption=true.',
          evidence,
        };
  }
  return undefined;
}

function findSslOption(
  groups: OptionGroupSettings[],
): { group: OptionGroupSettings; option: OptionGroupSettings['options'][number] } | undefined {
  for (const group of groups) {
    const option = group.options.find((candidate) => candidate.name.toUpperCase() === 'SSL');
    if (option) return { group, option };
  }
  return undefined;
}

/** RDS for Oracle offers TLS 1.0 and 1.2 only, so 1.2 is the best configuration can do. */
const BEST_SSL_VERSION = '1.2';

function tls13Note(minimum: TlsVersion): string {
  return minimum === 'TLSv1.3'
    ? ' (RDS for Oracle offers TLS 1.2 at most: a TLSv1.3 minimum cannot be met by configuration)'
    : '';
}

function addSslOptionRemediation(optionGroup: string, minimum: TlsVersion): string {
  const options = [
    {
      OptionName: 'SSL',
      Port: DEFAULT_SSL_PORT,
      VpcSecurityGroupMemberships: ['<sg-id>'],
      OptionSettings: [{ Name: SSL_VERSION, Value: BEST_SSL_VERSION }],
    },
  ];
  return (
    `aws rds add-option-to-option-group --option-group-name ${shellWord(optionGroup, '<option-group>')} ` +
    `--options '${JSON.stringify(options)}' --apply-immediately; ` +
    `then block the plaintext listener port in the security groups${tls13Note(minimum)}.`
  );
}

function modifySslOptionRemediation(
  optionGroup: string,
  port: number | undefined,
  minimum: TlsVersion,
): string {
  const options = [
    {
      OptionName: 'SSL',
      Port: port ?? DEFAULT_SSL_PORT,
      VpcSecurityGroupMemberships: ['<sg-id>'],
      OptionSettings: [{ Name: SSL_VERSION, Value: BEST_SSL_VERSION }],
    },
  ];
  return `aws rds add-option-to-option-group --option-group-name ${shellWord(optionGroup, '<option-group>')} --options '${JSON.stringify(options)}' --apply-immediately${tls13Note(minimum)}`;
}

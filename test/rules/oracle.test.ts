import { describe, expect, it } from 'vitest';
import { evaluateStatic } from '../../lib/rules/index.js';
import { optionGroup, oracleInput, sslOption } from './builders.js';

const TIMEZONE = { name: 'Timezone', settings: { TIME_ZONE: 'Europe/Dublin' } };

describe('Oracle SSL option', () => {
  it('is non-compliant with ORACLE_SSL_OPTION_MISSING when no option group has SSL', () => {
    const finding = evaluateStatic(oracleInput([optionGroup('ora-app', [TIMEZONE])]));
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('ORACLE_SSL_OPTION_MISSING');
    expect(finding.annotation).toBe(
      'no SSL option in option group ora-app (oracle-ee 19.0.0.0.ru-2024-01.rur-2024-01.r1): only plaintext listener',
    );
    expect(finding.remediation).toContain(
      'aws rds add-option-to-option-group --option-group-name ora-app --options',
    );
    expect(finding.remediation).toContain('"Name":"SQLNET.SSL_VERSION","Value":"1.2"');
  });

  it('is never COMPLIANT on the SSL option alone: unread security groups leave the plaintext listener unknown', () => {
    const finding = evaluateStatic(
      oracleInput([optionGroup('ora-tls', [TIMEZONE, sslOption('1.2')])]),
    );
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('SECURITY_GROUPS_UNREADABLE');
    expect(finding.annotation).toBe(
      'plaintext listener port 1521: security groups sg-0db1a2b3c4d5e6f70 not read (no read was made; needs ec2:DescribeSecurityGroups)',
    );
    expect(finding.evidence).toContainEqual({
      source: 'option-group',
      label: 'SQLNET.SSL_VERSION (ora-tls)',
      value: '1.2',
    });
  });

  it('is compliant with SQLNET.SSL_VERSION=1.2 when no inbound rule admits the plaintext port', () => {
    const finding = evaluateStatic(
      oracleInput([optionGroup('ora-tls', [TIMEZONE, sslOption('1.2')])], {
        securityGroups: {
          groups: [
            {
              groupId: 'sg-0db1a2b3c4d5e6f70',
              ingress: [
                {
                  protocol: 'tcp',
                  fromPort: 2484,
                  toPort: 2484,
                  source: { kind: 'ipv4', cidr: '10.0.0.0/16' },
                },
              ],
            },
          ],
        },
      }),
    );
    expect(finding.verdict).toBe('COMPLIANT');
    expect(finding.reason).toBe('TLS_ENFORCED');
    expect(finding.annotation).toBe(
      'SSL option in option group ora-tls (oracle-ee 19.0.0.0.ru-2024-01.rur-2024-01.r1), SQLNET.SSL_VERSION=1.2; no inbound rule in sg-0db1a2b3c4d5e6f70 admits plaintext port 1521',
    );
    expect(finding.evidence).toContainEqual({
      source: 'security-group',
      label: 'plaintext listener 1521 decided by',
      value: 'security groups',
    });
  });

  it.each([
    ['1.0', 'TLSv1'],
    ['1.2 or 1.0', 'TLSv1'],
  ])('is non-compliant with SQLNET.SSL_VERSION=%j (allows %s)', (version, legacy) => {
    const finding = evaluateStatic(oracleInput([optionGroup('ora-tls', [sslOption(version)])]));
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_VERSION_ALLOWS_LEGACY');
    expect(finding.annotation).toContain(`SQLNET.SSL_VERSION=${version}: allows ${legacy}`);
  });

  it('reports an SSL option without SQLNET.SSL_VERSION as INSUFFICIENT_DATA', () => {
    const finding = evaluateStatic(oracleInput([optionGroup('ora-tls', [sslOption()])]));
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETER_VALUE_UNKNOWN');
  });

  it('fails a TLSv1.3 minimum, which RDS for Oracle cannot meet', () => {
    const finding = evaluateStatic(
      oracleInput([optionGroup('ora-tls', [sslOption('1.2')])], {
        rule: { minTlsVersion: 'TLSv1.3' },
      }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('TLS_VERSION_ALLOWS_LEGACY');
    expect(finding.remediation).toContain('a TLSv1.3 minimum cannot be met by configuration');
  });

  it('reports OPTION_GROUP_UNREADABLE when the option group could not be read', () => {
    const finding = evaluateStatic(
      oracleInput([], {
        memberships: [{ name: 'ora-tls', status: 'in-sync' }],
        gaps: ['option group ora-tls: AccessDeniedException'],
      }),
    );
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('OPTION_GROUP_UNREADABLE');
    expect(finding.annotation).toContain('not read: option group ora-tls: AccessDeniedException');
  });

  it('reports an SSL option still pending apply as INSUFFICIENT_DATA', () => {
    const finding = evaluateStatic(
      oracleInput([optionGroup('ora-tls', [sslOption('1.2')])], {
        memberships: [{ name: 'ora-tls', status: 'pending-apply' }],
      }),
    );
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('PARAMETERS_APPLYING');
  });

  it('reports an SSL option waiting for the maintenance window as not in effect', () => {
    const finding = evaluateStatic(
      oracleInput([optionGroup('ora-tls', [sslOption('1.2')])], {
        memberships: [{ name: 'ora-tls', status: 'pending-maintenance-apply' }],
      }),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('OPTION_GROUP_NOT_IN_EFFECT');
  });

  it('is not called TLS-only while RDS reports the instance incompatible with its option group', () => {
    // DB instance status incompatible-option-group: an option group change
    // failed or could not be applied
    // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Status.html).
    const input = oracleInput([optionGroup('ora-tls', [TIMEZONE, sslOption('1.2')])], {
      securityGroups: { groups: [{ groupId: 'sg-0db1a2b3c4d5e6f70', ingress: [] }] },
    });
    input.resource = { ...input.resource, status: 'incompatible-option-group' };
    const finding = evaluateStatic(input);
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('INSTANCE_STATUS_INCOMPATIBLE');
    expect(finding.annotation).toBe(
      'SSL option in option group ora-tls (oracle-ee 19.0.0.0.ru-2024-01.rur-2024-01.r1), SQLNET.SSL_VERSION=1.2 configured, but the instance status is incompatible-option-group: not in effect',
    );
  });

  it('ignores option groups the database is not a member of', () => {
    const finding = evaluateStatic(
      oracleInput(
        [optionGroup('ora-app', [TIMEZONE]), optionGroup('ora-other', [sslOption('1.2')])],
        { memberships: [{ name: 'ora-app', status: 'in-sync' }] },
      ),
    );
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('ORACLE_SSL_OPTION_MISSING');
  });
});

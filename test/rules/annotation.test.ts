import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../lib/rules/check.js';
import { combineChecks, evaluateStatic } from '../../lib/rules/index.js';
import type { StaticReason } from '../../lib/rules/reasons.js';
import { clampAnnotation, MAX_ANNOTATION_LENGTH } from '../../lib/text.js';
import { instanceInput } from './builders.js';

const HUGE = `pg14-${'very-long-parameter-group-name-'.repeat(12)}end`;

describe('annotation', () => {
  it('keeps a huge group name whole and lists exactly the N other failures after "+N more:"', () => {
    const finding = evaluateStatic(
      instanceInput({
        engine: 'postgres',
        engineVersion: '14.9',
        group: HUGE,
        parameters: { 'rds.force_ssl': '0', ssl_min_protocol_version: 'TLSv1' },
        resource: { caCertificateIdentifier: 'rds-ca-2019' },
      }),
    );
    expect(finding.reason).toBe('FORCE_SSL_OFF');
    expect(finding.annotation.startsWith(`rds.force_ssl=0 in parameter group ${HUGE}`)).toBe(true);
    const [, count, list] = /; \+(\d+) more: (.*)$/.exec(finding.annotation) ?? [];
    expect(Number(count)).toBe(2);
    expect(list?.split('; ')).toHaveLength(2);
    expect(list).toContain('ssl_min_protocol_version=TLSv1');
    expect(list).toContain('rds-ca-2019');
    expect(clampAnnotation(finding.annotation)).toHaveLength(MAX_ANNOTATION_LENGTH);
  });

  it('names parameter, group and value in one line', () => {
    const finding = evaluateStatic(
      instanceInput({
        engine: 'mariadb',
        engineVersion: '10.11.6',
        group: 'maria-app',
        parameters: { require_secure_transport: 'OFF' },
      }),
    );
    expect(finding.annotation).toBe(
      'require_secure_transport=OFF in parameter group maria-app (mariadb 10.11.6): plaintext connections allowed',
    );
    expect(finding.annotation).not.toContain('\n');
  });

  it('stays on one line, and within 256 characters once cut for Config, for any group name and value', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 400 }),
        fc.string({ maxLength: 400 }),
        fc.string({ maxLength: 400 }),
        (group, forceSsl, minVersion) => {
          const finding = evaluateStatic(
            instanceInput({
              engine: 'postgres',
              engineVersion: '14.9',
              group,
              parameters: { 'rds.force_ssl': forceSsl, ssl_min_protocol_version: minVersion },
            }),
          );
          expect(clampAnnotation(finding.annotation).length).toBeLessThanOrEqual(
            MAX_ANNOTATION_LENGTH,
          );
          expect(finding.annotation).not.toMatch(/[\r\n]/);
          expect(finding.verdict).not.toBe('NOT_APPLICABLE');
        },
      ),
    );
  });

  it('never calls an arbitrary rds.force_ssl value compliant unless it spells on', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (value) => {
        const finding = evaluateStatic(
          instanceInput({
            engine: 'postgres',
            engineVersion: '16.1',
            group: 'pg16',
            parameters: { 'rds.force_ssl': value, ssl_min_protocol_version: 'TLSv1.2' },
          }),
        );
        const spelled = value.trim().toLowerCase();
        const on = ['1', 'on', 'true'].includes(spelled);
        // An empty value is a value the group carries, not "not set": it passes
        // neither as on nor as PostgreSQL 16's default.
        expect(finding.verdict === 'COMPLIANT').toBe(on);
      }),
    );
  });
});

describe('combineChecks', () => {
  it('prefers NON_COMPLIANT over an earlier INSUFFICIENT_DATA as primary', () => {
    const finding = combineChecks([
      {
        verdict: 'INSUFFICIENT_DATA',
        reason: 'PARAMETER_VALUE_UNKNOWN',
        summary: 'a',
        remediation: 'fix a',
        evidence: [],
      },
      { verdict: 'COMPLIANT', reason: 'TLS_ENFORCED', summary: 'b', remediation: '', evidence: [] },
      {
        verdict: 'NON_COMPLIANT',
        reason: 'CA_EXPIRED',
        summary: 'c',
        remediation: 'fix c',
        evidence: [],
      },
    ]);
    expect(finding.verdict).toBe('NON_COMPLIANT');
    expect(finding.reason).toBe('CA_EXPIRED');
    expect(finding.annotation).toBe('c; +1 more: a');
    expect(finding.remediation).toBe('fix c\nfix a');
  });

  it('names every one of the N others, by reason when a check has no summary', () => {
    const check = (reason: StaticReason, summary: string): CheckResult => ({
      verdict: 'NON_COMPLIANT',
      reason,
      summary,
      remediation: '',
      evidence: [],
    });
    const finding = combineChecks([
      check('FORCE_SSL_OFF', 'rds.force_ssl=0'),
      check('CA_DEPRECATED', ''),
      check('TLS_MIN_VERSION_TOO_LOW', 'ssl_min_protocol_version=TLSv1'),
      check('CA_DEPRECATED', 'second CA note'),
    ]);
    expect(finding.annotation).toBe(
      'rds.force_ssl=0; +3 more: CA_DEPRECATED; ssl_min_protocol_version=TLSv1; second CA note',
    );
  });

  it('reports TLS_ENFORCED and joins the compliant summaries when every check passes', () => {
    const finding = combineChecks([
      {
        verdict: 'COMPLIANT',
        reason: 'TLS_ENFORCED',
        summary: 'x=1',
        remediation: '',
        evidence: [],
      },
      { verdict: 'COMPLIANT', reason: 'TLS_ENFORCED', summary: '', remediation: '', evidence: [] },
      {
        verdict: 'COMPLIANT',
        reason: 'TLS_ENFORCED',
        summary: 'y=2',
        remediation: '',
        evidence: [],
      },
    ]);
    expect(finding).toEqual({
      verdict: 'COMPLIANT',
      reason: 'TLS_ENFORCED',
      annotation: 'x=1; y=2',
      remediation: '',
      evidence: [],
    });
  });
});

describe('evidence and remediation', () => {
  it('records one evidence entry per parameter read, with its source', () => {
    const finding = evaluateStatic(
      instanceInput({
        engine: 'postgres',
        engineVersion: '15.4',
        group: 'pg15-app',
        parameters: { 'rds.force_ssl': '1' },
        resource: { caCertificateIdentifier: 'rds-ca-rsa2048-g1' },
      }),
    );
    expect(finding.evidence).toEqual([
      { source: 'parameter-group', label: 'rds.force_ssl (read from group pg15-app)', value: '1' },
      {
        source: 'built-in',
        label:
          'ssl_min_protocol_version (assumed from built-in knowledge: documented default for this version)',
        value: 'TLSv1.2',
      },
      { source: 'rds-api', label: 'CA certificate identifier', value: 'rds-ca-rsa2048-g1' },
    ]);
  });

  it('explains that a default group must be replaced by a custom one', () => {
    const finding = evaluateStatic(
      instanceInput({
        engine: 'postgres',
        engineVersion: '14.9',
        group: 'default.postgres14',
        family: 'postgres14',
        parameters: {},
      }),
    );
    expect(finding.remediation).toBe(
      'Default group default.postgres14 cannot be modified: aws rds create-db-parameter-group --db-parameter-group-name app-db-tls --db-parameter-group-family postgres14 --description "TLS only"; ' +
        'aws rds modify-db-parameter-group --db-parameter-group-name app-db-tls --parameters ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=immediate; ' +
        'aws rds modify-db-instance --db-instance-identifier app-db --db-parameter-group-name app-db-tls --apply-immediately; then aws rds reboot-db-instance --db-instance-identifier app-db',
    );
  });
});

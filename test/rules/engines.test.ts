import { describe, expect, it } from 'vitest';
import { classifyEngine, evaluateStatic, probeProtocol } from '../../lib/rules/index.js';
import { resource, ruleInput } from './builders.js';

describe('classifyEngine', () => {
  it.each([
    ['postgres', 'postgres'],
    ['aurora-postgresql', 'aurora-postgresql'],
    ['mysql', 'mysql'],
    ['mariadb', 'mariadb'],
    ['aurora-mysql', 'aurora-mysql'],
    ['aurora', 'aurora-mysql'],
    ['sqlserver-ee', 'sqlserver'],
    ['sqlserver-se', 'sqlserver'],
    ['sqlserver-ex', 'sqlserver'],
    ['sqlserver-web', 'sqlserver'],
    ['oracle-ee', 'oracle'],
    ['oracle-se2', 'oracle'],
    ['oracle-ee-cdb', 'oracle'],
    ['oracle-se2-cdb', 'oracle'],
    ['custom-oracle-ee', 'custom'],
    ['custom-oracle-ee-cdb', 'custom'],
    ['custom-sqlserver-ee', 'custom'],
    ['custom-sqlserver-web', 'custom'],
    ['db2-se', 'db2'],
    ['db2-ae', 'db2'],
    ['Postgres', 'postgres'],
    ['cockroach', 'unknown'],
  ])('classifies %s as %s', (engine, family) => {
    expect(classifyEngine(engine)).toBe(family);
  });
});

describe('probeProtocol', () => {
  it.each([
    ['postgres', 'postgres'],
    ['aurora-postgresql', 'postgres'],
    ['mysql', 'mysql'],
    ['mariadb', 'mysql'],
    ['aurora-mysql', 'mysql'],
    ['aurora', 'mysql'],
    ['sqlserver-se', undefined],
    ['oracle-ee', undefined],
    ['db2-se', undefined],
    ['custom-oracle-ee', undefined],
  ])('gives %s the %s probe', (engine, protocol) => {
    expect(probeProtocol(engine)).toBe(protocol);
  });
});

describe('engines the rules do not assess', () => {
  it.each(['db2-se', 'db2-ae', 'custom-oracle-ee', 'custom-sqlserver-se', 'docdb'])(
    'reports %s as NOT_APPLICABLE ENGINE_NOT_ASSESSED with a reason',
    (engine) => {
      const finding = evaluateStatic(
        ruleInput({ resource: resource({ engine, engineVersion: '1.0' }) }),
      );
      expect(finding.verdict).toBe('NOT_APPLICABLE');
      expect(finding.reason).toBe('ENGINE_NOT_ASSESSED');
      expect(finding.annotation).toMatch(new RegExp(`^engine ${engine} 1\\.0 not assessed: .+`));
    },
  );

  it('reports an unknown engine as INSUFFICIENT_DATA, never COMPLIANT or out of scope', () => {
    const finding = evaluateStatic(
      ruleInput({ resource: resource({ engine: 'timesten', engineVersion: '22.1' }) }),
    );
    expect(finding.verdict).toBe('INSUFFICIENT_DATA');
    expect(finding.reason).toBe('ENGINE_UNKNOWN');
    expect(finding.annotation).toBe(
      'engine timesten 22.1 unknown to the rules: TLS enforcement not assessed',
    );
  });
});

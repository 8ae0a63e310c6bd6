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

  it('tells what to check on Db2, whose plaintext port stays open unless DB2COMM is SSL alone', () => {
    // RDS for Db2 enables TLS through DB2COMM (TCPIP,SSL or SSL) and
    // SSL_SVCENAME in a custom parameter group; with TCPIP,SSL both ports
    // serve (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Db2.Concepts.SSL.html).
    const finding = evaluateStatic(
      ruleInput({
        resource: resource({
          engine: 'db2-se',
          engineVersion: '11.5.9.0.sb00000000.r1',
          parameterGroup: { name: 'db2-app', applyStatus: 'in-sync' },
        }),
      }),
    );
    expect(finding.verdict).toBe('NOT_APPLICABLE');
    expect(finding.remediation).toBe(
      'RDS for Db2 accepts plaintext on its port unless parameter group db2-app sets DB2COMM to SSL alone (TCPIP,SSL keeps both): check it with aws rds describe-db-parameters --db-parameter-group-name db2-app, and that SSL_SVCENAME names the TLS port.',
    );
  });

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

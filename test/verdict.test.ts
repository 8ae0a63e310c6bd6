import { describe, expect, it } from 'vitest';
import { decide, legacyTlsEvidence } from '../lib/probe/decision.js';
import type { LegacyTlsStep } from '../lib/probe/model.js';
import { evaluateStatic } from '../lib/rules/index.js';
import { clampAnnotation } from '../lib/text.js';
import { DEFAULT_RULE_PARAMETERS, type Finding, type LiveFinding } from '../lib/types.js';
import { combineFindings, worstVerdict } from '../lib/verdict.js';
import { instanceInput } from './rules/builders.js';

function finding(verdict: Finding['verdict'], reason: string, annotation = reason): Finding {
  return { verdict, reason, annotation, remediation: `fix ${reason}`, evidence: [] };
}

function live(verdict: Finding['verdict'], reason: string, annotation = reason): LiveFinding {
  return { ...finding(verdict, reason, annotation), durationMs: 12 };
}

const rules = DEFAULT_RULE_PARAMETERS;
const requireProbe = { ...DEFAULT_RULE_PARAMETERS, requireLiveProbe: true };

describe('combineFindings', () => {
  it('reports TLS_PROVEN when configuration and server agree on TLS-only', () => {
    const combined = combineFindings({
      staticFinding: finding('COMPLIANT', 'TLS_ENFORCED', 'rds.force_ssl=1 in group app'),
      liveFinding: live('COMPLIANT', 'PLAINTEXT_REFUSED', 'plaintext refused'),
      probeApplies: true,
      ruleParameters: rules,
    });
    expect(combined.verdict).toBe('COMPLIANT');
    expect(combined.reason).toBe('TLS_PROVEN');
    expect(combined.annotation).toBe('plaintext refused; rds.force_ssl=1 in group app');
  });

  it('reports the disagreement when the group says TLS-only but the server accepts plaintext', () => {
    const combined = combineFindings({
      staticFinding: finding('COMPLIANT', 'TLS_ENFORCED', 'rds.force_ssl=1 in group app'),
      liveFinding: live('NON_COMPLIANT', 'PLAINTEXT_ACCEPTED', 'server accepted plaintext'),
      probeApplies: true,
      ruleParameters: rules,
    });
    expect(combined.verdict).toBe('NON_COMPLIANT');
    expect(combined.reason).toBe('LIVE_CONTRADICTS_CONFIGURATION');
    expect(combined.annotation).toContain('rds.force_ssl=1 in group app');
    expect(combined.annotation).toContain('server accepted plaintext');
  });

  it('keeps the live reason when both say plaintext is allowed', () => {
    const combined = combineFindings({
      staticFinding: finding('NON_COMPLIANT', 'FORCE_SSL_OFF'),
      liveFinding: live('NON_COMPLIANT', 'PLAINTEXT_ACCEPTED'),
      probeApplies: true,
      ruleParameters: rules,
    });
    expect(combined.reason).toBe('PLAINTEXT_ACCEPTED');
  });

  it('lets live proof win over a configuration finding, naming the contradiction', () => {
    const combined = combineFindings({
      staticFinding: finding('NON_COMPLIANT', 'FORCE_SSL_OFF', 'rds.force_ssl=0'),
      liveFinding: live('COMPLIANT', 'PLAINTEXT_REFUSED'),
      probeApplies: true,
      ruleParameters: rules,
    });
    expect(combined.verdict).toBe('COMPLIANT');
    expect(combined.reason).toBe('LIVE_CONTRADICTS_CONFIGURATION');
    expect(combined.annotation).toContain('FORCE_SSL_OFF');
  });

  it('keeps a certificate finding that the probe cannot disprove', () => {
    const combined = combineFindings({
      staticFinding: finding('NON_COMPLIANT', 'CA_EXPIRING', 'rds-ca-rsa2048-g1 expires in 9 days'),
      liveFinding: live('COMPLIANT', 'PLAINTEXT_REFUSED', 'plaintext refused'),
      probeApplies: true,
      ruleParameters: rules,
    });
    expect(combined.verdict).toBe('NON_COMPLIANT');
    expect(combined.reason).toBe('CA_EXPIRING');
  });

  it('keeps a compliant configuration verdict when the probe was inconclusive and not required', () => {
    const combined = combineFindings({
      staticFinding: finding('COMPLIANT', 'TLS_ENFORCED', 'rds.force_ssl=1'),
      liveFinding: live('INSUFFICIENT_DATA', 'SECRET_NOT_FOUND', 'secret not found'),
      probeApplies: true,
      ruleParameters: rules,
    });
    expect(combined.verdict).toBe('COMPLIANT');
    expect(combined.reason).toBe('TLS_ENFORCED');
    expect(combined.annotation).toBe('rds.force_ssl=1; live probe: secret not found');
  });

  it('is INSUFFICIENT_DATA when the probe reached for the server and got no proper answer', () => {
    for (const reason of ['UNREACHABLE', 'TIMEOUT', 'CONNECTION_CLOSED', 'PROTOCOL_ERROR']) {
      const combined = combineFindings({
        staticFinding: finding('COMPLIANT', 'TLS_ENFORCED', 'rds.force_ssl=1'),
        liveFinding: live('INSUFFICIENT_DATA', reason, 'connection refused'),
        probeApplies: true,
        ruleParameters: rules,
      });
      expect(combined.verdict).toBe('INSUFFICIENT_DATA');
      expect(combined.reason).toBe(reason);
      expect(combined.annotation).toContain('rds.force_ssl=1');
    }
  });

  it('keeps the configuration verdict when no connection was attempted for want of credentials or endpoint', () => {
    for (const reason of [
      'NO_SECRET_CONFIGURED',
      'SECRET_ACCESS_DENIED',
      'NO_ENDPOINT',
      'DATABASE_STOPPED',
      'NO_WRITER_INSTANCE',
    ]) {
      const combined = combineFindings({
        staticFinding: finding('COMPLIANT', 'TLS_ENFORCED'),
        liveFinding: live('INSUFFICIENT_DATA', reason),
        probeApplies: true,
        ruleParameters: rules,
      });
      expect(combined.verdict).toBe('COMPLIANT');
    }
  });

  it('keeps a compliant configuration with the note for a cluster with no writer instance, and asks for the proof under requireLiveProbe', () => {
    const noWriter = live(
      'INSUFFICIENT_DATA',
      'NO_WRITER_INSTANCE',
      'live probe not attempted: the cluster has no DB instances, so nothing answers on its endpoint',
    );
    const input = {
      staticFinding: finding('COMPLIANT', 'TLS_ENFORCED', 'rds.force_ssl=1 in group apg15-tls'),
      liveFinding: noWriter,
      probeApplies: true,
    };
    expect(combineFindings({ ...input, ruleParameters: rules })).toMatchObject({
      verdict: 'COMPLIANT',
      reason: 'TLS_ENFORCED',
      annotation:
        'rds.force_ssl=1 in group apg15-tls; live probe not attempted: the cluster has no DB instances, so nothing answers on its endpoint',
    });
    expect(combineFindings({ ...input, ruleParameters: requireProbe })).toMatchObject({
      verdict: 'INSUFFICIENT_DATA',
      reason: 'NO_WRITER_INSTANCE',
      annotation:
        'live proof required but live probe not attempted: the cluster has no DB instances, so nothing answers on its endpoint; configuration: rds.force_ssl=1 in group apg15-tls',
    });
  });

  it('is INSUFFICIENT_DATA when a required probe was inconclusive', () => {
    const combined = combineFindings({
      staticFinding: finding('COMPLIANT', 'TLS_ENFORCED'),
      liveFinding: live('INSUFFICIENT_DATA', 'UNREACHABLE'),
      probeApplies: true,
      ruleParameters: requireProbe,
    });
    expect(combined.verdict).toBe('INSUFFICIENT_DATA');
    expect(combined.reason).toBe('UNREACHABLE');
  });

  it('is INSUFFICIENT_DATA when a required probe did not run at all', () => {
    const combined = combineFindings({
      staticFinding: finding('COMPLIANT', 'TLS_ENFORCED'),
      probeApplies: true,
      ruleParameters: requireProbe,
    });
    expect(combined.verdict).toBe('INSUFFICIENT_DATA');
    expect(combined.reason).toBe('LIVE_PROOF_MISSING');
  });

  it('does not ask for a live proof for engines without a probe', () => {
    const combined = combineFindings({
      staticFinding: finding('COMPLIANT', 'TLS_ENFORCED'),
      probeApplies: false,
      ruleParameters: requireProbe,
    });
    expect(combined.verdict).toBe('COMPLIANT');
  });

  it('never upgrades NOT_APPLICABLE', () => {
    const combined = combineFindings({
      staticFinding: finding('NOT_APPLICABLE', 'ENGINE_NOT_ASSESSED'),
      liveFinding: live('NON_COMPLIANT', 'PLAINTEXT_ACCEPTED'),
      probeApplies: true,
      ruleParameters: rules,
    });
    expect(combined.verdict).toBe('NOT_APPLICABLE');
  });

  it('keeps the whole annotation: only the Config sink cuts it to 256 characters', () => {
    const long = 'x'.repeat(300);
    const combined = combineFindings({
      staticFinding: finding('COMPLIANT', 'TLS_ENFORCED', long),
      liveFinding: live('COMPLIANT', 'PLAINTEXT_REFUSED', long),
      probeApplies: true,
      ruleParameters: rules,
    });
    expect(combined.annotation).toBe(`${long}; ${long}`);
    expect(clampAnnotation(combined.annotation)).toHaveLength(256);
  });

  it('says why nothing was attempted, once, without doubled words', () => {
    const staticFinding = finding('COMPLIANT', 'TLS_ENFORCED', 'rds.force_ssl=1 in group app');
    const notAttempted = live(
      'INSUFFICIENT_DATA',
      'NO_SECRET_CONFIGURED',
      'live probe not attempted: no credentials for orders: map it in secretArns, tag it rds-tls-guard:secret-arn=<secret ARN>, or use an RDS-managed master secret',
    );
    const inconclusive = live(
      'INSUFFICIENT_DATA',
      'TIMEOUT',
      'live probe inconclusive: no answer before the timeout; plaintext: no answer before the timeout',
    );
    const annotations = [
      combineFindings({
        staticFinding,
        liveFinding: notAttempted,
        probeApplies: true,
        ruleParameters: rules,
      }),
      combineFindings({
        staticFinding,
        liveFinding: notAttempted,
        probeApplies: true,
        ruleParameters: requireProbe,
      }),
      combineFindings({
        staticFinding,
        liveFinding: inconclusive,
        probeApplies: true,
        ruleParameters: rules,
      }),
      combineFindings({ staticFinding, probeApplies: true, ruleParameters: requireProbe }),
      combineFindings({
        staticFinding,
        probeApplies: true,
        ruleParameters: { ...requireProbe, liveProbe: false },
      }),
    ].map((combined) => combined.annotation);
    expect(annotations).toEqual([
      'rds.force_ssl=1 in group app; live probe not attempted: no credentials for orders: map it in secretArns, tag it rds-tls-guard:secret-arn=<secret ARN>, or use an RDS-managed master secret',
      'live proof required but live probe not attempted: no credentials for orders: map it in secretArns, tag it rds-tls-guard:secret-arn=<secret ARN>, or use an RDS-managed master secret; configuration: rds.force_ssl=1 in group app',
      'live probe inconclusive: no answer before the timeout; plaintext: no answer before the timeout; the server did not answer as a database should, so its configuration is not trusted: rds.force_ssl=1 in group app',
      'live proof required but no probe ran (this scan had no prober); configuration: rds.force_ssl=1 in group app',
      'live proof required but no probe ran (liveProbe is off); configuration: rds.force_ssl=1 in group app',
    ]);
    for (const annotation of annotations) {
      expect(annotation).not.toMatch(/\b(\w+) \1\b/i);
      expect(annotation.match(/live probe/g)?.length ?? 0).toBeLessThanOrEqual(1);
    }
  });
});

describe('worstVerdict', () => {
  it('orders NON_COMPLIANT over INSUFFICIENT_DATA over COMPLIANT over NOT_APPLICABLE', () => {
    expect(worstVerdict(['COMPLIANT', 'INSUFFICIENT_DATA'])).toBe('INSUFFICIENT_DATA');
    expect(worstVerdict(['INSUFFICIENT_DATA', 'NON_COMPLIANT', 'COMPLIANT'])).toBe('NON_COMPLIANT');
    expect(worstVerdict(['NOT_APPLICABLE', 'COMPLIANT'])).toBe('COMPLIANT');
    expect(worstVerdict([])).toBe('NOT_APPLICABLE');
  });
});

/** A MySQL live proof (plaintext refused, TLS verified) with this downgrade step, as decide() writes it. */
function liveWith(legacy: LegacyTlsStep): LiveFinding {
  const finding = decide({
    protocol: 'mysql',
    plaintext: { kind: 'refused', reason: 'PLAINTEXT_REFUSED', detail: 'plaintext refused' },
    tls: { kind: 'verified', protocol: 'TLSv1.3' },
    legacy,
    minTlsVersion: 'TLSv1.2',
    requireLiveProbe: false,
    // As the PostgreSQL and MySQL probes record the step.
    evidence: [legacyTlsEvidence(legacy)],
  });
  return { ...finding, durationMs: 40 };
}

describe.each([
  {
    // tls_version lists TLSv1 and TLSv1.1: a client can connect with TLS 1.0
    // unless the live downgrade check shows the server refusing it.
    configuration: 'allows TLS below the minimum',
    tlsVersion: 'TLSv1,TLSv1.1,TLSv1.2',
    verdict: 'NON_COMPLIANT',
    reason: 'TLS_VERSION_ALLOWS_LEGACY',
    says: 'allows TLSv1, TLSv1.1 (minimum TLSv1.2)',
  },
  {
    // A token the rules do not know: the floor itself is what is unknown.
    configuration: 'could not be judged',
    tlsVersion: 'TLSv1.2,TLSv9',
    verdict: 'INSUFFICIENT_DATA',
    reason: 'PARAMETER_VALUE_UNKNOWN',
    says: 'TLSv9',
  },
] as const)(
  'a configuration that $configuration, beside a live proof',
  ({ tlsVersion, verdict, says }) => {
    const staticFinding = evaluateStatic(
      instanceInput({
        engine: 'mysql',
        engineVersion: '8.0.39',
        group: 'mysql-app',
        parameters: { require_secure_transport: '1', tls_version: tlsVersion },
      }),
    );

    function combineWithStatic(liveFinding: LiveFinding) {
      return combineFindings({
        staticFinding,
        liveFinding,
        probeApplies: true,
        ruleParameters: rules,
      });
    }

    it(`stays ${verdict} when the live downgrade check could not run`, () => {
      expect(staticFinding.verdict).toBe(verdict);
      const liveFinding = liveWith({
        kind: 'untestable',
        offered: 'TLSv1.1',
        detail: 'this client cannot offer TLSv1.1',
      });
      expect(liveFinding.verdict).toBe('COMPLIANT');

      const combined = combineWithStatic(liveFinding);

      expect(combined.verdict).toBe(verdict);
      expect(combined.reason).toBe(staticFinding.reason);
      expect(combined.annotation).toContain(says);
      expect(combined.annotation).toContain('TLS downgrade check below TLSv1.2 did not run');
    });

    it('lets the live proof win once the server refused the downgrade', () => {
      const liveFinding = liveWith({
        kind: 'refused',
        offered: 'TLSv1.1',
        detail: 'protocol version alert',
      });
      const combined = combineWithStatic(liveFinding);

      expect(combined.verdict).toBe('COMPLIANT');
      expect(combined.reason).toBe('LIVE_CONTRADICTS_CONFIGURATION');
    });
  },
);

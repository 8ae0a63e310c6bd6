import { describe, expect, it } from 'vitest';
import { LIVE_REASONS, remediationFor } from '../../lib/probe/reasons.js';
import { STATIC_REASONS } from '../../lib/rules/reasons.js';

describe('live reason codes', () => {
  it('are listed once each and never reuse a static reason code', () => {
    expect(new Set(LIVE_REASONS).size).toBe(LIVE_REASONS.length);
    const staticCodes = new Set<string>(STATIC_REASONS);
    expect(LIVE_REASONS.filter((reason) => staticCodes.has(reason))).toEqual([]);
  });

  it('each have remediation text; a proof needs none, an inconclusive probe says where to rerun it', () => {
    for (const reason of LIVE_REASONS) expect(remediationFor(reason)).not.toBe('');
    expect(remediationFor('PLAINTEXT_REFUSED')).toMatch(/^None:/);
    expect(remediationFor('SECRET_ACCESS_DENIED')).toMatch(/working credentials/);
  });
});

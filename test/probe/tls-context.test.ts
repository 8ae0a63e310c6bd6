import { describe, expect, it } from 'vitest';
import type { ProbeTarget } from '../../lib/probe/index.js';
import { rdsCaBundle } from '../../lib/probe/index.js';
import { verifiedSecureContext } from '../../lib/probe/tls-context.js';

const bundle = rdsCaBundle();

function target(overrides: Partial<ProbeTarget> = {}): ProbeTarget {
  return {
    host: '10.0.1.15',
    port: 5432,
    servername: 'orders-db.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
    ca: bundle,
    minTlsVersion: 'TLSv1.2',
    connectTimeoutMs: 5_000,
    ...overrides,
  };
}

describe('TLS settings shared by the verified sessions', () => {
  it('parses the RDS CA bundle once for every database probed with it', () => {
    const first = verifiedSecureContext(target());
    const other = verifiedSecureContext(target({ host: '10.0.2.30', servername: 'billing-db.x' }));
    expect(other).toBe(first);
  });

  it('builds another context for another minimum version or another bundle', () => {
    const tls12 = verifiedSecureContext(target());
    expect(verifiedSecureContext(target({ minTlsVersion: 'TLSv1.3' }))).not.toBe(tls12);
    expect(verifiedSecureContext(target({ ca: [...bundle] }))).not.toBe(tls12);
  });
});
